"""Requests for quotation: the same lines sent to several vendors, their answers recorded and
compared line by line, and the chosen answers turned into purchase orders (one per vendor)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kern.catalog.models import Product, Uom
from kern.core.db import atomic
from kern.core.events import emit
from kern.core.models import Company
from kern.core.numbering import next_number
from kern.core.services import validated
from kern.core.workflow import transition
from kern.inventory.models import Warehouse
from kern.parties.models import Party
from kern.purchasing.events import RFQ_SENT
from kern.purchasing.exceptions import PurchasingCode
from kern.purchasing.models import (
    PurchaseOrder,
    Requisition,
    RequisitionLine,
    RequisitionLineStatus,
    RequisitionStatus,
    Rfq,
    RfqLine,
    RfqQuote,
    RfqStatus,
    RfqVendor,
    RfqVendorStatus,
)
from kern.purchasing.selectors.prices import vendor_prices_for
from kern.purchasing.selectors.rfqs import rfq_comparison
from kern.purchasing.services._common import (
    acting,
    check_currency,
    conflict,
    date_value,
    decimal,
    invalid,
    price,
    quantity,
    row_of,
    text,
    user_id,
)
from kern.purchasing.services.setup import policy_of, set_vendor_price, update_vendor_price

__all__ = [
    "add_rfq_line",
    "award_rfq",
    "cancel_rfq",
    "create_rfq",
    "create_rfq_from_requisition",
    "decline_rfq",
    "invite_vendor",
    "record_quote",
    "remove_rfq_line",
    "remove_rfq_vendor",
    "send_rfq",
]

S = RfqStatus
V = RfqVendorStatus


def _draft(rfq: Rfq) -> None:
    if rfq.status != S.DRAFT:
        raise conflict(
            _("%(number)s is %(status)s; lines and vendors change only in a draft")
            % {"number": rfq.number, "status": rfq.get_status_display().lower()},
            code=PurchasingCode.NOT_EDITABLE,
        )


def create_rfq(
    company: Company,
    *,
    by: Any = None,
    lines: Iterable[dict[str, Any]] = (),
    vendors: Iterable[Any] = (),
    deadline: Any = None,
    required_date: Any = None,
    currency: Any = None,
    warehouse: Any = None,
    notes: str = "",
    requisition: Requisition | None = None,
) -> Rfq:
    today = timezone.localdate()
    rfq = Rfq(
        company=company,
        number="pending",
        deadline=date_value(deadline, "deadline")
        or today + dt.timedelta(days=policy_of(company).rfq_validity_days),
        required_date=date_value(required_date, "required_date"),
        currency_id=check_currency(currency or company.base_currency_id),
        warehouse_id=row_of(Warehouse, company, warehouse, "warehouse").pk
        if warehouse not in (None, "")
        else None,
        notes=text(notes, "notes", 5000),
        requisition=requisition,
        created_by_id=user_id(by),
    )
    with atomic(), acting(by):
        rfq.number = next_number(company, "purchasing.rfq", today)
        rfq.save()
        for data in lines:
            _save_line(rfq, RfqLine(company=company, rfq=rfq, position=_next_position(rfq)), data, new=True)
        for vendor in vendors:
            invite_vendor(rfq, vendor=vendor, by=by)
    return rfq


def _next_position(rfq: Rfq) -> int:
    return (rfq.lines.aggregate(m=Max("position"))["m"] or 0) + 1


def _save_line(rfq: Rfq, line: RfqLine, data: dict[str, Any], *, new: bool) -> RfqLine:
    allowed = {"product", "quantity", "uom", "description", "required_date"}
    unknown = set(data) - allowed
    if unknown:
        raise invalid(sorted(unknown)[0], _("unknown field"))
    product = row_of(Product, rfq.company, data.get("product"), "product")
    if product is None:
        raise invalid("product", _("a product is required"))
    line.product = product
    uom = data.get("uom")
    if uom in (None, ""):
        line.uom = product.uom
    else:
        found = (
            Uom.objects.filter(pk=getattr(uom, "pk", uom)).first()
            if str(getattr(uom, "pk", uom)).isdigit()
            else Uom.objects.filter(code=str(uom)).first()
        )
        if found is None or found.category_id != product.uom.category_id:
            raise invalid("uom", _("%(uom)s is not a unit of %(sku)s") % {"uom": uom, "sku": product.sku})
        line.uom = found
    line.quantity = quantity(data.get("quantity"))
    line.description = text(data.get("description") or product.name, "description", 255)
    line.required_date = date_value(data.get("required_date"), "required_date") or rfq.required_date
    validated(line, exclude=["rfq", "company", "product", "uom"])
    line.save()
    return line


def add_rfq_line(rfq: Rfq, *, by: Any = None, **data: Any) -> RfqLine:
    _draft(rfq)
    with atomic(), acting(by):
        return _save_line(
            rfq, RfqLine(company=rfq.company, rfq=rfq, position=_next_position(rfq)), data, new=True
        )


def remove_rfq_line(line: RfqLine, *, by: Any = None) -> None:
    _draft(line.rfq)
    with atomic(), acting(by):
        line.delete()


def invite_vendor(rfq: Rfq, *, vendor: Any, email: str = "", by: Any = None) -> RfqVendor:
    if rfq.status not in (S.DRAFT, S.SENT):
        raise conflict(
            _("%(number)s is %(status)s") % {"number": rfq.number, "status": rfq.get_status_display().lower()}
        )
    party = row_of(Party, rfq.company, vendor, "vendor")
    if party is None or not party.is_vendor:
        raise invalid("vendor", _("choose a party that is a vendor"))
    if RfqVendor.objects.filter(rfq=rfq, vendor=party).exists():
        raise invalid("vendor", _("%(party)s is already invited") % {"party": party})
    invitation = RfqVendor(company=rfq.company, rfq=rfq, vendor=party, email=(email or party.email)[:254])
    validated(invitation, exclude=["rfq", "company", "vendor", "currency", "order"])
    with atomic(), acting(by):
        invitation.save()
    return invitation


def remove_rfq_vendor(invitation: RfqVendor, *, by: Any = None) -> None:
    _draft(invitation.rfq)
    with atomic(), acting(by):
        invitation.delete()


def send_rfq(rfq: Rfq, *, by: Any = None) -> Rfq:
    """Send the RFQ to every invited vendor (e-mailed after commit, to those with an address)."""
    if not rfq.lines.exists():
        raise invalid("lines", _("%(number)s has no lines") % {"number": rfq.number})
    invited = list(rfq.vendors.select_related("vendor"))
    if not invited:
        raise invalid("vendors", _("invite at least one vendor to %(number)s") % {"number": rfq.number})
    with atomic(), acting(by):
        transition(rfq, to=S.SENT, by=by, fields={"sent_at": timezone.now()})
        emit(
            RFQ_SENT,
            {
                "company_id": rfq.company_id,
                "rfq_id": rfq.pk,
                "number": rfq.number,
                "invitations": [{"id": i.pk, "email": i.email} for i in invited if i.email],
            },
            company=rfq.company_id,
        )
    return rfq


def record_quote(
    invitation: RfqVendor,
    *,
    prices: Iterable[dict[str, Any]],
    vendor_reference: str = "",
    valid_until: Any = None,
    currency: Any = None,
    notes: str = "",
    by: Any = None,
) -> RfqVendor:
    """Record (or replace) a vendor's answer: per RFQ line a unit price, and optionally the quantity
    offered and the lead time. Lines the vendor does not quote are left out."""
    rfq = invitation.rfq
    if rfq.status != S.SENT:
        raise conflict(
            _("%(number)s is %(status)s; answers are recorded once it is sent")
            % {"number": rfq.number, "status": rfq.get_status_display().lower()}
        )
    lines = {ln.pk: ln for ln in rfq.lines.all()}
    quotes = []
    seen = set()
    for index, item in enumerate(prices):
        line_ref = item.get("line")
        line = lines.get(getattr(line_ref, "pk", line_ref))
        if line is None:
            raise invalid(f"prices[{index}].line", _("not a line of %(number)s") % {"number": rfq.number})
        if line.pk in seen:
            raise invalid(f"prices[{index}].line", _("quoted twice"))
        seen.add(line.pk)
        days = decimal(item.get("lead_time_days") or 0, f"prices[{index}].lead_time_days")
        if days != days.to_integral_value() or days > 3650:
            raise invalid(f"prices[{index}].lead_time_days", _("whole days, at most 3650"))
        quotes.append(
            RfqQuote(
                company_id=rfq.company_id,
                rfq_vendor=invitation,
                line=line,
                unit_price=price(item.get("unit_price"), f"prices[{index}].unit_price"),
                quantity=quantity(item.get("quantity") or line.quantity, f"prices[{index}].quantity"),
                lead_time_days=int(days),
                note=text(item.get("note"), f"prices[{index}].note", 255),
            )
        )
    if not quotes:
        raise invalid("prices", _("quote at least one line"))
    with atomic(), acting(by):
        RfqQuote.objects.filter(rfq_vendor=invitation).delete()
        RfqQuote.objects.bulk_create(quotes)
        from kern.core import audit

        audit.record_created(quotes)
        invitation.status = V.ANSWERED
        invitation.vendor_reference = text(vendor_reference, "vendor_reference", 60)
        invitation.valid_until = date_value(valid_until, "valid_until")
        invitation.currency_id = check_currency(currency or rfq.currency_id)
        invitation.notes = text(notes, "notes", 5000)
        invitation.answered_at = timezone.now()
        invitation.save()
    return invitation


def decline_rfq(invitation: RfqVendor, *, by: Any = None, notes: str = "") -> RfqVendor:
    """The vendor does not quote."""
    if invitation.rfq.status != S.SENT:
        raise conflict(_("%(number)s is not waiting for answers") % {"number": invitation.rfq.number})
    with atomic(), acting(by):
        RfqQuote.objects.filter(rfq_vendor=invitation).delete()
        invitation.status = V.DECLINED
        invitation.notes = text(notes, "notes", 5000)
        invitation.answered_at = timezone.now()
        invitation.save()
    return invitation


def award_rfq(
    rfq: Rfq,
    *,
    by: Any = None,
    vendor: Any = None,
    choices: dict[int, Any] | None = None,
    record_prices: bool = True,
) -> list[PurchaseOrder]:
    """Turn the chosen answers into draft purchase orders, one per vendor.

    `vendor` (an invitation or its vendor) takes one vendor's answer for every line it quoted;
    `choices` (RFQ line id → invitation) picks per line; with neither, each line goes to its best
    answer (the comparison's choice: lowest price in the company currency, then lead time).
    With `record_prices` the awarded prices are added to the vendors' price lists.
    """
    from kern.purchasing.services.orders import create_order

    if rfq.status != S.SENT:
        raise conflict(
            _("%(number)s is %(status)s; only a sent RFQ is awarded")
            % {"number": rfq.number, "status": rfq.get_status_display().lower()}
        )
    invitations = {i.pk: i for i in rfq.vendors.select_related("vendor")}
    by_vendor_id = {i.vendor_id: i for i in invitations.values()}
    quotes = {(q.rfq_vendor_id, q.line_id): q for q in RfqQuote.objects.filter(rfq_vendor__rfq=rfq)}
    lines = list(rfq.lines.select_related("product", "uom").order_by("position"))
    chosen: dict[int, RfqVendor] = {}
    if vendor is not None:
        ref = getattr(vendor, "pk", vendor)
        invitation = (
            invitations.get(ref)
            if isinstance(vendor, RfqVendor)
            else by_vendor_id.get(ref) or invitations.get(ref)
        )
        if invitation is None:
            raise invalid("vendor", _("not invited to %(number)s") % {"number": rfq.number})
        for line in lines:
            if (invitation.pk, line.pk) in quotes:
                chosen[line.pk] = invitation
        if not chosen:
            raise invalid("vendor", _("%(vendor)s did not quote") % {"vendor": invitation.vendor})
    elif choices:
        for line_id, ref in choices.items():
            ref = getattr(ref, "pk", ref)
            invitation = invitations.get(ref) or by_vendor_id.get(ref)
            if invitation is None:
                raise invalid("choices", _("line %(line)s: that vendor is not invited") % {"line": line_id})
            if (invitation.pk, int(line_id)) not in quotes:
                raise invalid(
                    "choices",
                    _("line %(line)s: %(vendor)s did not quote it")
                    % {"line": line_id, "vendor": invitation.vendor},
                )
            chosen[int(line_id)] = invitation
    else:
        comparison = rfq_comparison(rfq)
        for row in comparison.lines:
            if row.best is not None:
                chosen[row.line.pk] = invitations[row.best.invitation_id]
        if not chosen:
            raise conflict(_("no vendor has quoted on %(number)s") % {"number": rfq.number})
    groups: dict[int, list[RfqLine]] = defaultdict(list)
    for line in lines:
        if line.pk in chosen:
            groups[chosen[line.pk].pk].append(line)
    orders = []
    today = timezone.localdate()
    with atomic(), acting(by):
        for invitation_id in sorted(groups):
            invitation = invitations[invitation_id]
            group = groups[invitation_id]
            order_lines = []
            for line in group:
                quote = quotes[(invitation_id, line.pk)]
                quote.awarded = True
                quote.save(update_fields=["awarded"])
                order_lines.append(
                    {
                        "product": line.product,
                        "quantity": quote.quantity,
                        "uom": line.uom,
                        "unit_price": quote.unit_price,
                        "description": line.description,
                        "expected_date": today + dt.timedelta(days=quote.lead_time_days),
                    }
                )
                if record_prices:
                    _record_price(rfq, invitation, line, quote, by=by)
            order = create_order(
                rfq.company,
                vendor=invitation.vendor,
                currency=invitation.currency_id or rfq.currency_id,
                warehouse=rfq.warehouse_id,
                vendor_reference=invitation.vendor_reference,
                rfq=rfq,
                lines=order_lines,
                by=by,
            )
            RfqVendor.objects.filter(pk=invitation.pk).update(status=V.AWARDED, order=order)
            for line, order_line in zip(group, order.lines.order_by("position"), strict=True):
                RequisitionLine.objects.filter(rfq_line=line, status=RequisitionLineStatus.RFQ).update(
                    status=RequisitionLineStatus.ORDERED, order_line=order_line
                )
            orders.append(order)
        RfqVendor.objects.filter(rfq=rfq).exclude(pk__in=list(groups)).exclude(status=V.DECLINED).update(
            status=V.LOST
        )
        transition(rfq, to=S.AWARDED, by=by)
        if rfq.requisition_id:
            from kern.purchasing.services.requisitions import finish_if_done

            finish_if_done(rfq.requisition, by=by)
    return orders


def _record_price(rfq: Rfq, invitation: RfqVendor, line: RfqLine, quote: RfqQuote, *, by: Any) -> None:
    """Put the awarded price in the vendor's terms (per the product's unit, from quantity 0): the
    vendor's current price from 0 in that currency ends yesterday, the new one starts today."""
    product = line.product
    unit_price = quote.unit_price
    if line.uom_id != product.uom_id:
        unit_price = unit_price * product.uom.factor / line.uom.factor
    unit_price = unit_price.quantize(Decimal("0.000001"))
    currency = invitation.currency_id or rfq.currency_id
    today = timezone.localdate()
    current = (
        vendor_prices_for(rfq.company, product, on=today, vendor=invitation.vendor_id)
        .filter(currency_id=currency, min_quantity=0)
        .first()
    )
    if current is not None:
        if current.unit_price == unit_price and current.lead_time_days == quote.lead_time_days:
            return
        if current.valid_from == today:
            update_vendor_price(current, by=by, unit_price=unit_price, lead_time_days=quote.lead_time_days)
            return
        update_vendor_price(current, by=by, valid_to=today - dt.timedelta(days=1))
    set_vendor_price(
        rfq.company,
        by=by,
        vendor=invitation.vendor_id,
        product=product,
        currency=currency,
        min_quantity=0,
        unit_price=unit_price,
        lead_time_days=quote.lead_time_days,
        valid_from=today,
        valid_to=invitation.valid_until
        if invitation.valid_until and invitation.valid_until >= today
        else None,
    )


