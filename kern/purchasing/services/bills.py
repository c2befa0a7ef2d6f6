"""Vendor bills: entered by hand, made from an order, or imported from an e-invoice; a draft until
approved. Approving matches the bill three ways (order ↔ receipt ↔ bill), posts it to the ledger
and registers what we owe as an open item in payments — held back from payment when the match
found a variance outside the tolerance, until someone allowed to approve variances releases it.

The posting (journal "purchase"), per bill line, signs as for a bill (a credit note mirrors it):

    goods on an order      Dr GRNI              what the receipts credited for the billed quantity
                           Dr price difference  the rest of the line (price and exchange variances)
    anything else          Dr expense           (the line's account, or the company's expense role)
    VAT                    Dr input VAT         per code; reverse-charge codes post owed and deductible
    foreign VAT            Dr expense           VAT the company cannot reclaim is cost
                           Cr payable           the total, on the vendor, due per the payment term

GRNI per order line is kept on the line (`received_value` − `billed_grni_value`), so it returns to
zero when the line is fully received and billed; any cent left by rounding, returns or billing
before receipt is cleared to price difference at that moment (`clear_grni`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kern.catalog.models import Product, ProductType, Uom
from kern.catalog.selectors import convert_quantity
from kern.core import audit
from kern.core.db import atomic, savepoint
from kern.core.events import emit
from kern.core.exceptions import KernError, PermissionDenied
from kern.core.models import Company
from kern.core.money import quantize
from kern.core.numbering import next_number
from kern.core.selectors import rate_on
from kern.core.services import validated
from kern.core.workflow import transition
from kern.ledger.models import JournalEntry, TaxCode
from kern.ledger.selectors import compute_taxes, tax_code_for
from kern.ledger.services import LineSpec, SourceRef, post_entry, reverse_entry
from kern.parties.models import Party, PaymentTerm
from kern.payments import services as payments
from kern.payments.models import OpenItem
from kern.purchasing.events import BILL_APPROVED, BILL_CANCELLED, BILL_PAID, BillEvent
from kern.purchasing.exceptions import DuplicateBill, PurchasingCode, SegregationOfDuties
from kern.purchasing.models import (
    BillKind,
    BillLine,
    BillSource,
    BillStatus,
    BillTax,
    MatchStatus,
    OrderLine,
    PurchaseOrder,
    VendorBill,
)
from kern.purchasing.selectors.bills import (
    BILL_SOURCE,
    duplicate_of,
    match_bill,
    normalise_reference,
    quantity_to_bill,
)
from kern.purchasing.services._common import (
    ZERO,
    acting,
    cannot_go,
    check_currency,
    conflict,
    date_value,
    invalid,
    price,
    quantity,
    row_of,
    text,
    user_id,
)

__all__ = [
    "BILL_SOURCE",
    "add_bill_line",
    "approve_bill",
    "cancel_bill",
    "check_bill",
    "clear_grni",
    "create_bill",
    "create_bill_from_order",
    "record_bill_payment",
    "release_bill",
    "remove_bill_line",
    "update_bill",
    "update_bill_line",
]

S = BillStatus
BILL_FIELDS = {
    "kind",
    "vendor_reference",
    "bill_date",
    "due_date",
    "currency",
    "payment_term",
    "purchase_order",
    "order_reference",
    "payment_reference",
    "iban",
    "notes",
}
LINE_FIELDS = {
    "product",
    "description",
    "quantity",
    "uom",
    "unit_price",
    "net_amount",
    "tax_code",
    "account",
    "order_line",
    "vendor_sku",
}
# What may still change on an imported e-invoice: how it is booked, never what the vendor billed.
EINVOICE_LINE_FIELDS = {"product", "tax_code", "account", "order_line"}


# --- creating and editing ------------------------------------------------------------------------


def _bill_values(company: Company, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - BILL_FIELDS
    if unknown:
        raise invalid(sorted(unknown)[0], _("unknown field"))
    out: dict[str, Any] = {}
    if "kind" in fields:
        if fields["kind"] not in BillKind.values:
            raise invalid("kind", _("bill or credit_note"))
        out["kind"] = fields["kind"]
    for name in ("bill_date", "due_date"):
        if name in fields:
            out[name] = date_value(fields[name], name)
    if "bill_date" in out and out["bill_date"] is None:
        out["bill_date"] = timezone.localdate()
    if "currency" in fields:
        out["currency_id"] = check_currency(fields["currency"] or company.base_currency_id)
    if "payment_term" in fields:
        out["payment_term"] = row_of(PaymentTerm, company, fields["payment_term"], "payment_term")
    if "purchase_order" in fields:
        out["purchase_order"] = row_of(PurchaseOrder, company, fields["purchase_order"], "purchase_order")
    for name, size in (
        ("vendor_reference", 60),
        ("order_reference", 60),
        ("payment_reference", 140),
        ("notes", 5000),
    ):
        if name in fields:
            out[name] = text(fields[name], name, size)
    if "iban" in fields:
        out["iban"] = "".join(str(fields["iban"] or "").split()).upper()[:34]
    if "vendor_reference" in out:
        out["reference_key"] = normalise_reference(out["vendor_reference"])
    return out


def _check_duplicate(bill: VendorBill) -> None:
    existing = duplicate_of(bill.company_id, bill.vendor_id, bill.vendor_reference, exclude=bill.pk)
    if existing is not None:
        raise DuplicateBill(existing, bill.vendor_reference)


def _save_bill(bill: VendorBill) -> None:
    """Save, turning a race past the duplicate check into the same refusal."""
    try:
        with savepoint():
            bill.save()
    except IntegrityError:
        existing = duplicate_of(bill.company_id, bill.vendor_id, bill.vendor_reference, exclude=bill.pk)
        if existing is not None:
            raise DuplicateBill(existing, bill.vendor_reference) from None
        raise


def create_bill(
    company: Company,
    *,
    vendor: Any,
    lines: Iterable[dict[str, Any]] = (),
    by: Any = None,
    source: str = BillSource.MANUAL,
    **fields: Any,
) -> VendorBill:
    """A draft vendor bill (or credit note). The vendor's bill number must be new for the vendor."""
    vendor = row_of(Party, company, vendor, "vendor")
    if vendor is None:
        raise invalid("vendor", _("a vendor is required"))
    if not vendor.is_vendor:
        raise invalid("vendor", _("%(party)s is not a vendor") % {"party": vendor})
    fields.setdefault("currency", vendor.currency_id or company.base_currency_id)
    values = _bill_values(company, fields)
    values.setdefault("bill_date", timezone.localdate())
    if "payment_term" not in fields:
        values["payment_term"] = vendor.payment_term
    order = values.get("purchase_order")
    if order is not None and order.vendor_id != vendor.pk:
        raise invalid(
            "purchase_order",
            _("%(number)s is an order of %(vendor)s, not of %(other)s")
            % {"number": order.number, "vendor": order.vendor, "other": vendor},
        )
    bill = VendorBill(company=company, vendor=vendor, source=source, entered_by_id=user_id(by), **values)
    _check_duplicate(bill)
    validated(bill, exclude=["entered_by", "approved_by", "variance_approved_by"])
    with atomic(), acting(by):
        _save_bill(bill)
        for position, data in enumerate(lines, start=1):
            _save_line(bill, BillLine(company=company, bill=bill, position=position), data, new=True)
        _recompute(bill)
    return bill


