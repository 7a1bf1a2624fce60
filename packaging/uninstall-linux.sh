#!/bin/sh
# uninstall-linux.sh: remove what install-linux.sh put under ~/.local (also installed as
# ~/.local/opt/autopilot-exporter/uninstall.sh). Needs no root.
#
# Your data is kept: connections, segments, imported profiles and run history stay in the data
# folder (see below), and API keys stay in your keyring until you remove their connections.
set -eu

APP=autopilot-exporter
: "${HOME:?HOME is not set}"
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
OPT=$HOME/.local/opt/$APP
BIN=$HOME/.local/bin

# Only our own symlinks: a command of the same name from elsewhere is left alone.
for name in "$APP" "$APP-gui"; do
    link="$BIN/$name"
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$OPT/$name" ]; then
        rm -f "$link"
    fi
done

rm -f "$DATA/applications/$APP.desktop"
for size in 16 24 32 48 64 128 256 512; do
    rm -f "$DATA/icons/hicolor/${size}x${size}/apps/$APP.png"
done
rm -f "$DATA/icons/hicolor/scalable/apps/$APP.svg"

# This script may run from inside $OPT: the shell keeps reading its open file after the unlink.
rm -rf "$OPT" "$OPT.new"

if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$DATA/applications" 2>/dev/null || true
fi
if [ -f "$DATA/icons/hicolor/index.theme" ] && command -v gtk-update-icon-cache >/dev/null 2>&1
then
    gtk-update-icon-cache -q -t "$DATA/icons/hicolor" 2>/dev/null || true
fi

echo "Removed Autopilot Segment Exporter from $OPT and your applications menu."
echo "Your data is kept in ${DATA}/AutopilotExporter (delete that folder to remove it too)."
