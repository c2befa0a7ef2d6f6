"""Purchasing in a real browser: a buyer orders chairs and submits the order (approved within the
buyer's limit); the vendor's e-invoice charges more than agreed, and once approved the bill shows
that it is blocked for payment, with the variance."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kern.purchasing.models import PurchaseOrder, VendorBill
from tests.browser.session import PASSWORD, log_in
from tests.builders import a_company, a_product, a_user, a_vendor
from tests.purchasing.helpers import receive
from tests.purchasing.ubl_builder import BUYER, Line, Party, an_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_buyer_orders_and_a_dearer_einvoice_is_held_back(
    browser, seeded, live_server, screenshot, tmp_path
):
    base = live_server.url
    company = a_company("Kern Demo BV")
    a_user(company, "buyer", username="inkoop", password=PASSWORD)
    vendor = a_vendor(company, "Houthandel Jansen", vat_id="NL123456794B01", email="verkoop@jansen.example")
    a_product(company, "CHAIR", name="Chair", cost=Decimal("40.00"))

    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    log_in(page, base, "inkoop")

    page.goto(f"{base}/purchasing/orders/new/")
    page.select_option("#id_vendor", str(vendor.pk))
    page.click("form.kern-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("PO-")
    order = PurchaseOrder.objects.get(company=company)
    page.goto(f"{base}/purchasing/orders/{order.pk}/lines/new/")
    page.select_option("#id_product", label="CHAIR Chair")
    page.fill("#id_quantity", "10")
    page.click("form.kern-form button[type=submit]")
    expect(page.locator("#tab-panel")).to_contain_text("400")
    page.click("button:has-text('Submit for approval')")
    expect(page.locator("h1 .badge")).to_have_text("Approved")
    screenshot(page, "purchasing-order-approved")

    receive(PurchaseOrder.objects.get(pk=order.pk))
    invoice = an_invoice(
        "JAN-311",
        seller=Party("Houthandel Jansen B.V.", vat="NL123456794B01"),
        buyer=BUYER,
        order_reference=order.number,
        lines=[Line("Chair", Decimal("10"), Decimal("44.00"), order_line="1")],
    )
    path = tmp_path / "invoice.xml"
    path.write_bytes(invoice.xml())
    page.goto(f"{base}/purchasing/bills/import/")
    page.set_input_files("#id_file", str(path))
    page.click("form.kern-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("JAN-311")
    page.click("button:has-text('Approve and post')")
    expect(page.locator(".alert-warning")).to_contain_text("Blocked for payment")
    expect(page.locator(".alert-warning")).to_contain_text(
        "unit price 44 EUR is 4 (10.0%) above the order's 40"
    )
    screenshot(page, "purchasing-bill-blocked")
    bill = VendorBill.objects.get(company=company)
    assert (bill.status, bill.payment_blocked, bill.total_amount) == ("approved", True, Decimal("532.40"))
    assert not errors, errors
