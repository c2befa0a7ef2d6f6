"""post_entry / post_entries / reverse_entry: the one door into the books."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.core.models import Sequence
from kern.core.services import set_exchange_rate
from kern.ledger.exceptions import (
    BeforeLockDate,
    LedgerConflict,
    LedgerInvalid,
    NoFiscalYear,
    UnbalancedEntry,
    UnknownAccount,
    UnknownTaxCode,
)
from kern.ledger.models import AccountBalance, EntryStatus, JournalEntry, JournalLine
from kern.ledger.selectors import verify_books
from kern.ledger.services import (
    EntrySpec,
    LineSpec,
    SourceRef,
    create_account,
    post_entries,
    post_entry,
    reverse_entry,
    update_account,
)
from tests.builders import a_company, a_customer

TODAY = dt.date.today()
YEAR = TODAY.year
D = Decimal


def sale(customer, net="100.00", vat="21.00", **kwargs):
    gross = D(net) + D(vat)
    return [
        LineSpec(role="receivable", debit=gross, party_id=customer.pk, **kwargs),
        LineSpec(account="8000", credit=D(net), tax_code="V21"),
        LineSpec(account="1500", credit=D(vat), tax_code="V21"),
    ]


def balances(company):
    return {
        code: (debit, credit)
        for code, debit, credit in AccountBalance.objects.filter(company=company)
        .order_by("account__code")
        .values_list("account__code", "debit", "credit")
    }


def nothing_posted(company):
    return (
        not JournalEntry.objects.filter(company=company).exists()
        and not JournalLine.objects.filter(company=company).exists()
        and not AccountBalance.objects.filter(company=company).exists()
        and not Sequence.objects.filter(company=company, kind__startswith="ledger.")
        .exclude(last_value=0)
        .exists()
    )


@pytest.fixture
def customer(company):
    return a_customer(company, "De Vries B.V.")


def test_a_sale_is_posted_with_number_lines_balances_and_source(company, customer):
    entry = post_entry(
        company=company,
        journal="sale",
        on=TODAY,
        lines=sale(customer),
        source=SourceRef("sales.invoice", 42, "INV-1"),
        memo="Invoice INV-1",
    )

    assert entry.status == EntryStatus.POSTED
    assert entry.number == f"VK-{YEAR}-00001"
    assert entry.journal.code == "VK"
    assert entry.total == D("121.00")
    assert (entry.source_type, entry.source_id, entry.source_number) == ("sales.invoice", 42, "INV-1")
    assert entry.chain_seq == 1 and len(entry.hash) == 64
    lines = list(
        JournalLine.objects.filter(entry=entry)
        .order_by("line_no")
        .values_list("account__code", "debit", "credit", "party_id", "tax_code__code", "tax_kind", "vat_box")
    )
    assert lines == [
        ("1300", D("121.00"), D("0.00"), customer.pk, None, "", ""),
        ("8000", D("0.00"), D("100.00"), None, "V21", "base", "1a"),
        ("1500", D("0.00"), D("21.00"), None, "V21", "tax", "1a"),
    ]
    assert balances(company) == {
        "1300": (D("121.00"), D("0.00")),
        "1500": (D("0.00"), D("21.00")),
        "8000": (D("0.00"), D("100.00")),
    }
    [check] = verify_books(company)
    assert check.ok and check.entries == 1


def test_numbers_are_gapless_per_journal_and_balances_accumulate(company, customer):
    first = post_entry(company=company, journal="VK", on=TODAY, lines=sale(customer))
    bank = post_entry(
        company=company,
        journal="bank",
        on=TODAY,
        lines=[
            LineSpec(role="bank", debit=D("121.00")),
            LineSpec(role="receivable", credit=D("121.00"), party_id=customer.pk),
        ],
    )
    second = post_entry(company=company, journal="VK", on=TODAY, lines=sale(customer, "10.00", "2.10"))

    assert [first.number, bank.number, second.number] == [
        f"VK-{YEAR}-00001",
        f"BNK-{YEAR}-00001",
        f"VK-{YEAR}-00002",
    ]
    assert [first.chain_seq, bank.chain_seq, second.chain_seq] == [1, 2, 3]
    assert second.prev_hash == bank.hash and bank.prev_hash == first.hash
    assert balances(company)["1300"] == (D("133.10"), D("121.00"))
    assert balances(company)["1100"] == (D("121.00"), D("0.00"))


def test_an_unbalanced_entry_is_refused_naming_the_difference_and_nothing_is_written(company, customer):
    lines = [
        LineSpec(role="receivable", debit=D("121.00"), party_id=customer.pk),
        LineSpec(account="8000", credit=D("100.00")),
    ]
    with pytest.raises(UnbalancedEntry) as err:
        post_entry(company=company, journal="sale", on=TODAY, lines=lines)

    assert err.value.status == 422
    assert err.value.difference == D("21.00")
    assert "difference 21.00 EUR" in err.value.message
    assert nothing_posted(company)


@pytest.mark.parametrize(
    ("line", "error", "field"),
    [
        (LineSpec(account="9999", debit=D("5")), UnknownAccount, "lines[0].account"),
        (LineSpec(role="no_such_role", debit=D("5")), UnknownAccount, "lines[0].role"),
        (LineSpec(account="4600", debit=D("5"), tax_code="X99"), UnknownTaxCode, "lines[0].tax_code"),
        (LineSpec(account="40", debit=D("5")), LedgerInvalid, "lines[0].account"),
        (LineSpec(account="1300", debit=D("5")), LedgerInvalid, "lines[0].party_id"),
        (LineSpec(account="4600", debit=D("-5")), LedgerInvalid, "lines[0].debit"),
        (LineSpec(account="4600", debit=D("5.001")), LedgerInvalid, "lines[0].debit"),
        (LineSpec(account="4600", debit=5.0), LedgerInvalid, "lines[0].debit"),
        (
            LineSpec(account="4600", debit=D("5"), currency="XYZ", amount_currency=D("5")),
            LedgerInvalid,
            "lines[0].currency",
        ),
        (LineSpec(debit=D("5")), LedgerInvalid, "lines[0].account"),
    ],
)
def test_bad_lines_are_refused_with_the_field_named(company, line, error, field):
    lines = [line, LineSpec(account="1100", credit=D("5"))]
    with pytest.raises(error) as err:
        post_entry(company=company, journal="general", on=TODAY, lines=lines)

    assert err.value.status == 422
    assert field in err.value.errors
    assert nothing_posted(company)


def test_a_party_of_another_company_is_refused(company):
    stranger = a_customer(a_company("Elsewhere"))
    with pytest.raises(LedgerInvalid) as err:
        post_entry(
            company=company,
            journal="sale",
            on=TODAY,
            lines=[
                LineSpec(role="receivable", debit=D("5.00"), party_id=stranger.pk),
                LineSpec(account="8000", credit=D("5.00")),
            ],
        )
    assert "party_id" in err.value.errors
    assert nothing_posted(company)


def test_of_several_new_parties_in_one_entry_the_other_companys_is_named(company, customer):
    stranger = a_customer(a_company("Elsewhere"))
    neighbour = a_customer(company, "Buurman BV")
    with pytest.raises(LedgerInvalid) as err:
        post_entry(
            company=company,
            journal="sale",
            on=TODAY,
            lines=[
                LineSpec(role="receivable", debit=D("5.00"), party_id=customer.pk),
                LineSpec(role="receivable", debit=D("5.00"), party_id=stranger.pk),
                LineSpec(role="receivable", debit=D("5.00"), party_id=neighbour.pk),
                LineSpec(account="8000", credit=D("15.00")),
            ],
        )
    assert err.value.errors["party_id"] == [f"unknown party {stranger.pk}"]
    assert nothing_posted(company)
    entry = post_entry(
        company=company,
        journal="sale",
        on=TODAY,
        lines=[
            LineSpec(role="receivable", debit=D("5.00"), party_id=customer.pk),
            LineSpec(role="receivable", debit=D("5.00"), party_id=neighbour.pk),
            LineSpec(account="8000", credit=D("10.00")),
        ],
    )
    assert sorted(entry.lines.exclude(party_id=None).values_list("party_id", flat=True)) == sorted(
        [customer.pk, neighbour.pk]
    )


def test_an_inactive_account_and_an_unknown_journal_are_refused(company):
    account = create_account(
        company, code="4650", name="Old costs", type="expense", subtype="expense", parent="40"
    )
    update_account(account, is_active=False)
    lines = [LineSpec(account="4650", debit=D("1")), LineSpec(account="1100", credit=D("1"))]
    with pytest.raises(LedgerInvalid, match="inactive"):
        post_entry(company=company, journal="general", on=TODAY, lines=lines)
    with pytest.raises(LedgerInvalid, match="no journal"):
        post_entry(company=company, journal="XX", on=TODAY, lines=lines)
    assert nothing_posted(company)


def test_posting_in_a_year_without_books_is_a_conflict(company):
    lines = [LineSpec(account="4600", debit=D("1")), LineSpec(account="1100", credit=D("1"))]
    with pytest.raises(NoFiscalYear) as err:
        post_entry(company=company, journal="general", on=dt.date(YEAR - 5, 3, 1), lines=lines)
    assert err.value.status == 409
    assert nothing_posted(company)


def test_foreign_currency_lines_are_converted_at_the_day_rate_with_a_rounding_line(company):
    set_exchange_rate("USD", D("1.0850"), on=TODAY, company=company)  # 1 EUR = 1.085 USD
    vendor = a_customer(company, "Acme Inc.", is_vendor=True)
    entry = post_entry(
        company=company,
        journal="purchase",
        on=TODAY,
        lines=[
            *[LineSpec(account="4600", currency="USD", amount_currency=D("10.01")) for _ in range(3)],
            LineSpec(role="payable", party_id=vendor.pk, currency="usd", amount_currency=D("-30.03")),
        ],
    )
    rows = list(
        JournalLine.objects.filter(entry=entry)
        .order_by("line_no")
        .values_list("account__code", "debit", "credit", "amount_currency", "currency")
    )
    # 10.01 USD = 9.23 EUR three times (27.69), but 30.03 USD = 27.68 EUR: a cent to rounding.
    assert rows == [
        ("4600", D("9.23"), D("0.00"), D("10.010"), "USD"),
        ("4600", D("9.23"), D("0.00"), D("10.010"), "USD"),
        ("4600", D("9.23"), D("0.00"), D("10.010"), "USD"),
        ("1600", D("0.00"), D("27.68"), D("-30.030"), "USD"),
        ("4700", D("0.00"), D("0.01"), None, ""),
    ]
    assert entry.total == D("27.69")


def test_a_foreign_amount_with_the_wrong_sign_is_refused(company):
    with pytest.raises(LedgerInvalid) as err:
        post_entry(
            company=company,
            journal="general",
            on=TODAY,
            lines=[
                LineSpec(account="4600", debit=D("9.23"), currency="USD", amount_currency=D("-10.01")),
                LineSpec(account="1100", credit=D("9.23")),
            ],
        )
    assert "lines[0].amount_currency" in err.value.errors
    assert nothing_posted(company)


def test_post_entries_posts_a_batch_in_order_sharing_the_work(company, customer):
    specs = [
        EntrySpec(company=company, journal="sale", on=TODAY, lines=sale(customer, f"{n}.00", "0.00"))
        for n in (1, 2, 3)
    ]
    entries = post_entries(specs)

    assert [e.number for e in entries] == [f"VK-{YEAR}-0000{n}" for n in (1, 2, 3)]
    assert [e.chain_seq for e in entries] == [1, 2, 3]
    assert balances(company)["8000"] == (D("0.00"), D("6.00"))
    [check] = verify_books(company)
    assert check.ok and check.entries == 3


def test_post_entries_is_all_or_nothing(company, customer):
    good = EntrySpec(company=company, journal="sale", on=TODAY, lines=sale(customer))
    bad = EntrySpec(company=company, journal="sale", on=TODAY, lines=sale(customer)[:2])
    with pytest.raises(UnbalancedEntry) as err:
        post_entries([good, bad])
    assert "entries[1].lines" in err.value.errors or "lines" in err.value.errors
    assert nothing_posted(company)


def test_reversing_posts_the_mirror_image_and_marks_the_original(company, customer):
    entry = post_entry(
        company=company, journal="sale", on=TODAY, lines=sale(customer), source=SourceRef("sales.invoice", 7)
    )
    reversal = reverse_entry(entry)

    entry.refresh_from_db()
    assert entry.status == EntryStatus.REVERSED
    assert reversal.reversal_of_id == entry.pk and reversal.kind == "reversal"
    assert (reversal.source_type, reversal.source_id) == ("sales.invoice", 7)
    assert list(
        JournalLine.objects.filter(entry=reversal).order_by("line_no").values_list("debit", "credit")
    ) == [
        (D("0.00"), D("121.00")),
        (D("100.00"), D("0.00")),
        (D("21.00"), D("0.00")),
    ]
    assert all(debit == credit for debit, credit in balances(company).values())
    with pytest.raises(LedgerConflict):
        reverse_entry(entry)
    [check] = verify_books(company)
    assert check.ok and check.entries == 2


def test_post_entry_costs_a_fixed_number_of_statements_whatever_the_number_of_lines(company, customer):
    post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))  # warm the settings cache
    many = [LineSpec(role="receivable", debit=D("40.00"), party_id=customer.pk)] + [
        LineSpec(account="8000", credit=D("1.00"), tax_code="V21") for _ in range(40)
    ]
    counts = []
    for lines in (sale(customer), many):
        with CaptureQueriesContext(connection) as ctx:
            post_entry(company=company, journal="sale", on=TODAY, lines=lines)
        ledger = [
            q["sql"] for q in ctx.captured_queries if "ledger_" in q["sql"] or "core_sequence" in q["sql"]
        ]
        counts.append(len(ledger))
    if connection.vendor == "postgresql":
        # books lock + chain + number + entry + lines + balances: one round trip
        assert counts == [1, 1]
    else:
        # books lock + chain, sequence, entry insert, line insert, balance upsert
        assert counts == [5, 5]


def test_an_entry_posted_in_one_round_trip_is_numbered_chained_and_balanced(company, customer):
    """The PostgreSQL form of a posting (CTEs) writes what the five-statement form writes."""
    first = post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    second = post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    assert first.number != second.number
    assert second.prev_hash == first.hash and second.chain_seq == first.chain_seq + 1
    stored = JournalEntry.objects.get(pk=second.pk)
    assert (stored.number, stored.hash, stored.total) == (second.number, second.hash, second.total)
    assert stored.lines.count() == len(sale(customer))
    [check] = verify_books(company)
    assert check.ok and check.entries == 2


def test_post_entries_costs_six_statements_for_a_batch(company, customer):
    post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    specs = [EntrySpec(company=company, journal="sale", on=TODAY, lines=sale(customer)) for _ in range(20)]
    with CaptureQueriesContext(connection) as ctx:
        post_entries(specs)
    ledger = [q["sql"] for q in ctx.captured_queries if "ledger_" in q["sql"] or "core_sequence" in q["sql"]]
    # books lock, sequence, entries, lines, balances, chain head
    assert len(ledger) == 6


def test_a_settings_change_is_seen_by_the_next_posting(company, customer):
    post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    create_account(
        company, code="8200", name="Omzet abonnementen", type="income", subtype="revenue", parent="80"
    )
    entry = post_entry(
        company=company,
        journal="sale",
        on=TODAY,
        lines=[
            LineSpec(role="receivable", debit=D("5.00"), party_id=customer.pk),
            LineSpec(account="8200", credit=D("5.00")),
        ],
    )
    assert entry.lines.get(line_no=2).account.code == "8200"
    [check] = verify_books(company)
    assert check.ok


def test_a_company_without_books_cannot_post(db):
    from kern.core.services import create_company
    from kern.ledger.models import Books

    company = create_company(name="Bare", legal_name="Bare B.V.", country="NL")
    Books.objects.filter(company=company).delete()
    with pytest.raises(LedgerConflict, match="no books"):
        post_entry(
            company=company,
            journal="general",
            on=TODAY,
            lines=[LineSpec(account="4600", debit=D("1")), LineSpec(account="1100", credit=D("1"))],
        )
    assert nothing_posted(company)


def test_a_posting_after_the_settings_changed_keeps_its_number_and_the_chain(company, customer):
    """The cached settings are stale (version moved): the posting re-checks and keeps the number
    it claimed with the books lock — no gap, no double."""
    from kern.ledger.services.setup import bump_version

    first = post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    bump_version(company.pk)
    second = post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    third = post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    numbers = [first.number, second.number, third.number]
    assert len(set(numbers)) == 3
    assert [int(n.rsplit("-", 1)[-1]) for n in numbers] == [
        int(first.number.rsplit("-", 1)[-1]) + k for k in range(3)
    ]
    [check] = verify_books(company)
    assert check.ok and check.entries == 3


def test_a_journal_whose_pattern_changed_this_year_goes_on_with_its_counters_pattern(company, customer):
    """The one-statement posting requires the counter to carry the scheme's pattern; a company
    that changed the pattern mid-year posts the usual way, numbered as the counter says."""
    first = post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    company.settings = {**(company.settings or {}), "numbering": {"ledger.journal.sale": "X{seq:03d}"}}
    company.save()
    second = post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    prefix, _, seq = first.number.rpartition("-")
    assert second.number == f"{prefix}-{int(seq) + 1:0{len(seq)}d}"
    assert JournalEntry.objects.get(pk=second.pk).number == second.number
    assert second.prev_hash == first.hash and second.chain_seq == first.chain_seq + 1
    [check] = verify_books(company)
    assert check.ok and check.entries == 2


def test_an_entry_before_the_lock_date_leaves_the_chain_and_the_counter_as_they_were(company, customer):
    from kern.ledger.models import Books
    from kern.ledger.services import set_lock_date
    from tests.builders import a_user

    post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    set_lock_date(company, TODAY, by=a_user(company, "controller"))
    before = (
        list(Books.objects.filter(company=company).values_list("chain_head", "chain_length")),
        list(Sequence.objects.filter(company=company).values_list("kind", "last_value").order_by("kind")),
    )
    with pytest.raises(BeforeLockDate):
        post_entry(company=company, journal="sale", on=TODAY, lines=sale(customer))
    after = (
        list(Books.objects.filter(company=company).values_list("chain_head", "chain_length")),
        list(Sequence.objects.filter(company=company).values_list("kind", "last_value").order_by("kind")),
    )
    assert after == before
    [check] = verify_books(company)
    assert check.ok and check.entries == 1
