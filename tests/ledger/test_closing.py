"""Closing: periods, the lock date, the year-end close, reopening, currency revaluation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kern.core.exceptions import PermissionDenied
from kern.core.models import AuditEvent
from kern.core.services import set_exchange_rate
from kern.ledger.exceptions import BeforeLockDate, PeriodClosed
from kern.ledger.models import (
    AccountBalance,
    EntryKind,
    EntryStatus,
    FiscalYear,
    JournalEntry,
    JournalLine,
    Period,
    PeriodStatus,
)
from kern.ledger.selectors import verify_books
from kern.ledger.services import (
    LineSpec,
    close_fiscal_year,
    close_period,
    post_entry,
    reopen_fiscal_year,
    reopen_period,
    revalue_currencies,
    set_lock_date,
)
from tests.builders import a_customer, a_user, an_open_year

D = Decimal
YEAR = dt.date.today().year - 1  # a whole past year, opened for these tests


@pytest.fixture
def year(company):
    return an_open_year(company, YEAR)


def expense(company, on, amount="10.00"):
    return post_entry(
        company=company,
        journal="general",
        on=on,
        lines=[LineSpec(account="4600", debit=D(amount)), LineSpec(account="1100", credit=D(amount))],
    )


def balance(company, code):
    rows = AccountBalance.objects.filter(company=company, account__code=code).values_list("debit", "credit")
    return sum((d - c for d, c in rows), D("0"))


def test_a_closed_period_refuses_postings_until_a_controller_reopens_it(company, year):
    march = Period.objects.get(fiscal_year=year, number=3)
    accountant = a_user(company, "accountant")
    controller = a_user(company, "controller")
    close_period(march, by=accountant)

    with pytest.raises(PeriodClosed) as err:
        expense(company, dt.date(YEAR, 3, 15))
    assert err.value.status == 409
    assert not JournalEntry.objects.filter(company=company).exists()
    with pytest.raises(PermissionDenied):
        reopen_period(march, by=accountant)
    assert Period.objects.get(pk=march.pk).status == PeriodStatus.CLOSED

    reopen_period(march, by=controller)
    assert expense(company, dt.date(YEAR, 3, 15)).status == EntryStatus.POSTED
    actions = list(
        AuditEvent.objects.filter(model="ledger.period", object_id=str(march.pk))
        .exclude(action="create")
        .order_by("id")
        .values_list("action", "user_id")
    )
    assert actions == [("close", accountant.pk), ("reopen", controller.pk)]


def test_the_lock_date_refuses_earlier_postings_and_only_a_controller_moves_it_back(company, year):
    accountant = a_user(company, "accountant")
    set_lock_date(company, dt.date(YEAR, 6, 30), by=accountant)

    with pytest.raises(BeforeLockDate) as err:
        expense(company, dt.date(YEAR, 6, 30))
    assert err.value.status == 409
    assert expense(company, dt.date(YEAR, 7, 1)).status == EntryStatus.POSTED
    with pytest.raises(PermissionDenied):
        set_lock_date(company, dt.date(YEAR, 1, 31), by=accountant)
    set_lock_date(company, dt.date(YEAR, 1, 31), by=a_user(company, "controller"))
    assert expense(company, dt.date(YEAR, 6, 30)).status == EntryStatus.POSTED


def test_the_year_end_close_moves_the_result_to_retained_earnings_and_opens_the_next_year(company, year):
    customer = a_customer(company)
    post_entry(
        company=company,
        journal="sale",
        on=dt.date(YEAR, 5, 1),
        lines=[
            LineSpec(role="receivable", debit=D("1210.00"), party_id=customer.pk),
            LineSpec(account="8000", credit=D("1000.00"), tax_code="V21"),
            LineSpec(account="1500", credit=D("210.00"), tax_code="V21"),
        ],
    )
    expense(company, dt.date(YEAR, 6, 1), "300.00")
    FiscalYear.objects.filter(company=company, year=YEAR + 1).exists() or None

    closing = close_fiscal_year(year)

    assert closing.kind == EntryKind.CLOSING and closing.date == dt.date(YEAR, 12, 31)
    assert closing.period.number == 13
    assert list(
        JournalLine.objects.filter(entry=closing)
        .order_by("line_no")
        .values_list("account__code", "debit", "credit")
    ) == [
        ("4600", D("0.00"), D("300.00")),
        ("8000", D("1000.00"), D("0.00")),
        ("0510", D("0.00"), D("700.00")),
    ]
    assert balance(company, "8000") == 0 and balance(company, "4600") == 0
    assert balance(company, "0510") == D("-700.00")
    assert FiscalYear.objects.get(pk=year.pk).status == "closed"
    assert not Period.objects.filter(fiscal_year=year, status=PeriodStatus.OPEN).exists()
    assert FiscalYear.objects.filter(company=company, year=YEAR + 1).exists()
    with pytest.raises(PeriodClosed):
        expense(company, dt.date(YEAR, 12, 1))
    assert verify_books(company)[0].ok


def test_reopening_a_year_needs_a_controller_and_reverses_the_closing_entry(company, year):
    expense(company, dt.date(YEAR, 2, 1), "50.00")
    closing = close_fiscal_year(year)
    with pytest.raises(PermissionDenied):
        reopen_fiscal_year(year, by=a_user(company, "accountant"))

    reopen_fiscal_year(FiscalYear.objects.get(pk=year.pk), by=a_user(company, "controller"))

    assert JournalEntry.objects.get(pk=closing.pk).status == EntryStatus.REVERSED
    assert balance(company, "4600") == D("50.00") and balance(company, "0510") == 0
    assert expense(company, dt.date(YEAR, 12, 1)).status == EntryStatus.POSTED
    again = close_fiscal_year(FiscalYear.objects.get(pk=year.pk))
    assert balance(company, "4600") == 0 and balance(company, "0510") == D("60.00")
    assert again.pk != closing.pk


def test_foreign_balances_are_revalued_at_period_end_and_reversed_the_next_day(company, year):
    customer = a_customer(company)
    set_exchange_rate("USD", D("1.25"), on=dt.date(YEAR, 3, 1), company=company)  # 1 EUR = 1.25 USD
    post_entry(
        company=company,
        journal="sale",
        on=dt.date(YEAR, 3, 10),
        lines=[
            LineSpec(role="receivable", party_id=customer.pk, currency="USD", amount_currency=D("1000.00")),
            LineSpec(account="8030", currency="USD", amount_currency=D("-1000.00")),
        ],
    )
    assert balance(company, "1300") == D("800.00")
    set_exchange_rate("USD", D("1.00"), on=dt.date(YEAR, 3, 31), company=company)

    entry = revalue_currencies(company, on=dt.date(YEAR, 3, 31))

    lines = list(
        JournalLine.objects.filter(entry=entry)
        .order_by("line_no")
        .values_list("account__code", "debit", "credit", "party_id")
    )
    assert lines == [("1300", D("200.00"), D("0.00"), customer.pk), ("9220", D("0.00"), D("200.00"), None)]
    assert JournalEntry.objects.get(pk=entry.pk).status == EntryStatus.REVERSED
    reversal = JournalEntry.objects.get(reversal_of=entry)
    assert reversal.date == dt.date(YEAR, 4, 1)
    march_end = AccountBalance.objects.filter(
        company=company, account__code="1300", period__end_date__lte=dt.date(YEAR, 3, 31)
    ).values_list("debit", "credit")
    assert sum((d - c for d, c in march_end), D("0")) == D("1000.00")
    assert balance(company, "1300") == D("800.00")
    assert revalue_currencies(company, on=dt.date(YEAR, 2, 28)) is None
