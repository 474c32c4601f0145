"""Fiche d'instruction (PDF, A4) of a dossier, for the members of the comité (DESIGN.md §8).

Content, in reading order: header (contrat, campagne, référence, statut); summary (porteur,
intitulé, quartiers, objectif, public prévu F/H, part QPV, dates, coût total); plan de financement
(demandé / proposé / voté per financeur, other resources, totals); notation (criteria × évaluateurs
with their names, a conflicted évaluation marked « conflit — exclu », total /20 per évaluateur,
then the dossier score, the spread, the disagreement warning and the rank); cotation égalité F/H
(déclarée, questionnaire, proposée, instruite, justification, gap); avis and motivation; what still
prevents « instruit »; the porteur's earlier dossiers (year, intitulé, voté, CRF).

Data is read through the services (`fiche_data`), then rendered without database access
(`render_fiche`). Typography: the shipped DejaVu Serif, `typo.para` on every user text, amounts by
`format_amount` (U+00A0, never U+202F), tables with repeated header rows, « Page 1 / 2 » footer.
A batch renders one file per dossier (each numbered on its own) and concatenates them with pypdf.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import select

from instructeur.domain.dates import format_date
from instructeur.domain.money import format_amount
from instructeur.domain.text import safe_filename
from instructeur.errors import UserError
from instructeur.exports.fiche_instruction_data import FicheData, GrilleBlock, fiche_data
from instructeur.exports.pdf_fonts import FAMILY_BOLD, register_fonts
from instructeur.exports.pdf_page import numbered_canvas
from instructeur.exports.typo import NBSP, french, para
from instructeur.storage.db import Database

__all__ = [
    "AVIS_LABELS",
    "FicheData",
    "FichesResult",
    "fiche_data",
    "render_fiche",
    "render_fiche_instruction",
    "render_fiches_instruction",
]

AVIS_LABELS = {"favorable": "Favorable", "reserve": "Favorable avec réserves", "defavorable": "Défavorable"}
PAGE_W, PAGE_H = A4
MARGIN_X = 16 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN_X
INK = colors.HexColor("#1f2a36")
GREY = colors.HexColor("#5a5a5a")
RULE = colors.HexColor("#9a9a9a")
HEAD_BG = colors.HexColor("#dce6f1")
LABEL_BG = colors.HexColor("#f2f2f2")
WARN = colors.HexColor("#9c2b16")
WARN_BG = colors.HexColor("#fbe9e5")
CONFLICT_BG = colors.HexColor("#eeeeee")
LABEL_W = 34 * mm  # the label column of the summary and cotation tables


# --- Rendering -------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    family = register_fonts()
    base = ParagraphStyle("base", fontName=family, fontSize=8.6, leading=11, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.6, leading=9.4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.8, leading=9.6),
        "cell_r": ParagraphStyle("cell_r", parent=base, fontSize=7.8, leading=9.6, alignment=2),
        "cell_c": ParagraphStyle("cell_c", parent=base, fontSize=7.8, leading=9.6, alignment=1),
        "head": ParagraphStyle("head", parent=base, fontName=FAMILY_BOLD, fontSize=7.8, leading=9.6),
        "head_c": ParagraphStyle(
            "head_c", parent=base, fontName=FAMILY_BOLD, fontSize=7.4, leading=9, alignment=1
        ),
        "head_r": ParagraphStyle(
            "head_r", parent=base, fontName=FAMILY_BOLD, fontSize=7.8, leading=9.6, alignment=2
        ),
        "title": ParagraphStyle("title", parent=base, fontName=FAMILY_BOLD, fontSize=15, leading=18),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9, leading=12, textColor=GREY),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=FAMILY_BOLD, fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=3
        ),
        "warn": ParagraphStyle("warn", parent=base, textColor=WARN, fontName=FAMILY_BOLD),
    }


def _money(cents: int | None) -> str:
    return "—" if cents is None else format_amount(cents)


def _score(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}".replace(".", ",")


def _grid(
    data: list[list[Any]], widths: Sequence[float], *, header_rows: int = 1, extra: Sequence[Any] = ()
) -> Table:
    table = Table(data, colWidths=list(widths), repeatRows=header_rows)
    style: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.35, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG))
        style.append(("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE"))
    style.extend(extra)
    table.setStyle(TableStyle(style))
    return table


def _story(f: FicheData) -> list[Any]:
    st = _styles()
    story: list[Any] = []
    for section in (
        _header,
        _summary,
        _plan_section,
        _notation_section,
        _cotation_section,
        _avis_section,
        _missing_section,
        _history_section,
    ):
        story.extend(section(f, st))
    return story


def _header(f: FicheData, st: dict[str, ParagraphStyle]) -> list[Any]:
    """Title and subtitle."""
    P = Paragraph  # noqa: N806 - short alias
    story: list[Any] = []
    story.append(P(f"Fiche d'instruction — dossier n°{NBSP}{para(f.reference)}", st["title"]))
    story.append(
        P(f"{para(f.contrat)} · {para(f.campagne)} · statut : <b>{para(f.statut)}</b>", st["subtitle"])
    )
    story.append(Spacer(1, 4 * mm))
    return story


def _summary(f: FicheData, st: dict[str, ParagraphStyle]) -> list[Any]:
    """Porteur, intitulé, quartiers, objectif, public, dates, coût, description."""
    P = Paragraph  # noqa: N806 - short alias
    story: list[Any] = []
    summary = [
        ("Porteur", f.porteur + (f" — {f.porteur_ville}" if f.porteur_ville else "")),
        ("Intitulé", f.intitule + (" (action reconduite)" if f.reconduite else "")),
        ("Quartiers", f.quartiers),
        ("Objectif", f.objectif),
        ("Public prévu", f.public),
        ("Part du public QPV", f.part_qpv),
        ("Dates", f.dates),
        ("Coût total", format_amount(f.cout_total_cents)),
    ]
    rows = [[P(k, st["head"]), P(para(v), st["cell"])] for k, v in summary]
    if f.description.strip():
        text = f.description.strip()
        if len(text) > 900:
            text = text[:900].rstrip() + "…"
        rows.append([P("Description", st["head"]), P(para(text), st["cell"])])
    story.append(
        _grid(
            rows, [LABEL_W, WIDTH - LABEL_W], header_rows=0, extra=[("BACKGROUND", (0, 0), (0, -1), LABEL_BG)]
        )
    )
    return story


def _plan_section(f: FicheData, st: dict[str, ParagraphStyle]) -> list[Any]:
    """Demandé / proposé / voté per ressource with totals, and the balance warning."""
    P = Paragraph  # noqa: N806 - short alias
    story: list[Any] = []
    story.append(P("Plan de financement", st["h2"]))
    amount_w = 30 * mm
    head = [
        P(h, st["head_r"] if n else st["head"])
        for n, h in enumerate(("Ressource", "Demandé", "Proposé", "Voté"))
    ]
    data: list[list[Any]] = [head]
    for line in f.plan:
        label = line.label if line.financeur else f"{line.label} (autre ressource)"
        data.append(
            [
                P(para(label), st["cell"]),
                P(_money(line.demande_cents), st["cell_r"]),
                P(_money(line.propose_cents) if line.financeur else "", st["cell_r"]),
                P(_money(line.vote_cents) if line.financeur else "", st["cell_r"]),
            ]
        )
    fin = [x for x in f.plan if x.financeur]
    proposes = [x.propose_cents for x in fin if x.propose_cents is not None]
    votes = [x.vote_cents for x in fin if x.vote_cents is not None]
    totals = [
        ("Total financeurs du contrat", sum(x.demande_cents for x in fin), sum(proposes) if proposes else None,
         sum(votes) if votes else None),
        ("Total des ressources", sum(x.demande_cents for x in f.plan), None, None),
    ]  # fmt: skip
    for label, dem, prop, vote in totals:
        data.append(
            [P(f"<b>{label}</b>", st["cell"]), P(f"<b>{_money(dem)}</b>", st["cell_r"]),
             P(f"<b>{_money(prop)}</b>" if prop is not None else "", st["cell_r"]),
             P(f"<b>{_money(vote)}</b>" if vote is not None else "", st["cell_r"])]
        )  # fmt: skip
    n = len(data)
    story.append(
        _grid(
            data,
            [WIDTH - 3 * amount_w, amount_w, amount_w, amount_w],
            extra=[
                ("BACKGROUND", (0, n - 2), (-1, n - 1), LABEL_BG),
                ("LINEABOVE", (0, n - 2), (-1, n - 2), 0.9, INK),
            ],
        )
    )
    ressources = sum(x.demande_cents for x in f.plan)
    if f.plan and ressources != f.cout_total_cents:
        story.append(
            P(
                f"Plan déséquilibré : ressources {format_amount(ressources)} pour un coût total de "
                f"{format_amount(f.cout_total_cents)}.",
                st["warn"],
            )
        )
    return story


def _notation_section(f: FicheData, st: dict[str, ParagraphStyle]) -> list[Any]:
    """The grilles × évaluateurs, comments, conflicts, then the dossier's score and warnings."""
    P = Paragraph  # noqa: N806 - short alias
    story: list[Any] = []
    story.append(CondPageBreak(45 * mm))
    story.append(P("Grille d'analyse", st["h2"]))
    if not f.grilles:
        story.append(P("Aucun évaluateur n'est désigné pour ce dossier.", st["base"]))
    for block in f.grilles:
        story.append(_notation_table(block, st, len(f.grilles) > 1))
        comments = [(c.evaluateur, c.commentaire) for c in block.columns if c.commentaire and not c.conflit]
        conflicts = [(c.evaluateur, c.motif) for c in block.columns if c.conflit]
        for who, motif in conflicts:
            story.append(
                P(f"<b>{para(who)}</b> : conflit d'intérêts déclaré{' — ' + para(motif.rstrip('. ')) if motif else ''} ; "
                  "évaluation exclue de la moyenne.", st["small"])
            )  # fmt: skip
        for who, text in comments:
            story.append(P(f"<b>{para(who)}</b> : {para(text or '')}", st["small"]))
    parts = [f"<b>Score du dossier : {_score(f.score)}{NBSP}/20</b>"]
    if f.score is not None:
        parts.append(f"moyenne de {f.n_counted} évaluation{'s' if f.n_counted > 1 else ''}")
        parts.append(f"écart {_score(f.spread)} point{'s' if (f.spread or 0) >= 2 else ''}")
        if f.rank is not None:
            noted = f"{f.ranked} dossier{'s' if f.ranked > 1 else ''} noté{'s' if f.ranked > 1 else ''}"
            parts.append(f"rang {f.rank} sur {noted} de la campagne")
    else:
        parts.append("aucune évaluation complète sans conflit")
    if f.n_conflicts:
        parts.append(f"{f.n_conflicts} exclue{'s' if f.n_conflicts > 1 else ''} pour conflit d'intérêts")
    if f.n_incomplete:
        parts.append(f"{f.n_incomplete} incomplète{'s' if f.n_incomplete > 1 else ''}")
    story.append(Spacer(1, 1.5 * mm))
    story.append(P(french(" · ".join(parts)), st["base"]))
    if f.disagreement:
        story.append(
            P(f"Désaccord entre évaluateurs : {_score(f.spread)} points d'écart entre les totals — à discuter "
              "en comité.", st["warn"])
        )  # fmt: skip
    for text in f.eliminatoire:
        story.append(P(f"Critère éliminatoire {para(text)}.", st["warn"]))
    if f.eliminatoire and f.override:
        story.append(P(f"Dérogation motivée : {para(f.override)}", st["base"]))
    return story


