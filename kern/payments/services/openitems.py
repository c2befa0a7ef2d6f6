"""The subledger's entry door: sales and purchasing register what is owed, in the transaction that
posts the invoice or bill, with exactly one INSERT (the O2C benchmark counts statements)."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kern.core import audit, context
from kern.core.db import atomic
from kern.core.money import InvalidAmount, UnknownCurrency, minor_units, quantize, to_decimal
from kern.core.rows import save_new
from kern.core.selectors import convert
from kern.payments.exceptions import PaymentsCode, PaymentsConflict, PaymentsInvalid
from kern.payments.models import OpenItem, OpenItemKind, OpenItemStatus

__all__ = [
    "ZERO",
    "block_open_item",
    "register_open_item",
    "release_open_item",
]

ZERO = Decimal("0")
# The choices' values as a set: Django's `Choices.values` builds a new list at every call.
_KINDS = frozenset(OpenItemKind.values)


def acting(by: Any):
    return context.acting(by) if by is not None else nullcontext()


def invalid(field: str, message: str, code: str = PaymentsCode.INVALID) -> PaymentsInvalid:
    return PaymentsInvalid(f"{field}: {message}", code=code, errors={field: [message]})


def money(value: Any, currency: str, field: str) -> Decimal:
    """A Decimal with no more decimals than the currency allows (422 otherwise)."""
    try:
        amount = to_decimal(value)
    except InvalidAmount as exc:
        raise invalid(field, str(exc)) from None
    try:
        places = minor_units(currency)
    except UnknownCurrency:
        raise invalid("currency", _("unknown currency %(currency)r") % {"currency": currency}) from None
    if quantize(amount, places=places) != amount:
        raise invalid(
            field,
            _("has more decimals than %(currency)s allows (%(places)s)")
            % {"currency": currency, "places": places},
        )
    if abs(amount) >= Decimal("1e17"):
        raise invalid(field, _("is too large"))
    return amount + ZERO


def _id(value: Any) -> int | None:
    if value is None:
        return None
    return getattr(value, "pk", value)


def register_open_item(
    company: Any,
    *,
    kind: str,
    party: Any,
    source_type: str,
    source_id: int | None,
    number: str,
    document_date: dt.date,
    due_date: dt.date | None = None,
    currency: str | None = None,
    amount: Decimal,
    amount_company: Decimal | None = None,
    discount_date: dt.date | None = None,
    discount_amount: Decimal = ZERO,
    reference: str = "",
    entry: Any = None,
    entered_by: Any = None,
    approved_by: Any = None,
    payment_blocked: bool = False,
    block_reason: str = "",
    by: Any = None,
) -> OpenItem:
    """Record what `party` owes (receivable) or is owed (payable) for a posted document.

    Call it in the same transaction as the ledger posting of the receivable/payable line, with
    the same company-currency amount, so the subledger always agrees with the ledger. Credit
    notes have a negative `amount`. `entered_by` / `approved_by` (users or ids) are who entered
    and approved a vendor bill: they may not approve its payment (segregation of duties).
    One INSERT: nothing is read.
    """
    base = company.base_currency_id
    currency = (currency or base).upper()
    if kind not in _KINDS:
        raise invalid("kind", _("must be one of %(choices)s") % {"choices": ", ".join(OpenItemKind.values)})
    if not source_type or len(source_type) > 40:
        raise invalid("source_type", _("a source type of at most 40 characters is required"))
    if not number or len(number) > 60:
        raise invalid("number", _("a document number of at most 60 characters is required"))
    if len(reference or "") > 60:
        raise invalid("reference", _("at most 60 characters"))
    if not isinstance(document_date, dt.date):
        raise invalid("document_date", _("a date is required"))
    due_date = due_date or document_date
    amount = money(amount, currency, "amount")
    if amount == 0:
        raise invalid("amount", _("must not be zero"))
    if amount_company is None:
        amount_company = (
            amount if currency == base else convert(amount, currency, base, document_date, company=company)
        )
    amount_company = money(amount_company, base, "amount_company")
    if amount_company and (amount_company > 0) != (amount > 0):
        raise invalid("amount_company", _("must have the same sign as amount"))
    discount_amount = money(discount_amount or ZERO, currency, "discount_amount")
    if discount_amount < 0 or discount_amount >= abs(amount):
        raise invalid("discount_amount", _("must be at least 0 and less than the amount"))
    if discount_amount and discount_date is None:
        raise invalid("discount_date", _("an early-payment discount needs the date until which it applies"))
    item = OpenItem(
        company_id=company.pk,
        party_id=_id(party),
        kind=kind,
        source_type=source_type,
        source_id=source_id,
        number=number,
        reference=reference or "",
        document_date=document_date,
        due_date=due_date,
        discount_date=discount_date if discount_amount else None,
        discount_amount=discount_amount,
        currency_id=currency,
        amount=amount,
        amount_company=amount_company,
        residual=amount,
        residual_company=amount_company,
        status=OpenItemStatus.OPEN,
        entry_id=_id(entry),
        entered_by_id=_id(entered_by),
        approved_by_id=_id(approved_by),
        payment_blocked=bool(payment_blocked),
        block_reason=(block_reason or "")[:255],
    )
    with atomic(), acting(by):
        save_new(item)
    return item


def block_open_item(item: OpenItem, *, reason: str, by: Any = None) -> OpenItem:
    """Hold an item back from payment (a bill outside the three-way-match tolerance)."""
    if not reason or not reason.strip():
        raise invalid("reason", _("say why the item is blocked"))
    return _set_block(item, True, reason.strip()[:255], by)


def release_open_item(item: OpenItem, *, approved_by: Any = None, by: Any = None) -> OpenItem:
    """Let a blocked item be paid again; `approved_by` is recorded for segregation of duties."""
    updated = _set_block(item, False, "", by, approved_by=approved_by)
    return updated


def _set_block(item: OpenItem, blocked: bool, reason: str, by: Any, *, approved_by: Any = None) -> OpenItem:
    if item.residual == 0 and blocked:
        raise PaymentsConflict(
            _("open item %(number)s is settled; there is nothing to block") % {"number": item.number}
        )
    old = {"payment_blocked": item.payment_blocked, "block_reason": item.block_reason}
    fields: dict[str, Any] = {"payment_blocked": blocked, "block_reason": reason}
    if approved_by is not None:
        old["approved_by_id"] = item.approved_by_id
        fields["approved_by_id"] = _id(approved_by)
    with atomic(), acting(by):
        OpenItem.objects.filter(pk=item.pk).update(**fields)
        for name, value in fields.items():
            setattr(item, name, value)
        audit.record_change(item, old)
    return item
