"""Helpers shared by the sales services: who acts, resolving references, writing lines in bulk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kern.core import audit, context
from kern.core.exceptions import ValidationFailed
from kern.core.models import Currency
from kern.core.rows import (
    RowsUpdate,
    insert_rows,  # noqa: F401 -- the sales services' import of it
    rows_update,
)
from kern.parties.models import ContactPerson, Party, PaymentTerm
from kern.sales.exceptions import SalesConflict, SalesInvalid
from kern.sales.models import SalesTeam

ZERO = Decimal("0")


def acting(by: Any):
    return context.acting(by) if by is not None else nullcontext()


def user_id(by: Any) -> int | None:
    return getattr(by, "pk", None) or context.current().user_id


def company_id(obj: Any) -> int:
    return getattr(obj, "pk", obj)


def as_date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed.on(name, _("not a date (YYYY-MM-DD)")) from None


def customer_of(company: Any, customer: Any, *, name: str = "customer") -> Party:
    if isinstance(customer, Party):
        if customer.company_id != company.pk:
            raise ValidationFailed.on(name, _("unknown customer"))
        party = customer
    else:
        if customer in (None, "") or not str(customer).isdigit():
            raise ValidationFailed.on(name, _("choose a customer"))
        party = Party.objects.filter(company_id=company.pk, pk=int(customer)).first()
        if party is None:
            raise ValidationFailed.on(name, _("unknown customer"))
    if not party.is_active:
        raise ValidationFailed.on(name, _("%(name)s is archived") % {"name": party.name})
    if not (party.is_customer or party.is_prospect):
        raise ValidationFailed.on(name, _("%(name)s is not a customer") % {"name": party.name})
    return party


def _row(model: type[Model], company: Any, value: Any, name: str, **filters: Any) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, model):
        if getattr(value, "company_id", company.pk) != company.pk:
            raise ValidationFailed.on(name, _("unknown"))
        return value
    pk = getattr(value, "pk", value)
    if not str(pk).isdigit():
        raise ValidationFailed.on(name, _("unknown"))
    found = model.objects.filter(company_id=company.pk, pk=int(pk), **filters).first()
    if found is None:
        raise ValidationFailed.on(name, _("unknown"))
    return found


def payment_term_of(company: Any, value: Any) -> PaymentTerm | None:
    return _row(PaymentTerm, company, value, "payment_term")


def team_of(company: Any, value: Any) -> SalesTeam | None:
    return _row(SalesTeam, company, value, "team")


def contact_of(company: Any, customer: Party, value: Any) -> ContactPerson | None:
    return _row(ContactPerson, company, value, "contact", party_id=customer.pk)


def user_of(company: Any, value: Any, name: str = "sales_rep") -> Any:
    if value in (None, ""):
        return None
    user_model = get_user_model()
    if isinstance(value, user_model):
        return value
    if not str(getattr(value, "pk", value)).isdigit():
        raise ValidationFailed.on(name, _("unknown user"))
    found = user_model.objects.filter(
        pk=int(getattr(value, "pk", value)), memberships__company_id=company.pk
    ).first()
    if found is None:
        raise ValidationFailed.on(name, _("not a user of this company"))
    return found


def default_team(company: Any, user: Any) -> SalesTeam | None:
    """The first active team the user belongs to or manages (remembered on the user object,
    which lives as long as the request or command that acts)."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    remembered = user.__dict__.setdefault("_kern_sales_teams", {})
    if company.pk not in remembered:
        remembered[company.pk] = (
            SalesTeam.objects.filter(company_id=company.pk, is_active=True)
            .filter(Q(members=user) | Q(manager=user))
            .order_by("id")
            .first()
        )
    return remembered[company.pk]


def related(obj: Any, name: str) -> dict[str, Any]:
    """`{name: object}` when the relation is already loaded, else `{name_id: id}` — so copying a
    customer's payment term onto a document does not read it."""
    cached = obj._state.fields_cache.get(name)
    if cached is not None:
        return {name: cached}
    return {f"{name}_id": getattr(obj, f"{name}_id")}


def currency_of(value: Any, default: str) -> str:
    code = str(value or default).upper()
    if code != default and not Currency.objects.filter(code=code, is_active=True).exists():
        raise ValidationFailed.on("currency", _("unknown currency %(currency)r") % {"currency": code})
    return code


def qty(value: Decimal) -> str:
    """A quantity as people write it: 3, 2.5 (not 3.0000 or 1E+1)."""
    text = format(Decimal(value).normalize(), "f")
    return text if text != "-0" else "0"


def at_most(count: int) -> str:
    """'at most 80 characters' in the user's language (call it only when refusing)."""
    return ngettext("at most %(count)s character", "at most %(count)s characters", count) % {"count": count}


def refuse(message: str, code: str, **context_: Any) -> SalesConflict:
    return SalesConflict(message, code=code, **context_)


def only(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        message = _("cannot be set here")
        raise SalesInvalid(f"{unknown[0]}: {message}", errors={unknown[0]: [message]})


def column_additions(
    table: str, rows: Sequence[tuple[int, Sequence[Decimal]]], columns: Sequence[str]
) -> RowsUpdate | None:
    """`column += value` for many rows (lines' delivered / invoiced quantities), as one
    `RowsUpdate`: run it, or let it ride with the order's own UPDATE. Rounded to the columns'
    4 places in SQL, because SQLite adds in binary floating point."""
    return rows_update(
        table,
        dict.fromkeys(columns, "NUMERIC"),
        [(pk, *deltas) for pk, deltas in rows],
        sets=", ".join(f"{c} = ROUND({table}.{c} + {{v}}.{c}, 4)" for c in columns),
    )


def add_to_columns(table: str, rows: Sequence[tuple[int, Sequence[Decimal]]], columns: Sequence[str]) -> None:
    """`column += value` for many rows in one statement (see `column_additions`)."""
    update = column_additions(table, rows, columns)
    if update is not None:
        update.run()


def audit_change(instance: Model, old: dict[str, Any], *, action: str = "update") -> None:
    audit.record_change(instance, old, action=action)
