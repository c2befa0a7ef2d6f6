"""Helpers every purchasing service shares: who acts, typed refusals, amounts, references."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kern.core import context
from kern.core.exceptions import InvalidTransition, ValidationFailed
from kern.core.money import InvalidAmount, minor_units, quantize, to_decimal
from kern.core.selectors import convert
from kern.purchasing.exceptions import PurchasingCode, PurchasingConflict, PurchasingInvalid

ZERO = Decimal("0")
HUNDRED = Decimal("100")
QTY_STEP = Decimal("0.0001")
PRICE_STEP = Decimal("0.000001")
MAX_AMOUNT = Decimal("1e15")


def acting(by: Any):
    return context.acting(by) if by is not None else nullcontext()


def user_id(by: Any) -> int | None:
    if by is None:
        return context.current().user_id
    return getattr(by, "pk", by)


def invalid(
    field: str, message: str, *, code: str = PurchasingCode.INVALID, **extra: Any
) -> PurchasingInvalid:
    return PurchasingInvalid(f"{field}: {message}", code=code, errors={field: [message]}, **extra)


def conflict(message: str, *, code: str = PurchasingCode.CONFLICT, **extra: Any) -> PurchasingConflict:
    return PurchasingConflict(message, code=code, **extra)


def cannot_go(document: str, current: str, requested: str) -> InvalidTransition:
    """The refusal of a status change the document's state does not allow, worded in the
    user's language (`document` names it, e.g. "purchase order PO-2026-0001")."""
    return InvalidTransition(
        current,
        requested,
        document=document,
        message=_("%(document)s cannot go from '%(current)s' to '%(requested)s'")
        % {"document": document, "current": current, "requested": requested},
    )


def decimal(value: Any, field: str, *, minimum: Decimal | None = ZERO, positive: bool = False) -> Decimal:
    """A Decimal from user input, with a clear 422 for anything else (floats included)."""
    if value is None or value == "":
        raise invalid(field, _("a number is required"))
    try:
        number = to_decimal(value if not isinstance(value, float) else str(value))
    except InvalidAmount:
        raise invalid(field, _("not a number: %(value)r") % {"value": value}) from None
    if abs(number) >= MAX_AMOUNT:
        raise invalid(field, _("is too large"))
    if positive and number <= 0:
        raise invalid(field, _("must be more than zero"))
    if minimum is not None and number < minimum:
        raise invalid(field, _("must be at least %(minimum)s") % {"minimum": minimum})
    return number + ZERO


def quantity(value: Any, field: str = "quantity", *, positive: bool = True) -> Decimal:
    number = decimal(value, field, minimum=None if not positive else ZERO, positive=positive)
    if number.quantize(QTY_STEP, rounding=ROUND_HALF_UP) != number:
        raise invalid(field, _("has more than four decimals"))
    return number


def price(value: Any, field: str = "unit_price") -> Decimal:
    number = decimal(value, field)
    if number.quantize(PRICE_STEP, rounding=ROUND_HALF_UP) != number:
        raise invalid(field, _("has more than six decimals"))
    return number


def money(value: Any, currency: str, field: str, *, minimum: Decimal | None = None) -> Decimal:
    number = decimal(value, field, minimum=minimum)
    if quantize(number, currency) != number:
        raise invalid(
            field,
            _("has more decimals than %(currency)s allows (%(places)s)")
            % {"currency": currency, "places": minor_units(currency)},
        )
    return number


def to_company(company: Any, amount: Decimal, currency: str, on: dt.date) -> Decimal:
    """`amount` in the company currency at the rate of `on` (422 naming the missing rate)."""
    base = company.base_currency_id
    if currency == base:
        return quantize(amount, base)
    return convert(amount, currency, base, on, company=company)


def date_value(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise invalid(field, _("not a date: %(value)r") % {"value": value}) from None


def row_of(model: type, company: Any, value: Any, field: str, **filters: Any) -> Any:
    """The company's row `value` (an instance or a primary key) of `model`, or a 422 on `field`."""
    if value is None or value == "":
        return None
    pk = getattr(value, "pk", value)
    try:
        found = model._default_manager.filter(company_id=company.pk, pk=pk, **filters).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise invalid(
            field, _("unknown %(model)s %(value)r") % {"model": model._meta.verbose_name, "value": pk}
        )
    return found


def check_currency(code: Any, field: str = "currency") -> str:
    from kern.core.models import Currency

    text = str(getattr(code, "code", code) or "").upper()
    if not Currency.objects.filter(code=text, is_active=True).exists():
        raise invalid(field, _("unknown currency %(currency)r") % {"currency": text})
    return text


def text(value: Any, field: str, max_length: int) -> str:
    result = str(value or "").strip()
    if len(result) > max_length:
        raise invalid(
            field,
            ngettext("at most %(count)s character", "at most %(count)s characters", max_length)
            % {"count": max_length},
        )
    return result


def require(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise invalid(field, message)


__all__ = [
    "HUNDRED",
    "ZERO",
    "ValidationFailed",
    "acting",
    "cannot_go",
    "check_currency",
    "conflict",
    "date_value",
    "decimal",
    "invalid",
    "money",
    "price",
    "quantity",
    "require",
    "row_of",
    "text",
    "to_company",
    "user_id",
]
