"""The sales demo: quotes, orders, invoices and payments in every state, loaded once."""

import pytest

from kern.core.registry import DEMO_STEPS
from kern.sales.models import Invoice, Quote, ReturnAuthorisation, SalesOrder, SalesTeam


def _states(company):
    return (
        set(Quote.objects.filter(company=company).values_list("status", flat=True)),
        set(SalesOrder.objects.filter(company=company).values_list("status", flat=True)),
        set(SalesOrder.objects.filter(company=company).values_list("delivery_status", flat=True)),
        set(Invoice.objects.filter(company=company).values_list("kind", "status", "payment_status")),
        set(ReturnAuthorisation.objects.filter(company=company).values_list("status", flat=True)),
        SalesTeam.objects.filter(company=company).count(),
    )


@pytest.mark.django_db
def test_the_sales_demo_has_every_state_and_loads_once():
    ctx: dict = {}
    for name in ("core", "parties", "catalog", "inventory", "sales"):
        DEMO_STEPS[name].run(ctx, None)
    company = ctx["company"]
    quotes, orders, deliveries, invoices, returns, teams = first = _states(company)

    assert quotes == {
        "draft",
        "to_approve",
        "approved",
        "sent",
        "accepted",
        "rejected",
        "expired",
        "cancelled",
    } or (
        quotes
        == {"draft", "to_approve", "approved", "sent", "accepted", "rejected", "cancelled"}  # on 1-15 January
    )
    assert orders == {"draft", "blocked", "confirmed", "done", "cancelled"}
    assert deliveries == {"nothing", "partly", "fully"}
    assert {
        ("invoice", "draft", "not_paid"),
        ("invoice", "posted", "not_paid"),
        ("invoice", "posted", "partly_paid"),
        ("invoice", "posted", "paid"),
        ("credit_note", "posted", "not_paid"),
    } <= invoices
    assert returns == {"draft", "credited"}
    assert teams == 2
    assert Quote.objects.filter(company=company, lines__option_summary__contains="Armleggers").exists()

    DEMO_STEPS["sales"].run(ctx, None)
    assert _states(company) == first
    assert Quote.objects.filter(company=company).count() == 8