def _draft(bill: VendorBill) -> None:
    if bill.status != S.DRAFT:
        raise conflict(
            _("bill %(bill)s is %(status)s; only a draft can be changed")
            % {"bill": bill, "status": bill.get_status_display().lower()},
            code=PurchasingCode.NOT_EDITABLE,
        )


def update_bill(bill: VendorBill, *, by: Any = None, **fields: Any) -> VendorBill:
    _draft(bill)
    if bill.source == BillSource.EINVOICE:
        locked = set(fields) & {"kind", "currency", "vendor_reference", "bill_date"}
        if locked:
            raise invalid(sorted(locked)[0], _("comes from the e-invoice and cannot be changed"))
    values = _bill_values(bill.company, fields)
    order = values.get("purchase_order")
    if order is not None and order.vendor_id != bill.vendor_id:
        raise invalid(
            "purchase_order",
            _("%(number)s is an order of %(vendor)s, not of %(other)s")
            % {"number": order.number, "vendor": order.vendor, "other": bill.vendor},
        )
    for name, value in values.items():
        setattr(bill, name, value)
    _check_duplicate(bill)
    validated(bill, exclude=["entered_by", "approved_by", "variance_approved_by"])
    with atomic(), acting(by):
        _save_bill(bill)
        _recompute(bill)
    return bill


