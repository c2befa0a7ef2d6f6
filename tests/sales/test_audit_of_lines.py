"""A document's lines are audited in the document's own row: one row per document event."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.core import audit
from kern.core.db import atomic, savepoint
from kern.core.models import AuditEvent
from kern.inventory.models import Operation
from kern.sales import services
from kern.sales.models import SalesOrderLine

pytestmark = pytest.mark.django_db


def _rows(document):
    return list(
        AuditEvent.objects.filter(model=document._meta.label_lower, object_id=str(document.pk)).order_by("id")
    )


def test_a_new_order_and_its_lines_are_one_audit_row(world):
    order = services.create_order(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 2}, {"product": world.hour.pk, "quantity": 3}],
        by=world.rep,
    )
    [created] = _rows(order)
    assert created.action == "create" and created.user_id == world.rep.pk
    assert created.changes["number"] == [None, order.number]
    old, lines = created.changes["lines"]
    assert old is None
    stored = list(order.lines.order_by("line_no"))
    assert [ln["id"] for ln in lines] == [ln.pk for ln in stored]
    assert [(ln["product_id"], Decimal(ln["quantity"]), Decimal(ln["unit_price"])) for ln in lines] == [
        (world.chair.pk, 2, 100),
        (world.hour.pk, 3, 95),
    ]
    assert all("order_id" not in ln for ln in lines)  # the document is the row's own object
    assert not AuditEvent.objects.filter(model="sales.salesorderline").exists()
    ok, _bad, _reason = audit.verify_chain()
    assert ok


def test_lines_added_to_an_existing_document_are_one_lines_row_on_it(world):
    order = services.create_order(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 1}],
        by=world.rep,
    )
    extra = SalesOrderLine.objects.get(order=order)
    extra.pk, extra.line_no = None, 2
    with atomic():
        SalesOrderLine.objects.bulk_create([extra])
        audit.record_lines_created(order, [extra])
    create, lines = _rows(order)
    assert len(create.changes["lines"][1]) == 1
    assert lines.action == "lines"
    assert lines.changes["lines"][0] is None
    assert [ln["id"] for ln in lines.changes["lines"][1]] == [extra.pk]


def test_lines_written_in_a_savepoint_that_rolls_back_leave_the_document_row_as_it_was(world):
    with atomic():
        order = services.create_order(
            world.company,
            customer=world.customer,
            lines=[{"product": world.chair.pk, "quantity": 1}],
            by=world.rep,
        )
        extra = SalesOrderLine.objects.get(order=order)
        extra.pk, extra.line_no = None, 2
        with pytest.raises(RuntimeError), savepoint():
            SalesOrderLine.objects.bulk_create([extra])
            audit.record_lines_created(order, [extra])
            raise RuntimeError("the line is refused")
    [created] = _rows(order)
    assert len(created.changes["lines"][1]) == 1
    assert order.lines.count() == 1


def test_a_shipped_delivery_records_its_moves_once_each_way(world):
    order = services.create_order(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 2}, {"product": world.desk.pk, "quantity": 1}],
        by=world.rep,
    )
    services.confirm_order(order, by=world.rep)
    services.ship_order(order, by=world.rep)
    delivery = Operation.objects.get(source_type="sales.order", source_id=order.pk)
    rows = {row.action: row for row in _rows(delivery)}
    moves = list(delivery.moves.order_by("id"))
    assert [m["id"] for m in rows["create"].changes["moves"][1]] == [m.pk for m in moves]
    before, after = rows["done"].changes["moves"]
    assert [(m["id"], m["status"]) for m in before] == [(m.pk, "reserved") for m in moves]
    assert [(m["id"], m["status"]) for m in after] == [(m.pk, "done") for m in moves]
    assert Decimal(rows["create"].changes["moves"][1][0]["quantity"]) > 0
    assert not AuditEvent.objects.filter(model="inventory.move").exists()
