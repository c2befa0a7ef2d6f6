"""Returns: authorisation → return receipt in the warehouse → credit note; stock, cost and
receivables come back; more than was delivered is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from kern.inventory.models import Operation
from kern.inventory.selectors import stock_levels
from kern.ledger.models import JournalLine
from kern.ledger.selectors import account_for
from kern.sales import services
from kern.sales.exceptions import SalesCode, SalesConflict
from kern.sales.models import Invoice, ReturnLine, ReturnStatus

pytestmark = pytest.mark.django_db
D = Decimal


def balance(company, role):
    totals = JournalLine.objects.filter(company=company, account=account_for(company, role)).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (totals["d"] or D(0)) - (totals["c"] or D(0))


@pytest.fixture
def delivered(world):
    order = services.create_order(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 5}],
        by=world.rep,
    )
    services.confirm_order(order, by=world.rep)
    services.ship_order(order, by=world.rep)
    invoice = services.invoice_order(order, post=True, by=world.accountant)
    return order, invoice


def test_goods_come_back_and_are_credited(world, delivered):
    order, invoice = delivered
    line = order.lines.get()
    assert balance(world.company, "cogs") == D("300.00")

    rma = services.create_return(
        order, lines=[{"line": line.pk, "quantity": 2}], reason="Wrong colour", by=world.rep
    )
    services.authorise_return(rma, by=world.manager)
    receipt = Operation.objects.get(pk=rma.receipt_ids[0])
    assert (rma.status, receipt.kind, receipt.status) == (ReturnStatus.AUTHORISED, "customer_return", "ready")

    services.receive_return(rma, by=world.manager)
    rma.refresh_from_db()
    assert rma.status == ReturnStatus.RECEIVED
    assert stock_levels(world.company, [world.chair])[world.chair.pk].on_hand == D("47")
    assert balance(world.company, "cogs") == D("180.00")  # 2 × 60.00 back into stock

    note = services.credit_return(rma, by=world.accountant)

    rma.refresh_from_db()
    order.refresh_from_db()
    line.refresh_from_db()
    assert (note.kind, note.original_id, note.return_authorisation_id, note.total) == (
        "credit_note",
        invoice.pk,
        rma.pk,
        D("242.00"),
    )
    assert rma.status == ReturnStatus.CREDITED
    assert ReturnLine.objects.get().qty_credited == 2
    assert (line.qty_delivered, line.qty_returned, line.qty_invoiced) == (D("5"), D("2"), D("3"))
    assert order.invoice_status == "fully"  # 3 kept, 3 invoiced
    assert balance(world.company, "receivable") == D("363.00")  # 605.00 − 242.00


def test_more_than_was_delivered_cannot_come_back(world, delivered):
    order, _invoice = delivered
    line = order.lines.get()
    services.create_return(order, lines=[{"line": line.pk, "quantity": 4}], by=world.rep)

    with pytest.raises(SalesConflict) as refused:
        services.create_return(order, lines=[{"line": line.pk, "quantity": 2}], by=world.rep)

    assert refused.value.code == SalesCode.OVER_RETURN
    assert refused.value.message == "CHAIR: 2 to return, but only 1 delivered and not yet returned"
    assert ReturnLine.objects.count() == 1


def test_a_return_before_invoicing_needs_no_credit_note(world):
    order = services.create_order(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 5}],
        by=world.rep,
    )
    services.confirm_order(order, by=world.rep)
    services.ship_order(order, by=world.rep)
    rma = services.create_return(order, lines=[{"line": order.lines.get().pk, "quantity": 1}], by=world.rep)
    services.authorise_return(rma, by=world.rep)
    services.receive_return(rma, by=world.rep)

    assert services.credit_return(rma, by=world.accountant) is None
    invoice = services.invoice_order(order, post=True, by=world.accountant)

    rma.refresh_from_db()
    assert rma.status == ReturnStatus.CREDITED
    assert invoice.lines.get().quantity == 4
    assert not Invoice.objects.filter(kind="credit_note").exists()
