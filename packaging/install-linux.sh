#!/bin/sh
# install-linux.sh [PROGRAM_DIR]: put Autopilot Segment Exporter in your applications menu,
# for you only and without root.
#
#   program      ~/.local/opt/autopilot-exporter/ (a copy of PROGRAM_DIR)
#   commands     ~/.local/bin/autopilot-exporter and autopilot-exporter-gui (symlinks)
#   menu entry   $XDG_DATA_HOME/applications/autopilot-exporter.desktop
#   icons        $XDG_DATA_HOME/icons/hicolor/<size>/apps/autopilot-exporter.{png,svg}
# ($XDG_DATA_HOME defaults to ~/.local/share.) Running it again upgrades in place.
#
# PROGRAM_DIR is the built one-folder program. Without it: the folder this script is in when it
# is the program's install.sh (an unpacked archive), else dist/autopilot-exporter of the
# repository. Remove everything again with uninstall-linux.sh (installed as
# ~/.local/opt/autopilot-exporter/uninstall.sh). Your data and settings are never touched.
set -eu

APP=autopilot-exporter
HERE=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then
    SOURCE=$1
elif [ -x "$HERE/$APP" ]; then
    SOURCE=$HERE
else
    SOURCE=$HERE/../dist/$APP
fi
if [ ! -x "$SOURCE/$APP" ] || [ ! -x "$SOURCE/$APP-gui" ]; then
    echo "error: no built program in $SOURCE; build it first (scripts/dev dist)." >&2
    exit 2
fi
SOURCE=$(cd "$SOURCE" && pwd)

: "${HOME:?HOME is not set}"
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
OPT=$HOME/.local/opt/$APP
BIN=$HOME/.local/bin
ICONS=$SOURCE/_internal/app/resources/icons
DESKTOP_SRC=$SOURCE/$APP.desktop
[ -f "$DESKTOP_SRC" ] || DESKTOP_SRC=$HERE/linux/$APP.desktop

# Copy beside the old version, then swap, so a failed copy leaves the old one working.
if [ "$SOURCE" != "$OPT" ]; then
    mkdir -p "$(dirname "$OPT")"
    rm -rf "$OPT.new"
    cp -R "$SOURCE" "$OPT.new"
    [ -f "$OPT.new/uninstall.sh" ] || cp "$HERE/uninstall-linux.sh" "$OPT.new/uninstall.sh"
    rm -rf "$OPT"
    mv "$OPT.new" "$OPT"
fi

mkdir -p "$BIN"
ln -sfn "$OPT/$APP" "$BIN/$APP"
ln -sfn "$OPT/$APP-gui" "$BIN/$APP-gui"

# The menu entry starts the installed program by its absolute path (~/.local/bin is not on
# every desktop's PATH). Desktop-entry quoting: the path in double quotes, with \ " ` $ escaped.
exec_path=$(printf '%s' "$OPT/$APP-gui" | sed 's/[\\"`$]/\\\\&/g')
mkdir -p "$DATA/applications"
while IFS= read -r line; do
    case $line in
        Exec=*) printf 'Exec="%s"\n' "$exec_path" ;;
        TryExec=*) printf 'TryExec=%s\n' "$OPT/$APP-gui" ;;
        *) printf '%s\n' "$line" ;;
    esac
done <"$DESKTOP_SRC" >"$DATA/applications/$APP.desktop"
chmod 644 "$DATA/applications/$APP.desktop"

for size in 16 24 32 48 64 128 256 512; do
    dir="$DATA/icons/hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    cp "$ICONS/$APP-$size.png" "$dir/$APP.png"
done
mkdir -p "$DATA/icons/hicolor/scalable/apps"
cp "$ICONS/$APP.svg" "$DATA/icons/hicolor/scalable/apps/$APP.svg"

# Menus pick the entry up by themselves on most desktops; these refresh the caches where they
# exist (both are optional).
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$DATA/applications" 2>/dev/null || true
fi
if [ -f "$DATA/icons/hicolor/index.theme" ] && command -v gtk-update-icon-cache >/dev/null 2>&1
then
    gtk-update-icon-cache -q -t "$DATA/icons/hicolor" 2>/dev/null || true
fi

echo "Installed Autopilot Segment Exporter in $OPT"
echo "  menu entry: $DATA/applications/$APP.desktop"
echo "  commands:   $BIN/$APP, $BIN/$APP-gui"
case ":${PATH:-}:" in
    *":$BIN:"*) ;;
    *) echo "  note: $BIN is not on your PATH; the menu entry works anyway." ;;
esac
echo "Uninstall with: $OPT/uninstall.sh"
