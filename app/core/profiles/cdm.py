"""Common Data Model folders (model.json) as Dynamics 365 Customer Insights exports them.

What is known, and from where:

- The folder holds a ``model.json`` and the entities' data files ("partitions"). Customer
  Insights' export to Azure Blob Storage / Data Lake Storage Gen2 writes
  ``<container>/CustomerInsights_<instance>/<export>/<Entity>/<yyyy>/<MM>/<dd>/<HHmm>/
  <Entity>_<n>.csv`` with the model.json at the ``<export>`` level (Microsoft's Customer Insights
  documentation, "Export segment list and other data to Azure Blob Storage", 2021). Large
  entities are split into several CSV files in one folder ("Export data to Azure Data Lake
  Storage Gen2", 2024).
- model.json (schema ``docs/schema/modeljsonschema.json`` and the example
  ``docs/schema/examples/OrdersProducts/model.json`` in github.com/microsoft/CDM; Microsoft Learn
  "model.json" page): ``entities`` is a list of objects with ``$type`` ``LocalEntity`` (with
  ``name``, ``attributes`` and ``partitions``) or ``ReferenceEntity`` (an entity of another
  model, with no data here). An attribute has ``name`` and ``dataType`` (``unclassified string
  int64 double date time dateTime dateTimeOffset decimal boolean guid json``). A partition has
  ``name``, ``location`` (a URI; in the example a full blob URL with ``?snapshot=...``) and
  optionally ``fileFormatSettings``.
- ``fileFormatSettings`` is ``{"$type": "CsvFormatSettings", "columnHeaders": false,
  "delimiter": ",", "quoteStyle": "QuoteStyle.Csv", "csvStyle": "CsvStyle.QuoteAlways"}``;
  those values are the defaults (the same schema, and the CsvFormatSettings classes of the CDM
  object model and of its older CdmFolders sample library). The CDM object model's model.json
  types also carry ``encoding``. ``QuoteStyle.Csv`` means quoted values may hold line breaks;
  ``QuoteStyle.None`` that ``"`` is an ordinary character and every line break ends a record
  (Power Query's ``Csv.Document`` documentation, where these names come from).

What is guessed, and why it is safe:

- Partitions are headerless unless ``columnHeaders`` is true (the CDM default); the name is
  ``columnHeaders``, and ``columnHeader`` is read too in case a producer misspells it.
- ``location`` points into the lake, not to this computer: after the folder was downloaded,
  the file is the one whose path inside the folder is the longest ending of the URL's path
  (percent-decoded, query left out). A relative location is taken relative to model.json.
  Nothing outside the folder is ever read: a location that climbs out with ``..``, or an
  absolute local path elsewhere, is an error, and so is a match that is a link leading out.
- ``encoding`` is a name Python knows (``UTF-8``, ``utf-16`` ...); without it a partition's
  encoding is detected as for any CSV file (a BOM decides, else UTF-8, else Windows-1252),
  which includes the CDM default of UTF-8.
- ``csvStyle``: both values are read as any CSV in this program is (a quote opens a quoted value
  only at the start of a cell). They differ only for a ``"`` in the middle of an unquoted value,
  which Customer Insights' CSV writer quotes.
- ``dataType`` is kept for the user's information only: every cell is stored as the text the
  file holds, as for any import (segments compare numbers and dates from text).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from app.core.errors import InputFileError, NotFoundError, UsageError
from app.core.i18n import _, listed, ngettext, number

MODEL_FILE = "model.json"
_LOCAL_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|[\\/]{2})")
_SHOWN = 20


@dataclass(frozen=True)
class CsvSettings:
    """A partition's ``fileFormatSettings``, with the CDM defaults for what it leaves out."""

    column_headers: bool = False
    delimiter: str = ","
    quoting: bool = True
    encoding: str | None = None


@dataclass(frozen=True)
class Partition:
    name: str
    location: str
    settings: CsvSettings


@dataclass(frozen=True)
class Attribute:
    name: str
    data_type: str


@dataclass(frozen=True)
class Entity:
    name: str
    attributes: tuple[Attribute, ...]
    partitions: tuple[Partition, ...]
    reference: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(attribute.name for attribute in self.attributes)


