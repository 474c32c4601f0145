"""Charts drawn with QPainter: they render offscreen and keep the values and labels given."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from ui.charts import COLORS, BarChart, BulletChart, BulletRow, Series, euros, integer, render_to_image

NBSP = "\u00a0"


def coloured_pixels(image: QImage, color: QColor) -> int:
    target = color.rgb()
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if image.pixel(x, y) == target
    )


def non_white(image: QImage) -> int:
    white = QColor("white").rgb()
    return sum(
        1
        for y in range(0, image.height(), 3)
        for x in range(0, image.width(), 3)
        if image.pixel(x, y) != white
    )


def test_formatters() -> None:
    assert euros(1_250_000) == f"12{NBSP}500{NBSP}€"
    assert euros(1_250_050) == f"12{NBSP}501{NBSP}€"  # rounded to the euro
    assert euros(-30_000) == f"-300{NBSP}€"
    assert integer(20000) == f"20{NBSP}000"


def test_bar_chart_renders_offscreen_with_values(qtbot: QtBot) -> None:
    chart = BarChart("Montants par axe")
    qtbot.addWidget(chart)
    chart.set_data(
        ["1 — Emploi", "2 — Cadre de vie", "Non rattaché"],
        [
            Series("Demandé", (1_250_000, 500_000, 0), COLORS["demande"]),
            Series("Voté", (1_000_000, 250_000, 0), COLORS["vote"]),
        ],
        euros,
    )
    assert chart.labels() == ["1 — Emploi", "2 — Cadre de vie", "Non rattaché"]
    assert chart.values(0) == [1_250_000, 500_000, 0] and chart.values(1) == [1_000_000, 250_000, 0]
    assert chart.text(0, 0) == f"12{NBSP}500{NBSP}€"
    assert [name for name, _ in chart.legend()] == ["Demandé", "Voté"]
    image = render_to_image(chart, QSize(600, chart.sizeHint().height()))
    assert non_white(image) > 100
    assert coloured_pixels(image, COLORS["vote"]) > 50 and coloured_pixels(image, COLORS["demande"]) > 50
    # A tooltip per bar, an accessible description with every value.
    tips = [text for _, text in chart.hit_areas()]
    assert any("Voté" in t and f"10{NBSP}000{NBSP}€" in t for t in tips)
    rect, text = chart.hit_areas()[0]
    assert chart.tooltip_at(rect.center()) == text
    assert chart.tooltip_at(QPoint(1, 1)) is None
    description = chart.accessibleDescription()
    assert "2 — Cadre de vie" in description and f"2{NBSP}500{NBSP}€" in description


def test_bar_chart_custom_texts_and_labels_above(qtbot: QtBot) -> None:
    chart = BarChart("Cotation", labels_above=True)
    qtbot.addWidget(chart)
    chart.set_data(
        ["0 — non", "1 — significatif"], [Series("Demandé", (300, 100), texts=("3 € · 75 %", "1 € · 25 %"))]
    )
    assert chart.text(1) == "1 € · 25 %"
    assert chart.legend() == [("Demandé", chart.series()[0].color)]
    image = render_to_image(chart, QSize(400, chart.sizeHint().height()))
    assert coloured_pixels(image, COLORS["count"]) > 20


def test_long_label_is_elided_with_tooltip(qtbot: QtBot) -> None:
    chart = BarChart("Quartiers")
    qtbot.addWidget(chart)
    long = "Chemin Vert - Beaurepaire et Marlborough, quartier prioritaire de la politique de la ville"
    chart.set_data([long], [Series("", (5,))])
    render_to_image(chart, QSize(300, chart.sizeHint().height()))
    assert any(text == long for _, text in chart.hit_areas())
    assert chart.legend() == []  # an unnamed single series has no legend


def test_empty_chart(qtbot: QtBot) -> None:
    chart = BarChart("Rien")
    qtbot.addWidget(chart)
    chart.set_data([], [])
    image = render_to_image(chart, QSize(300, 80))
    assert non_white(image) > 0  # « Aucune donnée »
    assert "Aucune donnée" in chart.accessibleDescription()


def test_bullet_chart_exceeded_in_red(qtbot: QtBot) -> None:
    chart = BulletChart("Enveloppes")
    qtbot.addWidget(chart)
    chart.set_rows([BulletRow("État", 8_000_000, 10_000_000), BulletRow("EPCI", 6_000_000, 5_000_000)])
    assert not chart.exceeded(0) and chart.exceeded(1)
    assert f"reste 20{NBSP}000{NBSP}€" in chart.text(0)
    assert f"dépassement 10{NBSP}000{NBSP}€" in chart.text(1)
    image = render_to_image(chart, QSize(700, chart.sizeHint().height()))
    assert coloured_pixels(image, COLORS["over"]) > 10
    assert coloured_pixels(image, COLORS["vote"]) > 50
    assert "EPCI" in chart.accessibleDescription()
