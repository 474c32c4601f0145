"""A small hand-computed campagne for the synthesis and export tests, and a LibreOffice helper.

Scenario (world of `tests.factories`: financeurs ETAT, EPCI, CAF; enveloppes ETAT 100 000,00 €,
EPCI 50 000,00 €, none for CAF; coût total 12 500,00 € unless said otherwise):

| dossier | statut / décision | axe | quartiers | lines: demandé → voté | cotation décl./instr. |
|---|---|---|---|---|---|
| D1 26-000001 | retenu / retenu | 1 | Centre Ville + Damrémont | ETAT 5 000,01 → 3 000,01; EPCI 4 000 → 4 000 | 2 / 1 |
| D2 26-000002 (reconduite, coût 200 000) | notifié / retenu | 2 | Centre Ville | ETAT 98 000 → 98 000; CAF 10 000 → 5 000 | – / 0 |
| D3 26-000003 | refusé / refusé | – | – | ETAT 7 000 → 0; EPCI 3 000 → (none) | 0 / 2 |
| D4 26-000004 | en instruction | 1 | Damrémont | ETAT 1 000; EPCI 500 | 1 / – |
| D5 26-000005 | déposé | 1 | – | ETAT 9 999 | – |
| D6 26-000006 | irrecevable | 1 | – | ETAT 2 000 | – |

The porteur of D1 is named `=HYPERLINK("x")` and its intitulé is `-Atelier` (formula guards).
D1 has three évaluations: (3, 1) and (2, 3) on criteria weighted 1 and 2 (scale 0–3), and one
with a conflict of interest (excluded): score = mean(5/9, 8/9) × 20 = 14,44.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from instructeur.services.dossiers import Ligne
from instructeur.services.porteurs import PorteurData, PorteurService
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Comite,
    ComitePoint,
    Critere,
    Dossier,
    Evaluateur,
    Evaluation,
    Financeur,
    Grille,
    LigneFinancement,
    Note,
    Objectif,
    Transition,
)
from tests.factories import World, build_world, create_dossier

HYPERLINK = '=HYPERLINK("x")'
ETAT_SIRET = "11000201100044"


@dataclass
class Scenario:
    world: World
    d: dict[str, int]  # "D1" → dossier id
    axe1: tuple[str, str]  # (code, titre)
    axe2: tuple[str, str]


def _leaf_under(db: Database, contrat_id: int, root_code: str) -> int:
    with db.session() as s:
        nodes = s.scalars(select(Objectif).where(Objectif.contrat_id == contrat_id)).all()
        root = next(o for o in nodes if o.code == root_code and o.parent_id is None)
        child = next(o for o in sorted(nodes, key=lambda o: (o.position, o.id)) if o.parent_id == root.id)
        return child.id


def _set(db: Database, dossier_id: int, **fields: object) -> None:
    with db.session() as s:
        d = s.get(Dossier, dossier_id)
        assert d is not None
        for key, value in fields.items():
            setattr(d, key, value)


def _votes(db: Database, dossier_id: int, votes: dict[int, int | None]) -> None:
    with db.session() as s:
        for ligne in s.scalars(select(LigneFinancement).where(LigneFinancement.dossier_id == dossier_id)):
            if ligne.financeur_id in votes:
                ligne.vote_cents = votes[ligne.financeur_id]


def build_scenario(db: Database) -> Scenario:
    world = build_world(db)
    f = world.financeurs
    q = world.quartiers
    axe1 = _leaf_under(db, world.contrat_id, "1")
    axe2 = _leaf_under(db, world.contrat_id, "2")
    hyperlink = PorteurService(db, user="test").create(
        PorteurData(raison_sociale=HYPERLINK, siret="44306184100047")
    )
    d: dict[str, int] = {}
    d["D1"] = create_dossier(
        db,
        world,
        "26-000001",
        porteur_id=hyperlink,
        intitule="-Atelier",
        objectif_id=axe1,
        quartiers=(q["Centre Ville"], q["Damrémont"]),
        cotation_declaree=2,
        lignes=(
            Ligne(f["ETAT"], "", 5_000_01),
            Ligne(f["EPCI"], "", 4_000_00),
            Ligne(None, "Fonds propres", 3_499_99),
        ),
    )
    d["D2"] = create_dossier(
        db,
        world,
        "26-000002",
        objectif_id=axe2,
        quartiers=(q["Centre Ville"],),
        reconduite=True,
        cout_total_cents=200_000_00,
        lignes=(
            Ligne(f["ETAT"], "", 98_000_00),
            Ligne(f["CAF"], "", 10_000_00),
            Ligne(None, "Fonds propres", 92_000_00),
        ),
    )
    d["D3"] = create_dossier(
        db,
        world,
        "26-000003",
        quartiers=(),
        cotation_declaree=0,
        lignes=(
            Ligne(f["ETAT"], "", 7_000_00),
            Ligne(f["EPCI"], "", 3_000_00),
            Ligne(None, "Fonds propres", 2_500_00),
        ),
    )
    d["D4"] = create_dossier(
        db,
        world,
        "26-000004",
        objectif_id=axe1,
        quartiers=(q["Damrémont"],),
        cotation_declaree=1,
        lignes=(
            Ligne(f["ETAT"], "", 1_000_00),
            Ligne(f["EPCI"], "", 500_00),
            Ligne(None, "Fonds propres", 11_000_00),
        ),
    )
    d["D5"] = create_dossier(
        db, world, "26-000005", objectif_id=axe1, quartiers=(), lignes=(Ligne(f["ETAT"], "", 9_999_00),)
    )
    d["D6"] = create_dossier(
        db, world, "26-000006", objectif_id=axe1, quartiers=(), lignes=(Ligne(f["ETAT"], "", 2_000_00),)
    )
    # Decisions and votes, written directly (the comité service is not what is tested here).
    _set(db, d["D1"], statut="retenu", decision="retenu", cotation_instruite=1, observations="+ à suivre")
    _votes(db, d["D1"], {f["ETAT"]: 3_000_01, f["EPCI"]: 4_000_00})
    _set(db, d["D2"], statut="notifie", decision="retenu", cotation_instruite=0)
    _votes(db, d["D2"], {f["ETAT"]: 98_000_00, f["CAF"]: 5_000_00})
    _set(db, d["D3"], statut="refuse", decision="refuse", cotation_instruite=2)
    _votes(db, d["D3"], {f["ETAT"]: 0})
    _set(db, d["D4"], statut="en_instruction")
    _set(db, d["D6"], statut="irrecevable")

    with db.session() as s:
        s.add(Transition(dossier_id=d["D1"], utilisateur="test", de_statut="en_comite", vers_statut="retenu",
                         at=datetime(2026, 6, 15, 10, 30)))  # fmt: skip
        comite = Comite(campagne_id=world.campagne_id, type="financeurs", date_seance=date(2026, 6, 16))
        comite.points = [ComitePoint(dossier_id=d["D2"], position=1, decision="retenu", decided_at=None)]
        s.add(comite)
        etat = s.get(Financeur, f["ETAT"])
        assert etat is not None
        etat.siret = ETAT_SIRET  # idAttribuant of the open data; EPCI and CAF have none
        grille = Grille(campagne_id=world.campagne_id)
        c1 = Critere(libelle="Public", poids=1, echelle_min=0, echelle_max=3, position=0)
        c2 = Critere(libelle="Cohérence", poids=2, echelle_min=0, echelle_max=3, position=1)
        grille.criteres = [c1, c2]
        s.add(grille)
        s.flush()
        for n, (v1, v2, conflit) in enumerate(((3, 1, False), (2, 3, False), (0, 0, True))):
            ev = Evaluateur(contrat_id=world.contrat_id, nom=f"Évaluateur {n}")
            s.add(ev)
            s.flush()
            evaluation = Evaluation(
                dossier_id=d["D1"], evaluateur_id=ev.id, grille_id=grille.id, conflit=conflit
            )
            evaluation.notes = [Note(critere_id=c1.id, valeur=v1), Note(critere_id=c2.id, valeur=v2)]
            s.add(evaluation)
        roots = {o.code: o.titre for o in s.scalars(select(Objectif).where(Objectif.parent_id.is_(None)))}
    return Scenario(world, d, ("1", roots["1"]), ("2", roots["2"]))


# --- LibreOffice ------------------------------------------------------------------------------

# Field sep «,», text delimiter «"», UTF-8 (76), start row 1, default cell format, language,
# quoted as text no, detect special numbers yes, « save cell contents as shown » NO (raw values),
# formulas no, trim no, sheet -1 = every sheet into « <name>-<Sheet>.csv ».
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(xlsx: Path, outdir: Path) -> dict[str, list[list[str]]]:
    """Open `xlsx` in LibreOffice headless (which recalculates every formula on load) and return
    each sheet's computed values as CSV rows (raw numbers, not formatted)."""
    binary = soffice()
    assert binary is not None
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "lo-profile"  # own profile: no clash with another running LibreOffice
    env = dict(os.environ, HOME=str(outdir))
    subprocess.run(
        [binary, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--convert-to", CSV_FILTER,
         "--outdir", str(outdir), str(xlsx)],
        check=True, capture_output=True, timeout=180, env=env,
    )  # fmt: skip
    sheets: dict[str, list[list[str]]] = {}
    prefix = f"{xlsx.stem}-"
    for path in outdir.glob(f"{xlsx.stem}-*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            sheets[path.stem[len(prefix) :]] = list(csv.reader(fh))
    return sheets
