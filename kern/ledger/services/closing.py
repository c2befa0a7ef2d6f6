"""Closing the books: periods, the lock date, the year-end close, and currency revaluation.

- `close_period` / `reopen_period`: a closed period refuses postings. Reopening needs the
  controller (or administrator) role and is audited, like every transition.
- `set_lock_date`: nothing on or before the date can be posted; moving it back needs a controller.
- `close_fiscal_year`: posts the closing entry (period 13, last day) that brings every income and
  expense account to zero against retained earnings, closes every period and the year, and opens
  the next year. Balances are cumulative, so the next year's opening balances are the closing
  balances without an opening entry (see docs/design.md).
- `revalue_currencies`: revalues open foreign-currency balances (receivables, payables, bank and
  cash) at the period-end rate against unrealised exchange differences, and reverses that entry
  on the first day of the next period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from kern.core import audit, context
from kern.core.db import atomic
from kern.core.events import emit
from kern.core.exceptions import PermissionDenied, ValidationFailed
from kern.core.money import quantize
from kern.core.selectors import rate_on
from kern.core.workflow import transition
from kern.ledger.events import FISCAL_YEAR_CLOSED, PERIOD_CLOSED, PERIOD_REOPENED, PeriodChanged
from kern.ledger.exceptions import LedgerCode, LedgerConflict, NoFiscalYear
from kern.ledger.models import (
    PROFIT_AND_LOSS_TYPES,
    AccountBalance,
    AccountSubtype,
    Books,
    EntryKind,
    EntryStatus,
    FiscalYear,
    FiscalYearStatus,
    JournalEntry,
    JournalLine,
    Period,
    PeriodKind,
    PeriodStatus,
)
from kern.ledger.selectors.config import config_for
from kern.ledger.selectors.reports import cents
from kern.ledger.services.posting import post_entry, reverse_entry
from kern.ledger.services.setup import bump_version, open_fiscal_year
from kern.ledger.specs import ZERO, LineSpec

__all__ = [
    "close_fiscal_year",
    "close_period",
    "reopen_fiscal_year",
    "reopen_period",
    "revalue_currencies",
    "set_lock_date",
]

CONTROLLER_ROLES = {"controller", "administrator"}


def require_controller(by: Any, what: str) -> None:
    if by is None or not getattr(by, "is_authenticated", False):
        raise PermissionDenied(_("%(what)s needs the controller role") % {"what": what})
    if getattr(by, "is_superuser", False):
        return
    if not set(by.groups.values_list("name", flat=True)) & CONTROLLER_ROLES:
        raise PermissionDenied(_("%(what)s needs the controller role") % {"what": what})


def _acting(by: Any) -> Any:
    return context.acting(by) if by is not None else _Nothing()


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def _period_event(name: str, period: Period) -> None:
    emit(
        name,
        PeriodChanged(
            company_id=period.company_id,
            period_id=period.pk,
            start=period.start_date.isoformat(),
            end=period.end_date.isoformat(),
            status=period.status,
        ),
        company=period.company_id,
    )


def close_period(period: Period, *, by: Any = None) -> Period:
    """Close a period: nothing can be posted in it until a controller reopens it."""
    with atomic(), _acting(by):
        bump_version(period.company_id)  # first: takes the books lock, so no posting races the close
        transition(period, to=PeriodStatus.CLOSED, by=by, action="close")
        _period_event(PERIOD_CLOSED, period)
    return period


def reopen_period(period: Period, *, by: Any) -> Period:
    require_controller(by, _("reopening a period"))
    if FiscalYear.objects.filter(pk=period.fiscal_year_id, status=FiscalYearStatus.CLOSED).exists():
        raise LedgerConflict(
            _("fiscal year %(year)s is closed: reopen the year first") % {"year": period.fiscal_year.year},
            code=LedgerCode.YEAR_CLOSED,
        )
    with atomic(), _acting(by):
        bump_version(period.company_id)
        transition(period, to=PeriodStatus.OPEN, by=by, action="reopen")
        _period_event(PERIOD_REOPENED, period)
    return period


def set_lock_date(company: Any, lock_date: dt.date | None, *, by: Any = None) -> Books:
    """Refuse postings on or before `lock_date` (None lifts it). Moving it back needs a controller."""
    company_id = getattr(company, "pk", company)
    books = Books.objects.get(company_id=company_id)
    if books.lock_date is not None and (lock_date is None or lock_date < books.lock_date):
        require_controller(by, _("moving the lock date back"))
    with atomic(), _acting(by):
        old = books.lock_date
        Books.objects.filter(pk=books.pk).update(lock_date=lock_date)
        bump_version(company_id)
        audit.record(
            None,
            "lock_date",
            {"lock_date": [old.isoformat() if old else None, lock_date.isoformat() if lock_date else None]},
            model="ledger.books",
            object_id=books.pk,
            company_id=company_id,
            object_repr="lock date",
        )
        books.lock_date = lock_date
    return books


def _profit_and_loss_balances(fiscal_year: FiscalYear) -> dict[int, Decimal]:
    rows = (
        AccountBalance.objects.filter(
            company_id=fiscal_year.company_id,
            period__end_date__lte=fiscal_year.end_date,
            account__type__in=PROFIT_AND_LOSS_TYPES,
        )
        .values("account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    return {row["account_id"]: cents(row["d"]) - cents(row["c"]) for row in rows}


def close_fiscal_year(fiscal_year: FiscalYear, *, by: Any = None) -> JournalEntry | None:
    """Year-end close: P&L to retained earnings, every period closed, the next year opened.

    Returns the closing entry (None when every income and expense account is already zero).
    """
    if fiscal_year.status == FiscalYearStatus.CLOSED:
        raise LedgerConflict(
            _("fiscal year %(year)s is already closed") % {"year": fiscal_year.year},
            code=LedgerCode.YEAR_CLOSED,
        )
    company = fiscal_year.company
    cfg = config_for(company)
    retained = cfg.roles.get("retained_earnings")
    if retained is None:
        raise ValidationFailed.on(
            "retained_earnings", _("no account plays the role %(role)s") % {"role": "retained_earnings"}
        )
    with atomic(), _acting(by):
        closing_period = Period.objects.get(fiscal_year=fiscal_year, kind=PeriodKind.CLOSING)
        if closing_period.status != PeriodStatus.OPEN:
            transition(closing_period, to=PeriodStatus.OPEN, by=by, action="reopen")
            bump_version(company.pk)
        balances = _profit_and_loss_balances(fiscal_year)
        lines = []
        result = ZERO
        for account_id in sorted(balances):
            amount = balances[account_id]
            if not amount:
                continue
            code = cfg.accounts_by_id[account_id].code
            lines.append(
                LineSpec(
                    account=code,
                    debit=-amount if amount < 0 else ZERO,
                    credit=amount if amount > 0 else ZERO,
                    description=f"Closing {fiscal_year.year}",
                )
            )
            result += amount
        entry = None
        if lines:
            retained_code = cfg.accounts_by_id[retained].code
            lines.append(
                LineSpec(
                    account=retained_code,
                    debit=result if result > 0 else ZERO,
                    credit=-result if result < 0 else ZERO,
                    description=f"Result {fiscal_year.year}",
                )
            )
            entry = post_entry(
                company=company,
                journal="general",
                on=fiscal_year.end_date,
                lines=lines,
                memo=f"Year-end closing {fiscal_year.year}",
                kind=EntryKind.CLOSING,
                by=by,
            )
        for period in Period.objects.filter(fiscal_year=fiscal_year, status=PeriodStatus.OPEN).order_by(
            "number"
        ):
            transition(period, to=PeriodStatus.CLOSED, by=by, action="close")
        transition(fiscal_year, to=FiscalYearStatus.CLOSED, by=by, action="close")
        bump_version(company.pk)
        if not FiscalYear.objects.filter(company=company, year=fiscal_year.year + 1).exists():
            open_fiscal_year(company, fiscal_year.year + 1, by=by)
        emit(
            FISCAL_YEAR_CLOSED,
            {
                "company_id": company.pk,
                "year": fiscal_year.year,
                "closing_entry_id": entry.pk if entry else None,
                "result": str(-result),
            },
            company=company,
        )
    return entry


def reopen_fiscal_year(fiscal_year: FiscalYear, *, by: Any) -> FiscalYear:
    """Reopen a closed year (controller): the closing entry is reversed, the periods reopened."""
    require_controller(by, _("reopening a fiscal year"))
    if fiscal_year.status != FiscalYearStatus.CLOSED:
        raise LedgerConflict(
            _("fiscal year %(year)s is not closed") % {"year": fiscal_year.year}, code=LedgerCode.NOT_ALLOWED
        )
    with atomic(), _acting(by):
        bump_version(fiscal_year.company_id)
        transition(fiscal_year, to=FiscalYearStatus.OPEN, by=by, action="reopen")
        for period in Period.objects.filter(fiscal_year=fiscal_year, status=PeriodStatus.CLOSED).order_by(
            "number"
        ):
            transition(period, to=PeriodStatus.OPEN, by=by, action="reopen")
        bump_version(fiscal_year.company_id)
        closing = JournalEntry.objects.filter(
            company_id=fiscal_year.company_id,
            kind=EntryKind.CLOSING,
            period__fiscal_year=fiscal_year,
            status=EntryStatus.POSTED,
            reversal_of__isnull=True,
        )
        for entry in closing:
            reverse_entry(entry, by=by, memo=f"Reopening {fiscal_year.year}")
    return fiscal_year


def revalue_currencies(company: Any, *, on: dt.date, by: Any = None) -> JournalEntry | None:
    """Revalue open foreign-currency balances at the rate of `on` (a period end) and reverse next day.

    Receivable and payable balances are revalued per party and currency, bank and cash per
    currency. The difference goes to the unrealised exchange differences account; the reversal
    on the next day restores the booked values, so realised differences are booked at payment.
    """
    cfg = config_for(company)
    base = company.base_currency_id
    unrealised = cfg.roles.get("unrealised_fx")
    if unrealised is None:
        raise ValidationFailed.on(
            "unrealised_fx", _("no account plays the role %(role)s") % {"role": "unrealised_fx"}
        )
    next_day = on + dt.timedelta(days=1)
    if cfg.regular_period_on(next_day) is None:
        raise NoFiscalYear(
            _("the revaluation is reversed on %(date)s, which no fiscal year covers: open it first")
            % {"date": next_day.isoformat()},
            date=next_day.isoformat(),
        )
    monetary = (AccountSubtype.RECEIVABLE, AccountSubtype.PAYABLE, AccountSubtype.BANK, AccountSubtype.CASH)
    rows = (
        JournalLine.objects.filter(company_id=company.pk, date__lte=on)
        .exclude(currency="")
        .exclude(currency=base)
        .filter(Q(account__subtype__in=monetary) | Q(account__currency__isnull=False))
        .values("account_id", "party_id", "currency")
        .annotate(foreign=Sum("amount_currency"), d=Sum("debit"), c=Sum("credit"))
        .order_by("account_id", "party_id", "currency")
    )
    lines: list[LineSpec] = []
    total = ZERO
    rates: dict[str, Decimal] = {}
    by_account: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        foreign = quantize(row["foreign"] or ZERO, places=3)
        booked = cents(row["d"]) - cents(row["c"])
        currency = row["currency"]
        if currency not in rates:
            rates[currency] = rate_on(currency, base, on, company=company)
        revalued = quantize(foreign * rates[currency], base)
        difference = revalued - booked
        if not difference:
            continue
        code = cfg.accounts_by_id[row["account_id"]].code
        lines.append(
            LineSpec(
                account=code,
                debit=difference if difference > 0 else ZERO,
                credit=-difference if difference < 0 else ZERO,
                party_id=row["party_id"],
                currency=currency,
                amount_currency=ZERO,
                description=f"Revaluation {currency} at {rates[currency].normalize()}",
            )
        )
        by_account[row["account_id"]] += difference
        total += difference
    if not lines:
        return None
    lines.append(
        LineSpec(
            account=cfg.accounts_by_id[unrealised].code,
            debit=-total if total < 0 else ZERO,
            credit=total if total > 0 else ZERO,
            description="Unrealised exchange differences",
        )
    )
    with atomic(), _acting(by):
        entry = post_entry(
            company=company,
            journal="general",
            on=on,
            lines=lines,
            memo=f"Currency revaluation {on.isoformat()}",
            kind=EntryKind.REVALUATION,
            by=by,
        )
        reverse_entry(entry, on=next_day, by=by, memo=f"Reversal of currency revaluation {on.isoformat()}")
    return entry
