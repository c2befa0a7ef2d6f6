"""Reads of core records: companies a user may act for, exchange rates, roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from kern.core.exceptions import NotFound, ValidationFailed
from kern.core.models import ApiToken, Attachment, Comment, Company, Currency, ExchangeRate, Membership
from kern.core.money import quantize

__all__ = [
    "MissingExchangeRate",
    "attachments_on",
    "comments_on",
    "companies_of",
    "convert",
    "currency_exists",
    "default_company_of",
    "get_company_for",
    "is_member",
    "rate_on",
    "roles_of",
    "token_by_secret",
]


class MissingExchangeRate(ValidationFailed):
    code = "missing_exchange_rate"
    title = "No exchange rate"


def companies_of(user: Any) -> QuerySet[Company]:
    if not getattr(user, "is_authenticated", False):
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user, is_active=True).order_by("name")


def is_member(user: Any, company: Any) -> bool:
    company_id = getattr(company, "pk", company)
    return Membership.objects.filter(user=user, company_id=company_id, company__is_active=True).exists()


def default_company_of(user: Any) -> Company | None:
    membership = (
        Membership.objects.filter(user=user, company__is_active=True)
        .select_related("company")
        .order_by("-is_default", "company__name")
        .first()
    )
    return membership.company if membership else None


def get_company_for(user: Any, company_id: int) -> Company:
    """The company if `user` belongs to it; NotFound otherwise (never reveal that it exists)."""
    company = companies_of(user).filter(pk=company_id).first()
    if company is None:
        raise NotFound("company not found")
    return company


def roles_of(user: Any) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def currency_exists(code: str) -> bool:
    return Currency.objects.filter(code=code, is_active=True).exists()


def _latest(base: str, currency: str, on: dt.date, company_id: int | None) -> Decimal | None:
    rows = ExchangeRate.objects.filter(base_id=base, currency_id=currency, rate_date__lte=on)
    scope = Q(company__isnull=True) | Q(company_id=company_id) if company_id else Q(company__isnull=True)
    latest = list(
        rows.filter(scope).order_by("-rate_date").values_list("rate_date", "rate", "company_id")[:2]
    )
    if not latest:
        return None
    # The most recent date wins; on the same date a company's own rate beats the shared one.
    for rate_date, rate, owner in latest:
        if rate_date == latest[0][0] and owner is not None:
            return rate
    return latest[0][1]


def rate_on(from_currency: str, to_currency: str, on: dt.date, *, company: Any = None) -> Decimal:
    """How many `to_currency` one `from_currency` buys on `on` (latest rate at or before it)."""
    if from_currency == to_currency:
        return Decimal(1)
    company_id = getattr(company, "pk", company)
    direct = _latest(from_currency, to_currency, on, company_id)
    if direct is not None:
        return direct
    inverse = _latest(to_currency, from_currency, on, company_id)
    if inverse is not None:
        return Decimal(1) / inverse
    for pivot in ("EUR", "USD"):
        a = _latest(pivot, from_currency, on, company_id)
        b = _latest(pivot, to_currency, on, company_id)
        if a is not None and b is not None:
            return b / a
    raise MissingExchangeRate(
        f"no exchange rate from {from_currency} to {to_currency} on or before {on.isoformat()}",
        errors={"currency": [f"no rate {from_currency}->{to_currency} on {on.isoformat()}"]},
    )


def convert(
    amount: Decimal, from_currency: str, to_currency: str, on: dt.date, *, company: Any = None
) -> Decimal:
    return quantize(amount * rate_on(from_currency, to_currency, on, company=company), to_currency)


def token_by_secret(secret: str) -> ApiToken | None:
    from kern.core.tokens import hash_secret

    token = ApiToken.objects.select_related("user", "company").filter(key_hash=hash_secret(secret)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    return token


def _owner_of(target: Any) -> int | None:
    if target._meta.label == "core.Company":
        return target.pk
    return getattr(target, "company_id", None)


def comments_on(target: Any) -> QuerySet[Comment]:
    """The comments on a record, newest first, within the record's company."""
    company_id = _owner_of(target)
    if company_id is None:
        return Comment.objects.none()
    return Comment.objects.filter(
        company_id=company_id, target_model=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("author")


def attachments_on(target: Any) -> QuerySet[Attachment]:
    company_id = _owner_of(target)
    if company_id is None:
        return Attachment.objects.none()
    return Attachment.objects.filter(
        company_id=company_id, target_model=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("uploaded_by")
