"""Demo generator: a dossier's statut history, its instruction and its votes."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from datetime import time as dtime

from instructeur.demo.common import _Campagne, _Dossier, _weighted
from instructeur.demo.contrat import _ContratPart
from instructeur.demo.vocabulary import (
    AJ,
    AVIS_DEFAVORABLE,
    AVIS_FAVORABLE,
    AVIS_RESERVE,
    COTATION_QUESTIONS,
    CURRENT_STATUTS,
    ENC,
    ENI,
    INC,
    INS,
    IRR,
    MOTIFS_AJOURNE,
    MOTIFS_INCOMPLET,
    MOTIFS_IRRECEVABLE,
    MOTIFS_NON_REALISE,
    MOTIFS_REFUS,
    NOT,
    NR,
    OLD_OUTCOMES,
    REC,
    REF,
    RET,
    SOL,
    D,
)


class _StatutsPart(_ContratPart):
    # Statuts and instruction ---------------------------------------------------------------

    def _history(self, campagne: _Campagne, d: _Dossier) -> None:
        rng = self.rng
        year = campagne.annee
        depot: date = d.row["date_depot"]
        clock = datetime.combine(depot, dtime(9, 0)) + timedelta(minutes=rng.randrange(0, 540))

        def move(to: str, when: datetime, motivation: str | None = None) -> None:
            nonlocal clock
            clock = max(when, clock + timedelta(minutes=5))
            d.history.append((d.row["statut"] if d.history else None, to, clock, motivation))
            d.row["statut"] = to
            if to in (RET, REF, AJ):
                d.row["decision"] = to

        move(D, clock)
        if campagne.current:
            final = _weighted(rng, CURRENT_STATUTS)
        else:
            table = [
                (name, old if campagne is not self.campagnes[-2] else last)
                for name, old, last in OLD_OUTCOMES
            ]
            final = _weighted(rng, table)
        # Demande de compléments on the way (or as the current statut).
        if final == INC or rng.random() < 0.1:
            motif = rng.choice(MOTIFS_INCOMPLET)
            move(INC, clock + timedelta(days=rng.randrange(5, 20)), motif)
            if final == INC:
                d.recevabilite_ko = {0 if "budget" in motif or "RIB" in motif else 1: motif}
                return
            move(D, clock + timedelta(days=rng.randrange(5, 25)), "Compléments reçus.")
        if final == D:
            return
        recevable_at = datetime.combine(date(year, 1, 5), dtime(10, 0)) + timedelta(days=rng.randrange(0, 25))
        if final in (IRR, "irrecevable"):
            motif, position = rng.choice(MOTIFS_IRRECEVABLE)
            move(IRR, recevable_at, motif)
            d.recevabilite_ko = {position: motif}
            return
        outcome = final
        stop = {REC: REC, ENI: ENI, INS: INS, ENC: ENC}.get(final)
        move(REC, recevable_at)
        if stop == REC:
            return
        move(ENI, clock + timedelta(days=rng.randrange(1, 10)))
        if stop == ENI:
            if rng.random() < 0.3:
                self._instruction(d, for_outcome=None, partial=True)
            return
        self._instruction(d, for_outcome=outcome if not campagne.current else None, partial=False)
        comite_at = datetime.combine(campagne.comite_date, dtime(14, 0))
        move(INS, min(clock + timedelta(days=rng.randrange(10, 30)), comite_at - timedelta(days=15)))
        if stop == INS:
            return
        move(ENC, comite_at - timedelta(days=rng.randrange(7, 14)))
        if stop == ENC:
            return
        # Closed campagnes: decision, notification, CRF.
        if outcome == "ajourne_puis_solde":
            move(AJ, comite_at + timedelta(minutes=rng.randrange(0, 180)), rng.choice(MOTIFS_AJOURNE))
            comite_at += timedelta(days=63)
            move(ENC, comite_at - timedelta(days=10))
        if outcome == "refuse":
            move(REF, comite_at + timedelta(minutes=rng.randrange(0, 180)), rng.choice(MOTIFS_REFUS))
            self._votes(d, retenu=False)
        else:
            move(RET, comite_at + timedelta(minutes=rng.randrange(0, 180)))
            self._votes(d, retenu=True)
        if outcome == "retenu_non_realise":
            move(
                NR,
                datetime.combine(date(year, 6, 1), dtime(11, 0)) + timedelta(days=rng.randrange(0, 60)),
                rng.choice(MOTIFS_NON_REALISE),
            )
            return
        notified = comite_at + timedelta(days=rng.randrange(20, 45))
        move(NOT, notified)
        d.notified_on = notified.date()
        if outcome == "solde" or outcome == "ajourne_puis_solde":
            move(
                SOL,
                datetime.combine(date(year + 1, 2, 1), dtime(15, 0)) + timedelta(days=rng.randrange(0, 120)),
            )
        elif outcome == "non_realise":
            move(
                NR,
                datetime.combine(date(year, 9, 1), dtime(11, 0)) + timedelta(days=rng.randrange(0, 90)),
                rng.choice(MOTIFS_NON_REALISE),
            )

    def _instruction(self, d: _Dossier, *, for_outcome: str | None, partial: bool) -> None:
        """Cotation F/H instruite (questionnaire), avis and proposed amounts."""
        rng = self.rng
        declared = int(d.row["cotation_declaree"])
        true_level = declared if rng.random() < 0.7 else max(0, declared - 1)
        answers = {q: False for q in COTATION_QUESTIONS}
        if true_level == 2:
            answers = {q: rng.random() < 0.85 for q in COTATION_QUESTIONS} | {"principal": True}
        elif true_level == 1:
            for q in rng.sample(COTATION_QUESTIONS[:4], rng.choice((3, 4))):
                answers[q] = True
        else:
            for q in rng.sample(COTATION_QUESTIONS[:4], rng.choice((0, 1, 2))):
                answers[q] = True
        proposed = 2 if answers["principal"] else 1 if sum(answers.values()) >= 3 else 0
        instruite = proposed
        justification = None
        if rng.random() < 0.1:
            instruite = max(0, proposed - 1) if proposed else 1
            justification = "Niveau ajusté par l'instructeur après échange avec le porteur."
        elif instruite != declared:
            justification = f"Niveau déclaré {declared}, retenu {instruite} : " + (
                "l'égalité F/H n'apparaît ni dans les objectifs ni dans les indicateurs."
                if instruite < declared
                else "le questionnaire montre une prise en compte plus forte que déclarée."
            )
        d.row.update(
            cotation_reponses=json.dumps(answers, sort_keys=True),
            cotation_proposee=proposed,
            cotation_instruite=instruite,
            cotation_justification=justification,
        )
        if partial:
            return
        if for_outcome in ("refuse",):
            avis = _weighted(rng, (("defavorable", 60), ("reserve", 40)))
        elif for_outcome is not None:
            avis = _weighted(rng, (("favorable", 75), ("reserve", 25)))
        else:
            avis = _weighted(rng, (("favorable", 60), ("reserve", 25), ("defavorable", 15)))
        if avis == "favorable":
            motivation = rng.choice(AVIS_FAVORABLE) if rng.random() < 0.4 else None
            low, high = 0.85, 1.0
        elif avis == "reserve":
            motivation = rng.choice(AVIS_RESERVE)
            low, high = 0.5, 0.85
        else:
            motivation = rng.choice(AVIS_DEFAVORABLE)
            low, high = 0.0, 0.0
        d.row.update(avis=avis, avis_motivation=motivation)
        for ligne in d.lignes:
            if ligne["financeur_id"] is None:
                continue
            demande = int(ligne["demande_cents"])
            propose = int(demande * rng.uniform(low, high)) // 10_000 * 10_000
            if high > 0:
                propose = max(propose, min(demande, 10_000))
            ligne["propose_cents"] = propose

    def _votes(self, d: _Dossier, *, retenu: bool) -> None:
        rng = self.rng
        funded = [ligne for ligne in d.lignes if ligne["financeur_id"] is not None]
        for ligne in funded:
            if not retenu:
                ligne["vote_cents"] = 0
                continue
            base = int(ligne["propose_cents"] or ligne["demande_cents"])
            vote = 0 if rng.random() < 0.05 else int(base * rng.uniform(0.9, 1.0)) // 10_000 * 10_000
            ligne["vote_cents"] = min(vote, int(ligne["demande_cents"]))
        if retenu and funded and not any(ligne["vote_cents"] for ligne in funded):
            funded[0]["vote_cents"] = min(int(funded[0]["demande_cents"]), 10_000)

    # Évaluations, comité, enveloppes ---------------------------------------------------------
