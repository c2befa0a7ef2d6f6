"""Columns of list pages and tabs: how a value is read from a row, shown, sorted and exported."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import DecimalField, Model
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext

from kern.core.money import UnknownCurrency, minor_units

__all__ = ["Column", "export_csv", "export_xlsx", "neutralise", "resolve_columns"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Decimals a quantity, price or rate shows at most (as the app pages' floatformat:"-4").
MAX_PLACES = 4


@dataclass
class Column:
    """One column. `name` is a field path ("payment_term__name") or, with `value`, any key.

    label: the header (defaults to the field's verbose name); sortable: by that field path
    (defaults to True for database fields); link: the cell links to the row's page.
    money: the value is an amount, shown with its currency's decimals (defaults to True for an
    amount field: a DecimalField of 2 places, as every app declares amounts); currency: where the
    row's currency is, a field path or a function of the row (defaults to the `currency` of the
    record that holds the field; without one, the field's decimal places).
    Any other decimal field shows as the app pages show quantities: no decimals when whole,
    else its places (at most four). Both localised: "95.20" in English, "95,20" in Dutch.
    """

    name: str
    label: Any = None
    value: Callable[[Any], Any] | None = None
    sortable: bool | None = None
    sort_by: str | None = None
    link: bool = False
    numeric: bool | None = None
    money: bool | None = None
    currency: str | Callable[[Any], Any] | None = None
    field: Any = None  # the model field, filled in by resolve_columns

    def get(self, obj: Any) -> Any:
        if self.value is not None:
            return self.value(obj)
        target = obj
        parts = self.name.split("__")
        for i, part in enumerate(parts):
            if target is None:
                return None
            if i == len(parts) - 1 and isinstance(target, Model):
                display = getattr(target, f"get_{part}_display", None)
                if display is not None:
                    return display()
            target = getattr(target, part, None)
            if callable(target) and not isinstance(target, Model) and not hasattr(target, "all"):
                target = target()
        if hasattr(target, "all") and callable(target.all):  # a many-to-many manager
            return ", ".join(str(x) for x in target.all())
        return target

    def display(self, obj: Any) -> str:
        return self.format(self.get(obj), obj)

    def format(self, value: Any, obj: Any) -> str:
        """The cell's text for `value`, read from the row `obj`."""
        if isinstance(value, Decimal) and value.is_finite():
            return floatformat(value, self._places(value, obj))
        return display_value(value)

    def _places(self, value: Decimal, obj: Any) -> int:
        """floatformat's argument: n decimals always, -n only when the number is not whole."""
        field = self.field if isinstance(self.field, DecimalField) else None
        money = self.money if self.money is not None else field is not None and is_amount_field(field)
        if money:
            fallback = field.decimal_places if field is not None else 2
            try:
                code = self._currency_of(obj)
                return minor_units(code) if code else fallback
            except UnknownCurrency:
                return fallback
        if field is not None:
            return -min(field.decimal_places, MAX_PLACES)
        return _places_of(value)

    def _currency_of(self, obj: Any) -> str | None:
        if callable(self.currency):
            code = self.currency(obj)
        elif self.currency:
            code = Column(self.currency).get(obj)
        else:
            code = currency_code(self._holder(obj))
        code = getattr(code, "pk", code)
        return code if isinstance(code, str) else None

    def _holder(self, obj: Any) -> Any:
        """The record that holds the column's field: the row, or the one its path leads to."""
        if self.value is not None:
            return obj
        for part in self.name.split("__")[:-1]:
            if obj is None:
                return None
            obj = getattr(obj, part, None)
        return obj


def is_amount_field(field: Any) -> bool:
    """An amount as the apps declare one: a DecimalField of 2 places and room for large sums
    (percentages have 2 places too, in 5 or 6 digits)."""
    return isinstance(field, DecimalField) and field.decimal_places == 2 and (field.max_digits or 0) >= 12


def currency_code(record: Any) -> str | None:
    """The ISO code of a record's `currency` (a Currency key, read without a query, or a code)."""
    for attr in ("currency_id", "currency"):
        code = getattr(record, attr, None)
        if isinstance(code, str) and code:
            return code
    return None


def _places_of(value: Decimal) -> int:
    """A computed number keeps the scale it was rounded to: two places (an amount, a percentage)
    always show, finer ones as a quantity's (none when whole, at most four)."""
    exponent = value.as_tuple().exponent
    places = min(max(-exponent, 0), MAX_PLACES) if isinstance(exponent, int) else 0
    return places if places <= 2 else -places


def display_value(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, Decimal):
        return floatformat(value, _places_of(value)) if value.is_finite() else str(value)
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _field_for(model: type[Model], path: str) -> Any:
    current = model
    field = None
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            return None
        if field.is_relation and field.related_model is not None:
            current = field.related_model
    return field


def resolve_columns(model: type[Model], specs: Iterable[str | Column]) -> list[Column]:
    """Column objects for the specs, with labels and sortability taken from the model."""
    columns = []
    for spec in specs:
        col = spec if isinstance(spec, Column) else Column(spec)
        col = Column(**{k: getattr(col, k) for k in col.__dataclass_fields__})
        field = _field_for(model, col.sort_by or col.name) if col.value is None or col.sort_by else None
        col.field = field
        if col.label is None:
            col.label = getattr(field, "verbose_name", None) or col.name.replace("_", " ")
        if col.sortable is None:
            col.sortable = field is not None and not field.many_to_many and not field.one_to_many
        if col.numeric is None:
            col.numeric = field is not None and field.get_internal_type() in {
                "DecimalField",
                "IntegerField",
                "PositiveIntegerField",
                "PositiveSmallIntegerField",
                "BigIntegerField",
                "FloatField",
            }
        columns.append(col)
    return columns


def select_related_for(model: type[Model], columns: Iterable[Column]) -> list[str]:
    """The select_related paths that the columns' foreign keys need (no N+1 on list pages)."""
    paths = set()
    for col in columns:
        if col.value is not None:
            continue
        parts = col.name.split("__")
        current = model
        walked = []
        for part in parts:
            try:
                field = current._meta.get_field(part)
            except (FieldDoesNotExist, AttributeError):
                break
            if field.many_to_one or field.one_to_one:
                walked.append(part)
                current = field.related_model
                paths.add("__".join(walked))
            else:
                break
    return sorted(paths)


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _export_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, (int, Decimal, dt.date)):
        return value
    return neutralise(str(value))


def export_rows(columns: list[Column], rows: Iterable[Any]) -> Iterable[list[Any]]:
    for obj in rows:
        yield [_export_value(col.get(obj)) for col in columns]


def export_csv(columns: list[Column], rows: Iterable[Any]) -> bytes:
    """UTF-8 with BOM and `;` separators, as Excel in a Dutch locale opens it directly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([neutralise(capfirst(str(c.label))) for c in columns])
    for row in export_rows(columns, rows):
        writer.writerow(
            [
                v.isoformat()
                if isinstance(v, (dt.date, dt.datetime))
                else str(v).replace(".", ",")
                if isinstance(v, Decimal)
                else v
                for v in row
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(columns: list[Column], rows: Iterable[Any], *, title: str = "Export") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    header = []
    for col in columns:
        cell = WriteOnlyCell(sheet, value=neutralise(capfirst(str(col.label))))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in export_rows(columns, rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text looks like
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
