"""Reads about vendor bills: the three-way match, duplicates, what an order still has to bill."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kern.catalog.models import ProductType
from kern.catalog.selectors import convert_quantity
from kern.core.money import quantize
from kern.core.selectors import MissingExchangeRate, rate_on
from kern.payments import selectors as payments_selectors
from kern.purchasing.models import (
    BillLine,
    BillStatus,
    MatchStatus,
    OrderLine,
    PurchaseOrder,
    PurchasingPolicy,
    VendorBill,
)

__all__ = [
    "BILL_SOURCE",
    "MatchFinding",
    "MatchResult",
    "bills_for",
    "duplicate_of",
    "match_bill",
    "normalise_reference",
    "open_orders_of",
    "payment_of",
    "policy_for",
    "quantity_to_bill",
]

ZERO = Decimal("0")
HUNDRED = Decimal("100")
# the source type of a bill's open item (payments) and ledger entry, and of its document links
BILL_SOURCE = "purchasing.bill"


def policy_for(company: Any) -> PurchasingPolicy:
    """The company's purchasing policy (the defaults when none was saved yet)."""
    company_id = getattr(company, "pk", company)
    return PurchasingPolicy.objects.filter(company_id=company_id).first() or PurchasingPolicy(
        company_id=company_id
    )


def normalise_reference(reference: str) -> str:
    """How two spellings of one bill number compare: only letters and digits count, in any case
    ("INV 2026/077", "inv-2026-077" and "INV2026077" are one bill)."""
    return "".join(ch for ch in (reference or "").upper() if ch.isalnum())[:60]


def duplicate_of(company: Any, vendor: Any, reference: str, *, exclude: Any = None) -> VendorBill | None:
    """A bill (not cancelled) of the same vendor with the same bill number, if any."""
    key = normalise_reference(reference)
    if not key:
        return None
    qs = VendorBill.objects.filter(
        company_id=getattr(company, "pk", company),
        vendor_id=getattr(vendor, "pk", vendor),
        reference_key=key,
    ).exclude(status=BillStatus.CANCELLED)
    if exclude is not None:
        qs = qs.exclude(pk=getattr(exclude, "pk", exclude))
    return qs.order_by("id").first()


def bills_for(company: Any) -> QuerySet[VendorBill]:
    return VendorBill.objects.filter(company_id=getattr(company, "pk", company))


def payment_of(bill: VendorBill) -> payments_selectors.Settlement | None:
    """What the bill's payment stands at in payments: its open item (what is left to pay, blocked
    or not), the payments and offsets that settled it and the payment runs that carry it. None
    while the bill is a draft: its open item is registered when it is approved."""
    return payments_selectors.settlement_of(
        bill.company_id, kind="payable", source_type=BILL_SOURCE, source_id=bill.pk
    )


def quantity_to_bill(line: OrderLine) -> Decimal:
    """What an order line may still be billed for: received minus billed (ordered, for services)."""
    reference = line.quantity if line.product.type == ProductType.SERVICE else line.qty_received
    return reference - line.qty_billed


@dataclass(frozen=True)
class MatchFinding:
    kind: str  # price | quantity | unordered | order
    blocking: bool
    text: str
    line: int | None = None  # bill line position
    order_line: int | None = None  # order line id
    expected: str = ""
    actual: str = ""
    variance: str = ""  # company currency
    percent: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class MatchResult:
    status: str
    findings: list[MatchFinding] = field(default_factory=list)

    @property
    def blocking(self) -> list[MatchFinding]:
        return [f for f in self.findings if f.blocking]

    @property
    def reason(self) -> str:
        return "; ".join(f.text for f in self.blocking)


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") if "." in text else text
    return text


