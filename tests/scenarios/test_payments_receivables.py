"""Customers pay: partly, for several invoices at once, too much, late, early with discount, in
dollars — and the subledger of open items always agrees with the receivable account."""

from decimal import Decimal

import pytest

from kern.core.exceptions import ValidationFailed
from kern.core.models import ExchangeRate
from kern.ledger.models import JournalEntry
from kern.payments.exceptions import AlreadySettled, PaymentsConflict
from kern.payments.models import Allocation, OpenItem, Payment
from kern.payments.services import (
    AllocationSpec,
    allocate_credit,
    offset_open_items,
    receive_payment,
    reverse_payment,
)
from tests.builders import a_customer, an_open_item
from tests.payments.helpers import D, balance, refreshed, residuals

pytestmark = pytest.mark.django_db


def test_a_partial_payment_leaves_the_rest_open(company):
    customer = a_customer(company)
    invoice = an_open_item(company, customer, "1210.00", on=D(3, 1))

    payment = receive_payment(
        company,
        party=customer,
        amount=Decimal("500.00"),
        on=D(3, 20),
        allocations=[AllocationSpec(invoice, Decimal("500.00"))],
    )

    invoice = refreshed(invoice)
    assert (invoice.residual, invoice.status) == (Decimal("710.00"), "partial")
    assert payment.number.startswith("PAY-") and payment.unallocated == Decimal("0")
    assert balance(company, "bank") == Decimal("500.00")
    assert balance(company, "receivable", customer) == Decimal("710.00") == residuals(company, "receivable")


def test_one_payment_settles_several_invoices_oldest_first(company):
    customer = a_customer(company)
    old = an_open_item(company, customer, "100.00", on=D(1, 5))
    newer = an_open_item(company, customer, "250.00", on=D(2, 5))
    newest = an_open_item(company, customer, "400.00", on=D(3, 5))

    receive_payment(company, party=customer, amount=Decimal("500.00"), on=D(3, 30))

    assert [refreshed(i).residual for i in (old, newer, newest)] == [
        Decimal("0"),
        Decimal("0"),
        Decimal("250.00"),
    ]
    assert [i.status for i in (old, newer, newest)] == ["paid", "paid", "partial"]
    assert balance(company, "receivable") == Decimal("250.00") == residuals(company, "receivable")


def test_a_payment_above_what_is_due_is_kept_as_credit_and_used_later(company):
    customer = a_customer(company)
    invoice = an_open_item(company, customer, "300.00", on=D(2, 1))

    payment = receive_payment(company, party=customer, amount=Decimal("350.00"), on=D(2, 10))

    credit = OpenItem.objects.get(source_type="payments.payment", source_id=payment.pk)
    assert (credit.amount, credit.residual, credit.kind) == (
        Decimal("-50.00"),
        Decimal("-50.00"),
        "receivable",
    )
    assert payment.unallocated == Decimal("50.00")
    assert refreshed(invoice).status == "paid"
    assert balance(company, "receivable", customer) == Decimal("-50.00") == residuals(company, "receivable")
    assert balance(company, "bank") == Decimal("350.00")

    later = an_open_item(company, customer, "80.00", on=D(3, 1))
    allocate_credit(credit, later, on=D(3, 2))

    assert (refreshed(credit).residual, refreshed(later).residual) == (Decimal("0"), Decimal("30.00"))
    assert credit.status == "paid" and later.status == "partial"
    assert balance(company, "receivable", customer) == Decimal("30.00") == residuals(company, "receivable")


def test_a_credit_note_is_offset_against_its_invoice(company):
    customer = a_customer(company)
    invoice = an_open_item(company, customer, "605.00", on=D(4, 1))
    credit_note = an_open_item(company, customer, "-121.00", on=D(4, 3))
    entries = JournalEntry.objects.count()

    offset_open_items(invoice, credit_note, on=D(4, 3))

    assert (refreshed(invoice).residual, refreshed(credit_note).residual) == (Decimal("484.00"), Decimal("0"))
    assert JournalEntry.objects.count() == entries  # same account, same party: nothing to post
    receive_payment(company, party=customer, amount=Decimal("484.00"), on=D(4, 20))
    assert refreshed(invoice).status == "paid"
    assert balance(company, "receivable") == Decimal("0") == residuals(company, "receivable")


def test_the_early_payment_discount_is_taken_when_paid_in_time(company):
    customer = a_customer(company)
    # 2/10 net 30 on 1000.00
    invoice = an_open_item(company, customer, "1000.00", on=D(5, 1), discount_days=10, discount_percent="2")

    payment = receive_payment(company, party=customer, amount=Decimal("980.00"), on=D(5, 9))

    invoice = refreshed(invoice)
    allocation = Allocation.objects.get(payment=payment)
    assert (invoice.residual, invoice.status) == (Decimal("0"), "paid")
    assert (allocation.amount, allocation.discount) == (Decimal("980.00"), Decimal("20.00"))
    assert balance(company, "early_payment_discount_given") == Decimal("20.00")
    assert balance(company, "bank") == Decimal("980.00")
    assert balance(company, "receivable") == Decimal("0")


