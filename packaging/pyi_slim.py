"""What the spec leaves out of the frozen program, and why (loaded by autopilot-exporter.spec).

Measured on Debian 12 (docs/packaging.md has the figures): PyInstaller's Qt hooks collect every
plugin and translation of the Qt modules in use, and on a build machine that has GTK installed
(gnome-keyring pulls it in) the ``gtk3`` platform-theme plugin drags the whole GTK stack along.

The plugin rule is a drop list, not a keep list, so that a plugin a platform needs and nobody
thought of (on Windows or macOS, where this cannot be tried here) is kept by default.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

# Whole plugin folders the program never uses: no QML, SQL, network, printing, Wayland
# compositor bits, touch/evdev input, EGL full-screen devices or Designer.
DROP_PLUGIN_DIRS = frozenset(
    {
        "designer",
        "egldeviceintegrations",
        "generic",
        "networkinformation",
        "position",
        "printsupport",
        "qmltooling",
        "sqldrivers",
        "tls",
        "vectorimageformats",
        "wayland-decoration-client",
        "wayland-graphics-integration-client",
        "wayland-graphics-integration-server",
        "wayland-shell-integration",
    }
)

# Single plugins, by folder and name without "lib" prefix or extension. Wayland sessions run the
# program through XWayland (the xcb plugin); qgtk3 is the GTK platform theme (see above).
DROP_PLUGINS = frozenset(
    {
        "platforms/qeglfs",
        "platforms/qlinuxfb",
        "platforms/qminimalegl",
        "platforms/qvkkhrdisplay",
        "platforms/qvnc",
        "platforms/qwayland",
        "platforms/qwayland-egl",
        "platforms/qwayland-generic",
        "platforms/qdirect2d",
        "platformthemes/qgtk3",
        "platforminputcontexts/qtvirtualkeyboardplugin",
        "imageformats/qpdf",
        "imageformats/qtga",
        "imageformats/qtiff",
        "imageformats/qwbmp",
        "imageformats/qwebp",
    }
)

# Qt libraries of modules the program does not import (measured on Linux only).
DROP_QT_LIB_RE = re.compile(
    r"^libQt6(Wayland|WlShell|EglFS|EglFs|Network|Pdf|Qml|Quick|VirtualKeyboard)\w*\.so"
)
_PLUGIN_RE = re.compile(r"(?:^|/)plugins/([^/]+)/(?:lib)?([^/]+?)\.(?:so|dll|dylib)$")
_TRANSLATION_RE = re.compile(r"(?:^|/)PySide6/(?:Qt/)?translations/")
# Qt's own words for the languages the window speaks (app/ui/language.py: Bokmål falls back to
# Nynorsk, since PySide6 ships no qtbase_nb).
_KEPT_TRANSLATION_RE = re.compile(r"/qtbase_(nb|nn)\.qm$")


def _dest(entry: tuple[str, ...]) -> str:
    return entry[0].replace(os.sep, "/")


def is_wanted(entry: tuple[str, ...]) -> bool:
    """False for Qt translations (but the window's languages), dropped plugins and unused Qt libs."""
    dest = _dest(entry)
    if _TRANSLATION_RE.search(dest):
        return bool(_KEPT_TRANSLATION_RE.search(dest))
    plugin = _PLUGIN_RE.search(dest)
    if plugin:
        folder, name = plugin.groups()
        return folder not in DROP_PLUGIN_DIRS and f"{folder}/{name}" not in DROP_PLUGINS
    if sys.platform.startswith("linux"):
        return not DROP_QT_LIB_RE.search(os.path.basename(dest))
    return True


def _needed(path: str) -> set[str]:
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=False)
    return set(re.findall(r"\(NEEDED\).*\[(.+?)\]", out.stdout))


def _is_system_lib(dest: str) -> bool:
    # System libraries land at the top of the bundle; Qt, Python extensions and libpython do not
    # (or are kept explicitly).
    return (
        "/" not in dest
        and dest.startswith("lib")
        and ".so" in dest
        and not dest.startswith("libpython")
    )


def drop_unreachable_system_libs(binaries: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Linux: keep a bundled system library only when a kept binary still needs it.

    PyInstaller collected the GTK stack for the dropped qgtk3 plugin; after that plugin is gone
    nothing links those libraries any more. Everything that is not a top-level system library is
    a root; the NEEDED closure (readelf) of the roots is kept.
    """
    if not sys.platform.startswith("linux"):
        return binaries
    by_name = {_dest(e): e for e in binaries if _is_system_lib(_dest(e))}
    todo = [e[1] for e in binaries if not _is_system_lib(_dest(e))]
    wanted: set[str] = set()
    while todo:
        for name in _needed(todo.pop()):
            if name in by_name and name not in wanted:
                wanted.add(name)
                todo.append(by_name[name][1])
    return [e for e in binaries if not _is_system_lib(_dest(e)) or _dest(e) in wanted]


def slim(binaries: list[tuple[str, ...]], datas: list[tuple[str, ...]]) -> tuple[list, list]:
    binaries = drop_unreachable_system_libs([e for e in binaries if is_wanted(e)])
    return binaries, [e for e in datas if is_wanted(e)]
