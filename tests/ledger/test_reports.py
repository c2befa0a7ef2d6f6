"""Reports from the balance table, drill-downs from the lines; the VAT return per box."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.ledger.models import Account, JournalLine
from kern.ledger.selectors import (
    balance_sheet,
    general_ledger,
    journal_report,
    partner_statement,
    profit_and_loss,
    trial_balance,
    vat_box_lines,
    vat_return,
)
from kern.ledger.services import LineSpec, post_entry
from tests.builders import a_customer, a_vendor, an_open_year

D = Decimal
Y = dt.date.today().year - 1


@pytest.fixture
def books(company):
    """A small year: capital, a sale, a purchase, a payment, a reduced-rate sale, an EU purchase."""
    an_open_year(company, Y)
    customer = a_customer(company, "De Vries")
    vendor = a_vendor(company, "Kantoor BV")
    eu_vendor = a_vendor(company, "Müller GmbH")

    def post(on, *lines, journal="general", memo=""):
        return post_entry(company=company, journal=journal, on=on, lines=list(lines), memo=memo)

    post(
        dt.date(Y, 1, 1),
        LineSpec(account="1100", debit=D("10000.00")),
        LineSpec(account="0500", credit=D("10000.00")),
    )
    post(
        dt.date(Y, 1, 15),
        LineSpec(role="receivable", debit=D("1210.00"), party_id=customer.pk, due_date=dt.date(Y, 2, 14)),
        LineSpec(account="8000", credit=D("1000.00"), tax_code="V21"),
        LineSpec(account="1500", credit=D("210.00"), tax_code="V21"),
        journal="sale",
        memo="Invoice 1",
    )
    post(
        dt.date(Y, 2, 10),
        LineSpec(account="4300", debit=D("200.00"), tax_code="I21"),
        LineSpec(account="1530", debit=D("42.00"), tax_code="I21"),
        LineSpec(role="payable", credit=D("242.00"), party_id=vendor.pk),
        journal="purchase",
    )
    post(
        dt.date(Y, 2, 14),
        LineSpec(account="1100", debit=D("1210.00")),
        LineSpec(role="receivable", credit=D("1210.00"), party_id=customer.pk),
        journal="bank",
    )
    post(
        dt.date(Y, 3, 3),
        LineSpec(role="receivable", debit=D("109.00"), party_id=customer.pk),
        LineSpec(account="8010", credit=D("100.00"), tax_code="V9"),
        LineSpec(account="1510", credit=D("9.00"), tax_code="V9"),
        journal="sale",
    )
    post(
        dt.date(Y, 3, 20),
        LineSpec(account="3000", debit=D("500.00"), tax_code="IICP"),
        LineSpec(account="1530", debit=D("105.00"), tax_code="IICP"),
        LineSpec(account="1520", credit=D("105.00"), tax_code="IICP"),
        LineSpec(role="payable", credit=D("500.00"), party_id=eu_vendor.pk),
        journal="purchase",
    )
    return {"customer": customer, "vendor": vendor}


FIRST, LAST = dt.date(Y, 1, 1), dt.date(Y, 12, 31)


def test_the_trial_balance_has_opening_movements_and_closing_per_account(company, books):
    tb = trial_balance(company, date_from=dt.date(Y, 2, 1), date_to=dt.date(Y, 3, 31))

    assert tb.is_balanced
    bank = tb.row("1100")
    assert (bank.opening, bank.debit, bank.credit, bank.closing) == (
        D("10000.00"),
        D("1210.00"),
        0,
        D("11210.00"),
    )
    receivable = tb.row("1300")
    assert (receivable.opening, receivable.debit, receivable.credit, receivable.closing) == (
        D("1210.00"),
        D("109.00"),
        D("1210.00"),
        D("109.00"),
    )
    assert tb.total_debit == D("1210.00") + D("242.00") + D("109.00") + D("605.00")


def test_a_range_inside_periods_reads_the_lines_at_its_edges(company, books):
    whole = trial_balance(company, date_from=FIRST, date_to=LAST)
    cut = trial_balance(company, date_from=dt.date(Y, 1, 10), date_to=dt.date(Y, 2, 12))

    assert cut.is_balanced
    assert cut.row("1100").opening == D("10000.00") and cut.row("1100").debit == 0
    assert cut.row("8000").credit == D("1000.00")
    assert cut.row("4300").debit == D("200.00")
    assert cut.row("1300").closing == D("1210.00")  # paid on the 14th, after the range
    assert {r.code: r.closing for r in whole.rows}["1300"] == D("109.00")


def test_profit_and_loss_with_a_comparison_period(company, books):
    pnl = profit_and_loss(
        company,
        date_from=dt.date(Y, 3, 1),
        date_to=dt.date(Y, 3, 31),
        compare_from=FIRST,
        compare_to=dt.date(Y, 2, 28),
    )
    revenue = pnl.section("revenue")
    assert [(ln.code, ln.amount, ln.compare) for ln in revenue.lines] == [
        ("8000", D("0.00"), D("1000.00")),
        ("8010", D("100.00"), D("0.00")),
    ]
    assert pnl.section("expenses").compare_total == D("200.00")
    assert (pnl.result, pnl.compare_result) == (D("100.00"), D("800.00"))


def test_the_balance_sheet_balances_with_the_unclosed_result(company, books):
    sheet = balance_sheet(company, on=dt.date(Y, 3, 31), compare_on=dt.date(Y, 1, 31))

    assert sheet.is_balanced
    assert sheet.total_assets == D("10000.00") + D("1210.00") + D("109.00") + D("147.00") + D("500.00")
    result = sheet.equity.lines[-1]
    assert (result.name, result.amount, result.compare) == (
        "Result not yet closed",
        D("900.00"),
        D("1000.00"),
    )


def test_the_drill_down_pages_back_with_a_running_balance(company, books):
    bank = Account.objects.get(company=company, code="1100")
    for day in range(1, 6):
        post_entry(
            company=company,
            journal="bank",
            on=dt.date(Y, 4, day),
            lines=[
                LineSpec(account="4610", debit=D(f"{day}.00")),
                LineSpec(account="1100", credit=D(f"{day}.00")),
            ],
        )
    first_page = general_ledger(bank, date_from=dt.date(Y, 4, 1), date_to=dt.date(Y, 4, 30), page_size=2)

    assert (first_page.opening, first_page.closing) == (D("11210.00"), D("11195.00"))
    assert [(ln.date.day, ln.credit, ln.balance) for ln in first_page.lines] == [
        (5, D("5.00"), D("11195.00")),
        (4, D("4.00"), D("11200.00")),
    ]
    second = general_ledger(
        bank,
        date_from=dt.date(Y, 4, 1),
        date_to=dt.date(Y, 4, 30),
        page_size=2,
        cursor=first_page.next_cursor,
    )
    assert [(ln.date.day, ln.balance) for ln in second.lines] == [(3, D("11204.00")), (2, D("11207.00"))]
    last = general_ledger(
        bank, date_from=dt.date(Y, 4, 1), date_to=dt.date(Y, 4, 30), page_size=2, cursor=second.next_cursor
    )
    assert [(ln.date.day, ln.balance) for ln in last.lines] == [
        (1, D("11209.00"))
    ] and last.next_cursor is None
    assert last.lines[0].number.startswith("BNK-")


def _raw_ledger(account):
    """The account's lines from the table itself, oldest first, with the balance after each."""
    running, out = D(0), []
    for line in JournalLine.objects.filter(account=account).order_by("date", "id"):
        running += line.debit - line.credit
        out.append((line.date, line.id, running))
    return out


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (dt.date(Y, 4, 1), dt.date(Y, 4, 30)),  # one month, as the bench drills down
        (dt.date(Y, 4, 3), dt.date(Y, 4, 30)),  # starts inside April: April's earlier lines open it
        (dt.date(Y, 3, 15), dt.date(Y, 4, 4)),  # cuts two periods
        (dt.date(Y, 1, 1), dt.date(Y, 12, 31)),  # the year, with the capital entry of 1 January
        (dt.date(Y, 5, 1), dt.date(Y, 5, 31)),  # no lines at all
    ],
)
def test_each_drill_down_page_is_one_query_whose_balances_equal_sums_over_the_lines(
    company, books, date_from, date_to
):
    bank = Account.objects.get(company=company, code="1100")
    for day in (1, 2, 2, 3, 4, 20):
        post_entry(
            company=company,
            journal="bank",
            on=dt.date(Y, 4, day),
            lines=[
                LineSpec(account="4610", debit=D(f"{day}.25")),
                LineSpec(account="1100", credit=D(f"{day}.25")),
            ],
        )
    raw = _raw_ledger(bank)
    before = [b for d, _i, b in raw if d < date_from]
    through = [b for d, _i, b in raw if d <= date_to]
    expected = [(d, i, b) for d, i, b in reversed(raw) if date_from <= d <= date_to]

    shown, cursor = [], None
    while True:
        with CaptureQueriesContext(connection) as queries:
            page = general_ledger(bank, date_from=date_from, date_to=date_to, page_size=2, cursor=cursor)
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert page.opening == (before[-1] if before else D(0))
        assert page.closing == (through[-1] if through else D(0))
        shown += [(ln.date, ln.id, ln.balance) for ln in page.lines]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert shown == expected

    if expected:  # a cursor past the last line: no lines, the same opening and closing
        past = general_ledger(bank, date_from=date_from, date_to=date_to, cursor=f"{date_from.isoformat()}:1")
        assert (past.lines, past.opening, past.closing) == ([], page.opening, page.closing)


