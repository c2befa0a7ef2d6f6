"""The lines' delivered and invoiced quantities are written with the order's own UPDATE: on
PostgreSQL in the same statement (a CTE), on SQLite just before it. Either way the figures and
statuses are those the steps imply."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.sales import services
from kern.sales.models import SalesOrder

pytestmark = pytest.mark.django_db
D = Decimal


def _order_writes(ctx) -> list[str]:
    """The statements that wrote the order row or its lines."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().startswith(("UPDATE", "WITH"))
        and ('"sales_salesorder"' in q["sql"] or "sales_salesorderline" in q["sql"])
    ]


def _together_on_postgresql(writes: list[str]) -> None:
    carried = [w for w in writes if "sales_salesorderline" in w]
    assert carried, writes
    if connection.vendor == "postgresql":
        assert all('"sales_salesorder"' in w for w in carried), writes  # one statement for both
    else:
        assert not any('"sales_salesorder"' in w for w in carried), writes


def test_confirm_ship_and_invoice_write_the_lines_with_the_order(world):
    order = services.create_order(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 3}, {"product": world.hour.pk, "quantity": 2}],
        by=world.rep,
    )
    with CaptureQueriesContext(connection) as confirming:
        services.confirm_order(order, by=world.rep)
    _together_on_postgresql(_order_writes(confirming))  # the hours count as delivered at once

    with CaptureQueriesContext(connection) as shipping:
        services.ship_order(order, by=world.rep)
    _together_on_postgresql(_order_writes(shipping))

    with CaptureQueriesContext(connection) as invoicing:
        services.invoice_order(order, post=True, by=world.rep)
    _together_on_postgresql(_order_writes(invoicing))

    stored = SalesOrder.objects.get(pk=order.pk)
    lines = {ln.product_id: ln for ln in stored.lines.all()}
    assert (lines[world.chair.pk].qty_delivered, lines[world.chair.pk].qty_invoiced) == (D(3), D(3))
    assert (lines[world.hour.pk].qty_delivered, lines[world.hour.pk].qty_invoiced) == (D(2), D(2))
    assert (stored.delivery_status, stored.invoice_status) == ("fully", "fully")
    assert stored.invoiced_total == D("592.90")  # (3 × 100 + 2 × 95) + 21 % VAT
    assert stored.status == "done"
