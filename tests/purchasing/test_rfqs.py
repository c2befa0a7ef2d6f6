"""RFQs: one request to several vendors, their answers compared line by line, the chosen answers
turned into purchase orders and into the vendors' price lists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from kern.core.services import set_exchange_rate
from kern.purchasing import selectors, services
from kern.purchasing.exceptions import PurchasingConflict
from kern.purchasing.models import RfqStatus, RfqVendorStatus, VendorPrice
from tests.builders import a_vendor
from tests.purchasing.helpers import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def rfq(company, vendor, chair, table, buyer):
    meubel = a_vendor(company, "Meubelfabriek", email="sales@meubel.example", language="en")
    far = a_vendor(company, "Far East Ltd", currency="USD")
    return services.create_rfq(
        company,
        by=buyer,
        deadline=D(3, 20),
        lines=[{"product": chair, "quantity": 20}, {"product": table, "quantity": 4}],
        vendors=[vendor, meubel, far],
    )


def quote(rfq, vendor_name, prices, **kwargs):
    invitation = rfq.vendors.get(vendor__name=vendor_name)
    lines = {ln.product.sku: ln for ln in rfq.lines.select_related("product")}
    return services.record_quote(
        invitation,
        prices=[{"line": lines[sku], "unit_price": p, "lead_time_days": d} for sku, (p, d) in prices.items()],
        **kwargs,
    )


def test_the_rfq_is_mailed_to_every_invited_vendor_with_an_address(
    rfq, buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_rfq(rfq, by=buyer)
    assert rfq.status == RfqStatus.SENT
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("sales@meubel.example", f"Request for quotation {rfq.number} from Acme"),
        ("verkoop@jansen.example", f"Offerteaanvraag {rfq.number} van Acme"),
    ]
    assert all(m.attachments[0][0] == f"{rfq.number}.pdf" for m in mail.outbox)


def test_answers_are_compared_per_line_in_the_company_currency(rfq, buyer):
    set_exchange_rate("USD", "1.2500", on=D(1, 1))
    services.send_rfq(rfq, by=buyer)
    quote(rfq, "Houthandel Jansen", {"CHAIR": ("39.00", 10), "TABLE": ("150.00", 10)})
    quote(rfq, "Meubelfabriek", {"CHAIR": ("39.00", 5), "TABLE": ("155.00", 5)})
    quote(rfq, "Far East Ltd", {"CHAIR": ("45.00", 40)}, currency="USD")  # 36.00 EUR, but no tables
    comparison = selectors.rfq_comparison(rfq)
    chairs, tables = comparison.lines
    assert [(o.vendor, o.amount, o.amount_company) for o in chairs.offers] == [
        ("Houthandel Jansen", Decimal("780.00"), Decimal("780.00")),
        ("Meubelfabriek", Decimal("780.00"), Decimal("780.00")),
        ("Far East Ltd", Decimal("900.00"), Decimal("720.00")),
    ]
    assert (chairs.best.vendor, tables.best.vendor) == ("Far East Ltd", "Houthandel Jansen")
    assert [(t.invitation.vendor.name, t.lines_quoted, t.amount_company) for t in comparison.totals] == [
        ("Houthandel Jansen", 2, Decimal("1380.00")),
        ("Meubelfabriek", 2, Decimal("1400.00")),
        ("Far East Ltd", 1, Decimal("720.00")),
    ]
    assert comparison.best_total.invitation.vendor.name == "Houthandel Jansen"


def test_awarding_the_best_answers_makes_one_order_per_vendor(company, rfq, buyer, chair):
    services.send_rfq(rfq, by=buyer)
    quote(rfq, "Houthandel Jansen", {"CHAIR": ("39.00", 10), "TABLE": ("150.00", 10)})
    quote(rfq, "Meubelfabriek", {"CHAIR": ("38.00", 5), "TABLE": ("155.00", 5)}, vendor_reference="Q-88")
    services.decline_rfq(rfq.vendors.get(vendor__name="Far East Ltd"), notes="no capacity")
    orders = services.award_rfq(rfq, by=buyer)
    rfq.refresh_from_db()
    assert rfq.status == RfqStatus.AWARDED
    assert sorted(
        (
            o.vendor.name,
            o.vendor_reference,
            [(ln.product.sku, ln.quantity, ln.unit_price) for ln in o.lines.all()],
        )
        for o in orders
    ) == [
        ("Houthandel Jansen", "", [("TABLE", Decimal("4.0000"), Decimal("150.000000"))]),
        ("Meubelfabriek", "Q-88", [("CHAIR", Decimal("20.0000"), Decimal("38.000000"))]),
    ]
    assert dict(rfq.vendors.values_list("vendor__name", "status")) == {
        "Houthandel Jansen": RfqVendorStatus.AWARDED,
        "Meubelfabriek": RfqVendorStatus.AWARDED,
        "Far East Ltd": RfqVendorStatus.DECLINED,
    }
    price = VendorPrice.objects.get(vendor__name="Meubelfabriek", product=chair)
    assert (price.unit_price, price.lead_time_days, price.min_quantity) == (
        Decimal("38.000000"),
        5,
        Decimal("0.0000"),
    )
    with pytest.raises(PurchasingConflict):
        services.award_rfq(rfq, by=buyer)


def test_one_vendor_can_be_awarded_everything_it_quoted(rfq, buyer):
    services.send_rfq(rfq, by=buyer)
    quote(rfq, "Houthandel Jansen", {"CHAIR": ("39.00", 10), "TABLE": ("150.00", 10)})
    quote(rfq, "Meubelfabriek", {"CHAIR": ("38.00", 5)})
    [order] = services.award_rfq(
        rfq, by=buyer, vendor=rfq.vendors.get(vendor__name="Houthandel Jansen"), record_prices=False
    )
    assert (order.vendor.name, order.untaxed_amount, order.rfq_id) == (
        "Houthandel Jansen",
        Decimal("1380.00"),
        rfq.pk,
    )
    assert rfq.vendors.get(vendor__name="Meubelfabriek").status == RfqVendorStatus.LOST
    assert not VendorPrice.objects.exists()