def _line_values(bill: VendorBill, line: BillLine, data: dict[str, Any], *, new: bool) -> None:
    company = bill.company
    unknown = set(data) - LINE_FIELDS
    if unknown:
        raise invalid(sorted(unknown)[0], _("unknown field"))
    if "order_line" in data:
        order_line = data["order_line"]
        if order_line in (None, ""):
            line.order_line = None
        else:
            found = row_of(OrderLine, company, order_line, "order_line")
            if found.order.vendor_id != bill.vendor_id:
                raise invalid(
                    "order_line",
                    _("that line is on %(number)s, an order of another vendor")
                    % {"number": found.order.number},
                )
            if found.order.status in ("draft", "to_approve", "cancelled"):
                raise invalid("order_line", _("%(number)s is not approved") % {"number": found.order.number})
            line.order_line = found
            if "product" not in data and not line.product_id:
                line.product = found.product
            if "uom" not in data and not line.uom_id:
                line.uom = found.uom
            if "tax_code" not in data and not line.tax_code:
                line.tax_code = found.tax_code
            if "unit_price" not in data and new:
                line.unit_price = found.net_price
            if "description" not in data and not line.description:
                line.description = found.description or found.product.name
    if "product" in data:
        line.product = row_of(Product, company, data["product"], "product")
    if "uom" in data:
        uom = data["uom"]
        line.uom = (
            None
            if uom in (None, "")
            else (
                Uom.objects.filter(pk=getattr(uom, "pk", uom)).first()
                if str(getattr(uom, "pk", uom)).isdigit()
                else Uom.objects.filter(code=str(uom)).first()
            )
        )
        if uom not in (None, "") and line.uom is None:
            raise invalid("uom", _("unknown unit %(uom)r") % {"uom": uom})
    if line.uom_id is None and line.product_id:
        line.uom = line.product.uom
    if "description" in data:
        line.description = text(data["description"], "description", 255)
    if not line.description:
        if line.product_id:
            line.description = line.product.name[:255]
        else:
            raise invalid("description", _("describe what the line is for"))
    if "quantity" in data or new:
        line.quantity = quantity(data.get("quantity", 1), positive=False)
        if line.quantity == 0:
            raise invalid("quantity", _("must not be zero"))
    if "unit_price" in data:
        line.unit_price = price(data["unit_price"])
    elif new and line.unit_price is None:
        raise invalid("unit_price", _("a unit price is required"))
    if "net_amount" in data and data["net_amount"] not in (None, ""):
        from kern.purchasing.services._common import money

        line.net_amount = money(data["net_amount"], bill.currency_id, "net_amount")
    elif "quantity" in data or "unit_price" in data or new or "order_line" in data:
        line.net_amount = quantize(line.quantity * line.unit_price, bill.currency_id)
    if "tax_code" in data:
        code = str(data["tax_code"] or "").strip()
        if (
            code
            and not TaxCode.objects.filter(
                company=company, code=code, direction="purchase", is_active=True
            ).exists()
        ):
            raise invalid("tax_code", _("%(code)r is not an active purchase VAT code") % {"code": code})
        line.tax_code = code
    elif new and not line.tax_code:
        line.tax_code = _default_tax_code(bill, line.product)
    if "account" in data:
        code = text(data["account"], "account", 20)
        if code:
            from kern.ledger.models import Account

            account = Account.objects.filter(
                company=company, code=code, is_active=True, is_group=False
            ).first()
            if account is None:
                raise invalid("account", _("there is no postable account %(code)r") % {"code": code})
        line.account = code
    if "vendor_sku" in data:
        line.vendor_sku = text(data["vendor_sku"], "vendor_sku", 60)


def _default_tax_code(bill: VendorBill, product: Product | None) -> str:
    try:
        code = tax_code_for(
            bill.company,
            tax_category=product.tax_category if product else "standard",
            party=bill.vendor,
            direction="purchase",
            product_type=product.type if product else "service",
        )
    except KernError:
        return ""
    return code.code


def _save_line(bill: VendorBill, line: BillLine, data: dict[str, Any], *, new: bool) -> BillLine:
    _line_values(bill, line, data, new=new)
    validated(line, exclude=["bill", "company", "product", "uom", "order_line"])
    line.save()
    return line


def add_bill_line(bill: VendorBill, *, by: Any = None, **data: Any) -> BillLine:
    _draft(bill)
    if bill.source == BillSource.EINVOICE:
        raise conflict(_("the lines of an e-invoice come from the vendor's file; they cannot be added to"))
    with atomic(), acting(by):
        last = bill.lines.aggregate(m=Max("position"))["m"] or 0
        line = _save_line(bill, BillLine(company=bill.company, bill=bill, position=last + 1), data, new=True)
        _recompute(bill)
    return line


def update_bill_line(line: BillLine, *, by: Any = None, **data: Any) -> BillLine:
    bill = line.bill
    _draft(bill)
    if bill.source == BillSource.EINVOICE:
        locked = set(data) - EINVOICE_LINE_FIELDS
        if locked:
            raise invalid(sorted(locked)[0], _("comes from the e-invoice and cannot be changed"))
    with atomic(), acting(by):
        _save_line(bill, line, data, new=False)
        _recompute(bill)
    return line


