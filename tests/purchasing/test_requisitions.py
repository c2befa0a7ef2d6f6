"""Requisitions: asked for by hand or generated from the inventory's to-replenish list, approved,
then ordered (one order per vendor) or sent out for quotation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.core.exceptions import PermissionDenied
from kern.inventory import selectors as inventory_selectors
from kern.inventory import services as inventory
from kern.purchasing import services
from kern.purchasing.exceptions import PurchasingConflict, PurchasingInvalid
from kern.purchasing.models import PurchaseOrder, RequisitionLineStatus, RequisitionStatus, RfqStatus
from tests.builders import a_product, a_user, a_vendor

pytestmark = pytest.mark.django_db
S = RequisitionStatus


def test_a_requisition_is_submitted_approved_and_ordered_per_vendor(company, vendor, chair, table, buyer):
    planner = a_user(company, "planner")
    other = a_vendor(company, "Meubelfabriek")
    services.set_vendor_price(company, vendor=vendor, product=chair, unit_price="39.00")
    services.set_vendor_price(company, vendor=other, product=chair, unit_price="41.00")
    services.set_vendor_price(company, vendor=other, product=table, unit_price="140.00")
    requisition = services.create_requisition(
        company,
        by=planner,
        reason="New meeting room",
        lines=[{"product": chair, "quantity": 8}, {"product": table, "quantity": 1}],
    )
    assert [(ln.vendor_id, ln.estimated_price) for ln in requisition.lines.order_by("id")] == [
        (vendor.pk, Decimal("39.000000")),
        (other.pk, Decimal("140.000000")),
    ]
    services.submit_requisition(requisition, by=planner)
    with pytest.raises(PermissionDenied):
        services.approve_requisition(requisition, by=planner)
    services.approve_requisition(requisition, by=buyer)
    orders = services.order_requisition(requisition, by=buyer)
    requisition.refresh_from_db()
    assert requisition.status == S.DONE
    assert sorted((o.vendor.name, o.untaxed_amount, o.lines.count()) for o in orders) == [
        ("Houthandel Jansen", Decimal("312.00"), 1),
        ("Meubelfabriek", Decimal("140.00"), 1),
    ]
    assert set(requisition.lines.values_list("status", flat=True)) == {RequisitionLineStatus.ORDERED}
    assert all(o.status == "draft" for o in orders)


def test_a_line_without_any_known_vendor_is_named(company, chair, buyer):
    requisition = services.create_requisition(company, lines=[{"product": chair, "quantity": 2}], by=buyer)
    services.approve_requisition(requisition, by=buyer)
    with pytest.raises(PurchasingInvalid) as refused:
        services.order_requisition(requisition, by=buyer)
    assert refused.value.errors == {"vendor": ["no vendor is known for CHAIR: choose one on the line"]}
    assert not PurchaseOrder.objects.filter(company=company).exists()


def test_the_to_replenish_list_becomes_a_requisition(company, vendor, buyer):
    warehouse = inventory_selectors.default_warehouse(company)
    screws = a_product(company, "SCREW", name="Screws", cost=Decimal("0.10"))
    glue = a_product(company, "GLUE", name="Glue", cost=Decimal("4.00"))
    inventory.set_reorder_rule(
        warehouse,
        screws,
        min_quantity=Decimal("100"),
        max_quantity=Decimal("500"),
        multiple=Decimal("50"),
        vendor=vendor,
    )
    inventory.set_reorder_rule(warehouse, glue, min_quantity=Decimal("0"), max_quantity=Decimal("10"))
    requisition = services.requisition_from_replenishment(company, by=buyer, approve=True)
    assert (requisition.origin, requisition.status, requisition.warehouse_id) == (
        "replenishment",
        S.APPROVED,
        warehouse.pk,
    )
    assert [
        (ln.product.sku, ln.quantity, ln.vendor_id, ln.source_type) for ln in requisition.lines.order_by("id")
    ] == [
        ("SCREW", Decimal("500.0000"), vendor.pk, "inventory.reorder_rule"),
    ]
    # the same shortage is not requested twice while the requisition is open
    with pytest.raises(PurchasingConflict):
        services.requisition_from_replenishment(company, by=buyer)
    [order] = services.order_requisition(requisition, by=buyer)
    services.submit_order(order, by=buyer)
    # once ordered, the incoming goods cover the rule: nothing to replenish any more
    assert [s.sku for s in inventory_selectors.to_replenish(company, method="buy")] == []


def test_an_approved_requisition_goes_out_for_quotation(company, vendor, chair, buyer):
    other = a_vendor(company, "Meubelfabriek")
    requisition = services.create_requisition(company, lines=[{"product": chair, "quantity": 20}], by=buyer)
    with pytest.raises(PurchasingConflict):
        services.create_rfq_from_requisition(requisition, vendors=[vendor, other], by=buyer)
    services.approve_requisition(requisition, by=buyer)
    rfq = services.create_rfq_from_requisition(requisition, vendors=[vendor, other], by=buyer)
    assert (rfq.status, rfq.requisition_id, rfq.vendors.count(), rfq.lines.get().quantity) == (
        RfqStatus.DRAFT,
        requisition.pk,
        2,
        Decimal("20.0000"),
    )
    assert requisition.lines.get().status == RequisitionLineStatus.RFQ
    with pytest.raises(PurchasingConflict):
        services.cancel_requisition(requisition, by=buyer)
    services.cancel_rfq(rfq, by=buyer)
    assert requisition.lines.get().status == RequisitionLineStatus.OPEN
    services.cancel_requisition(requisition, by=buyer)
    requisition.refresh_from_db()
    assert requisition.status == S.CANCELLED