def test_the_journal_report_lists_entries_with_lines_and_totals(company, books):
    entries, totals, count = journal_report(company, date_from=FIRST, date_to=LAST, journal="IK")
    assert count == 2
    assert [len(e.lines) for e in entries] == [3, 4]
    assert totals == {"debit": D("847.00"), "credit": D("847.00")}


def test_a_partner_statement_runs_a_balance_over_the_partys_items(company, books):
    statement = partner_statement(company, books["customer"], date_from=dt.date(Y, 2, 1), date_to=LAST)
    assert statement.opening == D("1210.00")
    assert [(ln.debit, ln.credit, ln.balance) for ln in statement.lines] == [
        (D("0.00"), D("1210.00"), D("0.00")),
        (D("109.00"), D("0.00"), D("109.00")),
    ]
    assert statement.closing == D("109.00")


def test_the_vat_return_fills_the_boxes(company, books):
    vat = vat_return(company, date_from=FIRST, date_to=dt.date(Y, 3, 31))

    assert (vat.box("1a").turnover, vat.box("1a").vat) == (D("1000.00"), D("210.00"))
    assert (vat.box("1b").turnover, vat.box("1b").vat) == (D("100.00"), D("9.00"))
    assert (vat.box("4b").turnover, vat.box("4b").vat) == (D("500.00"), D("105.00"))
    assert vat.box("5a").vat == D("324.00")
    assert vat.box("5b").vat == D("147.00")
    assert vat.box("5g").vat == D("177.00") == vat.to_pay
    assert vat.box("3b").turnover == 0 and vat.box("1e").vat is None
    lines = list(vat_box_lines(company, "4b", date_from=FIRST, date_to=LAST))
    assert [(ln.account.code, ln.amount) for ln in lines] == [("3000", D("500.00")), ("1520", D("-105.00"))]
    assert [ln.account.code for ln in vat_box_lines(company, "5b", date_from=FIRST, date_to=LAST)] == [
        "1530",
        "1530",
    ]


def test_the_vat_return_is_filed_in_whole_euros_in_the_taxpayers_favour(company, books):
    post_entry(
        company=company,
        journal="purchase",
        on=dt.date(Y, 3, 21),
        lines=[
            LineSpec(account="4300", debit=D("0.50"), tax_code="I21"),
            LineSpec(account="1530", debit=D("0.11"), tax_code="I21"),
            LineSpec(role="payable", credit=D("0.61"), party_id=books["vendor"].pk),
        ],
    )
    vat = vat_return(company, date_from=FIRST, date_to=dt.date(Y, 3, 31))
    assert vat.box("5b").vat == D("147.11") and vat.box("5b").vat_filed == 148
    assert vat.box("1a").turnover_filed == 1000 and vat.box("5a").vat_filed == 324