def match_bill(bill: VendorBill, *, policy: PurchasingPolicy | None = None) -> MatchResult:
    """Three-way match of a bill against its orders and what was received.

    Per order line the bill may charge at most the order's net unit price plus the price tolerance,
    and (with the bills approved before it) at most what was received — for services, what was
    ordered — plus the quantity tolerance. A variance whose value stays within the amount
    tolerance never blocks. Credit notes and lines without an order are not matched.
    """
    policy = policy or policy_for(bill.company)
    lines = list(
        bill.lines.select_related(
            "order_line__order", "order_line__product", "order_line__uom", "uom"
        ).order_by("position", "id")
    )
    matched = [ln for ln in lines if ln.order_line_id]
    if not matched:
        findings = []
        if bill.order_reference and not bill.purchase_order_id:
            findings.append(
                MatchFinding(
                    kind="order",
                    blocking=False,
                    text=f"the bill names order {bill.order_reference}, which is not one of ours",
                )
            )
        return MatchResult(MatchStatus.NO_ORDER, findings)
    if bill.kind == "credit_note":
        return MatchResult(MatchStatus.MATCHED, [])
    company = bill.company
    base = company.base_currency_id
    on = bill.bill_date

    def in_company(amount: Decimal, currency: str) -> Decimal | None:
        if currency == base:
            return amount
        try:
            return amount * rate_on(currency, base, on, company=company)
        except MissingExchangeRate:
            return None

    findings: list[MatchFinding] = []
    billed_now: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for ln in matched:
        ol = ln.order_line
        qty = _in_order_unit(ln, ol)
        billed_now[ol.pk] += qty
        order = ol.order
        # price: per order-line unit, in the bill's currency (company currency when they differ)
        bill_price = ln.unit_price
        if ln.uom_id and ln.uom_id != ol.uom_id:
            bill_price = ln.unit_price * ol.uom.factor / ln.uom.factor
        order_price = ol.net_price
        if order.currency_id != bill.currency_id:
            bill_price_c = in_company(bill_price, bill.currency_id)
            order_price_c = in_company(order_price, order.currency_id)
            if bill_price_c is None or order_price_c is None:
                findings.append(
                    MatchFinding(
                        kind="price",
                        blocking=True,
                        text=f"line {ln.position}: no exchange rate to compare {bill.currency_id} with the order's {order.currency_id}",
                        line=ln.position,
                        order_line=ol.pk,
                    )
                )
                continue
            bill_price, order_price, currency = bill_price_c, order_price_c, base
        else:
            currency = bill.currency_id
        difference = bill_price - order_price
        if difference > 0:
            allowed = order_price * policy.price_tolerance_percent / HUNDRED
            value = in_company(difference * abs(qty), currency) or ZERO
            percent = (difference / order_price * HUNDRED) if order_price else HUNDRED
            if difference > allowed and value > policy.amount_tolerance:
                findings.append(
                    MatchFinding(
                        kind="price",
                        blocking=True,
                        text=(
                            f"line {ln.position} ({ol.product.sku}): unit price {_fmt(quantize(bill_price, currency, places=4))} "
                            f"{currency} is {_fmt(quantize(difference, currency, places=4))} ({quantize(percent, places=1)}%) above the "
                            f"order's {_fmt(quantize(order_price, currency, places=4))} (tolerance "
                            f"{_fmt(policy.price_tolerance_percent)}%): {quantize(value, base)} {base} on "
                            f"{_fmt(abs(qty))} {ol.uom.code}"
                        ),
                        line=ln.position,
                        order_line=ol.pk,
                        expected=str(order_price),
                        actual=str(bill_price),
                        variance=str(quantize(value, base)),
                        percent=str(quantize(percent, places=2)),
                    )
                )
    for ol_id, qty in billed_now.items():
        ol = next(ln.order_line for ln in matched if ln.order_line_id == ol_id)
        goods = ol.product.type != ProductType.SERVICE
        reference = ol.qty_received if goods else ol.quantity
        total = ol.qty_billed + qty
        allowed = reference * (HUNDRED + policy.quantity_tolerance_percent) / HUNDRED
        if total <= allowed:
            continue
        excess = total - reference
        value = in_company(excess * ol.net_price, ol.order.currency_id) or ZERO
        if value <= policy.amount_tolerance:
            continue
        what = "received" if goods else "ordered"
        findings.append(
            MatchFinding(
                kind="quantity",
                blocking=True,
                text=(
                    f"{ol.product.sku}: bills charge {_fmt(total)} {ol.uom.code}, {_fmt(reference)} {what} "
                    f"(tolerance {_fmt(policy.quantity_tolerance_percent)}%): {_fmt(excess)} too many, "
                    f"{quantize(value, base)} {base}"
                ),
                order_line=ol.pk,
                expected=str(reference),
                actual=str(total),
                variance=str(quantize(value, base)),
            )
        )
    for ln in lines:
        if not ln.order_line_id:
            findings.append(
                MatchFinding(
                    kind="unordered",
                    blocking=False,
                    text=f"line {ln.position} ({ln.description[:60]}) is not on an order",
                    line=ln.position,
                )
            )
    status = MatchStatus.VARIANCE if any(f.blocking for f in findings) else MatchStatus.MATCHED
    return MatchResult(status, findings)


def _in_order_unit(bill_line: BillLine, order_line: OrderLine) -> Decimal:
    """The bill line's quantity in the order line's unit (a credit note counts negative)."""
    qty = bill_line.quantity
    if bill_line.uom_id and bill_line.uom_id != order_line.uom_id:
        qty = convert_quantity(qty, bill_line.uom, order_line.uom, round_result=False)
    return qty * (-1 if bill_line.bill.kind == "credit_note" else 1)


def open_orders_of(company: Any, vendor: Any = None) -> QuerySet[PurchaseOrder]:
    from kern.purchasing.models import OPEN_ORDER_STATUSES

    qs = PurchaseOrder.objects.filter(
        company_id=getattr(company, "pk", company), status__in=OPEN_ORDER_STATUSES
    )
    if vendor is not None:
        qs = qs.filter(vendor_id=getattr(vendor, "pk", vendor))
    return qs
