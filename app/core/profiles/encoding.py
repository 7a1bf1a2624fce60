"""Text encodings: detect them from the start of a file, and turn non-UTF-8 files into UTF-8.

DuckDB reads UTF-8 only (its other encodings are an extension that an offline machine cannot
download), so a Windows-1252 or UTF-16 file is transcoded here, streaming, into a temporary UTF-8
file that DuckDB then reads.

Detection: a byte-order mark decides; otherwise text that is valid UTF-8 is UTF-8, and anything
else is taken as Windows-1252 (the usual "CSV" of Excel on Norwegian Windows). UTF-16 without a
byte-order mark is recognised by its NUL bytes.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from app.core import advice
from app.core.errors import InputFileError, UsageError
from app.core.i18n import N_, _

SAMPLE_BYTES = 1 << 20
FALLBACK_ENCODING = "cp1252"
_CHUNK_CHARS = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UTF8 = frozenset({"utf-8", "utf-8-sig"})
_MAGIC = (
    (
        b"PK\x03\x04",
        N_(
            "{path} is an Excel workbook (.xlsx) or another zip file saved under a text-file "
            "name; give it the right extension and import it again."
        ),
    ),
    (
        b"\xd0\xcf\x11\xe0",
        N_(
            "{path} is an Excel 97-2003 workbook (.xls) saved under a text-file name; give it "
            "the right extension and import it again."
        ),
    ),
    (
        b"PAR1",
        N_(
            "{path} is a Parquet file (.parquet) saved under a text-file name; give it the "
            "right extension and import it again."
        ),
    ),
)
# Control characters that do not occur in text; more than a few of them means a binary file.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1a")
_MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True)
class TextSample:
    """The decoded start of a text file, and the encoding it was decoded with."""

    encoding: str
    text: str
    complete: bool
    detected: bool

    @property
    def is_utf8(self) -> bool:
        """Whether DuckDB can read the file as it is."""
        return self.encoding in _UTF8


def normalize_encoding(name: str) -> str:
    """The codec name for an ``--encoding`` value; UsageError for an unknown one."""
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        raise UsageError(
            _(
                "Unknown encoding '{name}'; use for example utf-8, cp1252 (Windows) or utf-16."
            ).format(name=name)
        ) from None


def read_sample(path: Path, forced: str | None) -> TextSample:
    """Decode the first megabyte of ``path``, detecting its encoding unless ``forced``."""
    raw, complete = _read_start(path)
    encoding = forced or _detect(path, raw, complete)
    return _sample(path, raw, complete, encoding, detected=forced is None)


def read_sample_as_cp1252(path: Path) -> TextSample:
    """Detection's second answer, for a file whose start was UTF-8 but a later part is not."""
    raw, complete = _read_start(path)
    return _sample(path, raw, complete, FALLBACK_ENCODING, detected=True)


def _read_start(path: Path) -> tuple[bytes, bool]:
    with path.open("rb") as handle:
        raw = handle.read(SAMPLE_BYTES)
        return raw, not handle.read(1)


def _sample(path: Path, raw: bytes, complete: bool, encoding: str, *, detected: bool) -> TextSample:
    text = _decode(path, raw, encoding, complete, detected=detected)
    _refuse_binary(path, text)
    return TextSample(encoding=encoding, text=text, complete=complete, detected=detected)


def _detect(path: Path, raw: bytes, complete: bool) -> str:
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    if b"\x00" in raw:
        return _utf16_without_bom(raw) or _refuse_nul(path, raw)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=complete)
    except UnicodeDecodeError:
        return FALLBACK_ENCODING
    return "utf-8"


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: mostly ASCII, so every other byte is NUL."""
    even, odd = raw[0::2], raw[1::2]
    if not odd:
        return None
    nul_share = (even.count(0) / len(even), odd.count(0) / len(odd))
    if nul_share[1] > 0.9 and nul_share[0] < 0.1:
        return "utf-16-le"
    if nul_share[0] > 0.9 and nul_share[1] < 0.1:
        return "utf-16-be"
    return None


def _refuse_nul(path: Path, raw: bytes) -> str:
    for magic, message in _MAGIC:
        if raw.startswith(magic):
            raise InputFileError(_(message).format(path=path))
    raise InputFileError(
        _(
            "{path} is not a text file (it contains NUL bytes); export the data as CSV, Excel "
            "or Parquet."
        ).format(path=path)
    )


def _decode(path: Path, raw: bytes, encoding: str, complete: bool, *, detected: bool) -> str:
    try:
        text: str = codecs.getincrementaldecoder(encoding)().decode(raw, final=complete)
    except UnicodeDecodeError as exc:
        raise not_decodable(path, encoding, detected=detected) from exc
    return text.removeprefix("\ufeff")


def not_decodable(path: Path, encoding: str, *, detected: bool) -> InputFileError:
    if detected:
        return InputFileError(
            _("{path} is neither UTF-8 nor Windows-1252 text. {advice}").format(
                path=path, advice=advice.NOT_TEXT
            )
        )
    return InputFileError(
        _("{path} is not valid {encoding} text. {advice}").format(
            path=path, encoding=encoding, advice=advice.CHECK_ENCODING
        )
    )


def _refuse_binary(path: Path, text: str) -> None:
    controls = sum(1 for char in text if char < " " and char not in _TEXT_CONTROLS)
    if "\x00" in text or controls > max(2, len(text) * _MAX_CONTROL_SHARE):
        raise InputFileError(
            _(
                "{path} does not look like a text file (it contains binary data); export the "
                "data as CSV, Excel or Parquet."
            ).format(path=path)
        )
    if not text.strip():
        raise InputFileError(
            _("{path} is empty; export the data again and import that file.").format(path=path)
        )


def transcode(path: Path, encoding: str, dest: Path, *, detected: bool) -> int:
    """Copy ``path`` as UTF-8 into ``dest``, line endings untouched; return the number of quotes."""
    quotes = 0
    try:
        with (
            path.open("r", encoding=encoding, newline="") as source,
            dest.open("w", encoding="utf-8", newline="") as target,
        ):
            first = True
            while chunk := source.read(_CHUNK_CHARS):
                if first:
                    chunk, first = chunk.removeprefix("\ufeff"), False
                quotes += chunk.count('"')
                target.write(chunk)
    except UnicodeDecodeError as exc:
        raise not_decodable(path, encoding, detected=detected) from exc
    return quotes