def _cotation_section(f: FicheData, st: dict[str, ParagraphStyle]) -> list[Any]:
    """Cotation égalité F/H: déclarée, proposée, retenue, justification, questionnaire."""
    P = Paragraph  # noqa: N806 - short alias
    story: list[Any] = []
    levels = dict(f.cotation_levels)

    def level(value: int | None) -> str:
        if value is None:
            return "non renseignée"
        return f"{value} — {levels.get(value, '')}".rstrip(" —")

    cot_rows = [
        ("Déclarée par le porteur", level(f.cotation_declaree)),
        ("Proposée (questionnaire)", level(f.cotation_proposee)),
        ("Retenue par l'instruction", level(f.cotation_instruite)),
    ]
    if f.cotation_justification:
        cot_rows.append(("Justification", f.cotation_justification))
    answered = [(q, a) for q, a in f.cotation_answers if a is not None]
    if answered:
        cot_rows.append(("Questionnaire", "\n".join(f"{'oui' if a else 'non'} — {q}" for q, a in answered)))
    rows = [[P(k, st["head"]), P(para(v).replace("\n", "<br/>"), st["cell"])] for k, v in cot_rows]
    block_cot: list[Any] = [
        P("Cotation égalité femmes-hommes", st["h2"]),
        _grid(rows, [LABEL_W + 8 * mm, WIDTH - LABEL_W - 8 * mm], header_rows=0,
              extra=[("BACKGROUND", (0, 0), (0, -1), LABEL_BG)]),
    ]  # fmt: skip
    if f.cotation_gap:
        block_cot.append(
            P("Écart entre la cotation déclarée par le porteur et la cotation retenue.", st["warn"])
        )
    story.append(KeepTogether(block_cot))
    return story


