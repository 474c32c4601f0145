"""Relevé de décisions of a comité des financeurs (DESIGN.md §8), A4 PDF.

Contents: title « Relevé de décisions du comité des financeurs du <date> », contrat and campagne,
date and lieu, membres présents and excusés with their financeur; each decision in agenda order
(référence, porteur, intitulé, décision, amounts voted per financeur, conditions, motivation,
« N'a pas pris part : … », enveloppe overrides with their motivation); the enveloppes of the
campagne (enveloppe, voted by this comité, voted in the campagne, reste); € per cotation F/H
level for the comité's dossiers, demandé at the entry and voté at the exit (the synthesis' rules,
`synthese.cotation_totals`); a signature block; « n / total » page footer.

Typography: the shipped font (`pdf_fonts`), French no-break spaces (U+00A0, never U+202F) through
`typo.para`, amounts by `format_amount`, so « 12 500,00 € » never breaks across lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select

from instructeur.domain.dates import format_date, format_date_long
from instructeur.domain.money import format_amount
from instructeur.exports.pdf_fonts import register_fonts
from instructeur.exports.pdf_page import numbered_canvas
from instructeur.exports.typo import french, para
from instructeur.services.comites import (
    COMITE_TYPE_LABELS,
    DECISION_LABELS,
    ComiteService,
    PointRow,
    decision_records,
)
from instructeur.services.synthese import cotation_totals, load_live
from instructeur.storage.db import Database
from instructeur.storage.models import Campagne, Comite, Contrat

__all__ = ["render_releve"]

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 20 * mm
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")
HEAD_BG = colors.HexColor("#E8ECF2")
DECISION_COLORS = {"retenu": "#1E6B34", "ajourne": "#8A5A00", "refuse": "#A12A2A"}


def _styles() -> dict[str, ParagraphStyle]:
    family = register_fonts()
    base = ParagraphStyle(
        "base", fontName=family, fontSize=9, leading=11.5, hyphenationLang="fr_FR", embeddedHyphenation=1
    )
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=15, leading=19, alignment=TA_CENTER, spaceAfter=2
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, leading=13, alignment=TA_CENTER),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=4),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=GREY),
        "num": ParagraphStyle("num", parent=base, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontSize=8.5, leading=10.5),
        "headnum": ParagraphStyle("headnum", parent=base, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        "sign": ParagraphStyle("sign", parent=base, fontSize=10, leading=14),
    }


def _grid(rows: list[list[Any]], widths: list[float], *, numeric_from: int | None = None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#CCCCCC")),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    table.setStyle(TableStyle(style))
    table.hAlign = "LEFT"
    return table


def _amount(cents: int) -> str:
    return format_amount(cents)


@dataclass(frozen=True)
class _Releve:
    """Everything the relevé shows, read once (the sections below only lay it out)."""

    comite: Any
    membres: list[Any]
    points: list[PointRow]
    tableau: Any
    records: dict[int, list[dict[str, Any]]]
    contrat_nom: str
    annee: int
    campagne_label: str
    live: Any
    financeurs: dict[int, Any]
    order: dict[int, int]
    width: float = PAGE_W - 2 * MARGIN_X


def _read(db: Database, comite_id: int) -> _Releve:
    service = ComiteService(db)
    comite, membres = service.get(comite_id)
    with db.session() as s:
        row = s.execute(
            select(Contrat.nom, Campagne.annee, Campagne.libelle)
            .join(Campagne, Campagne.contrat_id == Contrat.id)
            .join(Comite, Comite.campagne_id == Campagne.id)
            .where(Comite.id == comite_id)
        ).one()
        live = load_live(s, comite.campagne_id)
    contrat_nom, annee, libelle = row
    return _Releve(
        comite=comite,
        membres=list(membres),
        points=list(service.agenda(comite_id)),
        tableau=service.tableau(comite_id),
        records=decision_records(db, comite_id),
        contrat_nom=contrat_nom,
        annee=annee,
        campagne_label=libelle if str(annee) in libelle else f"{libelle} {annee}",
        live=live,
        financeurs={f.id: f for f in live.financeurs},
        order={f.id: n for n, f in enumerate(live.financeurs)},
    )


def _title(r: _Releve) -> str:
    kind = COMITE_TYPE_LABELS.get(r.comite.type, "Comité").lower()
    when_long = format_date_long(r.comite.date_seance) if r.comite.date_seance else "(date à préciser)"
    return f"Relevé de décisions du {kind} du {when_long}"


def render_releve(db: Database, comite_id: int, path: Path) -> Path:
    """Write the relevé de décisions of the comité to `path` (PDF) and return it."""
    r = _read(db, comite_id)
    st = _styles()
    story: list[Any] = []
    for section in (_heading, _seance, _decisions, _enveloppes, _cotation, _signature):
        story.extend(section(r, st))
    comite, contrat_nom, campagne_label, title = r.comite, r.contrat_nom, r.campagne_label, _title(r)
    short = format_date(comite.date_seance) if comite.date_seance else f"n° {comite.id}"
    footer = french(
        f"Relevé de décisions — {COMITE_TYPE_LABELS.get(comite.type, 'Comité')} du {short} — {contrat_nom}"
    )
    canvas_class = numbered_canvas(footer, margin_x=MARGIN_X, margin_bottom=MARGIN_BOTTOM, footer_gap=9 * mm)
    path = Path(path)
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author="Instructeur",
        subject=f"{contrat_nom} — {campagne_label}",
        creator="Instructeur",
        lang="fr-FR",
    )
    doc.build(story, canvasmaker=canvas_class)
    return path


def _heading(r: _Releve, st: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [
        Paragraph(para(_title(r)), st["title"]),
        Paragraph(para(f"{r.contrat_nom} — {r.campagne_label}"), st["subtitle"]),
    ]
    if r.comite.statut != "clos":
        story.append(
            Paragraph(
                para("Relevé provisoire : la séance n'est pas close, des décisions peuvent encore évoluer."),
                ParagraphStyle(
                    "warn", parent=st["subtitle"], textColor=colors.HexColor("#A12A2A"), fontSize=9
                ),
            )
        )
    story.append(Spacer(1, 5 * mm))
    return story


def _seance(r: _Releve, st: dict[str, ParagraphStyle]) -> list[Any]:
    """Date, lieu, présents, excusés and the count of decisions."""
    comite, membres, points, financeurs, width = r.comite, r.membres, r.points, r.financeurs, r.width
    story: list[Any] = []

    def membre_text(m: Any) -> str:
        parts = [m.nom]
        if m.fonction:
            parts.append(m.fonction)
        text = ", ".join(parts)
        financeur = financeurs[m.financeur_id].nom if m.financeur_id in financeurs else None
        return f"{text} — {financeur}" if financeur else text

    presents = [membre_text(m) for m in membres if m.present]
    excuses = [membre_text(m) for m in membres if not m.present]
    info = [
        ("Date", format_date(comite.date_seance) if comite.date_seance else "à préciser"),
        ("Lieu", comite.lieu or "à préciser"),
        ("Présents", "\n".join(presents) or "aucun membre enregistré"),
    ]
    if excuses:
        info.append(("Excusés", "\n".join(excuses)))
    decided = [p for p in points if p.decision]
    counts = {d: sum(1 for p in decided if p.decision == d) for d in DECISION_LABELS}
    info.append(
        (
            "Ordre du jour",
            f"{len(points)} dossier{'s' if len(points) > 1 else ''} examiné{'s' if len(points) > 1 else ''} : "
            + ", ".join(
                f"{n} {DECISION_LABELS[d].lower()}{'s' if n > 1 else ''}" for d, n in counts.items() if n
            )
            + (f", {len(points) - len(decided)} sans décision" if len(decided) < len(points) else ""),
        )
    )
    info_rows = [
        [Paragraph(f"<b>{para(k)}</b>", st["body"]), Paragraph(para(v).replace("\n", "<br/>"), st["body"])]
        for k, v in info
    ]
    info_table = Table(info_rows, colWidths=[32 * mm, width - 32 * mm])
    info_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    info_table.hAlign = "LEFT"
    story.append(info_table)
    return story


def _decisions(r: _Releve, st: dict[str, ParagraphStyle]) -> list[Any]:
    points, records, width = r.points, r.records, r.width
    story: list[Any] = []
    story.append(Paragraph("Décisions", st["h2"]))
    widths = [9 * mm, width - 9 * mm - 19 * mm - 60 * mm, 19 * mm, 60 * mm]
    header = [
        Paragraph("<b>N°</b>", st["head"]),
        Paragraph("<b>Dossier</b>", st["head"]),
        Paragraph("<b>Décision</b>", st["head"]),
        Paragraph("<b>Montants votés</b>", st["headnum"]),
    ]
    rows: list[list[Any]] = [header]
    for p in points:
        rows.append(_decision_row(p, records.get(p.id, []), st))
    story.append(_grid(rows, widths))
    return story


def _enveloppes(r: _Releve, st: dict[str, ParagraphStyle]) -> list[Any]:
    """Voted by this comité and in the whole campagne, against each financeur's enveloppe."""
    points, financeurs, tableau, live, order, annee, width = (
        r.points, r.financeurs, r.tableau, r.live, r.order, r.annee, r.width
    )  # fmt: skip
    story: list[Any] = []
    by_comite: dict[int, int] = dict.fromkeys(financeurs, 0)
    for p in points:
        if p.decision == "retenu":
            for m in p.montants:
                by_comite[m.financeur_id] = by_comite.get(m.financeur_id, 0) + (m.vote_cents or 0)
    env_rows: list[list[Any]] = [
        [
            Paragraph("<b>Financeur</b>", st["head"]),
            Paragraph("<b>Enveloppe</b>", st["headnum"]),
            Paragraph("<b>Voté par<br/>ce comité</b>", st["headnum"]),
            Paragraph(f"<b>Voté<br/>campagne {annee}</b>", st["headnum"]),
            Paragraph("<b>Reste</b>", st["headnum"]),
        ]
    ]
    for e in sorted(tableau.enveloppes, key=lambda e: order.get(e.financeur_id, 0)):
        if not e.enveloppe_cents and not e.vote_cents and not by_comite.get(e.financeur_id):
            continue
        has_env = e.financeur_id in live.enveloppes
        reste = para(_amount(e.reste_cents)) if has_env else "—"
        if e.exceeded:
            reste = f'<font color="#A12A2A"><b>{reste}</b><br/>dépassée</font>'
        env_rows.append(
            [
                Paragraph(para(f"{e.nom} ({e.code})"), st["cell"]),
                Paragraph(para(_amount(e.enveloppe_cents)) if has_env else "sans enveloppe", st["num"]),
                Paragraph(para(_amount(by_comite.get(e.financeur_id, 0))), st["num"]),
                Paragraph(para(_amount(e.vote_cents)), st["num"]),
                Paragraph(reste, st["num"]),
            ]
        )
    total_env = sum(e.enveloppe_cents for e in tableau.enveloppes)
    env_rows.append(
        [
            Paragraph("<b>Total</b>", st["cell"]),
            Paragraph(f"<b>{para(_amount(total_env))}</b>", st["num"]),
            Paragraph(f"<b>{para(_amount(sum(by_comite.values())))}</b>", st["num"]),
            Paragraph(f"<b>{para(_amount(tableau.total_vote_cents))}</b>", st["num"]),
            Paragraph("", st["num"]),
        ]
    )
    env_table = _grid(env_rows, [width - 4 * 31 * mm, 31 * mm, 31 * mm, 31 * mm, 31 * mm])
    story.append(
        KeepTogether(
            [
                Paragraph("Enveloppes des financeurs", st["h2"]),
                Paragraph(
                    para(
                        f"Montants votés par ce comité et par l'ensemble des comités de la campagne {annee}, "
                        "au regard des enveloppes."
                    ),
                    st["small"],
                ),
                Spacer(1, 2 * mm),
                env_table,
            ]
        )
    )
    return story