def remove_bill_line(line: BillLine, *, by: Any = None) -> None:
    bill = line.bill
    _draft(bill)
    if bill.source == BillSource.EINVOICE:
        raise conflict(_("the lines of an e-invoice come from the vendor's file; they cannot be removed"))
    with atomic(), acting(by):
        line.delete()
        _recompute(bill)


def _recompute(bill: VendorBill) -> None:
    """Totals of the bill. An e-invoice keeps the VAT the vendor charged; other bills get VAT per
    code on the summed lines (the ledger's rounding rule)."""
    rows = list(bill.lines.values_list("net_amount", "tax_code"))
    untaxed = sum((amount for amount, _code in rows), ZERO)
    if bill.source != BillSource.EINVOICE:
        taxed = [(amount, code) for amount, code in rows if code]
        BillTax.objects.filter(bill=bill).delete()
        taxes = []
        if taxed:
            computation = compute_taxes(bill.company, taxed, currency=bill.currency_id)
            for t in computation.taxes:
                taxes.append(
                    BillTax(
                        company_id=bill.company_id,
                        bill=bill,
                        tax_code=t.tax_code,
                        rate=t.rate,
                        base=t.base,
                        amount=ZERO if t.is_self_assessed else t.tax,
                    )
                )
        BillTax.objects.bulk_create(taxes)
        tax = sum((t.amount for t in taxes), ZERO)
        bill.untaxed_amount = untaxed
        bill.tax_amount = tax
        bill.total_amount = untaxed + tax
        bill.amount_due = bill.total_amount - bill.prepaid_amount
    else:
        bill.untaxed_amount = untaxed
    VendorBill.objects.filter(pk=bill.pk).update(
        untaxed_amount=bill.untaxed_amount,
        tax_amount=bill.tax_amount,
        total_amount=bill.total_amount,
        amount_due=bill.amount_due,
    )


# --- from an order -------------------------------------------------------------------------------


def create_bill_from_order(
    order: PurchaseOrder,
    *,
    by: Any = None,
    vendor_reference: str = "",
    bill_date: dt.date | None = None,
    quantities: dict[int, Any] | None = None,
    **fields: Any,
) -> VendorBill:
    """A draft bill for what the order may be billed for now: received minus billed (ordered minus
    billed for services), at the order's prices. `quantities` (order line id → quantity) bills
    other amounts; the three-way match judges them on approval."""
    if order.status in ("draft", "to_approve", "cancelled"):
        raise conflict(
            _("%(number)s is %(status)s; only approved orders are billed")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )
    lines = list(order.lines.select_related("product", "uom").order_by("position"))
    specs = []
    for ln in lines:
        qty = (
            quantity(quantities[ln.pk], "quantities")
            if quantities and ln.pk in quantities
            else quantity_to_bill(ln)
        )
        if quantities is not None and ln.pk not in quantities:
            continue
        if qty <= 0:
            continue
        specs.append(
            {
                "order_line": ln,
                "product": ln.product,
                "description": ln.description or ln.product.name,
                "quantity": qty,
                "uom": ln.uom,
                "unit_price": ln.net_price.quantize(Decimal("0.000001")),
                "tax_code": ln.tax_code,
            }
        )
    if not specs:
        raise conflict(
            _("%(number)s has nothing to bill: nothing was received that is not billed yet")
            % {"number": order.number},
            code=PurchasingCode.NOTHING_TO_BILL,
        )
    fields.setdefault("currency", order.currency_id)
    fields.setdefault("payment_term", order.payment_term_id)
    return create_bill(
        order.company,
        vendor=order.vendor,
        lines=specs,
        by=by,
        source=BillSource.ORDER,
        purchase_order=order,
        order_reference=order.number,
        vendor_reference=vendor_reference,
        bill_date=bill_date or timezone.localdate(),
        **fields,
    )


# --- matching and approving ----------------------------------------------------------------------


def check_bill(bill: VendorBill, *, by: Any = None) -> VendorBill:
    """Run the three-way match on a draft and keep the findings on it (shown before approving)."""
    _draft(bill)
    result = match_bill(bill)
    with atomic(), acting(by):
        VendorBill.objects.filter(pk=bill.pk).update(
            match_status=result.status, match_findings=[f.as_dict() for f in result.findings]
        )
        bill.match_status = result.status
        bill.match_findings = [f.as_dict() for f in result.findings]
    return bill


@dataclass
class _Posting:
    lines: list[LineSpec]
    payable: Decimal  # company currency, signed as the open item (a bill positive)
    payable_currency: Decimal  # document currency
    grni: dict[int, tuple[Decimal, Decimal]]  # order line id → (billed qty delta, GRNI value delta)
    line_grni: dict[int, Decimal]  # bill line id → GRNI value it debited (company currency, signed)