@dataclass(frozen=True)
class Model:
    """A model.json: where it is, the folder its locations resolve in, its entities."""

    path: Path
    entities: tuple[Entity, ...]

    @property
    def root(self) -> Path:
        return self.path.parent

    def usable(self) -> tuple[Entity, ...]:
        """The entities whose data is in this folder (not references to other models)."""
        return tuple(entity for entity in self.entities if not entity.reference)

    def entity(self, name: str | None) -> Entity:
        """``name`` (ignoring case), or the only entity; UsageError naming the choices."""
        usable = self.usable()
        if name is None:
            if len(usable) == 1:
                return usable[0]
            if not usable:
                raise InputFileError(
                    _("{path} describes no entity with data in this folder.").format(path=self.path)
                )
            raise UsageError(
                ngettext(
                    "{path} describes {count} entity: {names}. Choose one with --entity NAME.",
                    "{path} describes {count} entities: {names}. Choose one with --entity NAME.",
                    len(usable),
                ).format(path=self.path, count=number(len(usable)), names=_names(usable))
            )
        folded = name.strip().casefold()
        for entity in self.entities:
            if entity.name.casefold() == folded:
                if entity.reference:
                    raise UsageError(
                        _(
                            'Entity "{entity}" in {path} refers to another model and has no '
                            "data in this folder; choose one of: {names}."
                        ).format(entity=entity.name, path=self.path, names=_names(usable))
                    )
                return entity
        raise NotFoundError(
            _('{path} has no entity "{name}"; its entities are: {names}.').format(
                path=self.path, name=name, names=_names(usable)
            )
        )


def _names(entities: tuple[Entity, ...]) -> str:
    return listed([entity.name for entity in entities], _SHOWN)


def is_model_path(path: Path) -> bool:
    """Whether ``path`` is meant as a CDM folder: a folder, or a ``.json`` file."""
    return path.is_dir() or path.suffix.lower() == ".json"


def model_file(path: Path) -> Path:
    """The model.json of a folder (or ``path`` itself when it is a file); InputFileError if none."""
    if not path.exists():
        raise InputFileError(_("{path}: no such file or folder; check the path.").format(path=path))
    if not path.is_dir():
        return path
    found = path / MODEL_FILE
    if found.is_file():
        return found
    for child in sorted(path.iterdir()):
        if child.name.casefold() == MODEL_FILE and child.is_file():
            return child
    raise InputFileError(
        _(
            "{path} is a folder without a {model}; give the path of a data file, or of a "
            "Customer Insights export folder (the one that holds its {model})."
        ).format(path=path, model=MODEL_FILE)
    )


