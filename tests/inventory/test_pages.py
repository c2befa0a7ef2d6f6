"""The inventory pages: warehouses and the location tree, lots with their trace, operations with
their workflow buttons, the pick and count screens with a scan field, the reports — as a
warehouse worker, a sales rep and an accountant."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.core.ui import widgets_for
from kern.inventory import selectors, services
from kern.inventory.models import Location, Lot, Operation, Quant, ReorderRule, StockCount, Warehouse
from kern.inventory.services import MoveSpec
from tests.builders import a_product, a_user, a_web_client, in_stock

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def worker(company):
    return a_user(company, "warehouse")


@pytest.fixture
def web(worker):
    return a_web_client(worker)


def a_delivery(company, customer, *lines):
    return services.create_delivery(
        company, lines=[MoveSpec(product, D(qty)) for product, qty in lines], partner=customer
    )


def test_every_list_and_report_renders_for_the_warehouse(company, wh, chair, customer, web):
    in_stock(chair, 10, unit_cost="40")
    a_delivery(company, customer, (chair, 3))
    services.set_reorder_rule(wh, chair, min_quantity=D("20"), max_quantity=D("50"))
    for url in (
        "/inventory/warehouses/",
        "/inventory/locations/",
        "/inventory/lots/",
        "/inventory/operations/",
        "/inventory/operations/?kind=delivery",
        "/inventory/moves/?status=done",
        "/inventory/stock/",
        "/inventory/stock/levels/",
        "/inventory/stock-counts/",
        "/inventory/reorder-rules/",
        "/inventory/valuation/",
        "/inventory/ageing/",
        "/inventory/to-replenish/",
        "/inventory/operations/new/",
        "/inventory/warehouses/new/",
        "/inventory/locations/new/",
        "/inventory/lots/new/",
        "/inventory/stock-counts/new/",
        "/inventory/reorder-rules/new/",
    ):
        response = web.get(url)
        assert response.status_code == 200, url


def test_the_menu_shows_the_inventory_area(web):
    page = web.get("/").content.decode()
    for label in ("Receipts", "Deliveries", "Internal transfers", "Stock on hand", "Stock valuation"):
        assert label in page


def test_a_warehouse_with_a_location_tree_is_made_from_its_pages(company, web):
    response = web.post(
        "/inventory/warehouses/new/",
        {"code": "rdm", "name": "Rotterdam", "street": "", "postcode": "", "city": "Rotterdam"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    warehouse = Warehouse.objects.get(company=company, code="RDM")
    response = web.post(
        "/inventory/locations/new/",
        {"parent": warehouse.stock_location_id, "name": "Aisle 1", "kind": "view", "barcode": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    aisle = Location.objects.get(company=company, full_name="RDM/Stock/Aisle 1")
    response = web.post(
        "/inventory/locations/new/",
        {"parent": aisle.pk, "name": "Bin A", "kind": "internal", "barcode": "B-1A"},
    )
    assert response.status_code == 302
    tree = web.get(f"/inventory/warehouses/{warehouse.pk}/?tab=locations").content.decode()
    assert tree.index("RDM") < tree.index("Stock") < tree.index("Aisle 1") < tree.index("Bin A")
    assert "\u2003\u2003\u2003└ Bin A" in tree


def test_a_bad_location_name_is_a_form_error_not_a_500(company, wh, web):
    response = web.post(
        "/inventory/locations/new/", {"parent": wh.stock_location_id, "name": "A/B", "kind": "internal"}
    )
    assert response.status_code == 422
    assert "cannot contain" in response.content.decode()
    assert not Location.objects.filter(company=company, name="A/B").exists()


def test_an_operation_is_created_with_lines_and_booked_at_once(company, wh, chair, web):
    response = web.post(
        "/inventory/operations/new/",
        {
            "kind": "receipt",
            "warehouse": wh.pk,
            "product_0": chair.pk,
            "quantity_0": "6",
            "validate_now": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    receipt = Operation.objects.get(company=company, kind="receipt")
    assert receipt.status == "done"
    assert selectors.on_hand(chair) == D("6")


def test_an_operation_form_without_lines_or_with_half_a_line_is_refused(company, wh, chair, web):
    response = web.post("/inventory/operations/new/", {"kind": "receipt", "warehouse": wh.pk})
    assert response.status_code == 422
    assert "Add at least one line." in response.content.decode()
    response = web.post(
        "/inventory/operations/new/", {"kind": "receipt", "warehouse": wh.pk, "product_0": chair.pk}
    )
    assert response.status_code == 422
    assert "Give a product and a quantity." in response.content.decode()
    assert not Operation.objects.filter(company=company).exists()


def test_a_negative_quantity_is_a_form_error_naming_the_product_and_nothing_is_written(
    company, wh, chair, customer, web
):
    in_stock(chair, 2)
    before = Operation.objects.count()
    response = web.post(
        "/inventory/operations/new/",
        {
            "kind": "delivery",
            "warehouse": wh.pk,
            "partner": customer.pk,
            "product_0": chair.pk,
            "quantity_0": "-5",
            "validate_now": "on",
        },
    )
    assert response.status_code == 422
    assert "CHAIR Chair: quantity -5" in response.content.decode()
    assert Operation.objects.count() == before
    assert (Quant.objects.get(product=chair).quantity, Quant.objects.get(product=chair).reserved) == (
        D("2"),
        D("0"),
    )


def test_the_operation_page_offers_the_actions_its_status_allows(company, chair, customer, web):
    in_stock(chair, 10)
    delivery = a_delivery(company, customer, (chair, 4))
    page = web.get(f"/inventory/operations/{delivery.pk}/").content.decode()
    assert "Pick everything" in page and "Validate" in page and "Pick screen" in page
    assert "Reserve stock" not in page and ">Return<" not in page
    assert web.post(f"/inventory/operations/{delivery.pk}/do/pick/").status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "picked"
    assert web.post(f"/inventory/operations/{delivery.pk}/do/pack/").status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "packed"
    assert web.post(f"/inventory/operations/{delivery.pk}/do/validate/").status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "done"
    page = web.get(f"/inventory/operations/{delivery.pk}/").content.decode()
    assert "Return" in page and "Pick screen" not in page
    assert web.post(f"/inventory/operations/{delivery.pk}/do/return/").status_code == 302
    assert delivery.returns.get().kind == "customer_return"


def test_cancelling_releases_the_reservation(company, chair, customer, web):
    in_stock(chair, 10)
    delivery = a_delivery(company, customer, (chair, 4))
    web.post(f"/inventory/operations/{delivery.pk}/do/cancel/")
    delivery.refresh_from_db()
    assert delivery.status == "cancelled"
    assert Quant.objects.get(product=chair).reserved == D("0")


def test_the_pick_screen_scans_sku_lot_and_serial_and_refuses_bad_codes(company, wh, chair, customer, web):
    wine = a_product(company, "WINE", tracking="lot")
    in_stock(wine, 5, lot="L-2026-01")
    in_stock(chair, 10)
    delivery = a_delivery(company, customer, (chair, 2), (wine, 1))
    url = f"/inventory/operations/{delivery.pk}/pick/"
    page = web.get(url).content.decode()
    assert 'name="code"' in page and "0 of 3 picked" in page
    # The scan form is swapped and wired up in one task: a fast scanner's Enter stays with htmx.
    assert 'hx-swap="outerHTML settle:0ms"' in page
    response = web.post(url, {"code": "chair", "quantity": "1"})
    assert response.status_code == 302
    assert "Picked 1 × CHAIR" in web.get(url).content.decode()
    # htmx: the panel comes back with the result, no redirect
    response = web.post(url, {"code": "L-2026-01", "quantity": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "WINE: 1 of 1 picked" in response.content.decode()
    # unknown code, a location, more than reserved: errors next to the field, nothing changes
    for code, quantity, message in (
        ("NOPE", "1", "unknown code NOPE"),
        ("WH/Stock", "1", "is a location"),
        ("WINE", "1", "scan the lot"),
        ("CHAIR", "5", "CHAIR Chair: 6 to ship, only 2 reserved"),
    ):
        response = web.post(url, {"code": code, "quantity": quantity})
        assert response.status_code == 422, code
        assert message in response.content.decode(), code
    # to htmx the panel with the error comes back as 200 (htmx swaps only 2xx answers)
    response = web.post(url, {"code": "NOPE", "quantity": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "unknown code NOPE" in response.content.decode()
    response = web.post(url, {"code": "", "quantity": "-1"})
    assert response.status_code == 422
    picked = dict(delivery.moves.values_list("product__sku", "picked"))
    assert picked == {"CHAIR": D("1"), "WINE": D("1")}
    delivery.refresh_from_db()
    assert delivery.status == "picked"


def test_a_sales_rep_sees_stock_but_cannot_pick(company, chair, customer):
    in_stock(chair, 10)
    delivery = a_delivery(company, customer, (chair, 2))
    rep = a_web_client(a_user(company, "sales_rep"))
    assert rep.get("/inventory/stock/").status_code == 200
    assert rep.get("/inventory/stock/levels/").status_code == 200
    assert rep.post(f"/inventory/operations/{delivery.pk}/pick/", {"code": "CHAIR"}).status_code == 403
    assert rep.get("/inventory/valuation/").status_code == 403


def test_another_companys_operation_is_a_404(company, other_company, chair, customer, web):
    from tests.builders import a_customer

    other_product = a_product(other_company, "OTHER")
    in_stock(other_product, 3)
    theirs = a_delivery(other_company, a_customer(other_company), (other_product, 1))
    assert web.get(f"/inventory/operations/{theirs.pk}/").status_code == 404
    assert web.get(f"/inventory/operations/{theirs.pk}/pick/").status_code == 404
    assert web.post(f"/inventory/operations/{theirs.pk}/pick/", {"code": "OTHER"}).status_code == 404


def test_stock_levels_show_available_to_promise(company, chair, customer, web):
    in_stock(chair, 10)
    a_delivery(company, customer, (chair, 4))
    page = web.get("/inventory/stock/levels/?q=chair").content.decode()
    row = page[page.index("CHAIR") :]
    cells = [c.split("<")[0] for c in row.split('<td class="text-end')[1:8]]
    assert [c.split(">")[-1] for c in cells] == ["10", "4", "6", "0", "0", "6", "6"]


def test_a_count_is_started_scanned_typed_and_applied(company, wh, chair, desk, web):
    in_stock(chair, 10)
    in_stock(desk, 2)
    response = web.post("/inventory/stock-counts/new/", {"warehouse": wh.pk, "location": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    count = StockCount.objects.get(company=company)
    url = f"/inventory/stock-counts/{count.pk}/count/"
    assert 'name="code"' in web.get(url).content.decode()
    for _ in range(3):
        assert (
            web.post(url, {"location": wh.stock_location_id, "code": "CHAIR", "quantity": "3"}).status_code
            == 302
        )
    line = count.lines.get(product=desk)
    assert web.post(url, {"line": line.pk, "counted": "2"}).status_code == 302
    response = web.post(url, {"location": wh.stock_location_id, "code": "XYZ", "quantity": "1"})
    assert response.status_code == 422
    assert "XYZ" in response.content.decode()
    assert web.post(f"/inventory/stock-counts/{count.pk}/do/apply/").status_code == 302
    count.refresh_from_db()
    assert count.status == "done"
    assert selectors.on_hand(chair) == D("9")
    assert selectors.on_hand(desk) == D("2")


def test_the_valuation_page_reconciles_with_the_ledger(company, chair, customer):
    in_stock(chair, 10, unit_cost="40")
    services.ship_delivery(a_delivery(company, customer, (chair, 4)))
    accountant = a_web_client(a_user(company, "accountant"))
    page = accountant.get("/inventory/valuation/").content.decode()
    assert "240.00 EUR" in page
    assert "The valuation equals the inventory account." in page


def test_lots_show_where_they_came_from_and_where_they_went(company, wh, customer, web):
    wine = a_product(company, "WINE", tracking="lot")
    in_stock(wine, 5, lot="L-7")
    delivery = a_delivery(company, customer, (wine, 2))
    services.ship_delivery(delivery)
    lot = Lot.objects.get(name="L-7")
    came = web.get(f"/inventory/lots/{lot.pk}/?tab=came_from").content.decode()
    assert "ADJ/" in came and "Inventory adjustment" in came
    went = web.get(f"/inventory/lots/{lot.pk}/?tab=went_to").content.decode()
    assert delivery.number in went and customer.name in went


def test_reorder_rules_and_the_to_replenish_list_and_dashboard_card(company, wh, chair, worker, web):
    in_stock(chair, 3)
    response = web.post(
        "/inventory/reorder-rules/new/",
        {
            "warehouse": wh.pk,
            "product": chair.pk,
            "min_quantity": "5",
            "max_quantity": "20",
            "multiple": "1",
            "lead_days": "0",
            "method": "buy",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = ReorderRule.objects.get(company=company)
    response = web.post(
        f"/inventory/reorder-rules/{rule.pk}/edit/",
        {
            "min_quantity": "5",
            "max_quantity": "2",
            "multiple": "1",
            "lead_days": "0",
            "method": "buy",
            "is_active": "on",
        },
    )
    assert response.status_code == 422
    page = web.get("/inventory/to-replenish/").content.decode()
    assert "CHAIR" in page and ">17<" in page
    assert "inventory.below_reorder_point" in [w.key for w in widgets_for(worker)]
    home = web.get("/").content.decode()
    assert "Below the reorder point" in home and "order 17" in home


def test_the_global_search_finds_operations_and_lots(company, customer, chair, web):
    in_stock(chair, 5)
    delivery = a_delivery(company, customer, (chair, 1))
    page = web.get("/search/", {"q": delivery.number}).content.decode()
    assert delivery.number in page


def test_dutch_pages_are_translated(company, wh, chair):
    web = a_web_client(a_user(company, "warehouse"), language="nl")
    page = web.get("/inventory/stock/levels/").content.decode()
    assert "Beschikbaar" in page
    page = web.get("/").content.decode()
    assert "Ontvangsten" in page and "Leveringen" in page
