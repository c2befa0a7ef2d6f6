"""One import mechanism for every app: CSV or XLSX in, a report of every bad row out.

An app declares an `Importer` (its columns and how to create one row through its own service)
and registers it in AppConfig.ready(). The same importer serves the CLI
(`kern import parties FILE --dry-run`), the API and the UI.

A dry run really runs every row through the services inside a transaction and rolls it back,
so it reports exactly what a commit would refuse: field formats, service validation, database
constraints and duplicates within the file. A commit is all-or-nothing: one bad row and nothing
is written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.db import DatabaseError, IntegrityError

from kern.core.db import atomic, savepoint
from kern.core.exceptions import KernError, ValidationFailed

__all__ = [
    "Column",
    "ImportFileError",
    "ImportReport",
    "Importer",
    "RowError",
    "bool_value",
    "decimal_value",
    "get_importer",
    "importers",
    "list_value",
    "read_table",
    "register_importer",
    "run_import",
]

MAX_ROWS = 100_000


class ImportFileError(ValidationFailed):
    code = "import_file_invalid"
    title = "The file cannot be read"


@dataclass(frozen=True)
class Column:
    name: str
    label: str = ""
    required: bool = False
    parse: Callable[[str], Any] | None = None
    aliases: tuple[str, ...] = ()  # other header spellings recognised automatically (Dutch, exports)
    help: str = ""


@dataclass
class Importer:
    kind: str
    label: str
    columns: list[Column]
    create_row: Callable[..., Any]  # create_row(company, values: dict, by) -> created object
    permission: str = ""

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row, as a spreadsheet user counts below the header (header = row 1)
    column: str
    message: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    total_rows: int = 0
    valid_rows: int = 0
    created: int = 0
    committed: bool = False
    mapping: dict[str, str] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    created_ids: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "total_rows": self.total_rows,
            "valid_rows": self.valid_rows,
            "created": self.created,
            "committed": self.committed,
            "mapping": self.mapping,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
        }


_IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    _IMPORTERS[importer.kind] = importer


def importers() -> dict[str, Importer]:
    return dict(_IMPORTERS)


def get_importer(kind: str) -> Importer:
    try:
        return _IMPORTERS[kind]
    except KeyError:
        raise ValidationFailed.on(
            "kind", f"nothing to import called {kind!r}; known: {', '.join(sorted(_IMPORTERS))}"
        ) from None


# --- value parsers ----------------------------------------------------------------------------


def decimal_value(text: str) -> Decimal:
    """Accepts 1234.56, 1.234,56 and 1234,56 (Dutch spreadsheets), and € signs."""
    raw = text.strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", raw) or re.fullmatch(r"-?\d+,\d+", raw):
        raw = raw.replace(".", "").replace(",", ".")
    else:
        raw = raw.replace(",", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a number")
    return value


def bool_value(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "ja", "j", "y", "x", "waar"}:
        return True
    if value in {"0", "false", "no", "nee", "n", "", "onwaar"}:
        return False
    raise ValueError(f"{text!r} is not yes/no")


def list_value(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,|]", text) if part.strip()]


# --- reading files ----------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("the file is neither UTF-8 nor Windows-1252 text")


def read_table(
    data: bytes, *, filename: str = "", format: str | None = None
) -> tuple[list[str], list[list[str]]]:
    """Headers and rows (as text) of a CSV or XLSX file."""
    fmt = (format or filename.rsplit(".", 1)[-1] if "." in filename else format or "").lower()
    if not fmt:
        fmt = "xlsx" if data[:2] == b"PK" else "csv"
    if fmt in {"xlsx", "xlsm"}:
        try:
            dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise ImportFileError(f"not a readable XLSX workbook ({exc.__class__.__name__})") from None
        headers = [str(h or "").strip() for h in (dataset.headers or [])]
        rows = [["" if v is None else _cell_text(v) for v in row] for row in dataset]
    elif fmt in {"csv", "txt"}:
        text = _decode(data)
        if not text.strip():
            raise ImportFileError("the file is empty")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            all_rows = [row for row in reader if any(cell.strip() for cell in row)]
        except csv.Error as exc:
            raise ImportFileError(f"not a readable CSV file: {exc}") from None
        if not all_rows:
            raise ImportFileError("the file is empty")
        headers = [h.strip() for h in all_rows[0]]
        rows = all_rows[1:]
    else:
        raise ImportFileError(f"unsupported file type {fmt!r}: use CSV or XLSX")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"the file has {len(rows)} rows; at most {MAX_ROWS} per import")
    if not any(headers):
        raise ImportFileError("the first row must hold the column names")
    return headers, rows


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    return str(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def resolve_mapping(importer: Importer, headers: list[str], mapping: dict[str, str] | None) -> dict[str, str]:
    """file header → column name: explicit mapping first, then names, labels and aliases."""
    result: dict[str, str] = {}
    explicit = {k.strip(): v.strip() for k, v in (mapping or {}).items()}
    known = {c.name for c in importer.columns}
    for header, target in explicit.items():
        if header not in headers:
            raise ValidationFailed.on("mapping", f"the file has no column {header!r}")
        if target not in known:
            raise ValidationFailed.on("mapping", f"{target!r} is not a field of {importer.kind}")
        result[header] = target
    lookup: dict[str, str] = {}
    for col in importer.columns:
        for spelling in (col.name, col.label, *col.aliases):
            if spelling:
                lookup.setdefault(_slug(spelling), col.name)
    for header in headers:
        if header in result or not header:
            continue
        target = lookup.get(_slug(header))
        if target and target not in result.values():
            result[header] = target
    return result


class _Rollback(Exception):
    pass


def run_import(
    importer: Importer,
    company: Any,
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = True,
    by: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    headers, rows = read_table(data, filename=filename, format=format)
    resolved = resolve_mapping(importer, headers, mapping)
    report = ImportReport(kind=importer.kind, dry_run=dry_run, total_rows=len(rows), mapping=resolved)
    missing = [c.name for c in importer.columns if c.required and c.name not in resolved.values()]
    if missing:
        report.errors.append(RowError(1, missing[0], f"required column(s) missing: {', '.join(missing)}"))
        return report
    index = {target: headers.index(header) for header, target in resolved.items()}
    try:
        with atomic():
            for number, row in enumerate(rows, start=2):
                values, row_errors = _parse_row(importer, index, row, number)
                if not row_errors:
                    try:
                        with savepoint():
                            created = importer.create_row(company, values, by)
                        report.created_ids.append(getattr(created, "pk", created))
                    except KernError as exc:
                        row_errors = _service_errors(exc, number)
                    except (IntegrityError, DatabaseError) as exc:
                        row_errors = [
                            RowError(number, "__all__", f"refused by the database: {exc}".splitlines()[0])
                        ]
                if row_errors:
                    report.errors.extend(row_errors)
                else:
                    report.valid_rows += 1
                if progress:
                    progress(number - 1, len(rows))
            if dry_run or report.errors:
                raise _Rollback
    except _Rollback:
        report.created_ids = []
        return report
    report.created = len(report.created_ids)
    report.committed = True
    return report


def _parse_row(
    importer: Importer, index: dict[str, int], row: list[str], number: int
) -> tuple[dict, list[RowError]]:
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for name, position in index.items():
        column = importer.column(name)
        text = row[position].strip() if position < len(row) and row[position] is not None else ""
        if not text:
            if column.required:
                errors.append(RowError(number, name, "a value is required"))
            continue
        try:
            values[name] = column.parse(text) if column.parse else text
        except ValueError as exc:
            errors.append(RowError(number, name, str(exc)))
    return values, errors


def _service_errors(exc: KernError, number: int) -> list[RowError]:
    if exc.errors:
        return [
            RowError(number, field, message) for field, messages in exc.errors.items() for message in messages
        ]
    return [RowError(number, "__all__", exc.message)]
