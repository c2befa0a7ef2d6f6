"""The customer 360 over real documents: orders shipped and invoiced, a payment, an order waiting.

Brouwerij De Leeuw (credit limit 3,000) bought ten chairs 45 days ago, paid 210 of that invoice,
bought five more today and has ten on order, not yet shipped. Before the call the rep sees the
open and overdue invoices, the payment, the delivery on its way, and the credit position exactly
as sales computes it when an order is confirmed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kern.crm import selectors
from kern.parties import services as parties
from kern.payments.selectors import credit_used
from kern.payments.services import receive_payment
from kern.sales import services as sales
from kern.sales.selectors import credit_position
from tests.builders import a_customer, a_product, a_user, a_web_client, an_open_year, in_stock
from tests.querycounts import query_baseline

pytestmark = pytest.mark.django_db

D = Decimal


def _sold(company, customer, chair, quantity, *, invoice_on=None, ship=True, post=True):
    order = sales.create_order(
        company, customer=customer, lines=[{"product": chair.pk, "quantity": quantity}]
    )
    sales.confirm_order(order)
    if ship:
        sales.ship_order(order)
    invoice = sales.invoice_order(order, on=invoice_on, post=True) if post else None
    order.refresh_from_db()
    return order, invoice


@pytest.fixture
def leeuw(company):
    today = timezone.localdate()
    past = today - dt.timedelta(days=45)
    an_open_year(company, past.year)
    an_open_year(company, today.year)
    term = parties.create_payment_term(company, name="30 dagen netto", net_days=30)
    customer = a_customer(company, "Brouwerij De Leeuw", payment_term=term, credit_limit=D("3000"))
    parties.add_address(
        customer, kind="billing", street="Markt 1", postcode="4811 AA", city="Breda", country="NL"
    )
    chair = a_product(company, "CHAIR", name="Chair", sale_price=D("100.00"), cost=D("60.00"))
    in_stock(chair, 100, unit_cost="60.00")
    first_order, first_invoice = _sold(company, customer, chair, 10, invoice_on=past)
    payment = receive_payment(company, party=customer, amount=D("210.00"), on=today)
    second_order, second_invoice = _sold(company, customer, chair, 5)
    waiting, _none = _sold(company, customer, chair, 10, ship=False, post=False)
    return {
        "company": company,
        "customer": customer,
        "chair": chair,
        "invoices": (first_invoice, second_invoice),
        "orders": (first_order, second_order, waiting),
        "payment": payment,
        "past": past,
        "today": today,
    }


def test_the_360_shows_posted_invoices_payments_deliveries_and_credit(leeuw):
    company, customer = leeuw["company"], leeuw["customer"]
    first_invoice, second_invoice = leeuw["invoices"]
    waiting = leeuw["orders"][2]
    first_invoice.refresh_from_db()
    assert (first_invoice.total, first_invoice.residual) == (D("1210.00"), D("1000.00"))
    assert second_invoice.total == D("605.00")

    view = selectors.customer_360(customer, a_user(company, "sales_rep"))

    # Open and overdue invoices: the first is 15 days past due with 1,000 left.
    assert [(d.number, d.open_amount, d.overdue) for d in view.open_invoices] == [
        (first_invoice.number, D("1000.00"), True),
        (second_invoice.number, D("605.00"), False),
    ]
    assert (view.open_amount, view.overdue_amount, view.overdue_count) == (D("1605.00"), D("1000.00"), 1)
    # The payment, as payments booked it.
    assert [(d.number, d.amount, d.date) for d in view.last_payments] == [
        (leeuw["payment"].number, D("210.00"), leeuw["today"])
    ]
    # The third order is confirmed and its goods are on their way.
    assert view.orders[0].number == waiting.number
    assert len(view.orders) == 3
    assert [d.kind for d in view.deliveries_in_transit] == ["inventory.operation"]
    # Credit exactly as sales checks it: receivables from the subledger + confirmed, uninvoiced orders.
    position = credit_position(customer)
    assert (view.credit_limit, view.credit_receivables, view.credit_open_orders, view.credit_used) == (
        D("3000.00"),
        D("1605.00"),
        D("1210.00"),
        D("2815.00"),
    )
    assert (position.receivables, position.open_orders, position.used) == (
        view.credit_receivables,
        view.credit_open_orders,
        view.credit_used,
    )
    assert credit_used(company, customer) == D("1605.00")
    assert view.credit_status == "warning"  # 2,815 is more than 80 % of 3,000
    # Revenue net of VAT and the margin over the cost of what was invoiced (15 chairs at 60).
    assert (view.lifetime_revenue, view.gross_margin, view.margin_percent) == (
        D("1500.00"),
        D("600.00"),
        D("40.0"),
    )
    assert (view.customer_since, view.last_order) == (leeuw["past"], leeuw["today"])


def test_the_360_turns_blocked_when_the_limit_is_passed_and_ok_when_paid(leeuw):
    company, customer = leeuw["company"], leeuw["customer"]
    rep = a_user(company, "sales_rep")
    parties.update_party(customer, credit_limit=D("2000"))
    customer.refresh_from_db()
    assert selectors.customer_360(customer, rep).credit_status == "blocked"
    receive_payment(company, party=customer, amount=D("1605.00"), on=leeuw["today"])
    view = selectors.customer_360(customer, rep)
    assert (view.credit_receivables, view.credit_used, view.credit_status) == (
        D("0.00"),
        D("1210.00"),
        "ok",
    )
    assert (view.open_invoices, view.overdue_count) == ([], 0)
    assert [d.amount for d in view.last_payments] == [D("1605.00"), D("210.00")]


def test_the_360_api_and_page_show_the_documents_with_a_fixed_number_of_queries(leeuw, api):
    company, customer = leeuw["company"], leeuw["customer"]
    url = f"/api/v1/crm/customers/{customer.pk}/360"
    api.get(url)  # warm: the token's last use is noted once
    with query_baseline(__file__, "api.crm.customer360") as few:
        body = api.get(url).json()
    assert body["credit"] == {
        "limit": "3000.00",
        "receivables": "1605.00",
        "open_orders": "1210.00",
        "used": "2815.00",
        "status": "warning",
    }
    assert (body["open_amount"], body["overdue_amount"], body["overdue_count"]) == ("1605.00", "1000.00", 1)
    assert [p["amount"] for p in body["last_payments"]] == ["210.00"]
    assert (body["lifetime_revenue"], body["gross_margin"]) == ("1500.00", "600.00")

    page = a_web_client(a_user(company, "sales_rep"))
    page.get(f"/crm/customers/{customer.pk}/")  # warm: the session and the menu settle once
    with query_baseline(__file__, "web.crm.customer360") as few_on_page:
        html = page.get(f"/crm/customers/{customer.pk}/").content.decode()
    assert leeuw["invoices"][0].number in html
    assert leeuw["payment"].number in html
    assert 'id="c360-credit-status"' in html and "Warning" in html

    # Twelve more orders, invoices and payments: the same number of queries.
    parties.update_party(customer, credit_limit=D("100000"))
    for _ in range(12):
        _sold(company, customer, leeuw["chair"], 1)
        receive_payment(company, party=customer, amount=D("50.00"), on=leeuw["today"])
    with CaptureQueriesContext(connection) as many:
        again = api.get(url).json()
    assert len(many.captured_queries) == len(few.captured_queries)
    with query_baseline(__file__, "web.crm.customer360") as many_on_page:
        html = page.get(f"/crm/customers/{customer.pk}/").content.decode()
    assert len(many_on_page.captured_queries) == len(few_on_page.captured_queries)
    section = html[html.index('id="c360-invoices"') : html.index('id="c360-payments"')]
    assert len(re.findall(r'href="/sales/invoices/\d+/"', section)) == 10
    assert (len(again["orders"]), len(again["last_payments"]), len(again["open_invoices"])) == (10, 10, 10)
    assert again["lifetime_revenue"] == "2700.00"