def _rate(bill: VendorBill) -> Decimal:
    base = bill.company.base_currency_id
    if bill.currency_id == base:
        return Decimal(1)
    return rate_on(bill.currency_id, base, bill.bill_date, company=bill.company)


def _spec(
    *, signed: Decimal, description: str, account: str = "", role: str | None = None, **extra: Any
) -> LineSpec:
    """A ledger line from a signed company-currency amount (positive: debit)."""
    return LineSpec(
        account=account,
        role=None if account else role,
        debit=signed if signed > 0 else ZERO,
        credit=-signed if signed < 0 else ZERO,
        description=description[:255],
        **extra,
    )


def _grni_target(line: OrderLine, billed_after: Decimal, unit_company: Decimal) -> Decimal:
    """What the bills of an order line should have debited to GRNI once `billed_after` is billed:
    the receipts' value in proportion (all of it when everything received is billed), and the
    order price for anything billed beyond what was received."""
    received, value = line.qty_received, line.received_value
    if received > 0 and ZERO <= billed_after <= received:
        if billed_after == received:
            return value
        return quantize(value * billed_after / received, places=2)
    if received > 0 and billed_after > received:
        return value + quantize((billed_after - received) * unit_company, places=2)
    return quantize(billed_after * unit_company, places=2)


def _posting(bill: VendorBill) -> _Posting:
    company = bill.company
    base = company.base_currency_id
    rate = _rate(bill)
    sign = bill.sign
    foreign = bill.currency_id != base

    def company_amount(amount: Decimal) -> Decimal:
        return quantize(amount * rate, base) if foreign else amount

    specs: list[LineSpec] = []
    grni: dict[int, tuple[Decimal, Decimal]] = {}
    line_grni: dict[int, Decimal] = {}
    state: dict[int, tuple[Decimal, Decimal]] = {}  # running (billed qty, GRNI value) per order line
    lines = list(
        bill.lines.select_related(
            "order_line__order", "order_line__product", "order_line__uom", "product", "uom"
        )
    )
    for ln in lines:
        net = company_amount(ln.net_amount) * sign
        label = f"{bill.vendor.name}: {ln.description}"
        ol = ln.order_line
        if ol is not None and ol.product.type == ProductType.STOCKED:
            qty = ln.quantity
            if ln.uom_id and ln.uom_id != ol.uom_id:
                qty = convert_quantity(qty, ln.uom, ol.uom, round_result=False)
            qty *= sign
            billed, debited = state.get(ol.pk, (ol.qty_billed, ol.billed_grni_value))
            unit_company = ol.net_price * (
                rate_on(ol.order.currency_id, base, bill.bill_date, company=company)
                if ol.order.currency_id != base
                else Decimal(1)
            )
            target = _grni_target(ol, billed + qty, unit_company)
            to_grni = target - debited
            state[ol.pk] = (billed + qty, target)
            line_grni[ln.pk] = to_grni
            dq, dv = grni.get(ol.pk, (ZERO, ZERO))
            grni[ol.pk] = (dq + qty, dv + to_grni)
            if to_grni:
                specs.append(
                    _spec(signed=to_grni, role="grni", description=label, tax_code=ln.tax_code or None)
                )
            rest = net - to_grni
            if rest:
                specs.append(
                    _spec(
                        signed=rest, role="price_difference", description=label, tax_code=ln.tax_code or None
                    )
                )
            continue
        if ol is not None:  # consumables and services: counted as billed, booked as cost
            qty = ln.quantity
            if ln.uom_id and ln.uom_id != ol.uom_id:
                qty = convert_quantity(qty, ln.uom, ol.uom, round_result=False)
            dq, dv = grni.get(ol.pk, (ZERO, ZERO))
            grni[ol.pk] = (dq + qty * sign, dv)
        if net:
            specs.append(
                _spec(
                    signed=net,
                    account=ln.account,
                    role="expense",
                    description=label,
                    tax_code=ln.tax_code or None,
                )
            )
    specs += _tax_lines(bill, company_amount)
    rounding = ZERO
    total_doc = bill.total_amount + bill.rounding_amount
    signed_total = sum((s.debit - s.credit for s in specs), ZERO)
    if bill.rounding_amount:
        rounding = company_amount(bill.rounding_amount) * sign
        specs.append(_spec(signed=rounding, role="rounding", description=f"{bill.vendor.name}: rounding"))
        signed_total += rounding
    payable = signed_total  # company currency, what the payable line credits
    specs.append(
        _spec(
            signed=-payable,
            role="payable",
            description=f"{bill.vendor.name} {bill.vendor_reference}".strip(),
            party_id=bill.vendor_id,
            due_date=bill.due_date,
            amount_currency=(-total_doc * sign) if foreign else None,
            currency=bill.currency_id if foreign else None,
        )
    )
    return _Posting(specs, payable, total_doc * sign, grni, line_grni)


