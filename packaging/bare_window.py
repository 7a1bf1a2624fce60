"""The baseline of the start-up figure: a bare PySide6 window, frozen like the program.

It shows an empty QMainWindow, prints the time of its first paint and quits, exactly as the
program's start-up probe does (AUTOPILOT_EXPORTER_SELF_TEST=startup), so the difference is the
program's own cost.
"""

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


class QuitAtFirstPaint(QObject):
    painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            print(f"first paint at {time.time():.6f}", flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


def main() -> int:
    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("Bare window")
    window.resize(1100, 720)
    watcher = QuitAtFirstPaint()
    window.installEventFilter(watcher)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
