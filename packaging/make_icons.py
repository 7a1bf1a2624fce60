"""Render the application icon from its SVG source into every size and container we ship.

    .venv/bin/python packaging/make_icons.py

writes, next to ``resources/icons/autopilot-exporter.svg``:

* ``autopilot-exporter-<N>.png`` for N in 16 24 32 48 64 128 256 512 (Linux hicolor theme,
  the window icon);
* ``autopilot-exporter.ico`` (Windows: the executables and the installer);
* ``autopilot-exporter.icns`` (macOS: the .app bundle).

Qt renders the SVG (QtSvg is in PySide6-Essentials), so no image library is needed. Qt writes
one image per file, so the two multi-image containers are written here; both formats accept
PNG-compressed entries, which keeps the writers to a header and a table:

* ICO (Windows Vista and later read PNG entries at every size): a 6-byte ICONDIR, one 16-byte
  ICONDIRENTRY per image (width and height 0 mean 256), then the PNG files.
* ICNS (macOS 10.7 and later): ``icns`` + total length, then per image a 4-byte type, its
  length including this 8-byte header, and the PNG file. The types are those ``iconutil``
  writes: icp4/icp5 (16, 32), ic07/ic08/ic09 (128, 256, 512) and the Retina doubles
  ic11/ic12/ic13/ic14/ic10 (32, 64, 256, 512, 1024 pixels).

The generated files are committed; run this again after editing the SVG.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
NAME = "autopilot-exporter"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic13", 256),
    (b"ic08", 256),
    (b"ic14", 512),
    (b"ic09", 512),
    (b"ic10", 1024),
)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent size x size canvas, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        blob = pngs[size]
        side = 0 if size >= 256 else size
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return header + b"".join(entries) + b"".join(blobs)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    chunks = [
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    ]
    body = b"".join(chunks)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    path.write_bytes(data)
    print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])  # QPainter on a QImage needs a GUI application
    svg = ICONS / f"{NAME}.svg"
    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES})
    pngs = {size: render_png(svg, size) for size in sizes}
    for size in PNG_SIZES:
        write_if_changed(ICONS / f"{NAME}-{size}.png", pngs[size])
    write_if_changed(ICONS / f"{NAME}.ico", ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    write_if_changed(ICONS / f"{NAME}.icns", icns_bytes(pngs))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