def _avis_section(f: FicheData, st: dict[str, ParagraphStyle]) -> list[Any]:
    """The instructeur's avis, motivation, proposed amounts and observations."""
    P = Paragraph  # noqa: N806 - short alias
    story: list[Any] = []
    avis_block: list[Any] = [P("Avis technique et proposition", st["h2"])]
    avis = AVIS_LABELS.get(f.avis or "", "non rendu")
    avis_block.append(P(f"<b>Avis : {para(avis)}</b>", st["base"]))
    if f.avis_motivation:
        avis_block.append(P(para(f.avis_motivation), st["base"]))
    proposed = [x for x in f.plan if x.financeur and x.propose_cents is not None]
    if proposed:
        total = sum(x.propose_cents or 0 for x in proposed)
        lines = "<br/>".join(f"{para(x.label)} : {format_amount(x.propose_cents or 0)}" for x in proposed)
        taux = ""
        if f.cout_total_cents:
            pct = (Decimal(total) * 100 / Decimal(f.cout_total_cents)).quantize(Decimal("0.1"))
            taux = f" ({str(pct).replace('.', ',')}{NBSP}% du coût total)"
        avis_block.append(P(f"Proposition :<br/>{lines}<br/><b>Total proposé : {format_amount(total)}</b>{taux}",
                            st["base"]))  # fmt: skip
    else:
        avis_block.append(P("Aucun montant proposé.", st["base"]))
    if f.observations:
        avis_block.append(P(f"Observations : {para(f.observations)}", st["small"]))
    story.append(KeepTogether(avis_block))
    return story


