"""Demo generator: dossiers (reconduits or new), quartiers, intitulés, plans de financement."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from instructeur.demo.common import DEMO_USER, _Campagne, _Dossier, _round_to, _weighted
from instructeur.demo.statuts import _StatutsPart
from instructeur.demo.vocabulary import (
    ACTIONS,
    GOALS,
    NICKNAMES,
    OTHER_RESOURCES,
    PUBLICS,
    RET,
    SECOND_SENTENCES,
    THEME_PUBLICS,
    D,
)


class _DossiersPart(_StatutsPart):
    # Dossiers ------------------------------------------------------------------------------

    def _dossiers(self, campagne: _Campagne) -> None:
        rng = self.rng
        count = self.counts[self.campagnes.index(campagne)]
        previous = (
            self.campagnes[self.campagnes.index(campagne) - 1] if campagne is not self.campagnes[0] else None
        )
        prev_pool: list[_Dossier] = []
        if previous is not None:
            prev_pool = [d for d in previous.dossiers if d.row["decision"] == RET]
            rng.shuffle(prev_pool)
        ouverture = date(campagne.annee - 1, 10, 15)
        span = (date(campagne.annee - 1, 12, 15) - ouverture).days
        made: list[_Dossier] = []
        for _ in range(count):
            reconduite = rng.random() < 0.4
            source = prev_pool.pop() if reconduite and prev_pool else None
            d = self._dossier(campagne, source, reconduite)
            d.row["date_depot"] = ouverture + timedelta(days=rng.randrange(span + 1))
            made.append(d)
        # Dauphin-like numbers, increasing with the deposit date: « 24-001234 ».
        numbers = sorted(rng.sample(range(1_000, 1_000_000), count))
        for number, d in zip(numbers, sorted(made, key=lambda d: (d.row["date_depot"], d.id)), strict=True):
            d.row["reference"] = f"{campagne.annee % 100:02d}-{number:06d}"
        for d in made:
            self._history(campagne, d)
        campagne.dossiers = made

    def _dossier(self, campagne: _Campagne, source: _Dossier | None, reconduite: bool) -> _Dossier:
        rng = self.rng
        did = self.next_ids["dossier"]
        self.next_ids["dossier"] += 1
        if source is not None:
            leaf, theme = source.leaf, source.theme
            porteur_id = int(source.row["porteur_id"])
            intitule = str(source.row["intitule"])
            description = str(source.row["description"])
            objectifs_action = str(source.row["objectifs_action"])
            public_ages = source.row["public_ages"]
            quartiers = list(source.quartiers)
            cost = _round_to(int(source.row["cout_total_cents"] * rng.uniform(0.9, 1.15)), 1000)
        else:
            leaf = rng.choice(rng.choice(self.leaves_by_axe))
            theme = leaf.theme
            porteur_id = self.porteurs[int(len(self.porteurs) * rng.random() ** 1.3)].id
            quartiers = self._quartiers()
            intitule = self._intitule(theme, campagne.annee, quartiers)
            public_phrase, public_ages = PUBLICS[rng.choice(THEME_PUBLICS[theme])]
            goal = rng.choice(GOALS[theme])
            if len(quartiers) == 1:
                lieu = f"du quartier {self.quartier_noms[quartiers[0]]}"
            elif quartiers:
                lieu = "des quartiers " + " et ".join(self.quartier_noms[q] for q in quartiers)
            else:
                lieu = "des quartiers prioritaires"
            description = f"L'action s'adresse à {public_phrase} {lieu} et vise à {goal}."
            if rng.random() < 0.6:
                description += " " + rng.choice(SECOND_SENTENCES)
            objectifs_action = (
                f"Objectif principal : {goal}. Résultats attendus mesurés par des indicateurs sexués."
            )
            euros = math.exp(rng.uniform(math.log(2_000), math.log(150_000)))
            cost = _round_to(int(euros * 100), 1000)
            if rng.random() < 0.25:
                cost += rng.randrange(1, 100)  # some budgets are not round
        cost = min(max(cost, 200_000), 15_000_000)
        prevu = 10 + int(390 * rng.random() ** 2)
        femmes = round(prevu * rng.uniform(0.2, 0.8))
        if theme == "parentalite" and rng.random() < 0.5:
            femmes = round(prevu * rng.uniform(0.7, 0.95))
        hommes = round((prevu - femmes) * rng.uniform(0.85, 1.0))
        debut = date(campagne.annee, 1, 1) + timedelta(days=rng.randrange(0, 120))
        fin = date(campagne.annee, 12, 31) - timedelta(days=rng.randrange(0, 150))
        declared = _weighted(rng, ((0, 50), (1, 35), (2, 15)))
        row: dict[str, Any] = {
            "id": did,
            "campagne_id": campagne.id,
            "porteur_id": porteur_id,
            "reference": "",
            "intitule": intitule,
            "description": description,
            "objectifs_action": objectifs_action,
            "public_prevu": prevu,
            "public_femmes": femmes,
            "public_hommes": hommes,
            "public_ages": public_ages,
            "part_qpv_pct": rng.randrange(40, 101),
            "objectif_id": leaf.id,
            "date_depot": None,
            "date_debut": debut,
            "date_fin": fin,
            "pluriannuel": rng.random() < 0.08,
            "reconduite": reconduite,
            "reconduction_de_id": source.id if source is not None else None,
            "cout_total_cents": cost,
            "statut": D,
            "decision": None,
            "cotation_declaree": declared,
            "cotation_instruite": None,
            "cotation_proposee": None,
            "cotation_justification": None,
            "cotation_reponses": None,
            "avis": None,
            "avis_motivation": None,
            "observations": "Action reconduite : bilan N-1 à joindre."
            if source is not None and rng.random() < 0.2
            else None,
            "version": 1,
            "updated_by": DEMO_USER,
        }
        d = _Dossier(row=row, leaf=leaf, theme=theme, quartiers=quartiers)
        others = [leaf2.id for leaf2 in self.all_leaves if leaf2.id != leaf.id]
        k = _weighted(rng, ((0, 60), (1, 30), (2, 10)))
        d.objectifs_secondaires = sorted(rng.sample(others, min(k, len(others))))
        if d.id % 4:  # three dossiers in four carry the classifications linked to their objectif
            d.classements = list(self.classement_of.get(leaf.id, ()))
        if self.axes_ids:
            d.axes = sorted(
                rng.sample(
                    self.axes_ids, min(_weighted(rng, ((0, 45), (1, 40), (2, 15))), len(self.axes_ids))
                )
            )
        self._plan(d)
        return d

    def _quartiers(self) -> list[int]:
        rng = self.rng
        chosen: list[int] = []
        if self.qpv:
            chosen = rng.sample(self.qpv, 2 if len(self.qpv) > 1 and rng.random() < 0.3 else 1)
        if self.autres_quartiers and (not chosen or rng.random() < 0.15):
            chosen.append(rng.choice(self.autres_quartiers))
        return sorted(chosen)

    def _intitule(self, theme: str, annee: int, quartiers: list[int]) -> str:
        rng = self.rng
        base = rng.choice(ACTIONS[theme])
        variant = rng.random()
        if variant < 0.3 and quartiers:
            return f"{base} — {self.quartier_noms[quartiers[0]]}"
        if variant < 0.55:
            return f"{base} « {rng.choice(NICKNAMES)} »"
        if variant < 0.65:
            return f"{base} ({annee})"
        if variant < 0.75:
            return f"{base} : saison {rng.randrange(2, 6)}"
        return base

    def _plan(self, d: _Dossier) -> None:
        """2–4 financeur lines (demands in whole hundreds of euros) + other resources; sums exactly."""
        rng = self.rng
        cost = int(d.row["cout_total_cents"])
        weights = {
            "etat": 9.0,
            "epci": 7.0,
            "commune": 2.5,
            "departement": 2.5,
            "region": 1.5,
            "caf": 4.0 if d.theme in ("parentalite", "education") else 1.5,
            "bailleur": 4.0 if d.theme == "cadre_vie" else 0.8,
        }
        pool = list(self.financeurs)
        k = min(len(pool), rng.choice((2, 2, 3, 3, 3, 4)))
        chosen: list[tuple[int, str, str]] = []
        for _ in range(k):
            pick = rng.choices(pool, weights=[weights.get(t, 1.0) for _, _, t in pool])[0]
            chosen.append(pick)
            pool.remove(pick)
        chosen.sort(key=lambda f: self.financeurs.index(f))
        units = max(len(chosen), int(cost * rng.uniform(0.45, 0.85)) // 10_000)  # 100 € units
        shares = [rng.uniform(0.5, 1.5) * (2.0 if t == "etat" else 1.0) for _, _, t in chosen]
        alloc = [1 + int((units - len(chosen)) * s / sum(shares)) for s in shares]
        alloc[0] += units - sum(alloc)
        position = 0
        for (fid, _, _), u in zip(chosen, alloc, strict=True):
            d.lignes.append(self._ligne(d.id, fid, "", u * 10_000, position))
            position += 1
        rest = cost - units * 10_000
        if rest > 0:
            names = rng.sample(OTHER_RESOURCES, rng.choice((1, 1, 2, 3)))
            names.sort(key=OTHER_RESOURCES.index)
            parts = [rng.uniform(0.5, 1.5) for _ in names]
            amounts = [int(rest * p / sum(parts)) // 100 * 100 for p in parts[:-1]]
            amounts.append(rest - sum(amounts))
            for name, amount in zip(names, amounts, strict=True):
                d.lignes.append(self._ligne(d.id, None, name, amount, position))
                position += 1

    def _ligne(
        self, dossier_id: int, financeur_id: int | None, libelle: str, demande: int, position: int
    ) -> dict[str, Any]:
        lid = self.next_ids["ligne_financement"]
        self.next_ids["ligne_financement"] += 1
        return {
            "id": lid,
            "dossier_id": dossier_id,
            "financeur_id": financeur_id,
            "libelle": libelle,
            "demande_cents": demande,
            "propose_cents": None,
            "vote_cents": None,
            "position": position,
        }