def _tax_lines(bill: VendorBill, company_amount: Any) -> list[LineSpec]:
    """VAT lines: input VAT as the vendor charged it, reverse charge self-assessed (both sides)."""
    taxes = list(bill.taxes.all())
    sign = bill.sign
    out: list[LineSpec] = []
    coded = [t for t in taxes if t.tax_code]
    if coded:
        computation = compute_taxes(
            bill.company, [(t.base, t.tax_code) for t in coded], currency=bill.currency_id
        )
        charged = defaultdict(lambda: ZERO)
        for t in coded:
            charged[t.tax_code] += t.amount
        for t in computation.taxes:
            if t.is_self_assessed:
                amount = company_amount(t.tax) * sign
                if amount:
                    out.append(
                        _spec(signed=-amount, account=t.account, description=t.name, tax_code=t.tax_code)
                    )
                    out.append(
                        _spec(
                            signed=amount,
                            account=t.deductible_account,
                            description=t.name,
                            tax_code=t.tax_code,
                        )
                    )
                continue
            amount = company_amount(charged[t.tax_code]) * sign
            if amount and t.account:
                out.append(_spec(signed=amount, account=t.account, description=t.name, tax_code=t.tax_code))
            elif amount:
                out.append(_spec(signed=amount, role="expense", description=f"{t.name} (not deductible)"))
    for t in taxes:
        if not t.tax_code and t.amount:
            amount = company_amount(t.amount) * sign
            out.append(
                _spec(
                    signed=amount,
                    role="expense",
                    description=f"{bill.vendor.name}: VAT {t.category} {t.rate}% (not deductible)",
                )
            )
    return out


def _due_dates(bill: VendorBill) -> tuple[dt.date, dt.date | None, Decimal]:
    """(due date, discount date, discount amount) from the bill or its payment term."""
    term = bill.payment_term
    due = bill.due_date
    if due is None:
        due = bill.bill_date + dt.timedelta(days=term.net_days if term else 30)
    if term and term.discount_percent and term.discount_days:
        amount = quantize(abs(bill.total_amount) * term.discount_percent / Decimal(100), bill.currency_id)
        if 0 < amount < abs(bill.total_amount):
            return due, bill.bill_date + dt.timedelta(days=term.discount_days), amount
    return due, None, ZERO


def approve_bill(bill: VendorBill, *, by: Any) -> VendorBill:
    """Approve a draft: match it, number it, post it and register the payable (blocked when the
    match found a variance outside the tolerance)."""
    if bill.status != S.DRAFT:
        raise cannot_go(_("vendor bill %(bill)s") % {"bill": bill}, bill.status, S.APPROVED)
    if not bill.vendor_reference:
        raise invalid("vendor_reference", _("enter the vendor's bill number before approving"))
    lines = list(bill.lines.all())
    if not lines:
        raise invalid("lines", _("the bill has no lines"))
    if bill.total_amount == 0:
        raise invalid("total_amount", _("a bill of nothing cannot be approved"))
    if bill.total_amount < 0:
        raise invalid("total_amount", _("a negative bill is a credit note: change its kind"))
    _check_duplicate(bill)
    company = bill.company
    with atomic(), acting(by):
        # Lock the order lines the bill touches, in a fixed order, before reading their state.
        line_ids = sorted({ln.order_line_id for ln in lines if ln.order_line_id})
        if line_ids:
            list(OrderLine.objects.select_for_update().filter(pk__in=line_ids).order_by("pk"))
        result = match_bill(bill)
        due, discount_date, discount_amount = _due_dates(bill)
        bill.due_date = due
        kind = "purchasing.credit_note" if bill.kind == BillKind.CREDIT_NOTE else "purchasing.bill"
        number = next_number(company, kind, bill.bill_date)
        bill.number = number
        posting = _posting(bill)
        entry = post_entry(
            company=company,
            journal="purchase",
            on=bill.bill_date,
            lines=posting.lines,
            source=SourceRef(BILL_SOURCE, bill.pk, number),
            memo=f"{bill.vendor.name} {bill.vendor_reference}"[:255],
            by=by,
        )
        blocked = result.status == MatchStatus.VARIANCE
        now = timezone.now()
        transition(
            bill,
            to=S.APPROVED,
            by=by,
            fields={
                "number": number,
                "due_date": due,
                "approved_by_id": user_id(by),
                "approved_at": now,
                "entry_id": entry.pk,
                "entry_number": entry.number,
                "match_status": result.status,
                "match_findings": [f.as_dict() for f in result.findings],
                "payment_blocked": blocked,
                "block_reason": result.reason if blocked else "",
                "residual": bill.total_amount + bill.rounding_amount,
            },
            action="approve",
        )
        payments.register_open_item(
            company,
            kind="payable",
            party=bill.vendor,
            source_type=BILL_SOURCE,
            source_id=bill.pk,
            number=number,
            reference=(bill.vendor_reference or "")[:60],
            document_date=bill.bill_date,
            due_date=due,
            currency=bill.currency_id,
            amount=posting.payable_currency,
            amount_company=posting.payable,
            discount_date=discount_date,
            discount_amount=discount_amount,
            entry=entry,
            entered_by=bill.entered_by_id,
            approved_by=user_id(by),
            payment_blocked=blocked,
            block_reason=result.reason[:255] if blocked else "",
            by=by,
        )
        _apply_to_orders(bill, posting)
        emit(BILL_APPROVED, _event(bill), company=bill.company_id)
    return bill