def _cotation(r: _Releve, st: dict[str, ParagraphStyle]) -> list[Any]:
    """Cotation F/H before / after the comité, for the comité's dossiers (the synthesis' rules)."""
    points, live, width = r.points, r.live, r.width
    story: list[Any] = []
    ids = {p.dossier_id for p in points}
    mine = [d for did, d in live.dossiers.items() if did in ids]
    fids = [f.id for f in live.financeurs]
    cotations = cotation_totals([d for d in mine if d.recevable], [d for d in mine if d.retenu], fids)
    cot_rows: list[list[Any]] = [
        [
            Paragraph("<b>Cotation égalité femmes-hommes</b>", st["head"]),
            Paragraph("<b>Dossiers</b>", st["headnum"]),
            Paragraph("<b>Demandé (entrée)</b>", st["headnum"]),
            Paragraph("<b>Retenus</b>", st["headnum"]),
            Paragraph("<b>Voté (sortie)</b>", st["headnum"]),
        ]
    ]
    for c in cotations:
        if c.niveau is None and not c.nb_entree and not c.nb_sortie:
            continue
        cot_rows.append(
            [
                Paragraph(para(c.label), st["cell"]),
                Paragraph(str(c.nb_entree), st["num"]),
                Paragraph(para(_amount(c.demande_entree_cents)), st["num"]),
                Paragraph(str(c.nb_sortie), st["num"]),
                Paragraph(para(_amount(c.vote_sortie_cents)), st["num"]),
            ]
        )
    cot_rows.append(
        [
            Paragraph("<b>Total</b>", st["cell"]),
            Paragraph(f"<b>{sum(c.nb_entree for c in cotations)}</b>", st["num"]),
            Paragraph(f"<b>{para(_amount(sum(c.demande_entree_cents for c in cotations)))}</b>", st["num"]),
            Paragraph(f"<b>{sum(c.nb_sortie for c in cotations)}</b>", st["num"]),
            Paragraph(f"<b>{para(_amount(sum(c.vote_sortie_cents for c in cotations)))}</b>", st["num"]),
        ]
    )
    story.append(
        KeepTogether(
            [
                Paragraph("Budgétisation égalité femmes-hommes", st["h2"]),
                Paragraph(
                    para(
                        "Euros par niveau de cotation, avant le comité (demandés, selon la cotation déclarée "
                        "par le porteur) et après (votés, selon la cotation instruite)."
                    ),
                    st["small"],
                ),
                Spacer(1, 2 * mm),
                _grid(
                    cot_rows,
                    [width - 18 * mm - 34 * mm - 18 * mm - 34 * mm, 18 * mm, 34 * mm, 18 * mm, 34 * mm],
                ),
            ]
        )
    )
    return story


