"""The Dutch VAT return (aangifte omzetbelasting), boxes 1a–5g, from the VAT box on each line.

Every line posted with a tax code carries the box it counts in (fixed at posting from the tax
code: its base box, its tax box, or 5b for the deductible half of self-assessed VAT) and whether
it is the base (turnover) or the tax. A box's turnover and VAT are sums over those lines in the
period; sales base and owed VAT count credit − debit, purchase base and deductible VAT debit −
credit, so a credit note lowers the box it corrects.

The form is filed in whole euros: turnover and owed VAT are rounded down, deductible VAT (5b) up,
each in the taxpayer's favour; the exact amounts are kept beside them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from django.db.models import F, Sum

from kern.ledger.models import JournalLine
from kern.ledger.selectors.reports import cents

__all__ = ["VAT_BOXES", "VatBox", "VatReturn", "vat_box_lines", "vat_return"]

ZERO = Decimal("0")

# box: (label, has turnover column, has VAT column)
VAT_BOXES: dict[str, tuple[str, bool, bool]] = {
    "1a": ("Supplies/services taxed at the standard rate", True, True),
    "1b": ("Supplies/services taxed at the reduced rate", True, True),
    "1c": ("Supplies/services taxed at other rates, except 0%", True, True),
    "1d": ("Private use", True, True),
    "1e": ("Supplies/services taxed at 0% or not taxed with you", True, False),
    "2a": ("Supplies/services where the VAT is reverse-charged to you", True, True),
    "3a": ("Supplies of goods to countries outside the EU (export)", True, False),
    "3b": ("Supplies of goods and services to countries within the EU", True, False),
    "3c": ("Installation/distance sales within the EU", True, False),
    "4a": ("Supplies/services from countries outside the EU", True, True),
    "4b": ("Supplies/services from countries within the EU", True, True),
    "5a": ("VAT owed (subtotal of 1a to 4b)", False, True),
    "5b": ("Input tax (voorbelasting)", False, True),
    "5c": ("Subtotal (5a minus 5b)", False, True),
    "5d": ("Reduction under the small businesses scheme (KOR)", False, True),
    "5e": ("Estimate of previous return(s)", False, True),
    "5f": ("Estimate of this return", False, True),
    "5g": ("Total to pay or to reclaim", False, True),
}
_OWED_BOXES = ("1a", "1b", "1c", "1d", "2a", "4a", "4b")


@dataclass
class VatBox:
    box: str
    label: str
    turnover: Decimal | None
    vat: Decimal | None

    @property
    def turnover_filed(self) -> int | None:
        return None if self.turnover is None else int(self.turnover.to_integral_value(rounding=ROUND_FLOOR))

    @property
    def vat_filed(self) -> int | None:
        if self.vat is None:
            return None
        rounding = ROUND_CEILING if self.box == "5b" else ROUND_FLOOR
        return int(self.vat.to_integral_value(rounding=rounding))


@dataclass
class VatReturn:
    date_from: dt.date
    date_to: dt.date
    boxes: list[VatBox] = field(default_factory=list)

    def box(self, key: str) -> VatBox:
        return next(b for b in self.boxes if b.box == key)

    @property
    def to_pay(self) -> Decimal:
        return self.box("5g").vat or ZERO


def vat_return(company: Any, *, date_from: dt.date, date_to: dt.date) -> VatReturn:
    company_id = getattr(company, "pk", company)
    sums: dict[tuple[str, str, str], Decimal] = {}
    for row in (
        JournalLine.objects.filter(company_id=company_id, date__gte=date_from, date__lte=date_to)
        .exclude(vat_box="")
        .values("vat_box", "tax_kind", "tax_code__direction")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    ):
        key = (row["vat_box"], row["tax_kind"], row["tax_code__direction"] or "")
        sums[key] = sums.get(key, ZERO) + cents(row["d"]) - cents(row["c"])

    def turnover(box: str) -> Decimal:
        # Sales turnover is a credit, purchase turnover (reverse charge, acquisitions) a debit.
        return -sums.get((box, "base", "sale"), ZERO) + sums.get((box, "base", "purchase"), ZERO)

    def vat(box: str) -> Decimal:
        if box == "5b":
            return sums.get(("5b", "tax", "purchase"), ZERO) + sums.get(("5b", "tax", "sale"), ZERO)
        return -(sums.get((box, "tax", "sale"), ZERO) + sums.get((box, "tax", "purchase"), ZERO))

    result = VatReturn(date_from, date_to)
    owed = ZERO
    for key, (label, has_turnover, has_vat) in VAT_BOXES.items():
        if key.startswith("5"):
            continue
        box_vat = vat(key) if has_vat else None
        if box_vat is not None and key in _OWED_BOXES:
            owed += box_vat
        result.boxes.append(VatBox(key, label, turnover(key) if has_turnover else None, box_vat))
    deductible = vat("5b")
    subtotal = owed - deductible
    for key, amount in (
        ("5a", owed),
        ("5b", deductible),
        ("5c", subtotal),
        ("5d", ZERO),
        ("5e", ZERO),
        ("5f", ZERO),
        ("5g", subtotal),
    ):
        result.boxes.append(VatBox(key, VAT_BOXES[key][0], None, amount))
    return result


def vat_box_lines(company: Any, box: str, *, date_from: dt.date, date_to: dt.date) -> Any:
    """The lines behind one box (drill-down), oldest first, as a queryset."""
    company_id = getattr(company, "pk", company)
    lines = JournalLine.objects.filter(company_id=company_id, date__gte=date_from, date__lte=date_to)
    if box == "5a":
        lines = lines.filter(vat_box__in=_OWED_BOXES, tax_kind="tax")
    elif box in ("5c", "5g"):
        lines = lines.filter(vat_box__in=(*_OWED_BOXES, "5b"), tax_kind="tax")
    elif box in VAT_BOXES:
        lines = lines.filter(vat_box=box)
    else:
        lines = lines.none()
    return (
        lines.select_related("entry", "entry__journal", "account", "tax_code", "party")
        .annotate(amount=F("debit") - F("credit"))
        .order_by("date", "id")
    )