def _apply_to_orders(bill: VendorBill, posting: _Posting) -> None:
    for line_id, value in posting.line_grni.items():
        BillLine.objects.filter(pk=line_id).update(grni_value=value)
    if not posting.grni:
        return
    from django.db.models import F

    orders = set()
    for line_id, (qty, value) in posting.grni.items():
        OrderLine.objects.filter(pk=line_id).update(
            qty_billed=F("qty_billed") + qty, billed_grni_value=F("billed_grni_value") + value
        )
    for ol in OrderLine.objects.filter(pk__in=list(posting.grni)).select_related("order"):
        orders.add(ol.order)
    from kern.purchasing.services.orders import refresh_progress

    for order in sorted(orders, key=lambda o: o.pk):
        clear_grni(order, line_ids=list(posting.grni), on=bill.bill_date)
        refresh_progress(order)


def _event(bill: VendorBill) -> BillEvent:
    return BillEvent(
        company_id=bill.company_id,
        bill_id=bill.pk,
        number=bill.number,
        vendor_id=bill.vendor_id,
        status=bill.status,
        total=str(bill.total_amount),
        currency=bill.currency_id,
    )


def clear_grni(
    order: PurchaseOrder, *, line_ids: Iterable[int], on: dt.date, by: Any = None
) -> JournalEntry | None:
    """Clear what is left on GRNI for order lines received and billed in full (the same quantity):
    rounding cents, returns valued differently, bills that came before the goods."""
    lines = [
        ln
        for ln in OrderLine.objects.filter(order=order, pk__in=list(line_ids)).select_related("product")
        if ln.product.type == ProductType.STOCKED
        and ln.qty_received == ln.qty_billed
        and ln.received_value != ln.billed_grni_value
    ]
    if not lines:
        return None
    specs = []
    for ln in lines:
        residual = ln.received_value - ln.billed_grni_value  # credit left on GRNI
        label = f"{order.number}/{ln.position}: GRNI cleared"
        specs.append(_spec(signed=residual, role="grni", description=label))
        specs.append(_spec(signed=-residual, role="price_difference", description=label))
    entry = post_entry(
        company=order.company,
        journal="purchase",
        on=on,
        lines=specs,
        source=SourceRef("purchasing.order", order.pk, order.number),
        memo=f"{order.number}: goods received not invoiced cleared",
        by=by,
    )
    for ln in lines:
        old = {"billed_grni_value": ln.billed_grni_value}
        OrderLine.objects.filter(pk=ln.pk).update(billed_grni_value=ln.received_value)
        ln.billed_grni_value = ln.received_value
        audit.record_change(ln, old, action="grni_cleared")
    return entry


def release_bill(bill: VendorBill, *, by: Any, note: str = "") -> VendorBill:
    """Approve a bill's match variance: the payable is released for payment.

    Needs the permission to approve variances, and not the person who entered the bill."""
    if by is None or not by.has_perm("purchasing.approve_bill_variance"):
        raise PermissionDenied(_("you may not approve bills outside the match tolerance"))
    if bill.match_status != MatchStatus.VARIANCE or not bill.payment_blocked:
        raise conflict(_("bill %(bill)s is not blocked by a match variance") % {"bill": bill})
    if bill.entered_by_id is not None and bill.entered_by_id == user_id(by):
        raise SegregationOfDuties(_("whoever entered a bill cannot approve its variance"))
    note = (note or "").strip()
    if not note:
        raise invalid("note", _("say why the variance is accepted"))
    with atomic(), acting(by):
        item = OpenItem.objects.filter(
            company_id=bill.company_id, source_type=BILL_SOURCE, source_id=bill.pk
        ).first()
        if item is not None:
            payments.release_open_item(item, by=by)
        old = {
            "match_status": bill.match_status,
            "payment_blocked": bill.payment_blocked,
            "variance_approved_by_id": bill.variance_approved_by_id,
        }
        fields = {
            "match_status": MatchStatus.RELEASED,
            "payment_blocked": False,
            "variance_approved_by_id": user_id(by),
            "variance_approved_at": timezone.now(),
            "variance_note": note[:255],
        }
        VendorBill.objects.filter(pk=bill.pk).update(**fields)
        for name, value in fields.items():
            setattr(bill, name, value)
        audit.record_change(bill, old, action="release")
    return bill


