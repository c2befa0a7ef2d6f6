"""Bad input to the purchasing API: every refusal is a 4xx problem+json, and nothing changes.

Documents exist in the states the refusals are about (a draft, an approved, a received order, a
matched and a blocked bill, a draft and a sent RFQ, a requisition); then every write is sent input
it must refuse — malformed bodies, wrong types, numbers out of range, rows of another company,
transitions the state table refuses, duplicates, a broken e-invoice — and after all of it every
purchasing row, every journal entry, stock move, open item and audit event is what it was.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from kern.purchasing import services
from kern.purchasing.models import PurchaseOrder, VendorBill
from tests.builders import ApiClient, a_product, a_user, a_vendor, an_api_client
from tests.purchasing.helpers import receive
from tests.purchasing.ubl_builder import an_invoice

pytestmark = pytest.mark.django_db

WATCHED = ["core.AuditEvent", "ledger.JournalEntry", "inventory.Move", "payments.OpenItem"]


def snapshot() -> dict:
    """Every row of purchasing, and every row of what purchasing writes into other apps."""
    models = list(apps.get_app_config("purchasing").get_models())
    models += [apps.get_model(label) for label in WATCHED]
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}


@pytest.fixture
def world(company, other_company, vendor, chair, buyer, accountant, controller):
    def approved(quantity="10"):
        order = services.create_order(
            company,
            vendor=vendor,
            lines=[{"product": chair, "quantity": quantity, "unit_price": "40"}],
            by=buyer,
        )
        services.submit_order(order, by=buyer)
        order.refresh_from_db()
        return order

    draft = services.create_order(
        company, vendor=vendor, lines=[{"product": chair, "quantity": 2, "unit_price": "40"}], by=buyer
    )
    open_order = approved()
    received = approved()
    receive(received)
    bill = services.create_bill_from_order(received, by=accountant, vendor_reference="INV-1")
    services.approve_bill(bill, by=controller)
    blocked_order = approved()
    receive(blocked_order)
    admin = a_user(company, "administrator")  # the API's user below: entered the blocked bill itself
    blocked = services.create_bill_from_order(blocked_order, by=admin, vendor_reference="INV-2")
    services.update_bill_line(blocked.lines.get(), unit_price="48")
    services.approve_bill(blocked, by=admin)
    draft_bill = services.create_bill(
        company, vendor=vendor, by=accountant, lines=[{"description": "Repair", "unit_price": "10"}]
    )
    requisition = services.create_requisition(company, lines=[{"product": chair, "quantity": 3}], by=buyer)
    other = a_vendor(company, "Meubelfabriek")
    draft_rfq = services.create_rfq(
        company, lines=[{"product": chair, "quantity": 5}], vendors=[vendor], by=buyer
    )
    sent_rfq = services.create_rfq(
        company, lines=[{"product": chair, "quantity": 5}], vendors=[vendor, other], by=buyer
    )
    services.send_rfq(sent_rfq, by=buyer)
    price = services.set_vendor_price(company, vendor=vendor, product=chair, unit_price="39")
    return {
        "admin": admin,
        "draft": draft,
        "open": open_order,
        "received": received,
        "bill": bill,
        "blocked": blocked,
        "draft_bill": draft_bill,
        "requisition": requisition,
        "draft_rfq": draft_rfq,
        "sent_rfq": sent_rfq,
        "price": price,
        "vendor": vendor,
        "chair": chair,
        "stranger": a_vendor(other_company, "Elders B.V."),
        "foreign_product": a_product(other_company, "ELSEWHERE"),
    }


def bad_requests(w: dict) -> list[tuple[str, str, object]]:
    v, p = w["vendor"].pk, w["chair"].pk
    draft, opened, received = w["draft"].pk, w["open"].pk, w["received"].pk
    bill, blocked, draft_bill = w["bill"].pk, w["blocked"].pk, w["draft_bill"].pk
    draft_line = w["draft"].lines.get().pk
    bill_line = w["draft_bill"].lines.get().pk
    rfq, sent = w["draft_rfq"].pk, w["sent_rfq"].pk
    invitation = w["sent_rfq"].vendors.order_by("pk").first().pk
    sent_line = w["sent_rfq"].lines.get().pk
    draft_rfq_line = w["draft_rfq"].lines.get().pk
    req = w["requisition"].pk
    line = {"product_id": p, "quantity": "1"}
    orders = "/api/v1/purchase-orders"
    return [
        # purchase orders: shapes, numbers, other companies' rows, states
        ("post", orders, "{not json"),
        ("post", orders, []),
        ("post", orders, {}),
        ("post", orders, {"vendor_id": "Jansen"}),
        ("post", orders, {"vendor_id": w["stranger"].pk, "lines": [line]}),
        ("post", orders, {"vendor_id": 10**12}),
        ("post", orders, {"vendor_id": v, "lines": "chairs"}),
        ("post", orders, {"vendor_id": v, "lines": [{"product_id": p, "quantity": "-1"}]}),
        ("post", orders, {"vendor_id": v, "lines": [{"product_id": p, "quantity": "0"}]}),
        ("post", orders, {"vendor_id": v, "lines": [{"product_id": p, "quantity": "many"}]}),
        ("post", orders, {"vendor_id": v, "lines": [{"product_id": p, "quantity": "1e30"}]}),
        ("post", orders, {"vendor_id": v, "lines": [{"product_id": p, "quantity": "NaN"}]}),
        ("post", orders, {"vendor_id": v, "lines": [{**line, "unit_price": "1.1234567"}]}),
        ("post", orders, {"vendor_id": v, "lines": [{**line, "discount_percent": "150"}]}),
        ("post", orders, {"vendor_id": v, "lines": [{**line, "tax_code": "NOPE"}]}),
        ("post", orders, {"vendor_id": v, "lines": [{**line, "uom": "parsec"}]}),
        ("post", orders, {"vendor_id": v, "lines": [{"product_id": w["foreign_product"].pk, "quantity": "1"}]}),
        ("post", orders, {"vendor_id": v, "currency": "XYZ", "lines": [line]}),
        ("post", orders, {"vendor_id": v, "order_date": "2026-13-01", "lines": [line]}),
        ("post", orders, {"vendor_id": v, "payment_term_id": 10**9, "lines": [line]}),
        ("post", orders, {"vendor_id": v, "warehouse_id": 10**9, "lines": [line]}),
        ("post", orders, {"vendor_id": v, "vendor_reference": "x" * 61, "lines": [line]}),
        ("patch", f"{orders}/{opened}", {"notes": "changed after approval"}),
        ("patch", f"{orders}/{draft}", {"currency": "ZZZ"}),
        ("patch", f"{orders}/{draft}", {"order_date": "yesterday"}),
        ("post", f"{orders}/{draft}/lines", {"product_id": 10**9, "quantity": "1"}),
        ("post", f"{orders}/{opened}/lines", line),
        ("patch", f"{orders}/{draft}/lines/{draft_line}", {"quantity": "-3"}),
        ("patch", f"{orders}/{draft}/lines/{draft_line}", {"unit_price": "-1"}),
        ("delete", f"{orders}/{opened}/lines/{w['open'].lines.get().pk}", None),
        ("post", f"{orders}/{received}/approve", {}),
        ("post", f"{orders}/{draft}/send", {}),
        ("post", f"{orders}/{opened}/send", {"to": "not an address"}),
        ("post", f"{orders}/{received}/cancel", {"reason": "too late"}),
        ("post", f"{orders}/{received}/submit", None),
        ("post", f"{orders}/{draft}/bill", {"vendor_reference": "NOTHING"}),
        ("post", f"{orders}/{opened}/bill", {"vendor_reference": "X", "quantities": {"abc": "1"}}),
        ("post", f"{orders}/{received}/bill", {"vendor_reference": "inv 1"}),
        ("post", f"{orders}/{opened}/quality-hold/release", {"quantities": {"1": "5"}}),
        # vendor bills
        ("post", "/api/v1/vendor-bills", {"vendor_id": v, "vendor_reference": "inv-1"}),
        ("post", "/api/v1/vendor-bills", {"vendor_id": v, "kind": "invoice"}),
        ("post", "/api/v1/vendor-bills", {"vendor_id": v, "lines": [{"unit_price": "ten"}]}),
        ("post", "/api/v1/vendor-bills", {"vendor_id": v, "lines": [{"unit_price": "1", "tax_code": "X1"}]}),
        ("post", "/api/v1/vendor-bills", {"vendor_id": v, "lines": [{"unit_price": "1", "account": "0000"}]}),
        ("post", "/api/v1/vendor-bills", {"vendor_id": v, "purchase_order_id": 10**9}),
        ("post", "/api/v1/vendor-bills", {"vendor_id": w["stranger"].pk}),
        ("patch", f"/api/v1/vendor-bills/{bill}", {"notes": "after approval"}),
        ("patch", f"/api/v1/vendor-bills/{draft_bill}", {"due_date": "2026-02-30"}),
        ("patch", f"/api/v1/vendor-bills/{draft_bill}/lines/{bill_line}", {"unit_price": "0.0000001"}),
        ("post", f"/api/v1/vendor-bills/{draft_bill}/lines", {"order_line_id": 10**9, "unit_price": "1"}),
        ("post", f"/api/v1/vendor-bills/{draft_bill}/approve", None),  # no vendor's number yet
        ("post", f"/api/v1/vendor-bills/{bill}/approve", None),
        ("post", f"/api/v1/vendor-bills/{bill}/release", {"note": "nothing is blocked"}),
        ("post", f"/api/v1/vendor-bills/{blocked}/release", {"note": "I entered it myself"}),
        ("post", f"/api/v1/vendor-bills/{draft_bill}/release", {"note": "a draft"}),
        # requisitions and RFQs
        ("post", "/api/v1/requisitions", {"lines": [{"product_id": p, "quantity": "0"}]}),
        ("post", "/api/v1/requisitions", {"lines": [{"product_id": p, "quantity": "1", "vendor_id": 10**9}]}),
        ("post", f"/api/v1/requisitions/{req}/order", None),  # a draft: not approved yet
        ("post", f"/api/v1/requisitions/{req}/rfq", {"vendor_ids": []}),
        ("post", "/api/v1/rfqs", {"vendor_ids": [w["stranger"].pk], "lines": [line]}),
        ("post", f"/api/v1/rfqs/{rfq}/award", {}),
        ("post", f"/api/v1/rfqs/{sent}/lines", line),
        ("post", f"/api/v1/rfqs/{sent}/vendors", {"vendor_id": v}),
        ("post", f"/api/v1/rfqs/{sent}/vendors/{invitation}/quote", {"prices": []}),
        ("post", f"/api/v1/rfqs/{sent}/vendors/{invitation}/quote", {"prices": [{"line_id": draft_rfq_line, "unit_price": "5"}]}),
        ("post", f"/api/v1/rfqs/{sent}/vendors/{invitation}/quote", {"prices": [{"line_id": sent_line, "unit_price": "-5"}]}),
        ("post", f"/api/v1/rfqs/{sent}/award", {}),  # nobody answered yet
        # terms, limits and the policy
        ("post", "/api/v1/vendor-prices", {"vendor_id": v, "product_id": p, "unit_price": "1", "min_quantity": "-1"}),
        ("post", "/api/v1/vendor-prices", {"vendor_id": v, "product_id": w["foreign_product"].pk, "unit_price": "1"}),
        ("post", "/api/v1/vendor-prices", {"vendor_id": v, "product_id": p, "unit_price": "1", "valid_from": "2026-05-01", "valid_to": "2026-04-01"}),
        ("patch", f"/api/v1/vendor-prices/{w['price'].pk}", {"lead_time_days": -4}),
        ("put", "/api/v1/purchasing/approval-limits/emperor", {"max_amount": "5"}),
        ("put", "/api/v1/purchasing/approval-limits/buyer", {"max_amount": "-5"}),
        ("patch", "/api/v1/purchasing/policy", {"price_tolerance_percent": "-1"}),
        ("patch", "/api/v1/purchasing/policy", {"price_tolerance_percent": "lots"}),
    ]  # fmt: skip


def test_every_refusal_is_a_problem_and_changes_nothing(company, world):
    api = ApiClient(world["admin"], company)
    before = snapshot()
    answers = []
    for method, url, body in bad_requests(world):
        if isinstance(body, str):
            response = getattr(api, method)(url, data=body, content_type="application/json")
        elif body is None:
            response = getattr(api, method)(url)
        else:
            response = getattr(api, f"{method}_json")(url, body)
        answers.append((method, url, body, response))
    wrong = [
        f"{method.upper()} {url} {body!r} -> {response.status_code} {response.content[:300]!r}"
        for method, url, body, response in answers
        if not (400 <= response.status_code < 500 and response["Content-Type"] == "application/problem+json")
    ]
    assert not wrong, "\n".join(wrong)
    for _method, _url, _body, response in answers:
        problem = response.json()
        assert problem["status"] == response.status_code and problem["detail"], problem
    after = snapshot()
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, changed


def test_a_broken_einvoice_is_refused_with_its_findings_and_creates_nothing(company, world):
    api = an_api_client(company, "accountant")
    before = snapshot()
    broken = an_invoice("BAD-1", tamper={"TaxAmount": "1.00"}).xml()
    for name, content in (("bad.xml", broken), ("empty.xml", b""), ("not.xml", b"%PDF-1.4 garbage")):
        response = api.post("/api/v1/vendor-bills/import", {"file": SimpleUploadedFile(name, content)})
        assert (response.status_code, response["Content-Type"]) == (422, "application/problem+json"), name
    problem = response.json()
    assert problem["code"] == "einvoice_rejected" and problem["findings"]
    assert api.post("/api/v1/vendor-bills/import", {}).status_code == 422
    assert snapshot() == before
    assert VendorBill.objects.filter(company=company).count() == 3
    assert PurchaseOrder.objects.filter(company=company).count() == 4
    assert Decimal(world["bill"].total_amount) == Decimal("484.00")
