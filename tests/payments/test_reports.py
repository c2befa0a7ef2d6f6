"""Ageing per bucket as of a date, the credit a customer uses, and party statements."""

from decimal import Decimal

import pytest

from kern.payments.documents import party_statement_pdf
from kern.payments.selectors import aged_payables, aged_receivables, credit_used, party_statement
from kern.payments.services import receive_payment
from tests.builders import a_customer, a_vendor, an_open_item
from tests.payments.helpers import D

pytestmark = pytest.mark.django_db


def test_aged_receivables_sorts_what_is_open_into_buckets(company):
    customer = a_customer(company, "Aardbei BV")
    on = D(7, 1)
    an_open_item(company, customer, "100.00", on=D(6, 20), due_days=30)  # current
    an_open_item(company, customer, "200.00", on=D(5, 20), due_days=30)  # due 19 Jun: 12 days
    an_open_item(company, customer, "300.00", on=D(4, 20), due_days=30)  # due 20 May: 42 days
    an_open_item(company, customer, "400.00", on=D(3, 20), due_days=30)  # due 19 Apr: 73 days
    an_open_item(company, customer, "500.00", on=D(1, 20), due_days=30)  # due 19 Feb: 132 days
    an_open_item(company, customer, "999.00", on=D(7, 2), due_days=30)  # after the date: not yet
    other = a_customer(company, "Zwaluw NV")
    paid = an_open_item(company, other, "50.00", on=D(3, 1))
    receive_payment(company, party=other, amount=Decimal("50.00"), on=D(3, 5))
    del paid

    report = aged_receivables(company, on)

    assert len(report.rows) == 1
    row = report.rows[0]
    assert (row.party_name, row.current, row.days_1_30, row.days_31_60, row.days_61_90, row.over_90) == (
        "Aardbei BV",
        Decimal("100.00"),
        Decimal("200.00"),
        Decimal("300.00"),
        Decimal("400.00"),
        Decimal("500.00"),
    )
    assert report.totals["total"] == Decimal("1500.00")


def test_ageing_as_of_an_earlier_date_counts_payments_made_by_then(company):
    customer = a_customer(company)
    an_open_item(company, customer, "100.00", on=D(3, 1), due_days=10)
    receive_payment(company, party=customer, amount=Decimal("60.00"), on=D(4, 1))

    before = aged_receivables(company, D(3, 20)).totals
    after = aged_receivables(company, D(4, 2)).totals

    assert (before["days_1_30"], before["total"]) == (Decimal("100.00"), Decimal("100.00"))
    assert (after["days_1_30"], after["total"]) == (Decimal("40.00"), Decimal("40.00"))


def test_aged_payables(company):
    vendor = a_vendor(company)
    an_open_item(company, vendor, "250.00", kind="payable", on=D(2, 1), due_days=14)
    report = aged_payables(company, D(3, 1))
    assert report.rows[0].days_1_30 == Decimal("250.00")


def test_credit_used_is_what_the_customer_owes_net_of_credit(company):
    customer = a_customer(company)
    an_open_item(company, customer, "300.00", on=D(2, 1))
    an_open_item(company, customer, "-50.00", on=D(2, 2))
    assert credit_used(company, customer) == Decimal("250.00")


def test_a_customer_statement_runs_the_balance_and_lists_what_is_open(company):
    customer = a_customer(company, "Statement BV")
    an_open_item(company, customer, "100.00", on=D(1, 10), number="INV-1")
    an_open_item(company, customer, "250.00", on=D(2, 10), number="INV-2")
    receive_payment(company, party=customer, amount=Decimal("100.00"), on=D(2, 15))

    statement = party_statement(company, customer, D(2, 1), D(2, 28))

    assert statement.opening_balance == Decimal("100.00")
    assert [(r.document, r.debit, r.credit, r.balance) for r in statement.rows] == [
        ("INV-2", Decimal("250.00"), Decimal("0"), Decimal("350.00")),
        (statement.rows[1].document, Decimal("0"), Decimal("100.00"), Decimal("250.00")),
    ]
    assert statement.rows[1].document.startswith("PAY-")
    assert statement.closing_balance == Decimal("250.00")
    assert [i.number for i in statement.open_items] == ["INV-2"]
    pdf = party_statement_pdf(statement, company)
    assert pdf.startswith(b"%PDF")
