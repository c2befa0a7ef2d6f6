"""Invoices and credit notes: from orders per invoicing policy, standalone with free lines,
payment terms, the ledger entry, gapless numbers, credit notes, payment status, overpayment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from kern.core.money import quantize
from kern.ledger.models import JournalEntry, JournalLine
from kern.payments.models import OpenItem
from kern.payments.services import receive_payment
from kern.sales import services
from kern.sales.exceptions import NothingToInvoice, SalesCode, SalesConflict
from kern.sales.models import Invoice, InvoiceLine, PaymentStatus

pytestmark = pytest.mark.django_db
D = Decimal


def confirmed(world, *lines, policy="delivery"):
    order = services.create_order(
        world.company, customer=world.customer, lines=list(lines), invoicing_policy=policy, by=world.rep
    )
    services.confirm_order(order, by=world.rep)
    return order


def entry_lines(invoice):
    entry = JournalEntry.objects.get(source_type="sales.invoice", source_id=invoice.pk)
    return sorted(
        (ln.account.code, ln.debit, ln.credit, ln.tax_code.code if ln.tax_code_id else "")
        for ln in JournalLine.objects.filter(entry=entry).select_related("account", "tax_code")
    )


def test_on_delivery_only_what_went_out_is_invoiced(world):
    order = confirmed(
        world, {"product": world.chair.pk, "quantity": 5}, {"product": world.hour.pk, "quantity": 2}
    )
    chair = order.lines.get(product=world.chair)

    first = services.invoice_order(order, post=True, by=world.accountant)  # only the hours (services)
    services.ship_order(order, quantities={chair.pk: 3}, by=world.rep)
    second = services.invoice_order(order, post=True, by=world.accountant)

    assert [(ln.description, ln.quantity) for ln in first.lines.all()] == [("Consultancy hour", D("2"))]
    assert [(ln.description, ln.quantity) for ln in second.lines.all()] == [("Chair", D("3"))]
    with pytest.raises(NothingToInvoice) as nothing:
        services.invoice_order(order, by=world.accountant)
    assert nothing.value.status == 409
    order.refresh_from_db()
    assert (order.invoice_status, order.invoiced_total) == ("partly", D("592.90"))  # 229.90 + 363.00


def test_on_order_everything_is_invoiced_at_once(world):
    order = confirmed(world, {"product": world.chair.pk, "quantity": 5}, policy="order")

    invoice = services.invoice_order(order, post=True, by=world.accountant)

    assert invoice.lines.get().quantity == 5
    order.refresh_from_db()
    assert (order.invoice_status, order.delivery_status, order.status) == ("fully", "nothing", "confirmed")


def test_posting_books_receivable_revenue_and_vat_and_opens_the_item(world):
    order = confirmed(
        world, {"product": world.chair.pk, "quantity": 3}, {"product": world.hour.pk, "quantity": 2}
    )
    services.ship_order(order, by=world.rep)

    invoice = services.invoice_order(order, post=True, by=world.accountant)

    # chairs 300.00 to goods revenue, hours 190.00 to services revenue, VAT 21 % of 490.00
    assert entry_lines(invoice) == [
        ("1300", D("592.90"), D("0.00"), ""),
        ("1500", D("0.00"), D("102.90"), "V21"),
        ("8000", D("0.00"), D("300.00"), "V21"),
        ("8100", D("0.00"), D("190.00"), "V21"),
    ]
    item = OpenItem.objects.get(source_type="sales.invoice", source_id=invoice.pk)
    assert (item.party_id, item.amount, item.due_date, item.discount_amount, item.reference) == (
        world.customer.pk,
        D("592.90"),
        invoice.invoice_date + dt.timedelta(days=30),
        D("11.86"),  # 2 % of 592.90
        invoice.payment_reference,
    )
    assert invoice.payment_reference.startswith("RF") and invoice.payment_reference.endswith(
        invoice.number.replace("-", "")
    )


def test_numbers_are_gapless_and_given_only_when_posting(world):
    drafts = [
        services.create_invoice(
            world.company,
            customer=world.customer,
            lines=[{"description": f"Fee {n}", "quantity": 1, "unit_price": "10"}],
        )
        for n in range(3)
    ]
    assert [d.number for d in drafts] == ["", "", ""]
    services.cancel_invoice(drafts[1], by=world.accountant)
    services.post_invoice(drafts[2], by=world.accountant)
    services.post_invoice(drafts[0], by=world.accountant)

    year = dt.date.today().year
    assert [Invoice.objects.get(pk=d.pk).number for d in drafts] == [
        f"INV-{year}-00002",
        "",
        f"INV-{year}-00001",
    ]
    with pytest.raises(SalesConflict):
        services.post_invoice(drafts[0], by=world.accountant)


def test_a_standalone_invoice_with_free_lines_and_an_explicit_vat_code(world):
    invoice = services.create_invoice(
        world.company,
        customer=world.customer,
        lines=[
            {"product": world.desk.pk, "quantity": 1, "discount_percent": "10"},
            {"description": "Assembly", "quantity": "1.5", "unit_price": "60", "tax_category": "reduced"},
            {"description": "Subcontracted work", "quantity": 2, "unit_price": "100", "tax_code": "VVR"},
        ],
        post=True,
        by=world.accountant,
    )

    assert [(ln.amount, ln.tax_code) for ln in invoice.lines.order_by("line_no")] == [
        (D("405.00"), "V21"),
        (D("90.00"), "V9"),
        (D("200.00"), "VVR"),
    ]
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (D("695.00"), D("93.15"), D("788.15"))
    with pytest.raises(SalesConflict):
        services.update_invoice(invoice, notes="changed", by=world.accountant)


def test_bad_free_lines_are_refused_and_nothing_is_written(world):
    for line, field in (
        ({"quantity": 1, "unit_price": "10"}, "lines[0].description"),
        ({"description": "X", "quantity": 1, "unit_price": "-1"}, "lines[0].unit_price"),
        ({"description": "X", "quantity": 1, "unit_price": "1", "tax_code": "NOPE"}, "lines[0].tax_code"),
    ):
        with pytest.raises(Exception) as refused:
            services.create_invoice(world.company, customer=world.customer, lines=[line])
        assert field in refused.value.errors
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


def test_credit_notes_credit_what_is_left_and_follow_the_order(world):
    order = confirmed(world, {"product": world.chair.pk, "quantity": 4}, policy="order")
    invoice = services.invoice_order(order, post=True, by=world.accountant)
    line = invoice.lines.get()

    partial = services.credit_invoice(
        invoice, lines=[{"line": line.pk, "quantity": 1}], reason="Damaged", by=world.accountant
    )
    with pytest.raises(SalesConflict) as too_much:
        services.credit_invoice(invoice, lines=[{"line": line.pk, "quantity": 4}], by=world.accountant)
    rest = services.credit_invoice(invoice, by=world.accountant)

    assert too_much.value.code == SalesCode.OVER_CREDIT
    assert too_much.value.message == f"line 1 (Chair): 4 to credit, only 3 left on {invoice.number}"
    assert (partial.number[:3], partial.total, rest.lines.get().quantity, rest.total) == (
        "CN-",
        D("121.00"),
        D("3"),
        D("363.00"),
    )
    assert entry_lines(partial) == [
        ("1300", D("0.00"), D("121.00"), ""),
        ("1500", D("21.00"), D("0.00"), "V21"),
        ("8000", D("100.00"), D("0.00"), "V21"),
    ]
    order.refresh_from_db()
    assert (order.invoiced_total, order.lines.get().qty_invoiced, order.invoice_status) == (
        D("0.00"),
        D("0"),
        "nothing",
    )
    # The credit notes settle against the invoice in receivables once allocated; the customer owes nothing.
    assert OpenItem.objects.filter(party=world.customer).aggregate(s=Sum("residual"))["s"] == 0


def test_payments_set_the_payment_status_and_an_overpayment_becomes_credit(world):
    invoice = services.create_invoice(
        world.company,
        customer=world.customer,
        lines=[{"description": "Work", "quantity": 1, "unit_price": "100"}],
        post=True,
    )

    receive_payment(world.company, party=world.customer, amount=D("50.00"), on=invoice.invoice_date)
    invoice.refresh_from_db()
    assert (invoice.payment_status, invoice.residual) == (PaymentStatus.PARTLY_PAID, D("71.00"))
    receive_payment(world.company, party=world.customer, amount=D("100.00"), on=invoice.invoice_date)
    invoice.refresh_from_db()
    assert (invoice.payment_status, invoice.residual) == (PaymentStatus.PAID, D("0.00"))
    credit = OpenItem.objects.get(party=world.customer, source_type="payments.payment", residual__lt=0)
    assert credit.residual == D("-29.00")  # kept as the customer's credit, never lost


def test_the_early_payment_discount_follows_the_term(world):
    invoice = services.create_invoice(
        world.company,
        customer=world.customer,
        lines=[{"description": "Work", "quantity": 1, "unit_price": "1000"}],
        post=True,
    )
    assert (invoice.discount_date, invoice.discount_amount) == (
        invoice.invoice_date + dt.timedelta(days=10),
        D("24.20"),
    )

    receive_payment(
        world.company,
        party=world.customer,
        amount=invoice.total - D("24.20"),
        on=invoice.invoice_date + dt.timedelta(days=5),
    )

    invoice.refresh_from_db()
    assert invoice.payment_status == PaymentStatus.PAID


def test_invoices_in_another_currency_post_in_the_company_currency(world):
    from kern.core.services import set_exchange_rate

    set_exchange_rate("USD", D("1.25"), on=dt.date.today())
    invoice = services.create_invoice(
        world.company,
        customer=world.customer,
        currency="USD",
        lines=[{"description": "Work", "quantity": 1, "unit_price": "100"}],
        post=True,
    )

    assert (invoice.currency_id, invoice.total, invoice.total_company) == (
        "USD",
        D("121.00"),
        quantize(D("121.00") / D("1.25"), "EUR"),
    )
    receivable = JournalLine.objects.get(
        entry__source_id=invoice.pk, entry__source_type="sales.invoice", account__code="1300"
    )
    assert (receivable.debit, receivable.amount_currency, receivable.currency) == (
        D("96.80"),
        D("121.00"),
        "USD",
    )
