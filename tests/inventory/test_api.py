"""Inventory API: documents, actions, reports; refusals as problem+json; no N+1 on lists."""

from decimal import Decimal

import pytest

from kern.inventory.models import Operation, Quant
from tests.builders import a_product, an_api_client, in_stock
from tests.querycounts import query_baseline

D = Decimal


@pytest.mark.django_db
def test_warehouses_and_locations(api, company):
    created = api.post_json("/api/v1/inventory/warehouses", {"code": "rtm", "name": "Rotterdam"})
    assert created.status_code == 201, created.json()
    wh = created.json()
    assert wh["code"] == "RTM"
    zone = api.post_json(
        "/api/v1/inventory/locations", {"parent_id": wh["stock_location_id"], "name": "A", "barcode": "LOC-A"}
    )
    assert zone.status_code == 201 and zone.json()["full_name"] == "RTM/Stock/A"
    assert api.post_json("/api/v1/inventory/warehouses", {"code": "RTM", "name": "Dubbel"}).json()[
        "errors"
    ] == {"code": ["a warehouse with code RTM exists"]}
    assert (
        api.patch_json(f"/api/v1/inventory/locations/{zone.json()['id']}", {"name": "Zone A"}).json()[
            "full_name"
        ]
        == "RTM/Stock/Zone A"
    )
    names = [
        loc["full_name"]
        for loc in api.get(f"/api/v1/inventory/locations?warehouse_id={wh['id']}").json()["results"]
    ]
    assert sorted(names) == ["RTM", "RTM/Stock", "RTM/Stock/Zone A"]


@pytest.mark.django_db
def test_receive_deliver_pick_scan_pack_ship_and_return(api, company, customer, vendor):
    wine = a_product(company, "WINE", tracking="lot", cost=D("6"))
    receipt = api.post_json(
        "/api/v1/inventory/operations",
        {
            "kind": "receipt",
            "partner_id": vendor.pk,
            "validate": True,
            "lines": [{"product_id": wine.pk, "quantity": "12", "lot": "L-1", "unit_cost": "6.50"}],
        },
    )
    assert receipt.status_code == 201, receipt.json()
    assert receipt.json()["status"] == "done" and receipt.json()["moves"][0]["value"] == "78.00"
    delivery = api.post_json(
        "/api/v1/inventory/operations",
        {
            "kind": "delivery",
            "partner_id": customer.pk,
            "allow_partial": False,
            "lines": [{"product_id": wine.pk, "quantity": "5"}],
        },
    ).json()
    assert (delivery["status"], delivery["moves"][0]["lot"], delivery["actions"]) == (
        "ready",
        "L-1",
        ["cancelled", "done", "picked", "waiting"],
    )
    url = f"/api/v1/inventory/operations/{delivery['id']}"
    # Scanning the product of a lot-tracked line asks for the lot; scanning the lot picks.
    assert api.post_json(f"{url}/scan", {"code": "WINE"}).json()["code"] == "lot_required"
    picked = api.post_json(f"{url}/scan", {"code": "L-1", "quantity": "3"}).json()
    assert (picked["status"], picked["moves"][0]["picked"]) == ("picked", "3.0000")
    over = api.post_json(f"{url}/scan", {"code": "L-1", "quantity": "3"})
    assert over.status_code == 409 and over.json()["code"] == "over_shipment" and over.json()["sku"] == "WINE"
    packed = api.post_json(f"{url}/pack", {"weight_kg": "4.5"}).json()
    assert packed["status"] == "packed" and packed["packages"][0]["weight_kg"] == "4.500"
    shipped = api.post_json(f"{url}/validate", {"tracking_reference": "3SXYZ"}).json()
    assert (shipped["status"], shipped["tracking_reference"], len(shipped["backorder_ids"])) == (
        "done",
        "3SXYZ",
        1,
    )
    returned = api.post_json(
        f"{url}/return",
        {"lines": [{"move_id": shipped["moves"][0]["id"], "quantity": "1"}], "validate": True},
    )
    assert returned.status_code == 201 and returned.json()["kind"] == "customer_return"
    assert Quant.objects.get(product=wine).quantity == D("10")
    history = api.get(f"/api/v1/inventory/moves?product_id={wine.pk}").json()["results"]
    assert [m["quantity"] for m in history] == ["1.0000", "3.0000", "12.0000"]
    lot_id = api.get(f"/api/v1/inventory/lots?product_id={wine.pk}").json()["results"][0]["id"]
    trace = api.get(f"/api/v1/inventory/lots/{lot_id}/trace").json()
    assert [s["kind"] for s in trace["upstream"]] == ["receipt", "customer_return"]
    assert [(s["kind"], s["partner_id"]) for s in trace["downstream"]] == [("delivery", customer.pk)]


