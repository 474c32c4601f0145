#!/bin/sh
# Per-user install of Instructeur (no root): run `./installer.sh` from the unpacked archive.
#   ~/.local/lib/instructeur/          the application folder (replaced on upgrade)
#   ~/.local/bin/instructeur           a symlink to its executable
#   ~/.local/share/applications/       the menu entry, ~/.local/share/icons/… the icon
# `./installer.sh --uninstall` removes the three. Databases are never touched.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX="${INSTRUCTEUR_PREFIX:-$HOME/.local}"
APPDIR="$PREFIX/lib/instructeur"
BIN="$PREFIX/bin/instructeur"
DESKTOP="$PREFIX/share/applications/fr.instructeur.Instructeur.desktop"
ICON="$PREFIX/share/icons/hicolor/256x256/apps/fr.instructeur.Instructeur.png"

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$APPDIR"
    rm -f "$BIN" "$DESKTOP" "$ICON"
    echo "Instructeur désinstallé de $PREFIX (vos bases de données sont conservées)."
    exit 0
fi

[ -x "$HERE/instructeur/instructeur" ] || {
    echo "installer.sh : dossier « instructeur/ » introuvable à côté du script." >&2
    exit 2
}
mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$(dirname "$DESKTOP")" "$(dirname "$ICON")"
# Copy next to the target then swap, so an interrupted upgrade leaves the old version working.
rm -rf "$APPDIR.new"
cp -R "$HERE/instructeur" "$APPDIR.new"
rm -rf "$APPDIR"
mv "$APPDIR.new" "$APPDIR"
ln -sf "$APPDIR/instructeur" "$BIN"
cp "$HERE/fr.instructeur.Instructeur.png" "$ICON"
sed -e "s|^Exec=.*|Exec=\"$APPDIR/instructeur\" %f|" -e "s|^Icon=.*|Icon=$ICON|" \
    "$HERE/fr.instructeur.Instructeur.desktop" >"$DESKTOP"
command -v update-desktop-database >/dev/null 2>&1 \
    && update-desktop-database "$(dirname "$DESKTOP")" >/dev/null 2>&1 || true
echo "$("$BIN" --version 2>/dev/null || echo Instructeur) installé dans $APPDIR"
case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *) echo "Ajoutez $PREFIX/bin à votre PATH pour lancer « instructeur » depuis un terminal." ;;
esac
