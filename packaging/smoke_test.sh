#!/usr/bin/env bash
# Smoke test of the FROZEN bundle (run by .ci/run after `./run bundle`):
#   packaging/smoke_test.sh [dist/instructeur/instructeur]
# --version, demo create, export programmation, export notifications (the PDF embeds DejaVu
# Serif), the user guide and its screenshots bundled, check, the migrations from an empty file
# (init), and an offscreen launch with INSTRUCTEUR_SCREENSHOT whose PNG is not blank. Uses only
# the bundle, sqlite3 from Python's stdlib via the system python3 (for reading refs and the PNG
# check) and pdffonts if present.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="$(readlink -f "${1:-dist/instructeur/instructeur}")"
[[ -x "$BIN" ]] || { echo "smoke: no executable at $BIN (run ./run bundle first)" >&2; exit 1; }
WORK="$(mktemp -d /tmp/instructeur-smoke.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
# Nothing from the source tree or a virtualenv may leak in: the bundle must be self-sufficient.
unset PYTHONPATH VIRTUAL_ENV INSTRUCTEUR_DB
export QT_QPA_PLATFORM=offscreen

ok() { echo "smoke: OK   $*"; }
fail() { echo "smoke: FAIL $*" >&2; exit 1; }

version="$("$BIN" --version)" || fail "--version"
ok "--version → $version"

"$BIN" demo create --dossiers 200 demo.sqlite >out.txt 2>&1 || { cat out.txt; fail "demo create"; }
ok "demo create → $(tail -1 out.txt)"

"$BIN" --db empty.sqlite init >out.txt 2>&1 || { cat out.txt; fail "init (Alembic migrations from the bundle)"; }
ok "init (migrations) → $(tail -1 out.txt)"

"$BIN" --db demo.sqlite export programmation --campagne 2 -o programmation.xlsx >out.txt 2>&1 \
    || { cat out.txt; fail "export programmation"; }
python3 - <<'PY' || fail "programmation.xlsx is not a workbook"
import zipfile
names = zipfile.ZipFile("programmation.xlsx").namelist()
assert "xl/workbook.xml" in names and any(n.startswith("xl/worksheets/") for n in names), names
PY
ok "export programmation → $(stat -c %s programmation.xlsx) bytes"

refs="$(python3 - <<'PY'
import sqlite3
rows = sqlite3.connect("demo.sqlite").execute(
    "select reference from dossier where statut in ('notifie', 'solde') and campagne_id = 2 order by id limit 5").fetchall()
print(",".join(r[0] for r in rows))
PY
)"
[[ -n "$refs" ]] || fail "no decided dossier in the demo base"
# Two letter workers even for 5 letters: the frozen binary must spawn its own workers (freeze_support).
INSTRUCTEUR_LETTER_WORKERS=2 timeout 300 "$BIN" --db demo.sqlite export notifications --campagne 2 -o lettres \
    --dossiers "$refs" --merged lettres.pdf >out.txt 2>&1 || { cat out.txt; fail "export notifications"; }
[[ -s lettres.pdf ]] || fail "no merged PDF"
if command -v pdffonts >/dev/null 2>&1; then
    pdffonts lettres.pdf | grep -E 'DejaVuSerif +TrueType .* yes ' >/dev/null \
        || { pdffonts lettres.pdf; fail "DejaVu Serif not embedded"; }
else
    grep -a -q '/BaseFont */[A-Z]*+DejaVuSerif' lettres.pdf || fail "DejaVu Serif not embedded"
fi
ok "export notifications (2 worker processes) → $(ls lettres | wc -l) letters + lettres.pdf, DejaVu Serif embedded"

guide_png="$(find "$(dirname "$BIN")" -path '*/resources/guide/guide/dossiers.png' -print -quit)"
[[ -n "$guide_png" && -f "$(dirname "$guide_png")/../GUIDE.md" ]] || fail "user guide or its screenshots not bundled"
ok "user guide bundled with its screenshots ($(ls "$(dirname "$guide_png")" | wc -l) PNG)"

"$BIN" --db demo.sqlite check >out.txt 2>&1 || { cat out.txt; fail "check"; }
ok "check → $(tail -1 out.txt)"

INSTRUCTEUR_SCREENSHOT="$WORK/shot.png" INSTRUCTEUR_WINDOW_SIZE=1366x768 \
    timeout 120 "$BIN" --db demo.sqlite >out.txt 2>&1 || { cat out.txt; fail "offscreen launch"; }
[[ -s shot.png ]] || fail "no screenshot"
# Not blank: a painted list has text, headers, selection… i.e. many distinct pixel values.
# Checked with the system python3, stdlib only (struct, zlib).
colours="$(python3 "$HERE/png_colours.py" "$WORK/shot.png" 2>/dev/null || echo 0)"
[[ -n "$colours" && "$colours" -gt 200 ]] || fail "screenshot looks blank ($colours distinct pixel values)"
ok "offscreen launch → shot.png ${colours} distinct values; $(tail -1 out.txt)"

if [[ -n "${INSTRUCTEUR_SMOKE_KEEP:-}" ]]; then
    cp shot.png "$INSTRUCTEUR_SMOKE_KEEP"
fi
echo "smoke: all checks passed on $BIN"
