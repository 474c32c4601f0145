#!/usr/bin/env bash
# Builds dist/instructeur/ (PyInstaller onedir) and dist/instructeur-VERSION-linux-x86_64.tar.gz
# holding it with installer.sh, the desktop entry and the icon. Called by `./run bundle`
# from the repository root with the .venv python as $1.
set -euo pipefail

PY="${1:-.venv/bin/python}"
VERSION="$("$PY" -c 'import instructeur; print(instructeur.__version__)')"
ARCH="$(uname -m)"
NAME="instructeur-${VERSION}-linux-${ARCH}"

rm -rf dist/instructeur build/pyinstaller
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
    packaging/instructeur.spec

stage="build/${NAME}"
rm -rf "$stage"
mkdir -p "$stage"
cp -R dist/instructeur "$stage/instructeur"
cp packaging/linux/installer.sh "$stage/installer.sh"
cp packaging/linux/fr.instructeur.Instructeur.desktop "$stage/"
cp resources/icons/instructeur.png "$stage/fr.instructeur.Instructeur.png"
chmod +x "$stage/installer.sh"
tar -C build -czf "dist/${NAME}.tar.gz" "$NAME"
rm -rf "$stage"

echo "bundle: dist/instructeur/ ($(du -sh dist/instructeur | cut -f1) unpacked)"
echo "bundle: dist/${NAME}.tar.gz ($(du -sh "dist/${NAME}.tar.gz" | cut -f1))"
