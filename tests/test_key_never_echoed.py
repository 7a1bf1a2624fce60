"""A key typed where it does not belong never reaches the screen, the log or the store.

The parser knows no ``--api-key`` (a key on the command line stays in the shell's history) and
takes no abbreviation, so ``--api-key`` is not read as ``--api-key-stdin``; what follows such an
option is never echoed. Redaction masks a key in any letter case, as a server may echo it.
"""

from __future__ import annotations

import pytest

from app.cli import build_parser
from app.core.logging_setup import MASK, redact, register_secret

SECRET = "sk-Typed-On-The-Line-4821"


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(list(argv))
    assert stopped.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


@pytest.mark.parametrize(
    "argv",
    [
        ("connection", "add", "Main", "--api-key", SECRET, "--accept-privacy-notice"),
        ("connection", "add", "Main", f"--api-key={SECRET}", "--accept-privacy-notice"),
        ("connection", "add", "Main", "--accept-privacy-notice", "--API-KEY", SECRET),
        ("connection", "test", "Main", "--key", SECRET),
    ],
)
def test_a_key_given_as_an_option_is_refused_without_being_shown(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    err = usage_error(capsys, *argv)
    assert SECRET not in err and SECRET.lower() not in err.lower()
    assert "--api-key-stdin" in err and "history" in err
    assert len(err.strip().splitlines()) == 1


def test_an_option_is_only_ever_its_whole_name(capsys: pytest.CaptureFixture[str]) -> None:
    err = usage_error(capsys, "connection", "add", "Main", "--api-key-std")
    assert "required: --api-key-stdin" in err
    err = usage_error(capsys, "connection", "add", "Main", "--api-key-stdin", "--accept-priv")
    assert "unrecognized arguments: --accept-priv" in err
    args = build_parser().parse_args(
        ["connection", "add", "Main", "--api-key-stdin", "--accept-privacy-notice"]
    )
    assert args.api_key_stdin is True


def test_a_stray_argument_that_is_a_known_key_is_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    register_secret(SECRET)
    err = usage_error(capsys, "connection", "list", SECRET.upper())
    assert SECRET.upper() not in err and MASK in err


def test_redaction_masks_a_key_in_any_letter_case() -> None:
    register_secret("abcDEF0123456789")
    echoed = 'Invalid key "ABCDEF0123456789" (abcdef0123456789)'
    assert redact(echoed) == f'Invalid key "{MASK}" ({MASK})'
    assert redact("X-Api-Key: anything-at-all") == f"X-Api-Key: {MASK}"
