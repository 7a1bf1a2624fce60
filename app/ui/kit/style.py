"""A calm, consistent look on every platform: Fusion, the desktop's light or dark palette and a
few accents.

Colour only supplements words: every state the window shows is also written out or marked with
a symbol. A desktop set to dark gets the dark theme, with every colour of the style sheet taken
from it, so no light background is left behind dark text's light counterpart.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory


@dataclass(frozen=True)
class Theme:
    dark: bool
    window: str
    text: str
    base: str
    alternate: str
    button: str
    disabled: str
    placeholder: str
    accent: str
    accent_text: str
    accent_hover: str
    accent_border: str
    accent_disabled: str
    accent_disabled_text: str
    ok: str
    warn: str
    error: str
    muted: str
    line: str
    grid: str
    panel: str
    card: str
    card_border: str
    warning_bg: str
    warning_border: str
    info_bg: str
    info_border: str
    error_bg: str
    error_border: str


LIGHT = Theme(
    dark=False,
    window="#eef0f3",
    text="#1f2328",
    base="#ffffff",
    alternate="#f6f8fa",
    button="#f7f8fa",
    disabled="#9aa0a8",
    placeholder="#8a9099",
    accent="#2f6fb3",
    accent_text="#ffffff",
    accent_hover="#285f9a",
    accent_border="#275f99",
    accent_disabled="#a9bfd8",
    accent_disabled_text="#eef3f8",
    ok="#1e7b34",
    warn="#8a5a00",
    error="#b3261e",
    muted="#5f6670",
    line="#c9ced6",
    grid="#e3e6eb",
    panel="#f3f5f8",
    card="#ffffff",
    card_border="#d5d9e0",
    warning_bg="#fff4d6",
    warning_border="#e6c976",
    info_bg="#e8f1fb",
    info_border="#a9c6e8",
    error_bg="#fbe9e7",
    error_border="#e8aaa4",
)

# Text colours keep at least 4.5:1 against their backgrounds (WCAG AA), as in the light theme.
DARK = Theme(
    dark=True,
    window="#202329",
    text="#e6e8eb",
    base="#2b3038",
    alternate="#30353e",
    button="#383d46",
    disabled="#7d838c",
    placeholder="#8d939c",
    accent="#4a8fd9",
    accent_text="#ffffff",
    accent_hover="#3b7cc4",
    accent_border="#5d9de0",
    accent_disabled="#2d4661",
    accent_disabled_text="#8fa3b8",
    ok="#6fcf86",
    warn="#e8b84a",
    error="#ff8a80",
    muted="#a3a9b2",
    line="#4a505a",
    grid="#3a3f47",
    panel="#252930",
    card="#1b1e23",
    card_border="#4a505a",
    warning_bg="#3d3217",
    warning_border="#7a6424",
    info_bg="#1d3048",
    info_border="#3d5f87",
    error_bg="#45201d",
    error_border="#8a3a33",
)

_theme = LIGHT


def theme() -> Theme:
    """The theme in use: colours for the window's own drawing (table text, marks)."""
    return _theme


def _sheet(t: Theme) -> str:
    return f"""
QLabel#hint {{ color: {t.muted}; }}
QLabel#emptyState {{ color: {t.muted}; font-size: 11pt; padding: 24px; }}
QLabel#sectionTitle {{ font-weight: 600; font-size: 11pt; }}
QLabel#problem {{ color: {t.error}; }}
QLabel#ok {{ color: {t.ok}; }}
QLabel#warn {{ color: {t.warn}; }}
QLabel#bigNumber {{ font-size: 13pt; font-weight: 600; }}
QFrame#messageBar {{
    background: {t.warning_bg}; border: 1px solid {t.warning_border}; border-radius: 4px;
}}
QFrame#messageBar[kind="info"] {{ background: {t.info_bg}; border-color: {t.info_border}; }}
QFrame#messageBar[kind="error"] {{ background: {t.error_bg}; border-color: {t.error_border}; }}
QFrame#messageBar QLabel {{ color: {t.text}; }}
QFrame#exportPanel {{ border-top: 1px solid {t.line}; background: {t.panel}; }}
QFrame#card {{ background: {t.card}; border: 1px solid {t.card_border}; border-radius: 6px; }}
QTabWidget::pane {{ border-top: 1px solid {t.line}; }}
QTabBar::tab {{ padding: 7px 18px; }}
QTableView {{ gridline-color: {t.grid}; }}
QHeaderView::section {{ padding: 4px 6px; }}
QPushButton {{ padding: 5px 14px; }}
QPushButton#primary {{
    background: {t.accent}; color: {t.accent_text}; border: 1px solid {t.accent_border};
    border-radius: 3px; padding: 5px 16px; font-weight: 600;
}}
QPushButton#primary:disabled {{
    background: {t.accent_disabled}; border-color: {t.accent_disabled};
    color: {t.accent_disabled_text};
}}
QPushButton#primary:hover:!disabled {{ background: {t.accent_hover}; }}
QPushButton#primary:focus {{ border: 2px solid {t.text}; }}
"""


def desktop_is_dark(app: QGuiApplication) -> bool:
    """Whether the desktop asks for dark: its colour scheme where the platform says it, else
    the palette it handed the program (dark text on light, or light text on dark)."""
    scheme = app.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return bool(scheme == Qt.ColorScheme.Dark)
    palette = app.palette()
    window = palette.color(QPalette.ColorRole.Window).lightness()
    text = palette.color(QPalette.ColorRole.WindowText).lightness()
    return window < text


def apply_style(app: QApplication, dark: bool | None = None) -> None:
    """Fusion in the light or dark theme (None: as the desktop is)."""
    global _theme
    _theme = DARK if (desktop_is_dark(app) if dark is None else dark) else LIGHT
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(_palette(_theme))
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    app.setStyleSheet(_sheet(_theme))


def _palette(t: Theme) -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: t.window,
        QPalette.ColorRole.WindowText: t.text,
        QPalette.ColorRole.Base: t.base,
        QPalette.ColorRole.AlternateBase: t.alternate,
        QPalette.ColorRole.Text: t.text,
        QPalette.ColorRole.Button: t.button,
        QPalette.ColorRole.ButtonText: t.text,
        QPalette.ColorRole.BrightText: t.error,
        QPalette.ColorRole.Highlight: t.accent,
        QPalette.ColorRole.HighlightedText: t.accent_text,
        QPalette.ColorRole.ToolTipBase: t.base,
        QPalette.ColorRole.ToolTipText: t.text,
        QPalette.ColorRole.PlaceholderText: t.placeholder,
        QPalette.ColorRole.Link: t.accent,
        QPalette.ColorRole.LinkVisited: t.accent,
    }
    if t.dark:
        # Fusion draws bevels and frames from these; Qt's defaults are a light theme's.
        colours[QPalette.ColorRole.Light] = QColor(t.button).lighter(150).name()
        colours[QPalette.ColorRole.Midlight] = QColor(t.button).lighter(125).name()
        colours[QPalette.ColorRole.Mid] = QColor(t.button).darker(120).name()
        colours[QPalette.ColorRole.Dark] = QColor(t.button).darker(150).name()
        colours[QPalette.ColorRole.Shadow] = "#000000"
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(t.disabled))
    return palette