def cancel_bill(bill: VendorBill, *, by: Any, reason: str = "") -> VendorBill:
    """Cancel a draft, or an approved bill nothing was paid of (its entry is reversed and its
    payable offset by a cancellation item)."""
    reason = (reason or "").strip()
    if bill.status == S.DRAFT:
        with atomic(), acting(by):
            transition(bill, to=S.CANCELLED, by=by, fields={"cancel_reason": reason[:255]})
        return bill
    if bill.status != S.APPROVED:
        raise cannot_go(_("vendor bill %(bill)s") % {"bill": bill}, bill.status, S.CANCELLED)
    if not reason:
        raise invalid("reason", _("say why an approved bill is cancelled"))
    with atomic(), acting(by):
        item = (
            OpenItem.objects.select_for_update()
            .filter(company_id=bill.company_id, source_type=BILL_SOURCE, source_id=bill.pk)
            .first()
        )
        if item is not None and item.residual != item.amount:
            raise conflict(
                _("bill %(bill)s has been (partly) paid; enter a credit note instead") % {"bill": bill}
            )
        entry = JournalEntry.objects.get(pk=bill.entry_id)
        reversal = reverse_entry(
            entry, on=max(bill.bill_date, timezone.localdate()), by=by, memo=f"Cancelled: {bill.number}"
        )
        transition(
            bill,
            to=S.CANCELLED,
            by=by,
            fields={"cancel_reason": reason[:255], "reversal_entry_id": reversal.pk, "residual": ZERO},
        )
        if item is not None:
            counter = payments.register_open_item(
                bill.company,
                kind="payable",
                party=bill.vendor,
                source_type="purchasing.bill_cancellation",
                source_id=bill.pk,
                number=f"{bill.number}-X",
                document_date=reversal.date,
                due_date=reversal.date,
                currency=item.currency_id,
                amount=-item.amount,
                amount_company=-item.amount_company,
                entry=reversal,
                by=by,
            )
            payments.offset_open_items(item, counter, on=reversal.date, by=by)
        _undo_orders(bill)
        emit(BILL_CANCELLED, _event(bill), company=bill.company_id)
    return bill


def _undo_orders(bill: VendorBill) -> None:
    """Give the order lines back what the cancelled bill charged (its reversal undid the GRNI)."""
    from django.db.models import F

    from kern.purchasing.services.orders import refresh_progress

    undo: dict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for ln in bill.lines.select_related("order_line", "uom", "order_line__uom"):
        ol = ln.order_line
        if ol is None:
            continue
        qty = ln.quantity
        if ln.uom_id and ln.uom_id != ol.uom_id:
            qty = convert_quantity(qty, ln.uom, ol.uom, round_result=False)
        dq, dv = undo[ol.pk]
        undo[ol.pk] = (dq + qty * bill.sign, dv + ln.grni_value)
    for line_id, (qty, value) in undo.items():
        OrderLine.objects.filter(pk=line_id).update(
            qty_billed=F("qty_billed") - qty, billed_grni_value=F("billed_grni_value") - value
        )
    orders = {ol.order for ol in OrderLine.objects.filter(pk__in=list(undo)).select_related("order")}
    for order in sorted(orders, key=lambda o: o.pk):
        refresh_progress(order)


def record_bill_payment(event: Any) -> None:
    """payments.open_item_settled for a bill: mark it (partly) paid, or open again after a reversal."""
    payload = event.payload
    if payload.get("source_type") != BILL_SOURCE or payload.get("kind") != "payable":
        return
    bill = VendorBill.objects.filter(
        pk=payload.get("source_id"), company_id=payload.get("company_id")
    ).first()
    if bill is None or bill.status in (S.DRAFT, S.CANCELLED):
        return
    residual = abs(Decimal(payload["residual"]))
    target = {"paid": S.PAID, "partial": S.PARTLY_PAID, "open": S.APPROVED}.get(
        payload.get("status"), bill.status
    )
    if target != bill.status:
        transition(bill, to=target, fields={"residual": residual}, action="payment")
        if target == S.PAID:
            emit(BILL_PAID, _event(bill), company=bill.company_id)
    else:
        VendorBill.objects.filter(pk=bill.pk).update(residual=residual)