@pytest.mark.django_db
def test_refusals_are_problems_naming_the_product_and_change_nothing(api, company, customer):
    chair = a_product(company, "CHAIR", name="Chair")
    phone = a_product(company, "PHONE", tracking="serial")
    in_stock(chair, 3)
    before = (Operation.objects.count(), list(Quant.objects.values_list("quantity", "reserved")))

    def post(lines, kind="delivery", **extra):
        return api.post_json(
            "/api/v1/inventory/operations", {"kind": kind, "allow_partial": False, "lines": lines, **extra}
        )

    short = post([{"product_id": chair.pk, "quantity": "4"}])
    assert short.status_code == 409
    assert short.json()["detail"] == "CHAIR Chair: 4 requested, 3 available"
    assert short.headers["Content-Type"] == "application/problem+json"
    assert post([{"product_id": chair.pk, "quantity": "-1"}]).status_code == 422
    units = post([{"product_id": chair.pk, "quantity": "1", "uom": "h"}])
    assert units.status_code == 422 and units.json()["code"] == "incompatible_units"
    assert post([{"product_id": chair.pk, "quantity": "1", "lot": "X"}]).status_code == 422
    assert post([{"product_id": 999999, "quantity": "1"}]).json()["errors"] == {
        "lines.0.product_id": ["unknown product 999999"]
    }
    serial = post(
        [{"product_id": phone.pk, "quantity": "2", "serials": ["S1", "S1"]}], kind="receipt", validate=True
    )
    assert serial.status_code == 422 and serial.json()["code"] == "duplicate_serial"
    assert (Operation.objects.count(), list(Quant.objects.values_list("quantity", "reserved"))) == before
    delivery = post([{"product_id": chair.pk, "quantity": "2"}]).json()
    over = api.post_json(
        f"/api/v1/inventory/operations/{delivery['id']}/validate",
        {"lines": [{"move_id": delivery["moves"][0]["id"], "quantity": "3"}]},
    )
    assert over.status_code == 409 and over.json()["detail"] == "CHAIR Chair: 3 to ship, only 2 reserved"
    assert Quant.objects.get(product=chair).quantity == D("3")
    cancelled = api.post(f"/api/v1/inventory/operations/{delivery['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    again = api.post(f"/api/v1/inventory/operations/{delivery['id']}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


@pytest.mark.django_db
def test_stock_reports(api, company, customer, wh):
    chair = a_product(company, "CHAIR", cost=D("40"))
    in_stock(chair, 10, unit_cost="40")
    api.post_json(
        "/api/v1/inventory/operations",
        {"kind": "delivery", "lines": [{"product_id": chair.pk, "quantity": "4"}]},
    )
    (level,) = api.get(f"/api/v1/inventory/stock-levels?product_id={chair.pk}").json()
    assert (level["on_hand"], level["reserved"], level["available_to_promise"]) == (
        "10.0000",
        "4.0000",
        "6.0000",
    )
    rows = api.get("/api/v1/inventory/stock").json()["results"]
    assert [(r["sku"], r["location"], r["available"]) for r in rows] == [("CHAIR", "WH/Stock", "6.0000")]
    valuation = api.get("/api/v1/inventory/valuation").json()
    assert (valuation["total"], valuation["ledger_balance"], valuation["difference"]) == (
        "400.00",
        "400.00",
        "0.00",
    )
    ageing = api.get("/api/v1/inventory/ageing").json()
    assert ageing["rows"][0]["buckets"] == ["10.0000", "0.0000", "0.0000", "0.0000"]
    rule = api.post_json(
        "/api/v1/inventory/reorder-rules",
        {"warehouse_id": wh.pk, "product_id": chair.pk, "min_quantity": "8", "max_quantity": "20"},
    )
    assert rule.status_code == 201
    (suggestion,) = api.get("/api/v1/inventory/to-replenish").json()
    assert (suggestion["sku"], suggestion["forecast"], suggestion["quantity"]) == (
        "CHAIR",
        "6.0000",
        "14.0000",
    )
    assert api.delete(f"/api/v1/inventory/reorder-rules/{rule.json()['id']}").status_code == 204
    assert api.get("/api/v1/inventory/scan?code=CHAIR").json()["product_id"] == chair.pk
    assert api.get("/api/v1/inventory/scan?code=NOPE").status_code == 422


@pytest.mark.django_db
def test_stock_count_through_the_api(api, company, wh):
    chair = a_product(company, "CHAIR", cost=D("40"))
    in_stock(chair, 5, unit_cost="40")
    count = api.post_json("/api/v1/inventory/stock-counts", {"warehouse_id": wh.pk})
    assert count.status_code == 201 and count.json()["lines"][0]["expected"] == "5.0000"
    url = f"/api/v1/inventory/stock-counts/{count.json()['id']}"
    api.post_json(f"{url}/scan", {"code": "CHAIR", "location_id": wh.stock_location_id, "quantity": "3"})
    applied = api.post(f"{url}/apply").json()
    assert applied["status"] == "done" and applied["lines"][0]["difference"] == "-2.0000"
    assert Quant.objects.get(product=chair).quantity == D("3")


@pytest.mark.django_db
def test_a_sales_rep_sees_stock_but_cannot_move_it(company):
    chair = a_product(company, "CHAIR")
    rep = an_api_client(company, "sales_rep")
    assert rep.get(f"/api/v1/inventory/stock-levels?product_id={chair.pk}").status_code == 200
    refused = rep.post_json(
        "/api/v1/inventory/operations",
        {"kind": "receipt", "lines": [{"product_id": chair.pk, "quantity": "1"}]},
    )
    assert refused.status_code == 403 and "inventory.add_operation" in refused.json()["detail"]


@pytest.mark.django_db
def test_lists_do_not_grow_queries_with_rows(api, company, customer):
    products = [a_product(company, f"P{i:02d}") for i in range(6)]
    for product in products:
        in_stock(product, 5)
    for product in products:
        api.post_json(
            "/api/v1/inventory/operations",
            {"kind": "delivery", "lines": [{"product_id": product.pk, "quantity": "1"}]},
        )
    with query_baseline(__file__, "api.inventory.operations.list"):
        assert len(api.get("/api/v1/inventory/operations?page_size=50").json()["results"]) == 12
    with query_baseline(__file__, "api.inventory.moves.list"):
        assert len(api.get("/api/v1/inventory/moves?page_size=50").json()["results"]) == 6
    with query_baseline(__file__, "api.inventory.stock.list"):
        assert len(api.get("/api/v1/inventory/stock?page_size=50").json()["results"]) == 6
    with query_baseline(__file__, "api.inventory.operation.detail"):
        ops = api.get("/api/v1/inventory/operations?kind=delivery").json()["results"]
        assert api.get(f"/api/v1/inventory/operations/{ops[0]['id']}").status_code == 200
    with query_baseline(__file__, "api.inventory.locations.list"):
        api.get("/api/v1/inventory/locations?page_size=50")
