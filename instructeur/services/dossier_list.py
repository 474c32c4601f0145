"""The dossiers list's rows and the campagnes' header rows without SQLAlchemy: their types, their
SQL (one text for SQLite and PostgreSQL) and how rows are built from what it returns.

`DossierService.list_rows` and `CampagneService.all` run this SQL through SQLAlchemy; the main
window's first paint runs it through `sqlite3` before SQLAlchemy is even imported (launch speed,
issue 12, `instructeur/services/first_paint.py`): one query, so the first paint shows exactly the
rows the services give. `Execute` is how each runs a statement with `:name` parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, NamedTuple

from instructeur.domain.statuts import Statut

Execute = Callable[[str, dict[str, Any]], Sequence[Sequence[Any]]]


@dataclass(frozen=True)
class CampagneRow:
    id: int
    contrat_id: int
    contrat: str
    annee: int
    libelle: str
    statut: str
    nb_dossiers: int


_CAMPAGNES_SQL = """
SELECT c.id, c.contrat_id, ct.nom, c.annee, c.libelle, c.statut,
       (SELECT count(*) FROM dossier d WHERE d.campagne_id = c.id)
FROM campagne c JOIN contrat ct ON ct.id = c.contrat_id
ORDER BY ct.nom, c.annee DESC, c.id
"""


def campagne_rows(execute: Execute) -> list[CampagneRow]:
    """Every campagne with its contrat's name and its number of dossiers, by contrat, latest first."""
    return [
        CampagneRow(int(i), int(contrat_id), nom, int(annee), libelle, statut, int(n))
        for i, contrat_id, nom, annee, libelle, statut, n in execute(_CAMPAGNES_SQL, {})
    ]


@dataclass(frozen=True)
class DossierRow:
    """One line of the dossiers list, with what its columns and filters need (ids, not objects)."""

    id: int
    reference: str
    porteur: str
    intitule: str
    quartiers: str
    demande_cents: int
    cout_total_cents: int
    statut: Statut
    objectif_code: str | None
    cotation_declaree: int | None
    cotation_instruite: int | None
    reconduite: bool
    vote_cents: int | None
    porteur_id: int = 0
    decision: Statut | None = None
    objectif_id: int | None = None
    objectif_titre: str | None = None
    # The objectif and its ancestors, root first: path[0] is the axe (top-level node of the cadre).
    objectif_path: tuple[int, ...] = ()
    axe_id: int | None = None
    axe_code: str | None = None
    quartier_ids: tuple[int, ...] = ()
    financeur_ids: tuple[int, ...] = ()  # financeurs asked for a non-zero amount
    label_ids: tuple[int, ...] = ()
    labels: str = ""
    evaluateur_ids: tuple[int, ...] = ()
    evaluateurs: str = ""
    # Nodes of the additional classifications (Saint-Omer's ambitions) the dossier is classé in,
    # each with its ancestors: the list filter « Ambition » matches an ambition or an engagement.
    classement_path: tuple[int, ...] = ()
    # Grille d'analyse (NotationService.scores): exact mean /20 of the counted évaluations (None:
    # none counted), spread max − min, disagreement flag, competition rank in the whole campagne.
    score: Fraction | None = None
    date_depot: date | None = None
    score_spread: Fraction | None = None
    disagreement: bool = False
    rank: int | None = None

    @property
    def cotation(self) -> int | None:
        """The cotation F/H that counts: the instructeur's, else the porteur's declaration."""
        return self.cotation_instruite if self.cotation_instruite is not None else self.cotation_declaree

    @property
    def cotation_gap(self) -> bool:
        """The porteur's declared cotation F/H differs from the instructed one."""
        return (
            self.cotation_declaree is not None
            and self.cotation_instruite is not None
            and self.cotation_declaree != self.cotation_instruite
        )


@dataclass(frozen=True)
class DossierFilter:
    statuts: frozenset[Statut] = frozenset()
    quartier_id: int | None = None
    financeur_id: int | None = None
    objectif_id: int | None = None


class ListScore(NamedTuple):
    """The score fields of a `DossierRow`."""

    score: Fraction | None
    score_spread: Fraction | None
    disagreement: bool
    rank: int | None


def default_campagne(campagnes: list[CampagneRow]) -> CampagneRow | None:
    """The most recent campagne (highest year) of the first contrat."""
    if not campagnes:
        return None
    first_contrat = campagnes[0].contrat_id
    own = [c for c in campagnes if c.contrat_id == first_contrat]
    return max(own, key=lambda c: c.annee)  # max keeps the first of equal years


# Separators of the aggregated strings: C0 controls, which stored text never holds (clean_text).
_ITEM, _FIELD = "\x1e", "\x1f"

