#!/usr/bin/env bash
# packaging/build.sh [--self-test] [--no-archive]
#
# Builds the one-folder program dist/autopilot-exporter/ (both executables: the console
# autopilot-exporter and the windowed autopilot-exporter-gui) with PyInstaller, then the archive
# dist/autopilot-exporter-<version>-linux-<arch>.tar.gz. Run through `scripts/dev dist` (or
# `scripts/dev dist-test`), which first installs PyInstaller and the system libraries.
#
# --self-test then runs the frozen program's --self-test twice:
#   1. with a real Secret Service keyring on a private D-Bus session (scripts/with-keyring),
#      where it must find that keyring;
#   2. with no keyring at all (no D-Bus session, no PYTHON_KEYRING_BACKEND), where it must say
#      "no system keyring" and still pass.
# Both run offscreen with a throwaway HOME; the exit status is non-zero when either fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# The virtualenv that has PyInstaller (scripts/dev puts it in .venv, or in $VENV).
BUILD_PYTHON=${BUILD_PYTHON:-${VENV:-$ROOT/.venv}/bin/python}
DIST=$ROOT/dist
PROGRAM=$DIST/autopilot-exporter

SELF_TEST=0
ARCHIVE=1
for arg in "$@"; do
    case "$arg" in
        --self-test) SELF_TEST=1 ;;
        --no-archive) ARCHIVE=0 ;;
        *) echo "usage: packaging/build.sh [--self-test] [--no-archive]" >&2; exit 2 ;;
    esac
done

log() { printf '==> %s\n' "$*" >&2; }

build() {
    log "PyInstaller: $PROGRAM"
    local started=$SECONDS
    rm -rf "$PROGRAM"
    "$BUILD_PYTHON" scripts/catalogs.py compile  # the .mo files the spec ships
    "$BUILD_PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" \
        packaging/autopilot-exporter.spec
    # The Linux desktop integration travels with the program, so an unpacked archive installs
    # itself: autopilot-exporter/install.sh (and uninstall.sh, kept in the installed copy).
    cp packaging/install-linux.sh "$PROGRAM/install.sh"
    cp packaging/uninstall-linux.sh "$PROGRAM/uninstall.sh"
    cp packaging/linux/autopilot-exporter.desktop "$PROGRAM/autopilot-exporter.desktop"
    log "built in $((SECONDS - started)) s: $(du -sh "$PROGRAM" | cut -f1)"
}

archive() {
    local version arch name
    version=$("$BUILD_PYTHON" -c 'import app; print(app.__version__)')
    arch=$(uname -m)
    name="autopilot-exporter-$version-linux-$arch.tar.gz"
    rm -f "$DIST/$name"
    # Sorted, with neutral owners, so two builds of the same tree differ only in timestamps.
    tar -C "$DIST" --sort=name --owner=0 --group=0 --numeric-owner -czf "$DIST/$name" \
        autopilot-exporter
    log "archive: dist/$name ($(du -h "$DIST/$name" | cut -f1))"
}

# The frozen --self-test in a clean environment: offscreen, a throwaway HOME, and no keyring
# selection or session bus inherited from the caller.
frozen_self_test() {
    local out=$1
    local home
    home=$(mktemp -d)
    local status=0
    env -u DBUS_SESSION_BUS_ADDRESS -u PYTHON_KEYRING_BACKEND -u XDG_RUNTIME_DIR \
        -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u DISPLAY -u WAYLAND_DISPLAY \
        HOME="$home" QT_QPA_PLATFORM=offscreen \
        "$PROGRAM/autopilot-exporter" --self-test >"$out" 2>"$out.err" || status=$?
    rm -rf "$home"
    cat "$out"
    return $status
}

expect_line() {
    local file=$1 pattern=$2 what=$3
    if ! grep -q -- "$pattern" "$file"; then
        echo "self-test: expected $what (a line matching '$pattern')" >&2
        return 1
    fi
}

self_tests() {
    local logs failed=0
    logs=$(mktemp -d)
    command -v gnome-keyring-daemon >/dev/null && command -v dbus-run-session >/dev/null || {
        echo "The keyring self-test needs gnome-keyring and dbus-daemon: scripts/dev dist-test" \
            "installs them (apt-get install gnome-keyring dbus-daemon)." >&2
        exit 1
    }

    log "frozen self-test 1/2: Secret Service keyring on a private D-Bus session"
    # with-keyring starts the bus and an unlocked gnome-keyring in its own throwaway HOME, then
    # runs the program in it (that env keeps DBUS_SESSION_BUS_ADDRESS, which it just set).
    scripts/with-keyring env -u PYTHON_KEYRING_BACKEND QT_QPA_PLATFORM=offscreen \
        "$PROGRAM/autopilot-exporter" --self-test >"$logs/keyring.out" 2>"$logs/keyring.err" \
        || failed=1
    cat "$logs/keyring.out"
    expect_line "$logs/keyring.out" "^ok keyring: .*SecretService" "the Secret Service backend" \
        || failed=1

    log "frozen self-test 2/2: no keyring (no D-Bus session)"
    frozen_self_test "$logs/none.out" || failed=1
    expect_line "$logs/none.out" "^ok keyring: no system keyring" "'no system keyring'" || failed=1

    if [ $failed -ne 0 ]; then
        log "frozen self-test FAILED; stderr of both runs:"
        cat "$logs/keyring.err" "$logs/none.out.err" >&2
        rm -rf "$logs"
        exit 1
    fi
    rm -rf "$logs"
    log "frozen self-tests passed"
}

build
[ $ARCHIVE -eq 1 ] && archive
[ $SELF_TEST -eq 1 ] && self_tests
exit 0