def _missing_section(f: FicheData, st: dict[str, ParagraphStyle]) -> list[Any]:
    """What still prevents « instruit »."""
    P = Paragraph  # noqa: N806 - short alias
    story: list[Any] = []
    if f.missing:
        items = "<br/>".join(f"• {para(m)}" for m in f.missing)
        story.append(KeepTogether([P("Reste à instruire", st["h2"]), P(items, st["base"])]))
    return story


def _history_section(f: FicheData, st: dict[str, ParagraphStyle]) -> list[Any]:
    """The porteur's other dossiers."""
    P = Paragraph  # noqa: N806 - short alias
    story: list[Any] = []
    story.append(CondPageBreak(30 * mm))
    story.append(P("Autres dossiers du porteur", st["h2"]))
    if not f.history:
        story.append(P("Aucun autre dossier de ce porteur.", st["base"]))
    else:
        data = [[P(h, st["head"] if i < 3 else st["head_r"]) for i, h in
                 enumerate(("Année", "Référence", "Intitulé · statut", "Voté", "CRF reçu le"))]]  # fmt: skip
        for h in f.history:
            data.append(
                [
                    P(str(h.annee), st["cell"]),
                    P(para(h.reference), st["cell"]),
                    P(f"{para(h.intitule)} · <i>{para(h.statut)}</i>", st["cell"]),
                    P(_money(h.vote_cents), st["cell_r"]),
                    P(format_date(h.crf) if h.crf else "—", st["cell_r"]),
                ]
            )
        story.append(
            _grid(data, [13 * mm, 24 * mm, WIDTH - 13 * mm - 24 * mm - 28 * mm - 22 * mm, 28 * mm, 22 * mm])
        )
    return story


