"""Sales targets per rep and period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from kern.core.db import atomic
from kern.core.models import Company
from kern.crm.exceptions import CrmValidationError
from kern.crm.models import SalesTarget, TargetPeriod
from kern.crm.services._common import acting, member

__all__ = ["period_bounds", "remove_target", "set_target"]


def period_bounds(period: str, on: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month, quarter or year that holds `on`."""
    if period == TargetPeriod.MONTH:
        start = on.replace(day=1)
        months = 1
    elif period == TargetPeriod.QUARTER:
        start = dt.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
        months = 3
    elif period == TargetPeriod.YEAR:
        start = dt.date(on.year, 1, 1)
        months = 12
    else:
        raise CrmValidationError.on("period", gettext("unknown period %(period)s") % {"period": repr(period)})
    y, m = divmod(start.month - 1 + months, 12)
    return start, dt.date(start.year + y, m + 1, 1) - dt.timedelta(days=1)


def set_target(
    company: Company, *, by: Any = None, user: Any, period: str, start: dt.date, amount: Decimal
) -> SalesTarget:
    """Set (or change) a rep's target for the period that holds `start`."""
    rep = member(company.pk, "user", user)
    if rep is None:
        raise CrmValidationError.on("user", gettext("choose a rep"))
    amount = Decimal(amount)
    if amount < 0:
        raise CrmValidationError.on("amount", gettext("a target is not negative"))
    first, last = period_bounds(period, start)
    with atomic(), acting(by):
        target = SalesTarget.objects.filter(company=company, user=rep, period=period, start=first).first()
        if target is None:
            target = SalesTarget(company=company, user=rep, period=period, start=first)
        target.end = last
        target.amount = amount
        target.save()
    return target


def remove_target(target: SalesTarget, *, by: Any = None) -> None:
    with atomic(), acting(by):
        target.delete()