def _signature(r: _Releve, st: dict[str, ParagraphStyle]) -> list[Any]:
    comite, width = r.comite, r.width
    story: list[Any] = []
    fait = format_date_long(comite.date_seance) if comite.date_seance else "…"
    sign_rows = [
        [
            Paragraph("", st["sign"]),
            Paragraph(
                para(f"Fait le {fait}")
                + "<br/><br/><b>"
                + para("Pour le comité, le président")
                + "</b><br/><br/><br/><br/>"
                + para("Nom : ………………………………")
                + "<br/>"
                + para("Fonction : ………………………………")
                + "<br/>"
                + para("Date et signature : ……………………"),
                st["sign"],
            ),
        ]
    ]
    sign = Table(sign_rows, colWidths=[width - 80 * mm, 80 * mm])
    sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(KeepTogether([Spacer(1, 10 * mm), sign]))
    return story


def _decision_row(p: PointRow, records: list[dict[str, Any]], st: dict[str, ParagraphStyle]) -> list[Any]:
    lines = [
        f"<b>{para(p.reference)}</b> — {para(p.porteur)}",
        f"<i>{para(p.intitule)}</i>",
    ]
    details: list[str] = []
    if p.conditions:
        details.append(f"<b>Conditions :</b> {para(p.conditions)}")
    if p.motivation:
        details.append(f"<b>Motivation :</b> {para(p.motivation)}")
    if p.membres_en_conflit:
        label = para("N'a pas pris part :")
        details.append(f"<b>{label}</b> {para(', '.join(p.membres_en_conflit))}")
    derogation = _last_derogation(records) if p.decision == "retenu" else None
    if derogation is not None:
        codes, motif = derogation
        label = para(f"Dérogation à l'enveloppe {codes} :")
        details.append(f"<b>{label}</b> {para(motif)}")
    cell = Paragraph("<br/>".join(lines + details), st["cell"])
    if p.decision:
        color = DECISION_COLORS.get(p.decision, "#000000")
        decision = Paragraph(f'<font color="{color}"><b>{DECISION_LABELS[p.decision]}</b></font>', st["cell"])
    else:
        decision = Paragraph("<i>sans décision</i>", st["cell"])
    if p.decision == "retenu":
        voted = [m for m in p.montants if m.vote_cents]
        amounts = "<br/>".join(f"{para(m.code)} {para(_amount(m.vote_cents or 0))}" for m in voted)
        total = sum(m.vote_cents or 0 for m in voted)
        if not voted:
            amounts = "<i>aucun montant voté</i>"
        elif len(voted) > 1:
            amounts += f"<br/><b>Total {para(_amount(total))}</b>"
        amounts += f'<br/><font color="#555555" size="7.5">{para("coût total " + _amount(p.cout_total_cents))}</font>'
    else:
        amounts = "—"
    return [
        Paragraph(str(p.position), st["cell"]),
        cell,
        decision,
        Paragraph(amounts, st["num"]),
    ]


def _last_derogation(records: list[dict[str, Any]]) -> tuple[str, str] | None:
    for changes in reversed(records):
        if changes.get("derogation"):
            return ", ".join(changes.get("depassements") or {}), str(changes["derogation"])
    return None


def releve_filename(comite_date: date | None, comite_id: int) -> str:
    """« releve_decisions_2026-04-09.pdf »: a default file name for save dialogs."""
    return f"releve_decisions_{comite_date.isoformat() if comite_date else comite_id}.pdf"