def _notation_table(block: GrilleBlock, st: dict[str, ParagraphStyle], show_version: bool) -> Table:
    P = Paragraph  # noqa: N806
    n_cols = max(len(block.columns), 1)
    crit_w = max(WIDTH - n_cols * 27 * mm, 62 * mm)
    col_w = (WIDTH - crit_w) / n_cols
    title = "Critère" + (f" (grille version {block.version})" if show_version else "")
    header = [P(title, st["head"])]
    for c in block.columns:
        name = para(c.evaluateur)
        if "(" in name:  # « Claire V. (déléguée du préfet) »: the role on its own line
            person, _, role = name.partition("(")
            name = f"{person.strip()}<br/><font size=6.6>({role}</font>"
        if c.conflit:
            name += "<br/><font color='#9c2b16'>conflit — exclu</font>"
        header.append(P(name, st["head_c"]))
    data: list[list[Any]] = [header]
    for n, (cid, libelle, low, high, poids) in enumerate(block.criteria, start=1):
        scale = f"{low}–{high}" + (f", poids{NBSP}{poids}" if poids != 1 else "")
        row: list[Any] = [
            P(f"{n}. {para(libelle)} <font color='#5a5a5a' size=6.8>({scale})</font>", st["cell"])
        ]
        for c in block.columns:
            value = c.notes.get(cid)
            row.append(P("—" if value is None else str(value), st["cell_c"]))
        data.append(row)
    total_row: list[Any] = [P("<b>Total /20</b>", st["cell"])]
    for c in block.columns:
        text = (
            "conflit — exclu"
            if c.conflit
            else ("incomplet" if c.total is None else f"<b>{_score(c.total)}</b>")
        )
        total_row.append(P(text, st["cell_c"]))
    data.append(total_row)
    extra: list[Any] = [
        ("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), LABEL_BG),
        ("LINEABOVE", (0, len(data) - 1), (-1, len(data) - 1), 0.9, INK),
    ]
    for i, c in enumerate(block.columns, start=1):
        if c.conflit:
            extra.append(("BACKGROUND", (i, 1), (i, len(data) - 2), CONFLICT_BG))
            extra.append(("TEXTCOLOR", (i, 1), (i, -1), GREY))
    return _grid(data, [crit_w] + [col_w] * len(block.columns), extra=extra)


def render_fiche(data: FicheData, path: str | Path) -> int:
    """Writes one fiche; returns its number of pages."""
    target = Path(path)
    footer = french(
        f"Fiche d'instruction — {data.reference} — {data.porteur} — document de travail du comité"
    )
    header = french(f"{data.reference} — {data.intitule}")
    if len(header) > 110:
        header = header[:109] + "…"
    canvas_class = numbered_canvas(
        footer[:150],
        header_text=header,
        page_label="Page",
        margin_x=MARGIN_X,
        margin_top=MARGIN_TOP,
        margin_bottom=MARGIN_BOTTOM,
        font_size=7,
    )
    doc = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"Fiche d'instruction {data.reference} — {data.porteur}",
        author="Instructeur",
        subject=data.intitule,
        creator="Instructeur",
        lang="fr-FR",
    )
    try:
        doc.build(_story(data), canvasmaker=canvas_class)
    except OSError as exc:
        from instructeur.exports.xlsx_styles import os_reason

        raise UserError(f"{target} : écriture impossible ({os_reason(exc)})") from exc
    return int(doc.page)