# One grouped subquery per relation of the dossier, each restricted to the campagne and
# left-joined on it: every list row in one statement whatever the size. {agg} is the engine's
# string aggregate, the only difference between SQLite and PostgreSQL here.
_NAMED = """
LEFT JOIN (SELECT link.dossier_id AS did, {{agg}}(CAST(t.id AS VARCHAR) || CAST(:field AS VARCHAR)
                  || CAST(t.nom AS VARCHAR), CAST(:item AS VARCHAR)) AS agg
           FROM {link} link JOIN {table} t ON t.id = link.{key}
           JOIN dossier d2 ON d2.id = link.dossier_id
           WHERE d2.campagne_id = :campagne_id GROUP BY link.dossier_id) {alias} ON {alias}.did = d.id"""
_ROWS_SQL = (
    """
SELECT d.id, d.reference, p.raison_sociale, d.intitule, d.cout_total_cents, d.statut,
       d.objectif_id, d.cotation_declaree, d.cotation_instruite, d.reconduite, d.porteur_id,
       d.decision, d.date_depot, l.demande, l.vote, l.agg, q.agg, lab.agg, ev.agg
FROM dossier d JOIN porteur p ON p.id = d.porteur_id
LEFT JOIN (SELECT lf.dossier_id AS did, sum(lf.demande_cents) AS demande, sum(lf.vote_cents) AS vote,
                  {agg}(CASE WHEN lf.demande_cents <> 0 THEN CAST(lf.position AS VARCHAR)
                        || CAST(:field AS VARCHAR) || CAST(lf.financeur_id AS VARCHAR) END,
                        CAST(:item AS VARCHAR)) AS agg
           FROM ligne_financement lf JOIN dossier d1 ON d1.id = lf.dossier_id
           WHERE d1.campagne_id = :campagne_id AND lf.financeur_id IS NOT NULL
           GROUP BY lf.dossier_id) l ON l.did = d.id"""
    + _NAMED.format(link="dossier_quartier", table="quartier", key="quartier_id", alias="q")
    + _NAMED.format(link="dossier_label", table="label", key="label_id", alias="lab")
    + _NAMED.format(link="evaluation", table="evaluateur", key="evaluateur_id", alias="ev")
    + """
WHERE d.campagne_id = :campagne_id"""
)
_CADRE_SQL = """
SELECT o.id, o.parent_id, o.code, o.titre
FROM objectif o JOIN campagne c ON c.contrat_id = o.contrat_id WHERE c.id = :campagne_id
"""
_CLASSEMENTS_SQL = """
SELECT dc.dossier_id, dc.objectif_id
FROM dossier_classement dc JOIN dossier d ON d.id = dc.dossier_id WHERE d.campagne_id = :campagne_id
"""


def _rows_sql(filtre: DossierFilter, postgresql: bool) -> tuple[str, dict[str, Any]]:
    """The list statement of a campagne with the filter's conditions, and their parameters."""
    sql = _ROWS_SQL.replace("{agg}", "string_agg" if postgresql else "group_concat")
    params: dict[str, Any] = {"item": _ITEM, "field": _FIELD}
    if filtre.statuts:
        names = [f"statut_{n}" for n in range(len(filtre.statuts))]
        params.update(zip(names, sorted(st.value for st in filtre.statuts), strict=True))
        sql += f"\n  AND d.statut IN ({', '.join(':' + name for name in names)})"
    if filtre.objectif_id is not None:
        sql += "\n  AND d.objectif_id = :objectif_id"
        params["objectif_id"] = filtre.objectif_id
    if filtre.quartier_id is not None:
        sql += "\n  AND d.id IN (SELECT dossier_id FROM dossier_quartier WHERE quartier_id = :quartier_id)"
        params["quartier_id"] = filtre.quartier_id
    if filtre.financeur_id is not None:
        sql += "\n  AND d.id IN (SELECT dossier_id FROM ligne_financement WHERE financeur_id = :financeur_id)"
        params["financeur_id"] = filtre.financeur_id
    return sql + "\nORDER BY d.reference", params


def dossier_rows(
    execute: Execute,
    campagne_id: int,
    filtre: DossierFilter | None = None,
    *,
    postgresql: bool = False,
    scores: Callable[[], dict[int, ListScore]] | None = None,
) -> list[DossierRow]:
    """The dossiers of a campagne in référence order: one statement gives every row with its money
    sums (integer sums in SQL) and its quartiers, labels, évaluateurs and financeurs (aggregated
    strings); the cadre of the contrat and the classements are read apart. `scores` (computed in
    Python by the notation service) is called only when some dossier has an évaluation."""
    sql, params = _rows_sql(filtre or DossierFilter(), postgresql)
    base = execute(sql, {**params, "campagne_id": campagne_id})
    nodes: dict[int, tuple[int | None, str, str]] = {
        oid: (parent, code, titre)
        for oid, parent, code, titre in execute(_CADRE_SQL, {"campagne_id": campagne_id})
    }
    classements: dict[int, list[int]] = {}
    for did, oid in execute(_CLASSEMENTS_SQL, {"campagne_id": campagne_id}):
        classements.setdefault(did, []).append(oid)
    has_evaluations = any(r[18] for r in base)
    return build_rows(base, nodes, scores() if scores is not None and has_evaluations else {}, classements)


