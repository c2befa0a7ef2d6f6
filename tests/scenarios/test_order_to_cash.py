"""Order to cash, as the business lives it.

Jansen BV wants ten oak office chairs with armrests. The rep quotes them at 20 % off, which is
more than a rep may give, so the sales manager approves it; the customer accepts through the
link in the mail and the order is confirmed with the chairs reserved. Six chairs go out first,
are invoiced (2/10 net 30), Jansen pays 500 by transfer, and the bank statement brings the rest
with the invoice's payment reference. The ledger, the stock and the receivables tell the story.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from kern.catalog import services as catalog
from kern.core.services import update_company
from kern.inventory.selectors import stock_levels
from kern.ledger.models import JournalEntry, JournalLine
from kern.ledger.selectors import account_for
from kern.parties import services as parties
from kern.payments.models import OpenItem
from kern.payments.services import create_bank_journal, import_bank_statement, receive_payment
from kern.sales import services as sales
from kern.sales.exceptions import ApprovalRequired
from kern.sales.models import DeliveryStatus, InvoiceStatus, OrderStatus, PaymentStatus, QuoteStatus
from tests.builders import a_customer, a_product, a_user, in_stock
from tests.payments.camt import a_camt053, a_line

pytestmark = pytest.mark.django_db

D = Decimal
OWN_IBAN = "NL91ABNA0417164300"


def balance(company, role, party=None):
    lines = JournalLine.objects.filter(company=company, account=account_for(company, role))
    if party is not None:
        lines = lines.filter(party=party)
    totals = lines.aggregate(d=Sum("debit"), c=Sum("credit"))
    return (totals["d"] or D(0)) - (totals["c"] or D(0))


def test_a_configured_discounted_quote_becomes_cash(company):
    update_company(company, vat_id="NL123456782B01", iban=OWN_IBAN, bic="ABNANL2A")
    create_bank_journal(company, name="ABN AMRO", iban=OWN_IBAN, bic="ABNANL2A")
    term = parties.create_payment_term(
        company, name="2/10 net 30", net_days=30, discount_days=10, discount_percent=D(2)
    )
    jansen = a_customer(company, "Jansen BV", payment_term=term, kvk_number="12345678")
    parties.add_address(
        jansen, kind="billing", street="Kerkstraat 1", postcode="3511 AB", city="Utrecht", country="NL"
    )
    chair = a_product(company, "CHAIR", name="Office chair", sale_price=D("100.00"), cost=D("60.00"))
    frame = catalog.add_option_group(chair, code="frame", name="Frame")
    catalog.add_option(frame, code="steel", name="Steel", is_default=True)
    oak = catalog.add_option(frame, code="oak", name="Oak", price_delta=D("40"), cost_delta=D("25"))
    extras = catalog.add_option_group(
        chair, code="extras", name="Extras", selection="multiple", is_required=False
    )
    arms = catalog.add_option(extras, code="arms", name="Armrests", price_delta=D("30"), cost_delta=D("10"))
    in_stock(chair, 50, unit_cost="60.00")
    rep = a_user(company, "sales_rep")
    manager = a_user(company, "sales_manager")

    # The quote: 10 configured chairs at 20 % off — a rep may give 15 %.
    quote = sales.create_quote(
        company,
        customer=jansen,
        lines=[{"product": chair.pk, "quantity": 10, "options": [oak.pk, arms.pk], "discount_percent": "20"}],
        by=rep,
    )
    line = quote.lines.get()
    assert (line.list_price, line.unit_price, line.amount) == (D("170.0000"), D("136.0000"), D("1360.00"))
    assert line.option_summary == "Frame: Oak; Extras: Armrests"
    assert (quote.net_total, quote.tax_total, quote.total, quote.cost_total) == (
        D("1360.00"),
        D("285.60"),
        D("1645.60"),
        D("950.00"),
    )
    assert quote.approval_role == "sales_manager"
    with pytest.raises(ApprovalRequired):
        sales.send_quote(quote, by=rep)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT
    sales.submit_quote(quote, by=rep)
    sales.approve_quote(quote, by=manager)
    sales.send_quote(quote, by=rep)
    assert (quote.status, quote.approved_by) == (QuoteStatus.SENT, manager)

    # The customer accepts through the signed link: the order is confirmed, the chairs reserved.
    token = sales.acceptance_token(quote)
    order = sales.accept_quote(sales.quote_for_token(token), name="P. Jansen", from_address="192.0.2.10")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert (order.status, order.quote_id, order.total, order.sales_rep) == (
        OrderStatus.CONFIRMED,
        quote.pk,
        D("1645.60"),
        rep,
    )
    assert stock_levels(company, [chair])[chair.pk].reserved == 10

    # Six go out first; four stay on a backorder, still reserved.
    order_line = order.lines.get()
    sales.ship_order(order, quantities={order_line.pk: 6})
    order.refresh_from_db()
    order_line.refresh_from_db()
    assert (order.delivery_status, order_line.qty_delivered) == (DeliveryStatus.PARTLY, D("6"))
    level = stock_levels(company, [chair])[chair.pk]
    assert (level.on_hand, level.reserved) == (D("44"), D("4"))

    # The invoice follows the delivery: six chairs, 2/10 net 30.
    invoice = sales.invoice_order(order, post=True)
    assert (invoice.status, invoice.number) == (
        InvoiceStatus.POSTED,
        f"INV-{invoice.invoice_date.year}-00001",
    )
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (D("816.00"), D("171.36"), D("987.36"))
    assert invoice.due_date == invoice.invoice_date + dt.timedelta(days=30)
    assert (invoice.discount_date, invoice.discount_amount) == (
        invoice.invoice_date + dt.timedelta(days=10),
        D("19.75"),
    )
    entry = JournalEntry.objects.get(source_type="sales.invoice", source_id=invoice.pk)
    assert entry.total == D("987.36")

    # Jansen pays 500 now; the bank statement brings the rest with the payment reference.
    receive_payment(company, party=jansen, amount=D("500.00"), on=invoice.invoice_date)
    invoice.refresh_from_db()
    assert (invoice.payment_status, invoice.residual) == (PaymentStatus.PARTLY_PAID, D("487.36"))
    statement = a_camt053(
        OWN_IBAN,
        invoice.invoice_date,
        a_line(
            "487.36",
            invoice.invoice_date,
            counterparty_name="JANSEN BV",
            counterparty_iban="NL20INGB0001234567",
            structured_reference=invoice.payment_reference,
            bank_reference="B-77",
        ),
    )
    result = import_bank_statement(company, statement, filename="statement.xml")
    assert len(result.statements) == 1
    invoice.refresh_from_db()
    assert (invoice.payment_status, invoice.residual) == (PaymentStatus.PAID, D("0.00"))

    # The books: nothing owed, revenue and VAT of six chairs, the cost of six chairs sold.
    assert balance(company, "receivable", jansen) == 0
    assert OpenItem.objects.filter(company=company, party=jansen).aggregate(s=Sum("residual"))["s"] == 0
    assert balance(company, "revenue") == D("-816.00")
    assert balance(company, "vat_output_high") == D("-171.36")
    assert balance(company, "bank") == D("987.36")
    assert balance(company, "cogs") == D("360.00")  # 6 × 60.00 valued by the delivery
    assert (
        JournalLine.objects.filter(company=company).aggregate(d=Sum("debit"))["d"]
        == JournalLine.objects.filter(company=company).aggregate(c=Sum("credit"))["c"]
    )

    # The rest ships and is invoiced: the order is done.
    sales.ship_order(order)
    second = sales.invoice_order(order, post=True)
    order.refresh_from_db()
    assert second.total == D("658.24")  # 4 × 136.00 + 21 % VAT
    assert (order.status, order.delivery_status, order.invoice_status, order.invoiced_total) == (
        OrderStatus.DONE,
        DeliveryStatus.FULLY,
        "fully",
        D("1645.60"),
    )
    assert stock_levels(company, [chair])[chair.pk].on_hand == D("40")