def render_fiche_instruction(db: Database, dossier_id: int, path: str | Path) -> Path:
    """The fiche d'instruction of one dossier as a PDF at `path`."""
    target = Path(path)
    render_fiche(fiche_data(db, dossier_id), target)
    return target


@dataclass(frozen=True)
class FichesResult:
    files: tuple[Path, ...]  # one per dossier (temporary ones are deleted when merged)
    merged: Path | None
    pages: tuple[int, ...]
    seconds: float
    cancelled: bool = False


def render_fiches_instruction(
    db: Database,
    campagne_id: int,
    path_or_folder: str | Path,
    dossier_ids: Sequence[int] | None = None,
    merged: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> FichesResult:
    """Fiches of the campagne's dossiers (or of `dossier_ids`, in that order): one merged PDF at
    `path_or_folder`, or one file per dossier in the folder `path_or_folder`
    (« fiche-26-000123.pdf »). `progress(done, total)` after each fiche; `cancel()` polled."""
    from instructeur.exports.pdf_merge import merge_pdfs
    from instructeur.services.notation import NotationService
    from instructeur.storage.models import Dossier

    start = time.perf_counter()
    target = Path(path_or_folder)
    with db.session() as s:
        known = dict(
            s.execute(
                select(Dossier.id, Dossier.reference)
                .where(Dossier.campagne_id == campagne_id)
                .order_by(Dossier.reference)
            ).all()
        )
    if dossier_ids is None:
        ids = list(known)
    else:
        ids = list(dict.fromkeys(dossier_ids))
        strangers = [i for i in ids if i not in known]
        if strangers:
            raise UserError(f"dossier{'s' if len(strangers) > 1 else ''} {strangers} hors de cette campagne")
    if not ids:
        raise UserError("aucun dossier : rien à imprimer")
    if merged and target.is_dir():
        raise UserError(f"{target} : c'est un dossier ; donnez un nom de fichier .pdf pour le PDF fusionné")
    if not merged and not target.is_dir():
        raise UserError(f"{target} : dossier introuvable")
    ranks = {did: row.rank for did, row in NotationService(db).scores(campagne_id).items()}
    files: list[Path] = []
    pages: list[int] = []
    tmp = tempfile.TemporaryDirectory(prefix="fiches-") if merged else None
    try:
        folder = Path(tmp.name) if tmp is not None else target
        for n, did in enumerate(ids, start=1):
            if cancel is not None and cancel():
                return FichesResult(tuple(files), None, tuple(pages), time.perf_counter() - start, True)
            path = folder / f"fiche-{safe_filename(known[did])}.pdf"
            pages.append(render_fiche(fiche_data(db, did, ranks), path))
            files.append(path)
            if progress is not None:
                progress(n, len(ids))
        if merged:
            merge_pdfs(files, target)
            return FichesResult((), target, tuple(pages), time.perf_counter() - start)
        return FichesResult(tuple(files), None, tuple(pages), time.perf_counter() - start)
    finally:
        if tmp is not None:
            tmp.cleanup()