_new = object.__new__


def _frozen_row(fields: dict[str, Any]) -> DossierRow:
    """`DossierRow(**fields)` with every field given, without the frozen dataclass's __init__,
    which sets each of the 32 fields through `object.__setattr__`: 8 000 rows in 15 ms instead of
    75 at launch (tests/services/test_first_paint.py checks the rows equal built ones)."""
    row: DossierRow = _new(DossierRow)
    row.__dict__.update(fields)
    return row


def _date(value: date | str | None) -> date | None:
    """A DATE column: a date from PostgreSQL, ISO text from SQLite (how SQLAlchemy stores it)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _named(items: str | None) -> tuple[tuple[int, ...], str]:
    """« id␟nom␞id␟nom » → (ids, « nom, nom ») sorted by nom (the aggregate's order is unspecified)."""
    if not items:
        return (), ""
    pairs = sorted((nom, int(i)) for i, nom in (item.split(_FIELD, 1) for item in items.split(_ITEM)))
    return tuple(i for _, i in pairs), ", ".join(nom for nom, _ in pairs)


def _financeurs(items: str | None) -> tuple[int, ...]:
    """« position␟financeur␞… » → financeur ids in plan order."""
    if not items:
        return ()
    return tuple(f for _, f in sorted(tuple(map(int, item.split(_FIELD))) for item in items.split(_ITEM)))


def build_rows(
    base: Sequence[Any],
    nodes: dict[int, tuple[int | None, str, str]],
    scores: dict[int, ListScore],
    classements: dict[int, list[int]] | None = None,
) -> list[DossierRow]:
    paths: dict[int, tuple[int, ...]] = {}

    def path_of(oid: int) -> tuple[int, ...]:
        found = paths.get(oid)
        if found is None:
            parent = nodes[oid][0] if oid in nodes else None
            found = (path_of(parent) if parent is not None and parent in nodes else ()) + (oid,)
            paths[oid] = found
        return found

    # Per objectif: (code, titre, path, axe id, axe code); quartiers, labels and évaluateurs
    # strings repeat from row to row, so each distinct one is parsed once.
    cadre: dict[int | None, tuple[str | None, str | None, tuple[int, ...], int | None, str | None]] = {
        None: (None, None, (), None, None)
    }
    for oid in nodes:
        path = path_of(oid)
        cadre[oid] = (nodes[oid][1], nodes[oid][2], path, path[0], nodes[path[0]][1])
    named: dict[str | None, tuple[tuple[int, ...], str]] = {}
    financeurs: dict[str | None, tuple[int, ...]] = {}
    statuts: dict[str, Statut] = {s.value: s for s in Statut}
    no_score = ListScore(None, None, False, None)
    out = []
    for r in base:
        did = r[0]
        code, titre, path, axe_id, axe_code = cadre.get(r[6], cadre[None])
        q, lab, ev, fin = r[16], r[17], r[18], r[15]
        qs = named.get(q) or named.setdefault(q, _named(q))
        ls = named.get(lab) or named.setdefault(lab, _named(lab))
        es = named.get(ev) or named.setdefault(ev, _named(ev))
        fs = financeurs.get(fin)
        if fs is None:
            fs = financeurs[fin] = _financeurs(fin)
        score = scores.get(did, no_score)
        out.append(
            _frozen_row(
                dict(
                    id=did,
                    reference=r[1],
                    porteur=r[2],
                    intitule=r[3],
                    quartiers=qs[1],
                    demande_cents=int(r[13] or 0),
                    cout_total_cents=r[4],
                    statut=statuts[r[5]],
                    objectif_code=code,
                    cotation_declaree=r[7],
                    cotation_instruite=r[8],
                    reconduite=bool(r[9]),
                    vote_cents=None if r[14] is None else int(r[14]),
                    porteur_id=r[10],
                    decision=statuts[r[11]] if r[11] else None,
                    objectif_id=r[6],
                    objectif_titre=titre,
                    objectif_path=path,
                    axe_id=axe_id,
                    axe_code=axe_code,
                    quartier_ids=qs[0],
                    financeur_ids=fs,
                    label_ids=ls[0],
                    labels=ls[1],
                    evaluateur_ids=es[0],
                    evaluateurs=es[1],
                    date_depot=_date(r[12]),
                    score=score.score,
                    score_spread=score.score_spread,
                    disagreement=score.disagreement,
                    rank=score.rank,
                    classement_path=tuple(
                        n for oid in (classements or {}).get(did, ()) if oid in nodes for n in path_of(oid)
                    ),
                )
            )
        )
    return out
