"""A calm, consistent look on every platform: Fusion, a light palette and a few accents.

Colour only supplements words: every state the window shows is also written out.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

ACCENT = "#2f6fb3"
OK = "#1e7b34"
WARN = "#8a5a00"
ERROR = "#b3261e"
MUTED = "#5f6670"

_SHEET = f"""
QLabel#hint {{ color: {MUTED}; }}
QLabel#emptyState {{ color: {MUTED}; font-size: 11pt; padding: 24px; }}
QLabel#sectionTitle {{ font-weight: 600; font-size: 11pt; }}
QLabel#problem {{ color: {ERROR}; }}
QLabel#ok {{ color: {OK}; }}
QLabel#warn {{ color: {WARN}; }}
QLabel#bigNumber {{ font-size: 13pt; font-weight: 600; }}
QFrame#messageBar {{
    background: #fff4d6; border: 1px solid #e6c976; border-radius: 4px;
}}
QFrame#messageBar[kind="info"] {{ background: #e8f1fb; border-color: #a9c6e8; }}
QFrame#messageBar[kind="error"] {{ background: #fbe9e7; border-color: #e8aaa4; }}
QFrame#exportPanel {{ border-top: 1px solid #c9ced6; background: #f3f5f8; }}
QFrame#card {{ background: #ffffff; border: 1px solid #d5d9e0; border-radius: 6px; }}
QTabWidget::pane {{ border-top: 1px solid #c9ced6; }}
QTabBar::tab {{ padding: 7px 18px; }}
QTableView {{ gridline-color: #e3e6eb; }}
QHeaderView::section {{ padding: 4px 6px; }}
QPushButton {{ padding: 5px 14px; }}
QPushButton#primary {{
    background: {ACCENT}; color: white; border: 1px solid #275f99; border-radius: 3px;
    padding: 5px 16px; font-weight: 600;
}}
QPushButton#primary:disabled {{ background: #a9bfd8; border-color: #a9bfd8; color: #eef3f8; }}
QPushButton#primary:hover:!disabled {{ background: #285f9a; }}
"""


def apply_style(app: QApplication) -> None:
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(_palette())
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(_SHEET)


def _palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#eef0f3",
        QPalette.ColorRole.WindowText: "#1f2328",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f6f8fa",
        QPalette.ColorRole.Text: "#1f2328",
        QPalette.ColorRole.Button: "#f7f8fa",
        QPalette.ColorRole.ButtonText: "#1f2328",
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#ffffff",
        QPalette.ColorRole.ToolTipText: "#1f2328",
        QPalette.ColorRole.PlaceholderText: "#8a9099",
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa0a8"))
    return palette
