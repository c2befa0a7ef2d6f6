"""Purchase orders: prices from the vendor's terms, approval by amount, receipts through inventory,
the order's progress, sending it by e-mail, cancelling and closing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from kern.core.exceptions import InvalidTransition, ValidationFailed
from kern.core.models import AuditEvent
from kern.inventory.models import Operation, OperationStatus
from kern.purchasing import services
from kern.purchasing.exceptions import ApprovalLimitExceeded, PurchasingConflict
from kern.purchasing.models import OrderStatus, PurchaseOrder
from tests.builders import a_user
from tests.purchasing.helpers import D, balance, open_receipt, receive

pytestmark = pytest.mark.django_db
S = OrderStatus


def an_order(company, vendor, *lines, by=None, **fields):
    return services.create_order(company, vendor=vendor, lines=list(lines), by=by, **fields)


def test_prices_come_from_the_vendors_terms_with_quantity_breaks(company, vendor, chair, buyer):
    services.set_vendor_price(
        company, vendor=vendor, product=chair, unit_price="42.00", min_quantity=1, lead_time_days=5
    )
    services.set_vendor_price(
        company, vendor=vendor, product=chair, unit_price="38.50", min_quantity=50, vendor_sku="J-CH-50"
    )
    small = an_order(company, vendor, {"product": chair, "quantity": 10}, by=buyer, order_date=D(3, 2))
    big = an_order(company, vendor, {"product": chair, "quantity": 60}, by=buyer)
    line = small.lines.get()
    assert (line.unit_price, line.net_amount, line.tax_code, line.expected_date) == (
        Decimal("42.000000"),
        Decimal("420.00"),
        "I21",
        D(3, 7),
    )
    assert (small.untaxed_amount, small.tax_amount, small.total_amount) == (
        Decimal("420.00"),
        Decimal("88.20"),
        Decimal("508.20"),
    )
    assert (big.lines.get().unit_price, big.lines.get().vendor_sku) == (Decimal("38.500000"), "J-CH-50")
    assert small.number.startswith("PO-") and small.status == S.DRAFT and small.buyer_id == buyer.pk


def test_without_a_vendor_price_the_products_cost_is_used_and_a_discount_applies(company, vendor, chair):
    order = an_order(company, vendor, {"product": chair, "quantity": 3, "discount_percent": "10"})
    line = order.lines.get()
    assert (line.unit_price, line.net_price, line.net_amount) == (
        Decimal("40.000000"),
        Decimal("36.00"),
        Decimal("108.00"),
    )


def test_a_buyer_approves_orders_within_the_limit_and_the_warehouse_gets_a_receipt(
    company, vendor, chair, buyer
):
    order = an_order(company, vendor, {"product": chair, "quantity": 10, "unit_price": "40"}, by=buyer)
    services.submit_order(order, by=buyer)
    order.refresh_from_db()
    assert (order.status, order.approved_by_id) == (S.APPROVED, buyer.pk)
    receipt = open_receipt(order)
    move = receipt.moves.get()
    assert (receipt.kind, receipt.partner_id, receipt.origin, receipt.status) == (
        "receipt",
        vendor.pk,
        order.number,
        OperationStatus.READY,
    )
    assert (move.quantity, move.unit_cost, move.source_type, move.source_id) == (
        Decimal("10"),
        Decimal("40.000000"),
        "purchasing.order_line",
        order.lines.get().pk,
    )


def test_an_order_above_the_buyers_limit_waits_for_a_controller(company, vendor, chair, buyer, controller):
    order = an_order(company, vendor, {"product": chair, "quantity": 300, "unit_price": "40"}, by=buyer)
    services.submit_order(order, by=buyer)
    order.refresh_from_db()
    assert order.status == S.TO_APPROVE
    assert order.approval_reason == "12000.00 EUR is above the approval limit of the submitter (10000.00 EUR)"
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(ApprovalLimitExceeded) as refused:
        services.approve_order(order, by=buyer)
    assert (
        refused.value.message
        == "PO-"
        + order.number[3:]
        + " is 12000.00 EUR untaxed; your roles may approve orders up to 10000.00 EUR"
    )
    order.refresh_from_db()
    assert order.status == S.TO_APPROVE and AuditEvent.objects.count() == audit_rows
    assert not Operation.objects.filter(source_type="purchasing.order", source_id=order.pk).exists()
    services.approve_order(order, by=controller, note="budget 2026-Q1")
    order.refresh_from_db()
    assert (order.status, order.approved_by_id, order.approval_reason) == (
        S.APPROVED,
        controller.pk,
        "budget 2026-Q1",
    )


def test_approval_limits_are_per_role_and_adjustable(company, vendor, chair):
    services.set_approval_limit(company, role="buyer", max_amount="500")
    buyer = a_user(company, "buyer")
    order = an_order(company, vendor, {"product": chair, "quantity": 20, "unit_price": "40"})
    with pytest.raises(ApprovalLimitExceeded):
        services.approve_order(order, by=buyer)
    warehouse_clerk = a_user(company, "warehouse")
    with pytest.raises(Exception) as no_right:
        services.approve_order(order, by=warehouse_clerk)
    assert no_right.value.status == 403
    services.set_approval_limit(company, role="buyer", max_amount=None)
    services.approve_order(order, by=buyer)
    assert PurchaseOrder.objects.get(pk=order.pk).status == S.APPROVED


def test_receipts_and_bills_move_the_order_along(company, vendor, chair, table, buyer, accountant):
    order = an_order(
        company,
        vendor,
        {"product": chair, "quantity": 10, "unit_price": "40"},
        {"product": table, "quantity": 2, "unit_price": "150"},
        by=buyer,
    )
    services.submit_order(order, by=buyer)
    receive(order, {"CHAIR": 4})
    assert order.status == S.PARTLY_RECEIVED
    backorder = open_receipt(order)
    assert backorder.backorder_of_id is not None
    receive(order)
    assert order.status == S.RECEIVED
    assert [(ln.qty_received, ln.received_value) for ln in order.lines.order_by("position")] == [
        (Decimal("10.0000"), Decimal("400.00")),
        (Decimal("2.0000"), Decimal("300.00")),
    ]
    assert balance(company, "grni") == Decimal("-700.00")
    first = services.create_bill_from_order(
        order, by=accountant, vendor_reference="F-1", quantities={order.lines.get(position=1).pk: 10}
    )
    services.approve_bill(first, by=accountant)
    order.refresh_from_db()
    assert order.status == S.PARTLY_BILLED
    rest = services.create_bill_from_order(order, by=accountant, vendor_reference="F-2")
    assert [ln.quantity for ln in rest.lines.all()] == [Decimal("2.0000")]
    services.approve_bill(rest, by=accountant)
    order.refresh_from_db()
    assert order.status == S.DONE
    assert balance(company, "grni") == Decimal("0.00")


def test_sending_mails_the_pdf_to_the_vendor_after_commit(
    company, vendor, chair, buyer, django_capture_on_commit_callbacks
):
    order = an_order(company, vendor, {"product": chair, "quantity": 1, "unit_price": "40"}, by=buyer)
    services.submit_order(order, by=buyer)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_order(order, by=buyer, message="Graag voor vrijdag.")
    order.refresh_from_db()
    assert (order.status, order.sent_to) == (S.SENT, "verkoop@jansen.example")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["verkoop@jansen.example"]
    assert sent.subject == f"Inkooporder {order.number} van Acme"
    assert "Graag voor vrijdag." in sent.body
    name, content, mimetype = sent.attachments[0]
    assert (name, mimetype, content[:5]) == (f"{order.number}.pdf", "application/pdf", b"%PDF-")


def test_a_vendor_without_an_address_needs_one_given(company, chair):
    from tests.builders import a_vendor

    silent = a_vendor(company, "Zonder Mail")
    order = an_order(company, silent, {"product": chair, "quantity": 1, "unit_price": "1"})
    services.approve_order(order, by=a_user(company, "controller"))
    with pytest.raises(ValidationFailed) as refused:
        services.send_order(order, by=None)
    assert refused.value.errors == {"to": ["Zonder Mail has no e-mail address; give one"]}
    assert PurchaseOrder.objects.get(pk=order.pk).status == S.APPROVED


def test_cancelling_an_order_cancels_its_receipt_but_not_once_goods_came(company, vendor, chair, buyer):
    order = an_order(company, vendor, {"product": chair, "quantity": 5, "unit_price": "40"}, by=buyer)
    services.submit_order(order, by=buyer)
    receipt = open_receipt(order)
    services.cancel_order(order, by=buyer, reason="wrong vendor")
    receipt.refresh_from_db()
    assert (order.status, receipt.status) == (S.CANCELLED, OperationStatus.CANCELLED)
    second = an_order(company, vendor, {"product": chair, "quantity": 5, "unit_price": "40"}, by=buyer)
    services.submit_order(second, by=buyer)
    receive(second, {"CHAIR": 2})
    with pytest.raises(PurchasingConflict):
        services.cancel_order(second, by=buyer)
    assert PurchaseOrder.objects.get(pk=second.pk).status == S.PARTLY_RECEIVED


def test_closing_an_order_cancels_the_backorder(company, vendor, chair, buyer):
    order = an_order(company, vendor, {"product": chair, "quantity": 5, "unit_price": "40"}, by=buyer)
    services.submit_order(order, by=buyer)
    receive(order, {"CHAIR": 3})
    backorder = open_receipt(order)
    services.close_order(order, by=buyer, reason="vendor cannot deliver the rest")
    backorder.refresh_from_db()
    order.refresh_from_db()
    assert (order.status, backorder.status) == (S.DONE, OperationStatus.CANCELLED)
    assert order.closed_at is not None
    with pytest.raises(InvalidTransition):
        services.close_order(order, by=buyer)


def test_draft_orders_only_are_edited(company, vendor, chair, table, buyer):
    order = an_order(company, vendor, {"product": chair, "quantity": 5, "unit_price": "40"}, by=buyer)
    line = services.add_order_line(order, product=table, quantity=1, unit_price="150")
    services.update_order_line(order.lines.get(position=1), quantity=6)
    order.refresh_from_db()
    assert (line.position, order.untaxed_amount) == (2, Decimal("390.00"))
    services.submit_order(order, by=buyer)
    with pytest.raises(PurchasingConflict) as refused:
        services.update_order(order, notes="later")
    assert refused.value.code == "not_editable"
    with pytest.raises(ValidationFailed):
        services.create_order(company, vendor=vendor, lines=[{"product": chair, "quantity": 0}])
    assert PurchaseOrder.objects.filter(company=company).count() == 1
