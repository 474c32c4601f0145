"""The cadre stratégique of a contrat: its main tree (objectifs without classification, level names in
Contrat.niveaux), its additional classifications (cross-cutting trees, own level names), the links
between them, and its axes transversaux.

Every change of a tree takes the tree's `jeton` as read by the editor: a token computed from the
tree's nodes and level names. When another user changed the tree meanwhile the change is refused
(ConcurrentEditError) and nothing is written. Writes hold the write lock (SQLite BEGIN IMMEDIATE,
PostgreSQL the contrat row FOR UPDATE) while the token is compared. Each change adds a journal line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from instructeur.errors import ConcurrentEditError, NotFoundError, UserError, ValidationError
from instructeur.referentiels import Noeud
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AxeTransversal,
    Classification,
    Contrat,
    Dossier,
    Objectif,
    ObjectifLien,
    dossier_axe_transversal,
    dossier_classement,
    dossier_objectif_secondaire,
)
from instructeur.storage.write_lock import decision_session

CODE_MAX = 30
STALE = (
    "Le cadre a été modifié par un autre utilisateur depuis que vous l'avez ouvert : rien n'a été "
    "enregistré ; rechargez-le pour voir ses changements, puis refaites les vôtres"
)


@dataclass(frozen=True)
class ObjectifRow:
    id: int
    parent_id: int | None
    code: str
    titre: str
    niveau: int


@dataclass(frozen=True)
class NoeudRow:
    id: int
    parent_id: int | None
    code: str
    titre: str
    niveau: int
    dossiers: int  # dossiers rattachés to this node itself (principal, secondaire or classement)


@dataclass(frozen=True)
class Arbre:
    """One tree as the editor shows it: the main cadre (`classification_id` None) or a classification."""

    contrat_id: int
    classification_id: int | None
    nom: str
    niveaux: tuple[str, ...]
    noeuds: tuple[NoeudRow, ...]  # depth-first, parents before children, in order
    jeton: str

    def niveau_nom(self, niveau: int) -> str:
        return self.niveaux[niveau] if niveau < len(self.niveaux) else f"Niveau {niveau + 1}"


@dataclass(frozen=True)
class AxeRow:
    id: int
    titre: str
    dossiers: int


def split_niveaux(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split("|") if n.strip())


def join_niveaux(names: Iterable[str]) -> str:
    return " | ".join(n.strip().replace("|", "/") for n in names if n.strip())


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# --- building trees (contrat creation, import) --------------------------------------------------


def add_tree(
    s: Session, contrat_id: int, noeuds: Sequence[Noeud], classification_id: int | None = None
) -> dict[str, int]:
    """Adds `noeuds` (with their descendants) as roots of a tree; returns {code: id}."""
    ids: dict[str, int] = {}

    def add(node: Noeud, parent_id: int | None, position: int, niveau: int) -> None:
        obj = Objectif(
            contrat_id=contrat_id,
            classification_id=classification_id,
            parent_id=parent_id,
            code=node.code,
            titre=node.titre,
            niveau=niveau,
            position=position,
        )
        s.add(obj)
        s.flush()
        ids[node.code] = obj.id
        for n, child in enumerate(node.enfants):
            add(child, obj.id, n, niveau + 1)

    for n, node in enumerate(noeuds):
        add(node, None, n, 0)
    return ids


def add_links(s: Session, pairs: Iterable[tuple[str, str]], ids: dict[str, int]) -> None:
    """Links (classification node code, main-cadre code) between nodes already created."""
    for node, objectif in dict.fromkeys(pairs):
        s.add(ObjectifLien(objectif_id=ids[node], lie_a_id=ids[objectif]))


# --- reading ------------------------------------------------------------------------------------


def tree_nodes(s: Session, contrat_id: int, classification_id: int | None) -> list[Objectif]:
    where = (
        Objectif.classification_id.is_(None)
        if classification_id is None
        else Objectif.classification_id == classification_id
    )
    return list(s.scalars(select(Objectif).where(Objectif.contrat_id == contrat_id, where)))


def depth_first(nodes: Sequence[Objectif]) -> list[tuple[Objectif, int]]:
    """(node, depth) parents before children, siblings by position."""
    children: dict[int | None, list[Objectif]] = {}
    for o in nodes:
        children.setdefault(o.parent_id, []).append(o)
    out: list[tuple[Objectif, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for o in sorted(children.get(parent, []), key=lambda o: (o.position, o.id)):
            out.append((o, depth))
            walk(o.id, depth + 1)

    walk(None, 0)
    return out


def _jeton(niveaux: str, nodes: Sequence[Objectif]) -> str:
    h = hashlib.sha256(niveaux.encode())
    for o in sorted(nodes, key=lambda o: o.id):
        h.update(f"\x1f{o.id}\x1e{o.parent_id}\x1e{o.position}\x1e{o.code}\x1e{o.titre}".encode())
    return h.hexdigest()[:20]


def dossiers_by_node(s: Session, node_ids: Sequence[int]) -> dict[int, set[int]]:
    """node id → ids of the dossiers rattachés to it (principal, secondaire, classement)."""
    out: dict[int, set[int]] = {}
    if not node_ids:
        return out
    queries = (
        select(Dossier.objectif_id, Dossier.id).where(Dossier.objectif_id.in_(node_ids)),
        select(dossier_objectif_secondaire.c.objectif_id, dossier_objectif_secondaire.c.dossier_id).where(
            dossier_objectif_secondaire.c.objectif_id.in_(node_ids)
        ),
        select(dossier_classement.c.objectif_id, dossier_classement.c.dossier_id).where(
            dossier_classement.c.objectif_id.in_(node_ids)
        ),
    )
    for q in queries:
        for node_id, dossier_id in s.execute(q):
            out.setdefault(int(node_id), set()).add(int(dossier_id))
    return out


class CadreService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def objectifs(self, contrat_id: int) -> list[ObjectifRow]:
        """The main cadre, depth-first (parents before children, in document order)."""
        with self.db.session() as s:
            nodes = tree_nodes(s, contrat_id, None)
            return [ObjectifRow(o.id, o.parent_id, o.code, o.titre, o.niveau) for o, _ in depth_first(nodes)]

    def count_objectifs(self, contrat_id: int) -> int:
        with self.db.session() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(Objectif)
                    .where(Objectif.contrat_id == contrat_id, Objectif.classification_id.is_(None))
                )
                or 0
            )

    def arbre(self, contrat_id: int, classification_id: int | None = None) -> Arbre:
        with self.db.session() as s:
            return self.arbre_in(s, contrat_id, classification_id)

    def arbre_in(self, s: Session, contrat_id: int, classification_id: int | None) -> Arbre:
        nom, niveaux = self._tree_header(s, contrat_id, classification_id)
        nodes = tree_nodes(s, contrat_id, classification_id)
        usage = dossiers_by_node(s, [o.id for o in nodes])
        rows = tuple(
            NoeudRow(o.id, o.parent_id, o.code, o.titre, depth, len(usage.get(o.id, ())))
            for o, depth in depth_first(nodes)
        )
        return Arbre(contrat_id, classification_id, nom, split_niveaux(niveaux), rows, _jeton(niveaux, nodes))

    def _tree_header(self, s: Session, contrat_id: int, classification_id: int | None) -> tuple[str, str]:
        if classification_id is None:
            c = s.get(Contrat, contrat_id)
            if c is None:
                raise NotFoundError(f"contrat {contrat_id} introuvable")
            return "Cadre stratégique", c.niveaux
        k = s.get(Classification, classification_id)
        if k is None or k.contrat_id != contrat_id:
            raise NotFoundError(f"classification {classification_id} introuvable dans ce contrat")
        return k.nom, k.niveaux

    # --- editing a tree -------------------------------------------------------------------------

    def locked(
        self, s: Session, contrat_id: int, classification_id: int | None, jeton: str
    ) -> list[Objectif]:
        """The tree's nodes under the write lock, once checked unchanged since `jeton`."""
        if s.get_bind().dialect.name == "postgresql":
            s.execute(select(Contrat.id).where(Contrat.id == contrat_id).with_for_update()).all()
        _, niveaux = self._tree_header(s, contrat_id, classification_id)
        nodes = tree_nodes(s, contrat_id, classification_id)
        if _jeton(niveaux, nodes) != jeton:
            raise ConcurrentEditError(STALE)
        return nodes

    def _done(self, s: Session, contrat_id: int, classification_id: int | None) -> str:
        s.flush()
        _, niveaux = self._tree_header(s, contrat_id, classification_id)
        return _jeton(niveaux, tree_nodes(s, contrat_id, classification_id))

    def _code_problems(
        self, s: Session, contrat_id: int, code: str, titre: str, node_id: int | None
    ) -> list[str]:
        problems = []
        if not code:
            problems.append("code : obligatoire")
        elif len(code) > CODE_MAX:
            problems.append(f"code « {code} » : trop long ({CODE_MAX} caractères au plus)")
        elif "|" in code:
            problems.append(f"code « {code} » : le caractère « | » n'est pas permis")
        else:
            other = s.execute(
                select(Objectif.titre).where(
                    Objectif.contrat_id == contrat_id, Objectif.code == code, Objectif.id != (node_id or 0)
                )
            ).scalar()
            if other is not None:
                problems.append(f"code « {code} » : déjà utilisé par « {_short(other)} »")
        if not titre:
            problems.append(f"intitulé{f' de « {code} »' if code else ''} : obligatoire")
        return problems

    def ajouter(
        self,
        contrat_id: int,
        classification_id: int | None,
        jeton: str,
        parent_id: int | None,
        code: str,
        titre: str,
    ) -> tuple[int, str]:
        """A new node, last child of `parent_id` (None: a new top-level node). Returns (id, jeton)."""
        code, titre = code.strip(), " ".join(titre.split())
        with decision_session(self.db) as s:
            nodes = self.locked(s, contrat_id, classification_id, jeton)
            by_id = {o.id: o for o in nodes}
            if parent_id is not None and parent_id not in by_id:
                raise NotFoundError("le nœud parent n'existe plus : rechargez le cadre")
            problems = self._code_problems(s, contrat_id, code, titre, None)
            if problems:
                raise ValidationError(problems)
            siblings = [o for o in nodes if o.parent_id == parent_id]
            niveau = by_id[parent_id].niveau + 1 if parent_id is not None else 0
            o = Objectif(
                contrat_id=contrat_id,
                classification_id=classification_id,
                parent_id=parent_id,
                code=code,
                titre=titre,
                niveau=niveau,
                position=max((x.position for x in siblings), default=-1) + 1,
            )
            s.add(o)
            s.flush()
            parent = by_id[parent_id].code if parent_id is not None else None
            audit.record(
                s, self.user, "objectif", o.id, "create", {"code": code, "titre": titre, "parent": parent}
            )
            return o.id, self._done(s, contrat_id, classification_id)

    def modifier(
        self, contrat_id: int, classification_id: int | None, jeton: str, noeud_id: int, code: str, titre: str
    ) -> str:
        """New code and intitulé of a node (dossiers stay rattachés: they point to the node)."""
        code, titre = code.strip(), " ".join(titre.split())
        with decision_session(self.db) as s:
            o = _node(self.locked(s, contrat_id, classification_id, jeton), noeud_id)
            problems = self._code_problems(s, contrat_id, code, titre, o.id)
            if problems:
                raise ValidationError(problems)
            changes = {
                k: [getattr(o, k), v] for k, v in (("code", code), ("titre", titre)) if getattr(o, k) != v
            }
            if changes:
                o.code, o.titre = code, titre
                s.flush()
                audit.record(s, self.user, "objectif", o.id, "update", changes)
            return self._done(s, contrat_id, classification_id)

    def deplacer(
        self, contrat_id: int, classification_id: int | None, jeton: str, noeud_id: int, delta: int
    ) -> str:
        """Moves a node up (`delta` -1) or down (+1) among its siblings."""
        with decision_session(self.db) as s:
            nodes = self.locked(s, contrat_id, classification_id, jeton)
            o = _node(nodes, noeud_id)
            siblings = sorted(
                (x for x in nodes if x.parent_id == o.parent_id), key=lambda x: (x.position, x.id)
            )
            i = siblings.index(o)
            j = i + (1 if delta > 0 else -1)
            if not 0 <= j < len(siblings):
                return jeton
            siblings[i], siblings[j] = siblings[j], siblings[i]
            for n, x in enumerate(siblings):
                x.position = n
            audit.record(s, self.user, "objectif", o.id, "update", {"position": [i + 1, j + 1]})
            return self._done(s, contrat_id, classification_id)

    def rattacher(
        self, contrat_id: int, classification_id: int | None, jeton: str, noeud_id: int, parent_id: int | None
    ) -> str:
        """Gives a node another parent (None: top level); it becomes its last child, with its subtree."""
        with decision_session(self.db) as s:
            nodes = self.locked(s, contrat_id, classification_id, jeton)
            by_id = {x.id: x for x in nodes}
            o = _node(nodes, noeud_id)
            if parent_id == o.parent_id:
                return jeton
            if parent_id is not None:
                if parent_id not in by_id:
                    raise NotFoundError("le nouveau parent n'existe plus : rechargez le cadre")
                if parent_id in _subtree_ids(nodes, o.id):
                    raise UserError(
                        f"« {o.code} » ne peut pas être placé sous lui-même ni sous un de ses sous-niveaux"
                    )
            old = by_id[o.parent_id].code if o.parent_id is not None else None
            o.parent_id = parent_id
            o.position = (
                max((x.position for x in nodes if x.parent_id == parent_id and x is not o), default=-1) + 1
            )
            for x, depth in depth_first(nodes):
                x.niveau = depth
            new = by_id[parent_id].code if parent_id is not None else None
            audit.record(s, self.user, "objectif", o.id, "update", {"parent": [old, new]})
            return self._done(s, contrat_id, classification_id)

    def supprimer(self, contrat_id: int, classification_id: int | None, jeton: str, noeud_id: int) -> str:
        """Deletes a node and its subtree; refused, with the count, while dossiers are rattachés to them."""
        with decision_session(self.db) as s:
            nodes = self.locked(s, contrat_id, classification_id, jeton)
            o = _node(nodes, noeud_id)
            sub = _subtree_ids(nodes, o.id)
            dossiers = set().union(*dossiers_by_node(s, sorted(sub)).values()) if sub else set()
            if dossiers:
                n = len(dossiers)
                where = "cet objectif ou à ses sous-objectifs" if len(sub) > 1 else "cet objectif"
                verb = "est rattaché" if n == 1 else "sont rattachés"
                raise UserError(
                    f"« {o.code} » ne peut pas être supprimé : {plural(n, 'dossier', 'dossiers')} {verb} à {where}. "
                    "Rattachez-les d'abord ailleurs."
                )
            removed = [x.code for x in nodes if x.id in sub]
            s.execute(
                delete(ObjectifLien).where(
                    or_(ObjectifLien.objectif_id.in_(sub), ObjectifLien.lie_a_id.in_(sub))
                )
            )
            for x in sorted((x for x in nodes if x.id in sub), key=lambda x: -x.niveau):
                s.delete(x)
                s.flush()
            audit.record(
                s,
                self.user,
                "objectif",
                o.id,
                "delete",
                {"code": o.code, "titre": o.titre, "supprimes": removed},
            )
            return self._done(s, contrat_id, classification_id)

    def renommer_niveaux(
        self, contrat_id: int, classification_id: int | None, jeton: str, noms: Sequence[str]
    ) -> str:
        """The tree's level names, top level first (« Axe », « Objectif stratégique »…)."""
        text = join_niveaux(noms)
        if not text:
            raise ValidationError(["niveaux : au moins un nom de niveau"])
        if len(text) > 300:
            raise ValidationError(["niveaux : 300 caractères au plus en tout"])
        with decision_session(self.db) as s:
            self.locked(s, contrat_id, classification_id, jeton)
            if classification_id is None:
                holder: Contrat | Classification | None = s.get(Contrat, contrat_id)
            else:
                holder = s.get(Classification, classification_id)
            assert holder is not None  # checked by _locked
            if holder.niveaux != text:
                audit.record(
                    s,
                    self.user,
                    _entity(classification_id),
                    holder.id,
                    "niveaux",
                    {"niveaux": [holder.niveaux, text]},
                )
                holder.niveaux = text
            return self._done(s, contrat_id, classification_id)

    # --- axes transversaux ----------------------------------------------------------------------

    def axes(self, contrat_id: int) -> list[AxeRow]:
        with self.db.session() as s:
            counts: dict[int, int] = {
                int(k): int(n)
                for k, n in s.execute(
                    select(dossier_axe_transversal.c.axe_transversal_id, func.count()).group_by(
                        dossier_axe_transversal.c.axe_transversal_id
                    )
                )
            }
            return [
                AxeRow(a.id, a.titre, int(counts.get(a.id, 0)))
                for a in s.scalars(
                    select(AxeTransversal)
                    .where(AxeTransversal.contrat_id == contrat_id)
                    .order_by(AxeTransversal.position, AxeTransversal.id)
                )
            ]

    def save_axes(self, contrat_id: int, rows: Sequence[tuple[int | None, str]]) -> None:
        """The axes transversaux become `rows` ((id or None, titre), in order); removing an axe that
        dossiers carry is refused with their count."""
        cleaned = [(i, " ".join(t.split())) for i, t in rows]
        problems = [
            f"axe transversal ligne {n} : intitulé obligatoire"
            for n, (_, t) in enumerate(cleaned, 1)
            if not t
        ]
        problems += [
            f"axe transversal ligne {n} : 300 caractères au plus"
            for n, (_, t) in enumerate(cleaned, 1)
            if len(t) > 300
        ]
        if problems:
            raise ValidationError(problems)
        with decision_session(self.db) as s:
            existing = {
                a.id: a
                for a in s.scalars(select(AxeTransversal).where(AxeTransversal.contrat_id == contrat_id))
            }
            kept = {i for i, _ in cleaned if i is not None}
            if kept - set(existing):
                raise ConcurrentEditError(STALE)
            removed = [a for i, a in existing.items() if i not in kept]
            refused = []
            for a in removed:
                n = (
                    s.scalar(
                        select(func.count())
                        .select_from(dossier_axe_transversal)
                        .where(dossier_axe_transversal.c.axe_transversal_id == a.id)
                    )
                    or 0
                )
                if n:
                    verb = "le porte" if n == 1 else "le portent"
                    refused.append(
                        f"axe « {_short(a.titre)} » : suppression impossible, {plural(n, 'dossier', 'dossiers')} {verb}"
                    )
            if refused:
                raise ValidationError(refused)
            before = [a.titre for a in sorted(existing.values(), key=lambda a: (a.position, a.id))]
            for a in removed:
                s.delete(a)
            for n, (i, titre) in enumerate(cleaned):
                if i is None:
                    s.add(AxeTransversal(contrat_id=contrat_id, titre=titre, position=n))
                else:
                    existing[i].titre, existing[i].position = titre, n
            after = [t for _, t in cleaned]
            if before != after:
                audit.record(
                    s,
                    self.user,
                    "contrat",
                    contrat_id,
                    "axes_transversaux",
                    {"avant": before, "apres": after},
                )


def _entity(classification_id: int | None) -> str:
    return "contrat" if classification_id is None else "classification"


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _node(nodes: Sequence[Objectif], noeud_id: int) -> Objectif:
    for o in nodes:
        if o.id == noeud_id:
            return o
    raise NotFoundError("ce nœud n'existe plus : rechargez le cadre")


def _subtree_ids(nodes: Sequence[Objectif], root: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for o in nodes:
        children.setdefault(o.parent_id, []).append(o.id)
    out, todo = set(), [root]
    while todo:
        current = todo.pop()
        out.add(current)
        todo.extend(children.get(current, []))
    return out
