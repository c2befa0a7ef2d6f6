"""Invariants of the books under random use (hypothesis, derandomised).

A state machine posts, reverses, closes and reopens periods and revalues foreign balances in two
companies, and after every step checks that every entry balances, the trial balance nets to zero,
the balance table equals SUM over the lines, the hash chain verifies, and no posted row changed
(a posted entry may only become reversed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import F, Sum
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kern.core.exceptions import KernError
from kern.core.services import set_exchange_rate
from kern.ledger.models import AccountBalance, EntryStatus, JournalEntry, JournalLine, Period, PeriodKind
from kern.ledger.selectors import trial_balance, verify_books
from kern.ledger.services import (
    LineSpec,
    close_period,
    post_entry,
    reopen_period,
    revalue_currencies,
    reverse_entry,
)
from tests.builders import a_company, a_customer, a_user

D = Decimal
YEAR = dt.date.today().year
ACCOUNTS = ["4600", "4300", "8000", "8010", "1100", "1000", "3000", "0500"]
amounts = st.integers(min_value=1, max_value=500_000).map(lambda cents: D(cents) / 100)


def _month_end(month: int) -> dt.date:
    return (dt.date(YEAR, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


class Books(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.companies = [a_company(), a_company(country="NL")]
        self.controller = a_user(self.companies[0], "controller")
        for company in self.companies[1:]:
            from kern.core.services import add_member

            add_member(company, self.controller)
        self.customers = {c.pk: a_customer(c) for c in self.companies}
        for company in self.companies:
            set_exchange_rate("USD", D("1.10"), on=dt.date(YEAR, 1, 1), company=company)
        self.seen: dict[int, tuple] = {}  # entry id -> (hash, lines) as first seen posted

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _company(self, index: int):
        return self.companies[index % len(self.companies)]

    @rule(
        which=st.integers(0, 1),
        month=st.integers(1, 12),
        day=st.integers(1, 28),
        parts=st.lists(st.tuples(st.sampled_from(ACCOUNTS), amounts), min_size=1, max_size=4),
        with_party=st.booleans(),
        in_usd=st.booleans(),
    )
    def post(self, which, month, day, parts, with_party, in_usd):
        company = self._company(which)
        on = dt.date(YEAR, month, day)
        lines = [LineSpec(account=account, debit=amount) for account, amount in parts]
        total = sum((amount for _a, amount in parts), D(0))
        if in_usd:
            lines = [
                LineSpec(account=account, currency="USD", amount_currency=amount) for account, amount in parts
            ]
            lines.append(
                LineSpec(
                    role="receivable",
                    currency="USD",
                    amount_currency=-total,
                    party_id=self.customers[company.pk].pk,
                )
            )
        elif with_party:
            lines.append(LineSpec(role="receivable", credit=total, party_id=self.customers[company.pk].pk))
        else:
            lines.append(LineSpec(account="1100", credit=total))
        period = Period.objects.get(
            company=company, kind=PeriodKind.REGULAR, start_date__lte=on, end_date__gte=on
        )
        before = JournalEntry.objects.filter(company=company).count()
        try:
            entry = post_entry(company=company, journal="general", on=on, lines=lines)
        except KernError:
            assert period.status == "closed"
            assert JournalEntry.objects.filter(company=company).count() == before
            return
        assert entry.status == EntryStatus.POSTED

    @precondition(lambda self: JournalEntry.objects.filter(status=EntryStatus.POSTED).exists())
    @rule(pick=st.integers(0, 10_000))
    def reverse(self, pick):
        posted = list(JournalEntry.objects.filter(status=EntryStatus.POSTED).order_by("pk"))
        entry = posted[pick % len(posted)]
        try:
            reverse_entry(entry)
        except KernError:
            assert Period.objects.get(pk=entry.period_id).status == "closed"
            assert JournalEntry.objects.get(pk=entry.pk).status == EntryStatus.POSTED

    @rule(which=st.integers(0, 1), month=st.integers(1, 12))
    def close(self, which, month):
        period = Period.objects.get(company=self._company(which), kind=PeriodKind.REGULAR, number=month)
        if period.status == "open":
            close_period(period)

    @rule(which=st.integers(0, 1), month=st.integers(1, 12))
    def reopen(self, which, month):
        period = Period.objects.get(company=self._company(which), kind=PeriodKind.REGULAR, number=month)
        if period.status == "closed":
            reopen_period(period, by=self.controller)

    @rule(which=st.integers(0, 1), month=st.integers(1, 11), rate=st.sampled_from(["0.95", "1.25"]))
    def revalue(self, which, month, rate):
        company = self._company(which)
        on = _month_end(month)
        set_exchange_rate("USD", D(rate), on=on, company=company)
        # A closed period at either end refuses: nothing may have been written, checked below.
        with contextlib.suppress(KernError):
            revalue_currencies(company, on=on)

    @invariant()
    def every_entry_balances_and_the_trial_balance_nets_to_zero(self):
        unbalanced = (
            JournalLine.objects.values("entry_id").annotate(d=Sum("debit"), c=Sum("credit")).exclude(d=F("c"))
        )
        assert not [row for row in unbalanced if round(row["d"] - row["c"], 2) != 0]
        for company in self.companies:
            tb = trial_balance(company, date_from=dt.date(YEAR, 1, 1), date_to=dt.date(YEAR, 12, 31))
            assert tb.is_balanced

    @invariant()
    def balances_equal_the_lines_and_the_chain_verifies(self):
        for company in self.companies:
            sums = {
                (r["account_id"], r["period_id"]): (round(r["d"], 2), round(r["c"], 2))
                for r in JournalLine.objects.filter(company=company)
                .values("account_id", "period_id")
                .annotate(d=Sum("debit"), c=Sum("credit"))
            }
            stored = {
                (r.account_id, r.period_id): (r.debit, r.credit)
                for r in AccountBalance.objects.filter(company=company)
            }
            assert sums == stored
            [check] = verify_books(company)
            assert check.ok, check.problems

    @invariant()
    def posted_rows_never_change(self):
        for entry in JournalEntry.objects.exclude(status=EntryStatus.DRAFT).order_by("pk"):
            lines = tuple(
                JournalLine.objects.filter(entry=entry)
                .order_by("line_no")
                .values_list("account_id", "debit", "credit")
            )
            snapshot = (entry.hash, entry.number, entry.date, lines)
            if entry.pk in self.seen:
                assert self.seen[entry.pk] == snapshot
            else:
                self.seen[entry.pk] = snapshot


@pytest.mark.django_db
@pytest.mark.slow
def test_the_books_stay_consistent_under_random_use():
    run_state_machine_as_test(
        Books, settings=settings(max_examples=12, stateful_step_count=12, deadline=None)
    )


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(
    parts=st.lists(st.tuples(st.sampled_from(ACCOUNTS), amounts, st.integers(1, 12)), min_size=1, max_size=12)
)
def test_the_balance_table_always_equals_the_sum_over_the_lines(parts):
    with transaction.atomic():
        company = a_company()
        for account, amount, month in parts:
            post_entry(
                company=company,
                journal="general",
                on=dt.date(YEAR, month, 15),
                lines=[LineSpec(account=account, debit=amount), LineSpec(account="1100", credit=amount)],
            )
        lines = {
            (r["account_id"], r["period_id"]): (round(r["d"], 2), round(r["c"], 2))
            for r in JournalLine.objects.filter(company=company)
            .values("account_id", "period_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        }
        table = {
            (r.account_id, r.period_id): (r.debit, r.credit)
            for r in AccountBalance.objects.filter(company=company)
        }
        assert lines == table
        transaction.set_rollback(True)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(),
        lambda inner: st.lists(inner, max_size=5),
        max_leaves=20,
    )
)
def test_an_entrys_hashed_text_is_exactly_what_json_writes(value):
    """The chain hashes entries over json.dumps' text; the faster writer must give the very same
    text, or entries posted before it would no longer verify (non-ASCII, DEL, control
    characters and huge integers included)."""
    import json

    from kern.core.jsontext import compact_json

    for payload in ([1, "memo", value], [value, ["\x7f", "ü\u0001\n\x1f", 2**65, None, "plain"]]):
        assert compact_json(payload) == json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
