"""Demo generator: the contrat, its campagnes, its cadre, the porteurs."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from instructeur.demo.common import DEMO_USER, _Campagne, _commune_code, _de, _Leaf, _Porteur, _ville_de
from instructeur.demo.state import _State
from instructeur.demo.vocabulary import (
    ASSOCIATION,
    FALLBACK_COMMUNES,
    NOMS,
    PORTEUR_CORES,
    PORTEUR_KINDS,
    PORTEUR_QUALIFIERS,
    POSTAL_CODES,
    PRENOMS_F,
    PRENOMS_M,
    THEME_KEYWORDS,
    VOIES,
)
from instructeur.domain.identifiers import make_siret, siren_problem
from instructeur.domain.text import fold
from instructeur.services.campagnes import CampagneService
from instructeur.services.contrats import ContratService, FinanceurData
from instructeur.storage.models import (
    AxeTransversal,
    Financeur,
    Objectif,
    ObjectifLien,
    Quartier,
    RecevabiliteItem,
)


class _ContratPart(_State):
    # Contrat, campagnes ---------------------------------------------------------------------

    def _contrat(self) -> None:
        ref = self.ref
        communes = list(ref.communes) or [c for q in ref.qpv for c in q.communes]
        self.communes: list[str] = list(dict.fromkeys(communes)) or list(
            FALLBACK_COMMUNES.get(ref.code, ("Arras",))
        )
        financeurs = [
            FinanceurData(
                "ETAT", "État — Préfecture du Pas-de-Calais (crédits politique de la ville)", "etat"
            ),
            FinanceurData("EPCI", ref.epci_nom, "epci"),
        ]
        for commune in self.communes[:2]:
            financeurs.append(FinanceurData(_commune_code(commune), _ville_de(commune), "commune"))
        financeurs += [
            FinanceurData("CD62", "Département du Pas-de-Calais", "departement"),
            FinanceurData("REGION", "Région Hauts-de-France", "region"),
            FinanceurData("CAF", "Caisse d'allocations familiales du Pas-de-Calais", "caf"),
            FinanceurData("BAILLEUR", "Habitat du Littoral (fictif)", "bailleur"),
        ]
        # Fictitious SIRETs (valid keys, SIREN 999…, which INSEE does not attribute): open data validates.
        financeurs = [replace(f, siret=_demo_siret(n)) for n, f in enumerate(financeurs, 1)]
        self.contrat_id = ContratService(self.db, user=DEMO_USER).create_from_referentiel(
            ref, financeurs=financeurs
        )

    def _campagnes(self) -> None:
        years = self.years
        weights = [3.0, 3.0, 4.0][-len(years) :] if len(years) > 1 else [1.0]
        service = CampagneService(self.db, user=DEMO_USER)
        self.campagnes: list[_Campagne] = []
        for n, year in enumerate(years):
            current = n == len(years) - 1
            cid = service.create(
                self.contrat_id,
                year,
                libelle=f"Appel à projets {year}",
                statut="instruction" if current else "cloturee",
                date_ouverture=date(year - 1, 10, 15),
                date_cloture=date(year - 1, 12, 15),
            )
            self.campagnes.append(_Campagne(cid, year, current, [], weights[n] / sum(weights)))
        with self.db.session() as s:
            for c in self.campagnes:
                c.items = list(
                    s.scalars(
                        select(RecevabiliteItem.id)
                        .where(RecevabiliteItem.campagne_id == c.id)
                        .order_by(RecevabiliteItem.position)
                    )
                )
        # Dossiers per campagne: 30 % / 30 % / 40 %, the remainder to the current one.
        counts = [int(self.n * c.share) for c in self.campagnes]
        counts[-1] += self.n - sum(counts)
        self.counts = counts

    def _read_contrat(self) -> None:
        with self.db.session() as s:
            fin = s.execute(
                select(Financeur.id, Financeur.code, Financeur.type)
                .where(Financeur.contrat_id == self.contrat_id)
                .order_by(Financeur.position)
            ).all()
            self.financeurs: list[tuple[int, str, str]] = [(int(i), str(c), str(t)) for i, c, t in fin]
            objectifs = s.execute(
                select(Objectif.id, Objectif.parent_id, Objectif.titre, Objectif.position)
                .where(Objectif.contrat_id == self.contrat_id, Objectif.classification_id.is_(None))
                .order_by(Objectif.id)
            ).all()
            self.classement_of = _classement_of(s, self.contrat_id)
            quartiers = s.execute(
                select(Quartier.id, Quartier.type, Quartier.nom)
                .where(Quartier.contrat_id == self.contrat_id)
                .order_by(Quartier.id)
            ).all()
            self.axes_ids: list[int] = list(
                s.scalars(
                    select(AxeTransversal.id)
                    .where(AxeTransversal.contrat_id == self.contrat_id)
                    .order_by(AxeTransversal.position)
                )
            )
            self.next_ids = {
                name: int(s.scalar(select(func.coalesce(func.max(self.tables[name].c.id), 0))) or 0) + 1
                for name in (
                    "porteur", "dossier", "ligne_financement", "transition", "grille", "critere",
                    "evaluateur", "evaluation", "comite", "comite_membre", "comite_point", "enveloppe",
                    "suivi", "notification", "label",
                )
            }  # fmt: skip
        self.qpv = [int(i) for i, t, _ in quartiers if t == "qpv"]
        self.autres_quartiers = [int(i) for i, t, _ in quartiers if t != "qpv"]
        self.quartier_noms = {int(i): str(nom) for i, _, nom in quartiers}
        # Leaves of the cadre, grouped by axe, with a theme guessed from their titles.
        children: dict[int | None, list[tuple[int, int, str]]] = {}
        titles: dict[int, str] = {}
        parents: dict[int, int | None] = {}
        for oid, parent_id, titre, position in objectifs:
            children.setdefault(parent_id, []).append((int(position), int(oid), str(titre)))
            titles[int(oid)] = str(titre)
            parents[int(oid)] = parent_id
        self.leaves_by_axe: list[list[_Leaf]] = []
        self.all_leaves: list[_Leaf] = []
        order = 0

        def walk(node: int, axe: int) -> None:
            nonlocal order
            order += 1
            kids = sorted(children.get(node, []))
            if not kids:
                leaf = _Leaf(node, axe, self._theme(node, titles, parents), order)
                self.leaves_by_axe[-1].append(leaf)
                self.all_leaves.append(leaf)
            for _, kid, _ in kids:
                walk(kid, axe)

        for _, root, _ in sorted(children.get(None, [])):
            self.leaves_by_axe.append([])
            walk(root, root)
        self.leaves_by_axe = [leaves for leaves in self.leaves_by_axe if leaves]

    @staticmethod
    def _theme(node: int, titles: dict[int, str], parents: dict[int, int | None]) -> str:
        current: int | None = node
        while current is not None:
            text = fold(titles[current]) + " "
            for theme, keywords in THEME_KEYWORDS:
                if any(k in text for k in keywords):
                    return theme
            current = parents[current]
        return "lien_social"

    # Porteurs ------------------------------------------------------------------------------

    def _new_siret(self, first: str) -> str:
        rng = self.rng
        while True:
            body = first + "".join(str(rng.randrange(10)) for _ in range(8 - len(first)))
            siren = next(body + k for k in "0123456789" if siren_problem(body + k) is None)
            if siren not in self.sirens:
                self.sirens.add(siren)
                return make_siret(siren + f"{rng.randrange(1, 100):04d}")

    def _new_rna(self) -> str:
        while True:
            rna = f"W62{self.rng.randrange(10**7):07d}"
            if rna not in self.rnas:
                self.rnas.add(rna)
                return rna

    def _person(self) -> tuple[str, str, str, bool]:
        rng = self.rng
        femme = rng.random() < 0.55
        prenom = rng.choice(PRENOMS_F if femme else PRENOMS_M)
        return ("Mme" if femme else "M."), rng.choice(NOMS), prenom, femme

    def _porteurs(self) -> None:
        rng = self.rng
        target = max(10, self.n // 3)
        specs: list[tuple[str, str, bool, tuple[str, str], str | None, bool]] = []
        # Public bodies of the contrat's communes.
        for commune in self.communes[:4]:
            specs.append((_ville_de(commune), "Commune", False, ("Maire", "Maire"), commune, True))
            specs.append(
                (
                    f"CCAS {_de(commune)}",
                    "Centre communal d'action sociale (établissement public)",
                    False,
                    ("Vice-président", "Vice-présidente"),
                    commune,
                    True,
                )
            )
        specs.append(
            (
                "Habitat du Littoral (fictif)",
                "Office public de l'habitat",
                False,
                ("Directeur", "Directrice"),
                None,
                True,
            )
        )
        # Invented associations and other bodies, a few of them without « kind » (« Élan Solidaire »).
        plain = [(k, c, "") for k in range(len(PORTEUR_KINDS)) for c in PORTEUR_CORES]
        qualified = [
            (k, c, q)
            for k in range(len(PORTEUR_KINDS))
            for c in PORTEUR_CORES
            for q in PORTEUR_QUALIFIERS[1:]
        ]
        rng.shuffle(plain)
        rng.shuffle(qualified)
        bare = [(-1, c, "") for c in PORTEUR_CORES]
        rng.shuffle(bare)
        pool = bare[:8] + plain + qualified
        need = max(0, target - len(specs))
        for n in range(need):
            kind_index, core, qualifier = pool[n % len(pool)]
            suffix = f" {n // len(pool) + 1}" if n >= len(pool) else ""
            if kind_index < 0:
                specs.append((core + suffix, ASSOCIATION, True, ("Président", "Présidente"), None, False))
            else:
                kind, forme, has_rna, fonction = PORTEUR_KINDS[kind_index]
                name = f"{kind} {core}{qualifier}{suffix}"
                specs.append((name, forme, has_rna, fonction, None, False))
        specs = specs[:target] if len(specs) > target else specs
        self.porteurs: list[_Porteur] = []
        for name, forme, has_rna, fonction, ville, public in specs:
            pid = self.next_ids["porteur"]
            self.next_ids["porteur"] += 1
            ville = ville or rng.choice(self.communes)
            civ, nom, prenom, femme = self._person()
            c_civ, c_nom, c_prenom, c_femme = self._person()
            first = (
                "21"
                if forme == "Commune"
                else "26"
                if forme.startswith("Centre communal")
                else rng.choice("478")
            )
            slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:40]
            words = [w for w in re.findall(r"[A-ZÉŒ][\w'-]*", name) if len(w) > 2]
            sigle = (
                "".join(w[0] for w in words).upper()
                if not public and len(words) >= 3 and rng.random() < 0.4
                else None
            )
            self._add(
                "porteur",
                {
                    "id": pid,
                    "raison_sociale": name,
                    "sigle": sigle,
                    "siret": self._new_siret(first),
                    "rna": self._new_rna() if has_rna and rng.random() < 0.92 else None,
                    "forme_juridique": forme,
                    "adresse": f"{rng.randrange(1, 120)} {rng.choice(VOIES)}",
                    "code_postal": POSTAL_CODES.get(ville, "62000"),
                    "ville": ville,
                    "representant_civilite": civ,
                    "representant_nom": nom,
                    "representant_prenom": prenom,
                    "representant_fonction": fonction[1] if femme else fonction[0],
                    "contact_nom": f"{c_prenom} {c_nom}, {'coordinatrice' if c_femme else 'coordinateur'}",
                    "contact_email": f"contact@{slug}.invalid",
                    "contact_telephone": f"01 99 00 {rng.randrange(100):02d} {rng.randrange(100):02d}",
                    "version": 1,
                    "updated_by": DEMO_USER,
                },
            )
            self.porteurs.append(_Porteur(pid, ville, public))


def _demo_siret(n: int) -> str:
    """The n-th fictitious SIRET of the demo's financeurs: SIREN 9990000nn + key, établissement 00011."""
    body = f"9990{n:04d}"
    siren = next(body + k for k in "0123456789" if siren_problem(body + k) is None)
    return make_siret(siren + "0001")


def _classement_of(s: Session, contrat_id: int) -> dict[int, list[int]]:
    """Main-cadre objectif id → one node per additional classification linked to it (the
    cadre's matrix, e.g. Saint-Omer's ambitions): an engagement rather than its ambition."""
    node = aliased(Objectif)
    links = s.execute(
        select(ObjectifLien.lie_a_id, node.id, node.classification_id, node.parent_id)
        .join(node, node.id == ObjectifLien.objectif_id)
        .where(node.contrat_id == contrat_id, node.classification_id.is_not(None))
        .order_by(ObjectifLien.lie_a_id, node.classification_id, node.parent_id.is_(None), node.id)
    ).all()
    chosen: dict[int, dict[int, int]] = {}
    for objectif_id, node_id, classification_id, _ in links:
        if classification_id is not None:
            chosen.setdefault(int(objectif_id), {}).setdefault(int(classification_id), int(node_id))
    return {oid: list(by_class.values()) for oid, by_class in chosen.items()}