def read_model(path: Path) -> Model:
    """Read the model.json of folder ``path`` (or ``path`` itself); InputFileError if unusable."""
    file = model_file(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InputFileError(
            _("{path} cannot be read ({reason}); check its permissions.").format(
                path=file, reason=exc.strerror
            )
        ) from exc
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputFileError(
            _("{path} is not UTF-8 text, so it is not a model.json.").format(path=file)
        ) from exc
    except json.JSONDecodeError as exc:
        raise InputFileError(
            _("{path} is not valid JSON (line {line}: {reason}); export the folder again.").format(
                path=file, line=number(exc.lineno), reason=exc.msg
            )
        ) from exc
    entities = data.get("entities") if isinstance(data, dict) else None
    if not isinstance(entities, list):
        raise InputFileError(
            _(
                "{path} has no list of entities, so it is not a Common Data Model model.json."
            ).format(path=file)
        )
    return Model(path=file, entities=tuple(_entity(file, item) for item in entities))


def _entity(file: Path, item: object) -> Entity:
    if not isinstance(item, dict) or not _text(item.get("name")):
        raise InputFileError(
            _("{path} has an entity without a name; export the folder again.").format(path=file)
        )
    name = str(item["name"]).strip()
    if item.get("$type") == "ReferenceEntity":
        return Entity(name=name, attributes=(), partitions=(), reference=True)
    attributes = tuple(_attribute(file, name, a) for a in _list(item.get("attributes")))
    if not attributes:
        raise InputFileError(
            _('Entity "{entity}" in {path} has no attributes, so its columns are unknown.').format(
                entity=name, path=file
            )
        )
    partitions = tuple(
        _partition(file, name, number, p)
        for number, p in enumerate(_list(item.get("partitions")), start=1)
    )
    return Entity(name=name, attributes=attributes, partitions=partitions)


def _attribute(file: Path, entity: str, item: object) -> Attribute:
    if not isinstance(item, dict) or not _text(item.get("name")):
        raise InputFileError(
            _(
                'Entity "{entity}" in {path} has an attribute without a name; export the folder '
                "again."
            ).format(entity=entity, path=file)
        )
    data_type = item.get("dataType")
    return Attribute(str(item["name"]).strip(), str(data_type) if _text(data_type) else "string")


def _partition(file: Path, entity: str, number: int, item: object) -> Partition:
    if not isinstance(item, dict) or not _text(item.get("location")):
        raise InputFileError(
            _(
                'Partition {number} of entity "{entity}" in {path} has no location; export the '
                "folder again."
            ).format(number=number, entity=entity, path=file)
        )
    name = str(item["name"]).strip() if _text(item.get("name")) else f"#{number}"
    return Partition(name, str(item["location"]).strip(), _settings(file, entity, name, item))


def _settings(file: Path, entity: str, partition: str, item: dict[str, object]) -> CsvSettings:
    raw = item.get("fileFormatSettings")
    if not isinstance(raw, dict):
        return CsvSettings()
    kind = raw.get("$type", "CsvFormatSettings")
    where = {"partition": partition, "entity": entity, "path": file}
    if kind != "CsvFormatSettings":
        raise InputFileError(
            _(
                'Partition "{partition}" of entity "{entity}" in {path} is stored as {kind}; only '
                "CSV partitions can be imported. Export the entity as CSV."
            ).format(kind=kind, **where)
        )
    headers = raw.get("columnHeaders", raw.get("columnHeader", False))
    delimiter = raw.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise InputFileError(
            _(
                'Partition "{partition}" of entity "{entity}" in {path} has the delimiter '
                "{delimiter}; only a single character can be read."
            ).format(delimiter=repr(delimiter), **where)
        )
    quote_style = str(raw.get("quoteStyle", "QuoteStyle.Csv"))
    if quote_style not in ("QuoteStyle.Csv", "QuoteStyle.None"):
        raise InputFileError(
            _(
                'Partition "{partition}" of entity "{entity}" in {path} has an unknown '
                "quoteStyle {style}."
            ).format(style=repr(quote_style), **where)
        )
    encoding = raw.get("encoding")
    return CsvSettings(
        column_headers=headers is True or str(headers).lower() == "true",
        delimiter=delimiter,
        quoting=quote_style == "QuoteStyle.Csv",
        encoding=str(encoding).strip() if _text(encoding) else None,
    )


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


# -- locations ---------------------------------------------------------------------------------


def resolve(model: Model, entity: Entity, partition: Partition) -> Path:
    """The file inside the model's folder that ``partition`` names; InputFileError if none."""
    root = model.root.resolve()
    location = partition.location
    where = {"partition": partition.name, "entity": entity.name, "location": location}
    parts = urlsplit(location)
    local_absolute = bool(_LOCAL_ABSOLUTE.match(location)) or parts.scheme == "file"
    if parts.scheme and not local_absolute:
        found = _longest_ending(root, _segments(parts.path))
    elif local_absolute or location.startswith(("/", "\\")):
        local = Path(unquote(parts.path) if parts.scheme else location)
        found = _inside(root, local)
        if found is None and not _under(root, local):
            raise _outside(where, model.root)
    else:
        found = _relative(root, location, unquote(parts.path), where=where)
    if found is None:
        raise InputFileError(
            _(
                'Partition "{partition}" of entity "{entity}" ({location}) is missing from the '
                "folder {folder}; download the whole export folder again, with every file of "
                "the entity."
            ).format(folder=model.root, **where)
        )
    return _checked_inside(root, found, where)


def _outside(where: dict[str, str], folder: Path) -> InputFileError:
    return InputFileError(
        _(
            'Partition "{partition}" of entity "{entity}" ({location}) points outside the folder '
            "{folder}; only files inside the export folder are read."
        ).format(folder=folder, **where)
    )


def _relative(root: Path, *spellings: str, where: dict[str, str]) -> Path | None:
    """A location relative to model.json: as written, else percent-decoded without a query."""
    for spelling in spellings:
        relative = posixpath.normpath(spelling.replace("\\", "/"))
        if relative == ".." or relative.startswith("../"):
            raise _outside(where, root)
        candidate = root / relative
        if candidate.is_file():
            return candidate
    return None


def _segments(url_path: str) -> list[str]:
    """The path's segments, percent-decoded, with ``.`` and ``..`` applied."""
    segments: list[str] = []
    for raw in url_path.split("/"):
        segment = unquote(raw)
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        if "/" in segment or "\\" in segment:
            return []
        segments.append(segment)
    return segments


def _longest_ending(root: Path, segments: list[str]) -> Path | None:
    for start in range(len(segments)):
        candidate = root.joinpath(*segments[start:])
        if candidate.is_file():
            return candidate
    return None


def _under(root: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except OSError:
        return False


def _inside(root: Path, path: Path) -> Path | None:
    """An absolute local path: the file itself when it is inside ``root``."""
    try:
        resolved = path.resolve()
    except OSError:
        return None
    return resolved if resolved.is_relative_to(root) and resolved.is_file() else None


def _checked_inside(root: Path, found: Path, where: dict[str, str]) -> Path:
    resolved = found.resolve()
    if not resolved.is_relative_to(root):
        raise InputFileError(
            _(
                'Partition "{partition}" of entity "{entity}" ({location}) leads outside the '
                "export folder {folder} (through a link); only files inside it are read."
            ).format(folder=root, **where)
        )
    if not os.access(resolved, os.R_OK):
        raise InputFileError(
            _(
                'Partition "{partition}" of entity "{entity}" ({location}) cannot be read from '
                "{path}; check its permissions."
            ).format(path=resolved, **where)
        )
    return resolved
