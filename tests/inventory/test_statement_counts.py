"""The O2C hot path: reserving and shipping an order costs a fixed number of SQL statements,
whatever the number of lines (the O2C benchmark allows 40 statements for the whole cycle)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.core.db import atomic
from kern.inventory import selectors, services
from kern.inventory.services import MoveSpec
from tests.builders import a_product, in_stock

D = Decimal


# Inventory's own statements; the unit of work adds its bookkeeping once per transaction
# (shared with the sales order): on SQLite the audit chain head, the audit rows, the chain update
# and the outbox; on PostgreSQL the chain head and one statement for the rest.
def reserve() -> list[str]:
    # On PostgreSQL the delivery's number is claimed inside its INSERT and the moves are inserted
    # in the same statement (CTEs).
    if connection.vendor == "postgresql":
        return ["select quants", "reserve quants", "insert operation, its number and moves"]
    return ["number", "select quants", "reserve quants", "insert operation", "insert moves"]


def ship(ledger: int) -> list[str]:
    # On PostgreSQL the cost layers' update rides with the moves' update (a CTE of it).
    layers = ["update layers"] if connection.vendor != "postgresql" else []
    return [
        "status",
        "select moves",
        "update quants",
        "lock layers",
        *["ledger"] * ledger,
        *layers,
        "update moves",
    ]


def ledger_statements() -> int:
    # books lock, chain, number, entry, lines and balances: 1 round trip on PostgreSQL, 5 on SQLite
    return 1 if connection.vendor == "postgresql" else 5


def bookkeeping() -> int:
    return 2 if connection.vendor == "postgresql" else 4


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
    assert len(sql) == len(reserve()) + bookkeeping() - (0 if connection.vendor == "postgresql" else 1), (
        "\n".join(s[:120] for s in sql)
    )  # no event on reserve (on PostgreSQL the outbox shares the audit statement anyway)


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [1, 5])
def test_shipping_an_order_costs_a_fixed_number_of_statements(company, order_of, lines):
    warehouse = selectors.default_warehouse(company)
    delivery = services.create_delivery(company, lines=order_of(lines), warehouse=warehouse)
    with CaptureQueriesContext(connection) as ctx:
        services.ship_delivery(delivery)
    sql = statements(ctx)
    assert len(sql) == len(ship(ledger_statements())) + bookkeeping(), "\n".join(s[:120] for s in sql)
    assert delivery.moves.filter(status="done").count() == lines


@pytest.mark.django_db
def test_a_delivery_confirmed_and_shipped_in_one_transaction_is_not_read_back(company, order_of):
    """A counter sale: the moves just written are shipped from memory, not selected again."""
    warehouse = selectors.default_warehouse(company)
    specs = order_of(5)
    products = [spec.product for spec in specs]
    before = selectors.stock_levels(company, products)
    with CaptureQueriesContext(connection) as ctx, atomic():
        delivery = services.create_delivery(company, lines=specs, warehouse=warehouse)
        services.ship_delivery(delivery)
    sql = statements(ctx)
    shipped = [s for s in ship(ledger_statements()) if s != "select moves"]
    assert len(sql) == len(reserve()) + len(shipped) + bookkeeping(), "\n".join(s[:120] for s in sql)
    assert [m.status for m in delivery.moves.all()] == ["done"] * 5
    after = selectors.stock_levels(company, products)
    assert [after[p.pk].on_hand for p in products] == [
        before[spec.product.pk].on_hand - spec.quantity for spec in specs
    ]


@pytest.mark.django_db
def test_an_inventory_write_in_between_makes_the_shipment_read_the_moves_again(company, order_of):
    """The cached moves are current only until the next inventory write: here a second delivery
    is created before the first is shipped, so the first's moves are read from the database."""
    warehouse = selectors.default_warehouse(company)
    with atomic():
        first = services.create_delivery(company, lines=order_of(2), warehouse=warehouse)
        services.create_delivery(company, lines=order_of(1), warehouse=warehouse)
        with CaptureQueriesContext(connection) as ctx:
            services.ship_delivery(first)
    assert any('FROM "inventory_move"' in s for s in statements(ctx))
    assert [m.status for m in first.moves.order_by("id")] == ["done", "done"]
