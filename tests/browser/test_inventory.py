"""Inventory in a real browser: a warehouse worker opens a delivery, picks it on the pick screen
by scanning (a SKU twice, a lot number once, and a code that is nothing), and validates it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kern.inventory import services
from kern.inventory.models import Operation, Quant
from kern.inventory.services import MoveSpec
from tests.browser.session import PASSWORD, log_in
from tests.builders import a_company, a_customer, a_product, a_user, in_stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_warehouse_worker_picks_a_delivery_by_scanning_and_validates_it(
    browser, seeded, live_server, screenshot
):
    base = live_server.url
    company = a_company("Kern Demo BV")
    a_user(company, "warehouse", username="magazijn", password=PASSWORD)
    customer = a_customer(company, "Bakker BV")
    chair = a_product(company, "CHAIR", name="Chair", cost=Decimal("40.00"))
    wine = a_product(company, "WINE", name="Wine", cost=Decimal("8.00"), tracking="lot")
    in_stock(chair, 10)
    in_stock(wine, 6, lot="L-2026-07")
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, Decimal("2")), MoveSpec(wine, Decimal("1"))], partner=customer
    )

    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    log_in(page, base, "magazijn")

    page.goto(f"{base}/inventory/operations/?kind=delivery")
    page.click(f"text={delivery.number}")
    expect(page.locator("h1")).to_contain_text(delivery.number)
    page.click("#pick-screen")
    expect(page.locator("#pick-progress")).to_have_text("0 of 3 picked")

    scan = page.locator("#id_code")
    expect(scan).to_be_focused()
    scan.fill("CHAIR")
    scan.press("Enter")
    expect(page.locator("#scan-result")).to_have_text("CHAIR: 1 of 2 picked")
    expect(page.locator("#pick-status")).to_have_text("Picked")
    page.locator("#id_code").fill("chair")
    page.locator("#id_code").press("Enter")
    expect(page.locator("#scan-result")).to_have_text("CHAIR: 2 of 2 picked")
    page.locator("#id_code").fill("NO-SUCH-CODE")
    page.locator("#id_code").press("Enter")
    expect(page.locator("#id_code_error")).to_contain_text("unknown code NO-SUCH-CODE")
    page.locator("#id_code").fill("L-2026-07")
    page.locator("#id_code").press("Enter")
    expect(page.locator("#pick-progress")).to_have_text("3 of 3 picked")
    screenshot(page, "inventory-pick-screen")

    page.click("#pick-validate")
    expect(page.locator("h1 .badge")).to_have_text("Done")
    screenshot(page, "inventory-delivery-done")
    delivery = Operation.objects.get(pk=delivery.pk)
    assert delivery.status == "done"
    assert sorted(
        Quant.objects.filter(company=company).values_list("product__sku", "quantity", "reserved")
    ) == [
        ("CHAIR", Decimal("8"), Decimal("0")),
        ("WINE", Decimal("5"), Decimal("0")),
    ]
    assert not errors, errors
