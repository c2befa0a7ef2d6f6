"""`insert_rows`: the sales lines' INSERT, built once per shape, stores exactly what bulk_create stores."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.core.rows import _INSERTS, insert_rows
from kern.sales import services
from kern.sales.models import SalesOrderLine

pytestmark = pytest.mark.django_db
SKIP = {"id", "order", "created_at", "updated_at"}


def _stored(order):
    names = [f.attname for f in SalesOrderLine._meta.concrete_fields if f.name not in SKIP]
    return [dict(zip(names, row, strict=True)) for row in order.lines.order_by("line_no").values_list(*names)]


def _copies(lines, order):
    out = []
    for ln in lines:
        row = copy.copy(ln)
        row.pk = None
        row._state = copy.copy(ln._state)
        row._state.adding = True
        row.order = order
        out.append(row)
    return out


def test_insert_rows_stores_what_bulk_create_stores_in_one_statement(world):
    lines = [
        {"product": world.chair.pk, "quantity": "2.5", "discount_percent": "12.5"},
        {"product": world.desk.pk, "quantity": 1, "unit_price": "399.99", "description": "Bureau"},
        {"product": world.hour.pk, "quantity": 3},
    ]
    source = services.create_order(world.company, customer=world.customer, lines=lines, by=world.rep)
    first = services.create_order(world.company, customer=world.customer, lines=lines[:1], by=world.rep)
    second = services.create_order(world.company, customer=world.customer, lines=lines[:1], by=world.rep)
    third = services.create_order(world.company, customer=world.customer, lines=lines[:1], by=world.rep)
    for order in (first, second, third):
        order.lines.all().delete()
    originals = list(source.lines.order_by("line_no"))
    ours = _copies(originals, first)
    with CaptureQueriesContext(connection) as queries:
        insert_rows(SalesOrderLine, ours)
    assert len(queries) == 1
    theirs = SalesOrderLine.objects.bulk_create(_copies(originals, second))
    assert _stored(first) == _stored(second) == _stored(source)
    assert all(r.pk and not r._state.adding and r._state.db == "default" for r in ours)
    assert [r.pk for r in ours] == list(first.lines.order_by("line_no").values_list("pk", flat=True))
    assert len({r.pk for r in ours} | {r.pk for r in theirs}) == 6
    assert (SalesOrderLine, 3, connection.vendor) in _INSERTS
    # Again with the same shape: the kept statement, new values.
    again = _copies(originals, third)
    again[0].quantity = Decimal("7")
    insert_rows(SalesOrderLine, again)
    assert third.lines.get(pk=again[0].pk).quantity == Decimal("7")


def test_rows_with_an_id_or_an_unsaved_parent_are_left_to_bulk_create(world):
    order = services.create_order(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 1}],
        by=world.rep,
    )
    line = order.lines.get()
    unsaved = copy.copy(order)
    unsaved.pk = None
    row = _copies([line], unsaved)[0]
    with pytest.raises(ValueError, match="unsaved related object"):
        insert_rows(SalesOrderLine, [row])
    pk = line.pk
    row = _copies([line], order)[0]
    line.delete()
    row.pk = pk
    insert_rows(SalesOrderLine, [row])
    assert order.lines.get().pk == pk


def test_related_objects_are_checked_as_bulk_create_checks_them(world):
    """A parent saved after it was assigned lends its id; a cached parent whose id no longer
    matches the row's is dropped from the cache, so the row keeps the id it was given."""
    order = services.create_order(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 1}],
        by=world.rep,
    )
    other = services.create_order(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 1}],
        by=world.rep,
    )
    line = order.lines.get()
    saved_later = copy.copy(order)
    saved_later.pk = None
    row = _copies([line], saved_later)[0]
    row.line_no = 101
    saved_later.pk = other.pk  # "saved" after it was assigned: the row has no order id yet
    assert row.order_id is None
    insert_rows(SalesOrderLine, [row])
    assert row.order_id == other.pk
    assert SalesOrderLine.objects.get(pk=row.pk).order_id == other.pk

    moved = _copies([line], order)[0]
    moved.line_no = 102
    moved.order_id = other.pk  # the id changed after the object was cached
    insert_rows(SalesOrderLine, [moved])
    assert "order" not in moved._state.fields_cache
    assert SalesOrderLine.objects.get(pk=moved.pk).order_id == other.pk


def test_an_order_and_its_lines_go_in_as_bulk_create_would_write_them(world):
    """`save_new_with_lines`: on PostgreSQL the order, its number and its lines in one statement;
    what is stored is what the ORM's bulk_create stores for the same lines."""
    lines = [
        {"product": world.chair.pk, "quantity": "2.5", "discount_percent": "12.5"},
        {"product": world.desk.pk, "quantity": 1, "unit_price": "399.99", "description": "Bureau"},
        {"product": world.hour.pk, "quantity": 3},
    ]
    services.create_order(
        world.company, customer=world.customer, lines=lines[:1], by=world.rep
    )  # the counter
    with CaptureQueriesContext(connection) as queries:
        order = services.create_order(world.company, customer=world.customer, lines=lines, by=world.rep)
    writes = [q["sql"] for q in queries.captured_queries if "sales_salesorder" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(writes) == 1 and 'INSERT INTO "sales_salesorderline"' in writes[0], writes
    other = services.create_order(world.company, customer=world.customer, lines=lines[:1], by=world.rep)
    other.lines.all().delete()
    SalesOrderLine.objects.bulk_create(_copies(list(order.lines.order_by("line_no")), other))
    assert _stored(order) == _stored(other)
    assert [ln.pk for ln in order._lines] == list(
        order.lines.order_by("line_no").values_list("pk", flat=True)
    )
    assert all(ln.order_id == order.pk and ln.order is order and not ln._state.adding for ln in order._lines)
    stored = type(order).objects.get(pk=order.pk)
    assert (stored.number, stored.total, stored.customer_id) == (order.number, order.total, world.customer.pk)
