"""Demo generator: évaluations, the comité and its decisions, enveloppes, suivis and letters."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from instructeur.demo.common import DEMO_USER, _round_to
from instructeur.demo.dossiers import _DossiersPart
from instructeur.demo.vocabulary import (
    COMMENTAIRES_EVALUATION,
    ENC,
    ENI,
    GRILLE_CRITERES,
    GRILLE_NIVEAUX,
    INS,
    IRR,
    NR,
    RET,
    SOL,
    D,
)
from instructeur.domain.text import fold


class _ComitePart(_DossiersPart):
    def _evaluations(self) -> None:
        rng = self.rng
        current = self.campagnes[-1]
        year = current.annee
        grille_id = self.next_ids["grille"]
        self._add(
            "grille",
            {
                "id": grille_id,
                "campagne_id": current.id,
                "nom": f"Grille d'analyse {year}",
                "numero_version": 1,
                "verrouillee": False,
                "version": 1,
                "updated_by": DEMO_USER,
            },
        )
        critere_ids = []
        for position, (section, libelle, aide) in enumerate(GRILLE_CRITERES):
            cid = self.next_ids["critere"] + position
            critere_ids.append(cid)
            self._add(
                "critere",
                {
                    "id": cid,
                    "grille_id": grille_id,
                    "section": section,
                    "libelle": libelle,
                    "aide": aide,
                    "poids": 1,
                    "echelle_min": 0,
                    "echelle_max": 3,
                    "niveaux": GRILLE_NIVEAUX,
                    "eliminatoire": False,
                    "position": position,
                },
            )
        by_code = {code: fid for fid, code, _ in self.financeurs}
        commune_code = next((code for _, code, t in self.financeurs if t == "commune"), "EPCI")
        evaluateurs = (
            ("Claire Vandenbussche (déléguée du préfet)", "ETAT", -0.3),
            ("Karim Lemaître (chef de projet politique de la ville)", "EPCI", 0.0),
            ("Aurélie Delcourt (référente quartiers)", commune_code, 0.3),
            ("Jérôme Wimet (conseiller action sociale)", "CAF", 0.1),
            ("Inès Boutry (chargée de mission territoriale)", "CD62", -0.1),
        )
        eval_ids: list[tuple[int, float]] = []
        for n, (nom, code, severity) in enumerate(evaluateurs):
            eid = self.next_ids["evaluateur"] + n
            eval_ids.append((eid, severity))
            person = nom.split(" (")[0]
            self._add(
                "evaluateur",
                {
                    "id": eid,
                    "contrat_id": self.contrat_id,
                    "nom": nom,
                    "financeur_id": by_code.get(code),
                    "email": re.sub(r"[^a-z.]", "", fold(person).replace(" ", ".")) + "@exemple.invalid",
                    "version": 1,
                    "updated_by": DEMO_USER,
                },
            )
        next_eval = self.next_ids["evaluation"]
        for d in current.dossiers:
            if d.statut in (INS, ENC):
                k = rng.choice((2, 2, 3))
            elif d.statut == ENI and d.row["cotation_instruite"] is not None:
                k = 1
            else:
                continue
            base = {"favorable": 2.3, "reserve": 1.6, "defavorable": 0.9}.get(str(d.row["avis"]), 1.8)
            qpv = int(d.row["part_qpv_pct"])
            qpv_note = 3 if qpv >= 80 else 2 if qpv >= 60 else 1 if qpv >= 50 else 0
            for i, (eid, severity) in enumerate(rng.sample(eval_ids, k)):
                # The first évaluateur never declares a conflict: an instruit dossier needs one score.
                conflit = i > 0 and rng.random() < 0.04
                self._add(
                    "evaluation",
                    {
                        "id": next_eval,
                        "dossier_id": d.id,
                        "evaluateur_id": eid,
                        "grille_id": grille_id,
                        "conflit": conflit,
                        "conflit_motif": "Membre du conseil d'administration du porteur."
                        if conflit
                        else None,
                        "commentaire": rng.choice(COMMENTAIRES_EVALUATION)
                        if not conflit and rng.random() < 0.4
                        else None,
                        "date_evaluation": date(year, 2, 1) + timedelta(days=rng.randrange(0, 45)),
                        "version": 1,
                        "updated_by": DEMO_USER,
                    },
                )
                if not conflit:
                    for position, cid in enumerate(critere_ids):
                        center = qpv_note if position == 0 else base + severity
                        value = round(center + rng.gauss(0, 0.6))
                        self._add(
                            "note",
                            {"evaluation_id": next_eval, "critere_id": cid, "valeur": min(3, max(0, value))},
                        )
                next_eval += 1

    def _comite(self) -> None:
        rng = self.rng
        current = self.campagnes[-1]
        self.comite_id = self.next_ids["comite"]
        self._add(
            "comite",
            {
                "id": self.comite_id,
                "campagne_id": current.id,
                "type": "financeurs",
                "date_seance": current.comite_date,
                "lieu": "Salle du conseil, hôtel communautaire",
                "statut": "preparation",
                "version": 1,
                "updated_by": DEMO_USER,
            },
        )
        by_code = {code: fid for fid, code, _ in self.financeurs}
        commune_code = next((code for _, code, t in self.financeurs if t == "commune"), "EPCI")
        membres = (
            ("Mme Sophie Hennebelle", "Sous-préfète, cheffe de projet État", "ETAT"),
            ("M. Olivier Caudron", "Délégué du préfet", "ETAT"),
            ("M. Thierry Wacquet", "Vice-président chargé de la politique de la ville", "EPCI"),
            ("Mme Nadia Bensaïd", "Adjointe au maire chargée de la cohésion sociale", commune_code),
            ("Mme Hélène Parenty", "Conseillère départementale", "CD62"),
            ("M. Franck Delobel", "Responsable du service action sociale", "CAF"),
            ("Mme Céline Morel", "Chargée de mission politique de la ville", "REGION"),
            ("M. Pascal Leprêtre", "Responsable du développement social urbain", "BAILLEUR"),
        )
        count = rng.choice((6, 7, 8))
        for n, (nom, fonction, code) in enumerate(membres[:count]):
            self._add(
                "comite_membre",
                {
                    "id": self.next_ids["comite_membre"] + n,
                    "comite_id": self.comite_id,
                    "nom": nom,
                    "fonction": fonction,
                    "financeur_id": by_code.get(code),
                    "present": rng.random() < 0.9,
                },
            )
        agenda = sorted(
            (d for d in current.dossiers if d.statut == ENC), key=lambda d: (d.leaf.order, d.row["reference"])
        )
        for position, d in enumerate(agenda, start=1):
            self._add(
                "comite_point",
                {
                    "id": self.next_ids["comite_point"] + position - 1,
                    "comite_id": self.comite_id,
                    "dossier_id": d.id,
                    "position": position,
                    "decision": None,
                    "conditions": None,
                    "motivation": None,
                    "decided_at": None,
                    "version": 1,
                    "updated_by": DEMO_USER,
                },
            )

    def _enveloppes(self) -> None:
        rng = self.rng
        next_id = self.next_ids["enveloppe"]
        for campagne in self.campagnes:
            totals: dict[int, int] = {fid: 0 for fid, _, _ in self.financeurs}
            for d in campagne.dossiers:
                if campagne.current and d.statut == IRR:
                    continue
                for ligne in d.lignes:
                    fid = ligne["financeur_id"]
                    if fid is None:
                        continue
                    totals[fid] += int(
                        ligne["demande_cents"] if campagne.current else ligne["vote_cents"] or 0
                    )
            for fid, _, _ in self.financeurs:
                if campagne.current:  # demands exceed what can be covered (~75–85 %)
                    amount = _round_to(int(totals[fid] * rng.uniform(0.75, 0.85)), 100_000)
                else:  # closed campagnes: what was voted, plus a small unspent margin
                    amount = -(-int(totals[fid] * rng.uniform(1.0, 1.05)) // 100_000) * 100_000
                self._add(
                    "enveloppe",
                    {
                        "id": next_id,
                        "campagne_id": campagne.id,
                        "financeur_id": fid,
                        "montant_cents": amount,
                        "version": 1,
                        "updated_by": DEMO_USER,
                    },
                )
                next_id += 1

    def _after_decisions(self) -> None:
        """Recevabilité checklists, notifications, suivis, labels and links of every dossier."""
        rng = self.rng
        labels = (
            "Action phare",
            "Nouveau porteur",
            "Convention pluriannuelle",
            "À revoir en comité technique",
        )
        label_ids = [self.next_ids["label"] + n for n in range(len(labels))]
        for lid, nom in zip(label_ids, labels, strict=True):
            self._add("label", {"id": lid, "nom": nom, "couleur": None})
        suivi_id = self.next_ids["suivi"]
        notification_id = self.next_ids["notification"]
        transition_id = self.next_ids["transition"]
        for campagne in self.campagnes:
            for d in campagne.dossiers:
                row = d.row
                self.rows.setdefault("dossier", []).append(row)
                self.rows.setdefault("ligne_financement", []).extend(d.lignes)
                for de, vers, at, motivation in d.history:
                    self._add(
                        "transition",
                        {
                            "id": transition_id,
                            "dossier_id": d.id,
                            "at": at,
                            "utilisateur": DEMO_USER,
                            "de_statut": de,
                            "vers_statut": vers,
                            "motivation": motivation,
                        },
                    )
                    transition_id += 1
                for qid in d.quartiers:
                    self._add("dossier_quartier", {"dossier_id": d.id, "quartier_id": qid})
                for oid in d.objectifs_secondaires:
                    self._add("dossier_objectif_secondaire", {"dossier_id": d.id, "objectif_id": oid})
                for oid in d.classements:
                    self._add("dossier_classement", {"dossier_id": d.id, "objectif_id": oid})
                for aid in d.axes:
                    self._add("dossier_axe_transversal", {"dossier_id": d.id, "axe_transversal_id": aid})
                if rng.random() < 0.08:
                    self._add("dossier_label", {"dossier_id": d.id, "label_id": rng.choice(label_ids)})
                if d.statut != D:
                    for position, item in enumerate(campagne.items):
                        ko = d.recevabilite_ko.get(position)
                        comment = ko
                        if ko is None and position == 2 and not row["reconduite"]:
                            comment = "Sans objet : action nouvelle."
                        self._add(
                            "recevabilite_check",
                            {"dossier_id": d.id, "item_id": item, "ok": ko is None, "commentaire": comment},
                        )
                if d.notified_on is not None:
                    self._add(
                        "notification",
                        {
                            "id": notification_id,
                            "dossier_id": d.id,
                            "financeur_id": None,
                            "modele": "attribution" if row["decision"] == RET else "refus",
                            "etat": "notifie",
                            "date_generation": d.notified_on - timedelta(days=6),
                            "date_signature": d.notified_on - timedelta(days=2),
                            "date_notification": d.notified_on,
                            "fichier": None,
                            "version": 1,
                            "updated_by": DEMO_USER,
                        },
                    )
                    notification_id += 1
                if d.statut in (SOL, NR):
                    realise = "non" if d.statut == NR else "oui" if rng.random() < 0.8 else "partiel"
                    factor = (
                        0.0
                        if realise == "non"
                        else rng.uniform(0.8, 1.1)
                        if realise == "oui"
                        else rng.uniform(0.4, 0.75)
                    )
                    crf = d.history[-1][2].date() if d.statut == SOL else None
                    self._add(
                        "suivi",
                        {
                            "id": suivi_id,
                            "dossier_id": d.id,
                            "crf_recu_le": crf,
                            "realise": realise,
                            "beneficiaires_femmes": round(int(row["public_femmes"]) * factor),
                            "beneficiaires_hommes": round(int(row["public_hommes"]) * factor),
                            "indicateurs": None
                            if realise == "non"
                            else f"{rng.randrange(6, 40)} séances réalisées ; taux d'assiduité {rng.randrange(55, 96)} %.",
                            "version": 1,
                            "updated_by": DEMO_USER,
                        },
                    )
                    suivi_id += 1
        self._add(
            "setting",
            {
                "key": "demo",
                "value": json.dumps(
                    {"seed": self.seed, "dossiers": self.n, "referentiel": self.ref.code}, sort_keys=True
                ),
            },
        )