def test_no_discount_after_the_discount_date(company):
    customer = a_customer(company)
    invoice = an_open_item(company, customer, "1000.00", on=D(5, 1), discount_days=10, discount_percent="2")

    receive_payment(company, party=customer, amount=Decimal("980.00"), on=D(5, 12))

    assert refreshed(invoice).residual == Decimal("20.00")
    assert balance(company, "early_payment_discount_given") == Decimal("0")


def test_a_dollar_invoice_paid_at_another_rate_books_the_exchange_difference(company):
    ExchangeRate.objects.create(
        currency_id="USD", rate_date=D(1, 1), rate=Decimal("1.25")
    )  # 1 EUR = 1.25 USD
    ExchangeRate.objects.create(currency_id="USD", rate_date=D(6, 1), rate=Decimal("1.00"))
    customer = a_customer(company)
    invoice = an_open_item(company, customer, "1000.00", on=D(2, 1), currency="USD", amount_company="800.00")

    payment = receive_payment(company, party=customer, amount=Decimal("1000.00"), currency="USD", on=D(6, 15))

    assert payment.amount_company == Decimal("1000.00")
    allocation = Allocation.objects.get(payment=payment)
    assert allocation.exchange_difference == Decimal("200.00")
    assert refreshed(invoice).residual_company == Decimal("0")
    assert balance(company, "exchange_gain") == Decimal("-200.00")
    assert balance(company, "bank") == Decimal("1000.00")
    assert balance(company, "receivable") == Decimal("0") == residuals(company, "receivable")


def test_a_partial_dollar_payment_settles_its_share_of_the_booked_value(company):
    ExchangeRate.objects.create(currency_id="USD", rate_date=D(1, 1), rate=Decimal("1.25"))
    customer = a_customer(company)
    invoice = an_open_item(company, customer, "1000.00", on=D(2, 1), currency="USD", amount_company="800.00")

    receive_payment(
        company,
        party=customer,
        amount=Decimal("300.00"),
        currency="USD",
        amount_company=Decimal("270.00"),
        on=D(2, 20),
    )

    invoice = refreshed(invoice)
    assert (invoice.residual, invoice.residual_company) == (Decimal("700.00"), Decimal("560.00"))
    assert balance(company, "exchange_gain") == Decimal("-30.00")  # 270 received for 240 booked
    assert balance(company, "receivable") == Decimal("560.00") == residuals(company, "receivable")


def test_reversing_a_payment_reopens_what_it_settled(company):
    customer = a_customer(company)
    invoice = an_open_item(company, customer, "200.00", on=D(2, 1))
    payment = receive_payment(company, party=customer, amount=Decimal("250.00"), on=D(2, 5))

    reverse_payment(payment, on=D(2, 7), reason="bounced")

    assert Payment.objects.get(pk=payment.pk).status == "reversed"
    assert (refreshed(invoice).residual, invoice.status) == (Decimal("200.00"), "open")
    assert not OpenItem.objects.filter(source_type="payments.payment").exists()
    assert balance(company, "bank") == Decimal("0")
    assert balance(company, "receivable") == Decimal("200.00") == residuals(company, "receivable")


def test_a_reversed_payment_whose_credit_was_used_is_refused(company):
    customer = a_customer(company)
    payment = receive_payment(company, party=customer, amount=Decimal("100.00"), on=D(2, 5))
    credit = OpenItem.objects.get(source_type="payments.payment")
    invoice = an_open_item(company, customer, "60.00", on=D(2, 6))
    allocate_credit(credit, invoice)

    with pytest.raises(PaymentsConflict):
        reverse_payment(payment)

    assert Payment.objects.get(pk=payment.pk).status == "posted"
    assert refreshed(invoice).residual == Decimal("0")


def test_paying_an_invoice_that_is_already_paid_is_refused_and_nothing_is_written(company):
    customer = a_customer(company)
    invoice = an_open_item(company, customer, "100.00", on=D(2, 1))
    stale = OpenItem.objects.get(pk=invoice.pk)
    receive_payment(
        company,
        party=customer,
        amount=Decimal("100.00"),
        on=D(2, 2),
        allocations=[AllocationSpec(invoice, Decimal("100.00"))],
    )
    payments, entries = Payment.objects.count(), JournalEntry.objects.count()

    with pytest.raises(AlreadySettled):
        receive_payment(
            company,
            party=customer,
            amount=Decimal("100.00"),
            on=D(2, 3),
            allocations=[AllocationSpec(stale, Decimal("100.00"))],
        )

    assert (Payment.objects.count(), JournalEntry.objects.count()) == (payments, entries)
    assert balance(company, "bank") == Decimal("100.00")


def test_allocations_above_the_payment_are_refused(company):
    customer = a_customer(company)
    a = an_open_item(company, customer, "100.00", on=D(2, 1))
    b = an_open_item(company, customer, "100.00", on=D(2, 1))

    with pytest.raises(ValidationFailed) as refused:
        receive_payment(
            company,
            party=customer,
            amount=Decimal("150.00"),
            on=D(2, 3),
            allocations=[AllocationSpec(a, Decimal("100.00")), AllocationSpec(b, Decimal("100.00"))],
        )

    assert "allocations" in refused.value.errors
    assert refreshed(a).residual == Decimal("100.00") and refreshed(b).residual == Decimal("100.00")
    assert not Payment.objects.exists()
