"""The O2C hot path: reserving and shipping an order costs a fixed number of SQL statements,
whatever the number of lines (the O2C benchmark allows 40 statements for the whole cycle)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.inventory import selectors, services
from kern.inventory.services import MoveSpec
from tests.builders import a_product, in_stock

D = Decimal
# Inventory's own statements; the unit of work adds three for the audit chain (once per
# transaction, shared with the sales order) and one for the outbox.
RESERVE = ["number", "select quants", "reserve quants", "insert operation", "insert moves"]
SHIP = [
    "status",
    "select moves",
    "update quants",
    "lock layers",
    "update layers",
    *["ledger"] * 5,
    "update moves",
]
BOOKKEEPING = 4  # audit chain head, audit rows, chain update, outbox


def statements(ctx):
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.fixture
def order_of(company):
    products = [a_product(company, f"P{i}", cost=D("5") + i) for i in range(5)]
    for product in products:
        in_stock(product, 1000)
    # The numbering row exists after the first delivery; the hot path meets it that way.
    first = services.create_delivery(company, lines=[MoveSpec(products[0], D("1"))])
    services.ship_delivery(first)
    return lambda n: [MoveSpec(p, D(i + 1)) for i, p in enumerate(products[:n])]


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [1, 5])
def test_reserving_an_order_costs_a_fixed_number_of_statements(company, order_of, lines):
    warehouse = selectors.default_warehouse(company)
    specs = order_of(lines)
    with CaptureQueriesContext(connection) as ctx:
        services.create_delivery(company, lines=specs, warehouse=warehouse)
    sql = statements(ctx)
    assert len(sql) == len(RESERVE) + BOOKKEEPING - 1, "\n".join(s[:120] for s in sql)  # no event on reserve


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [1, 5])
def test_shipping_an_order_costs_a_fixed_number_of_statements(company, order_of, lines):
    warehouse = selectors.default_warehouse(company)
    delivery = services.create_delivery(company, lines=order_of(lines), warehouse=warehouse)
    with CaptureQueriesContext(connection) as ctx:
        services.ship_delivery(delivery)
    sql = statements(ctx)
    assert len(sql) == len(SHIP) + BOOKKEEPING, "\n".join(s[:120] for s in sql)
    assert delivery.moves.filter(status="done").count() == lines