def cancel_rfq(rfq: Rfq, *, by: Any = None) -> Rfq:
    with atomic(), acting(by):
        transition(rfq, to=S.CANCELLED, by=by)
        RequisitionLine.objects.filter(rfq_line__rfq=rfq, status=RequisitionLineStatus.RFQ).update(
            status=RequisitionLineStatus.OPEN, rfq_line=None
        )
    return rfq


def create_rfq_from_requisition(
    requisition: Requisition, *, vendors: Iterable[Any], by: Any = None, deadline: Any = None
) -> Rfq:
    """An RFQ with the requisition's open lines, to the given vendors."""
    if requisition.status != RequisitionStatus.APPROVED:
        raise conflict(
            _("%(number)s is %(status)s; approve it first")
            % {"number": requisition.number, "status": requisition.get_status_display().lower()}
        )
    lines = list(requisition.lines.filter(status=RequisitionLineStatus.OPEN).select_related("product", "uom"))
    if not lines:
        raise conflict(_("%(number)s has no open lines") % {"number": requisition.number})
    with atomic(), acting(by):
        rfq = create_rfq(
            requisition.company,
            by=by,
            vendors=vendors,
            deadline=deadline,
            required_date=requisition.required_date,
            warehouse=requisition.warehouse_id,
            requisition=requisition,
        )
        for ln in lines:
            rfq_line = _save_line(
                rfq,
                RfqLine(company=rfq.company, rfq=rfq, position=_next_position(rfq)),
                {
                    "product": ln.product,
                    "quantity": ln.quantity,
                    "uom": ln.uom,
                    "description": ln.description,
                    "required_date": ln.required_date,
                },
                new=True,
            )
            RequisitionLine.objects.filter(pk=ln.pk).update(
                status=RequisitionLineStatus.RFQ, rfq_line=rfq_line
            )
    return rfq
