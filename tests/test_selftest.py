"""The installable program's checks that run without building it.

``--self-test`` is run unfrozen, as the frozen build runs it in CI (packaging/build.sh); the spec's
resource list is compared with resources/; the Linux install scripts run in a temporary HOME.
"""

from __future__ import annotations

import ast
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "autopilot-exporter.spec"
STEPS = [
    "versions",
    "keyring",
    "tls",
    "commands",
    "resources",
    "state store",
    "profiles",
    "export",
    "dry run",
    "window",
]


def self_test(
    tmp_path: Path, *, code: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    """``python -m app --self-test`` (or ``code``) with a throwaway HOME and TMPDIR."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir(exist_ok=True)
    tmp.mkdir(exist_ok=True)
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "XDG_DATA_HOME"}
    }
    clean.update(HOME=str(home), TMPDIR=str(tmp), XDG_CONFIG_HOME=str(home / ".config"), **env)
    args = ["-c", code] if code else ["-m", "app", "--self-test"]
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=clean, timeout=120
    )


def ok_steps(stdout: str) -> list[str]:
    return [line[3:].split(":", 1)[0] for line in stdout.splitlines() if line.startswith("ok ")]


def test_self_test_passes_and_prints_versions(tmp_path: Path, app_home: Path) -> None:
    import duckdb
    import PySide6
    from PySide6.QtCore import qVersion

    result = self_test(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert ok_steps(result.stdout) == STEPS
    assert result.stdout.splitlines()[-1] == "self-test passed"
    assert (
        f"ok versions: app {__version__}, Python {platform.python_version()}, Qt {qVersion()}, "
        f"PySide6 {PySide6.__version__}, DuckDB {duckdb.__version__}"
    ) in result.stdout.splitlines()
    # Its data lived in a temporary folder that is gone; the caller's data folder was not used.
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not app_home.exists()


def test_the_start_up_probe_times_paint_then_filled_then_ready(
    tmp_path: Path, app_home: Path
) -> None:
    """What packaging/measure.py reads: three times, in the order the window reaches them."""
    result = self_test(tmp_path, AUTOPILOT_EXPORTER_SELF_TEST="startup")

    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.rsplit(" ", 1) for line in result.stdout.splitlines()]
    assert [what for what, _ in lines] == ["first paint at", "built at", "ready at"]
    painted, built, ready = (float(at) for _, at in lines)
    assert painted < built <= ready, "the frame paints before it is filled"
    assert "Traceback" not in result.stderr
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not app_home.exists()


def test_without_a_keyring_it_says_so_and_passes(tmp_path: Path) -> None:
    result = self_test(tmp_path)

    keyring_line = next(line for line in result.stdout.splitlines() if "keyring" in line)
    assert keyring_line.startswith(
        "ok keyring: no system keyring, backend keyring.backends.fail.Keyring;"
    )
    assert result.returncode == 0


def test_reads_the_selected_keyring_and_writes_nothing_to_it(tmp_path: Path) -> None:
    # keyrings.alt's plaintext file appears with the first key written; it must never appear.
    data = tmp_path / "keyring-data"
    result = self_test(
        tmp_path,
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        XDG_DATA_HOME=str(data),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok keyring: the keyring PlaintextKeyring (not encrypted)" in result.stdout
    assert not data.exists() or list(data.rglob("*.cfg")) == []


@pytest.mark.skipif(
    os.environ.get("AUTOPILOT_EXPORTER_TEST_KEYRING") != "secret-service",
    reason="needs the Secret Service of scripts/with-keyring",
)
def test_finds_the_secret_service(tmp_path: Path) -> None:
    result = self_test(tmp_path, DBUS_SESSION_BUS_ADDRESS=os.environ["DBUS_SESSION_BUS_ADDRESS"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert ", backend keyring.backends.SecretService.Keyring" in result.stdout


def test_a_failing_step_is_named_and_exits_1(tmp_path: Path) -> None:
    code = (
        "import sys, app.selftest as t\n"
        "def broken():\n"
        "    raise t.StepFailed('no certificates here')\n"
        "t.tls = broken\n"
        "sys.exit(t.run_self_test())\n"
    )
    result = self_test(tmp_path, code=code)

    assert result.returncode == 1
    assert "FAIL tls: no certificates here" in result.stdout.splitlines()
    assert ok_steps(result.stdout) == [s for s in STEPS if s != "tls"]
    assert result.stdout.splitlines()[-1] == "self-test FAILED: tls"


def test_steps_after_a_failed_import_say_they_did_not_run(tmp_path: Path) -> None:
    code = (
        "import sys, app.selftest as t\n"
        "def broken(ctx, sample):\n"
        "    raise RuntimeError('disk on fire')\n"
        "t.sample_data = broken\n"
        "sys.exit(t.run_self_test())\n"
    )
    result = self_test(tmp_path, code=code)

    lines = result.stdout.splitlines()
    assert result.returncode == 1
    assert "FAIL profiles: RuntimeError: disk on fire" in lines
    assert "FAIL export: not run, because profiles failed" in lines
    assert "FAIL dry run: not run, because profiles failed" in lines
    assert "window" in ok_steps(result.stdout), "the window does not need the imported data"
    assert "RuntimeError: disk on fire" in result.stderr, "an unexpected error keeps its traceback"


def spec_resources() -> list[str]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "RESOURCES":
            return list(ast.literal_eval(node.value))
    raise AssertionError("the spec has no RESOURCES list")


def test_every_resource_listed_in_the_spec_exists() -> None:
    missing = [r for r in spec_resources() if not (ROOT / r).is_file()]
    assert missing == [], "listed in packaging/autopilot-exporter.spec but missing"


def test_every_resource_file_is_listed_in_the_spec() -> None:
    on_disk = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file()
        and p.name != "__init__.py"
        and "__pycache__" not in p.parts
        # Catalog sources stay behind: the compiled .mo beside each .po ships.
        and p.suffix not in {".po", ".pot"}
    }
    assert on_disk - set(spec_resources()) == set(), "add these to RESOURCES in the spec"


def test_resource_path_unfrozen_and_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.core.resources import resource_path

    assert resource_path("sample_customers.csv").read_bytes().startswith(b"CustomerId,")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("icons", "a.png") == tmp_path / "app" / "resources" / "icons" / "a.png"


def fake_program(folder: Path) -> Path:
    """A stand-in for dist/autopilot-exporter: two executables and the bundled icons."""
    (folder / "_internal" / "app" / "resources").mkdir(parents=True)
    shutil.copytree(ROOT / "resources" / "icons", folder / "_internal/app/resources/icons")
    for name in ("autopilot-exporter", "autopilot-exporter-gui"):
        exe = folder / name
        exe.write_text(f'#!/bin/sh\necho {name} "$@"\n')
        exe.chmod(0o755)
    shutil.copy(ROOT / "packaging/linux/autopilot-exporter.desktop", folder)
    return folder


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux desktop integration")
def test_linux_install_and_uninstall_stay_in_the_given_home(tmp_path: Path) -> None:
    program = fake_program(tmp_path / "dist" / "autopilot-exporter")
    home, data = tmp_path / "my home", tmp_path / "xdg data"
    kept = data / "AutopilotExporter" / "state.sqlite3"
    kept.parent.mkdir(parents=True)
    kept.write_text("user data")
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "XDG_DATA_HOME": str(data)}
    install = ROOT / "packaging" / "install-linux.sh"

    subprocess.run(["sh", str(install), str(program)], env=env, check=True, capture_output=True)

    opt = home / ".local/opt/autopilot-exporter"
    command = home / ".local/bin/autopilot-exporter"
    out = subprocess.run([str(command), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout == "autopilot-exporter --version\n"
    assert os.readlink(home / ".local/bin/autopilot-exporter-gui") == str(
        opt / "autopilot-exporter-gui"
    )
    entry = (data / "applications/autopilot-exporter.desktop").read_text()
    assert f'Exec="{opt}/autopilot-exporter-gui"' in entry.splitlines()
    assert "Icon=autopilot-exporter" in entry.splitlines()
    for size in (16, 48, 256, 512):
        icon = data / f"icons/hicolor/{size}x{size}/apps/autopilot-exporter.png"
        assert (
            icon.read_bytes()
            == (ROOT / f"resources/icons/autopilot-exporter-{size}.png").read_bytes()
        )
    assert (data / "icons/hicolor/scalable/apps/autopilot-exporter.svg").is_file()

    subprocess.run(["sh", str(opt / "uninstall.sh")], env=env, check=True, capture_output=True)

    assert not opt.exists() and not command.exists() and not command.is_symlink()
    assert not (data / "applications/autopilot-exporter.desktop").exists()
    assert list(data.rglob("autopilot-exporter.*")) == []
    assert kept.read_text() == "user data"
    assert program.is_dir(), "the source folder is the user's and stays"
