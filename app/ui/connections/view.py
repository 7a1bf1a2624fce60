"""The Connections tab's widgets and layout (the controller wires them)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.connections import (
    DEFAULT_PROFILE_CAP,
    DEFAULT_SERVICE,
    PRIVACY_NOTICE,
)
from app.core.destinations import destination_for, services
from app.core.i18n import _
from app.ui.kit import destination_words as words
from app.ui.kit.layout import add_row, form_layout
from app.ui.kit.widgets import (
    MessageBar,
    ProblemList,
    StatusLine,
    empty_state,
    hint,
    label,
    primary,
    section_title,
)


class ConnectionsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(16)
        layout.addLayout(self._build_list(), 0)
        layout.addWidget(self._build_editor(), 1)

    # -- the list on the left -----------------------------------------------------------------

    def _build_list(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(8)
        column.addWidget(section_title(_("Your Autopilot connections")))
        self.table = QTableView()
        self.table.setAccessibleName(_("Your Autopilot connections"))
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons, arrows move rows
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = empty_state(
            _(
                "No connections yet.\n\nFill in the form on the right to connect to your "
                "Autopilot account."
            )
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.stack.setFixedWidth(420)  # name, service, key: none cut off
        column.addWidget(self.stack, 1)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(_("&New connection"))
        self.remove_button = QPushButton(_("&Remove..."))
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        return column

    # -- the form on the right ----------------------------------------------------------------

    def _build_editor(self) -> QScrollArea:
        card = QFrame()
        card.setObjectName("card")
        column = QVBoxLayout(card)
        column.setContentsMargins(20, 16, 20, 16)
        column.setSpacing(12)
        self.keyring_bar = MessageBar("warning")
        self.keyring_bar.set_closable(False)
        column.addWidget(self.keyring_bar)
        self.form_title = section_title(_("New connection"))
        column.addWidget(self.form_title)
        column.addLayout(self._build_form())
        column.addWidget(self._build_advanced())
        column.addWidget(self._build_privacy())
        column.addLayout(self._build_actions())
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(card)
        # Its fields take the focus and scroll into view; the area itself is no stop of Tab.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return scroll

    def _build_form(self) -> QFormLayout:
        self.form = form = form_layout()
        self.name = QLineEdit()
        self.name.setPlaceholderText(_("for example Autopilot (marketing)"))
        self.name_problem = ProblemList()
        self.service = QComboBox()
        for service in services():
            self.service.addItem(words.choice(destination_for(service)), service)
        self.service.setCurrentIndex(self.service.findData(DEFAULT_SERVICE))
        self.region = QComboBox()
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(_("paste the key from Autopilot"))
        self.show_key = QToolButton()
        self.show_key.setText(_("Sho&w"))
        self.show_key.setCheckable(True)
        self.show_key.setAccessibleDescription(_("Shows the API key as you type it"))
        key_row = QHBoxLayout()
        key_row.setSpacing(6)
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.show_key)
        self.key_hint = hint(destination_for(DEFAULT_SERVICE).key_help())
        self.key_place = label(_("Looking for the system keyring..."))
        add_row(form, _("Display na&me:"), self.name, self.name_problem)
        add_row(form, _("Which Au&topilot:"), self.service)
        self.region_caption = add_row(form, _("Data re&gion:"), self.region)
        add_row(form, _("API ke&y:"), key_row, self.key_hint, buddy=self.key)
        add_row(form, _("Key storage:"), self.key_place)
        return form

    def _build_advanced(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.advanced_toggle = QToolButton()
        self.advanced_toggle.setText(_("&Advanced settings"))
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_toggle.setAutoRaise(True)
        column.addWidget(self.advanced_toggle)
        self.advanced = QWidget()
        form = form_layout()
        form.setContentsMargins(18, 0, 0, 0)
        self.base_url = QLineEdit(destination_for(DEFAULT_SERVICE).base_url(None))
        self.rate_limit = QDoubleSpinBox()
        self.rate_limit.setRange(0.1, 100)
        self.rate_limit.setDecimals(1)
        self.rate_limit.setValue(destination_for(DEFAULT_SERVICE).default_rate_limit)
        self.rate_limit.setSuffix(_(" requests per second"))
        self.profile_cap = QSpinBox()
        self.profile_cap.setRange(1, 10_000_000)
        self.profile_cap.setGroupSeparatorShown(True)
        self.profile_cap.setValue(DEFAULT_PROFILE_CAP)
        self.profile_cap.setSuffix(_(" profiles per export"))
        self.settings_problem = ProblemList()
        add_row(form, _("Base &URL:"), self.base_url)
        add_row(form, _("Rate &limit:"), self.rate_limit)
        self.limits_hint = hint()
        add_row(form, _("Profile ca&p:"), self.profile_cap, self.limits_hint)
        self.advanced.setLayout(form)
        self.advanced.setVisible(False)
        column.addWidget(self.advanced)
        column.addWidget(self.settings_problem)
        return box

    def _build_privacy(self) -> QGroupBox:
        group = QGroupBox(_("Data privacy and compliance"))
        column = QVBoxLayout(group)
        column.setContentsMargins(12, 10, 12, 10)
        self.notice = label(_(PRIVACY_NOTICE))
        self.agree = QCheckBox(_("&I agree: send this data to Autopilot on my behalf"))
        column.addWidget(self.notice)
        column.addWidget(self.agree)
        return group

    def _build_actions(self) -> QVBoxLayout:
        column = QVBoxLayout()
        row = QHBoxLayout()
        self.connect_button = QPushButton(_("&Connect"))
        self.connect_button.setToolTip(_("Check the API key with Autopilot"))
        self.save_button = primary(QPushButton(_("&Save connection")))
        row.addWidget(self.connect_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        column.addLayout(row)
        self.status = StatusLine()
        column.addWidget(self.status)
        return column
