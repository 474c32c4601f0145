"""The recevabilité rule (pure): « recevable » needs every mandatory point ticked; the refusal
names the missing points in the checklist's order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from instructeur.domain.recevabilite import Point, missing_mandatory, recevabilite_problem

ITEMS = [
    Point(10, "Dossier complet", True),
    Point(11, "Contrat d'engagement républicain signé", True),
    Point(12, "Photos de l'action", False),
    Point(13, "RIB à jour", True),
]


def test_missing_mandatory_names_unticked_mandatory_points_in_order() -> None:
    assert missing_mandatory(ITEMS, set()) == [
        "Dossier complet",
        "Contrat d'engagement républicain signé",
        "RIB à jour",
    ]
    assert missing_mandatory(ITEMS, {10, 13}) == ["Contrat d'engagement républicain signé"]
    assert missing_mandatory(ITEMS, {10, 11, 13}) == []  # the optional point does not count
    assert missing_mandatory([], set()) == []


def test_the_refusal_lists_the_points() -> None:
    assert recevabilite_problem([]) is None
    assert (
        recevabilite_problem(["RIB à jour"])
        == "recevabilité incomplète — point obligatoire non coché : RIB à jour"
    )
    assert recevabilite_problem(["Dossier complet", "RIB à jour"]) == (
        "recevabilité incomplète — points obligatoires non cochés : Dossier complet, RIB à jour"
    )


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.booleans()), max_size=8), st.data())
def test_missing_is_exactly_the_unticked_mandatory_points(
    specs: list[tuple[str, bool]], data: st.DataObject
) -> None:
    items = [Point(n, libelle, obligatoire) for n, (libelle, obligatoire) in enumerate(specs)]
    checked = data.draw(st.sets(st.integers(0, max(len(items) - 1, 0))))
    missing = missing_mandatory(items, checked)
    assert missing == [i.libelle for i in items if i.obligatoire and i.id not in checked]
    # Ticking everything mandatory is always enough; unticking one mandatory point never is.
    assert missing_mandatory(items, {i.id for i in items if i.obligatoire}) == []
    for item in items:
        if item.obligatoire:
            assert item.libelle in missing_mandatory(items, {i.id for i in items} - {item.id})


def test_a_recevable_dossier_keeps_its_mandatory_points() -> None:
    from instructeur.domain.recevabilite import untick_problem, unticked_mandatory

    assert unticked_mandatory(ITEMS, {10, 11, 12, 13}, {10, 13}) == ["Contrat d'engagement républicain signé"]
    assert unticked_mandatory(ITEMS, {10, 11, 12, 13}, {10, 11, 13}) == []  # the optional point may go
    assert unticked_mandatory(ITEMS, set(), set()) == []  # never ticked: nothing lost
    assert untick_problem([]) is None
    assert untick_problem(["RIB à jour"]) == (
        "recevabilité : le dossier est déjà recevable, point obligatoire décoché : RIB à jour "
        "(rouvrez-le en « Déposé » pour décocher)"
    )
