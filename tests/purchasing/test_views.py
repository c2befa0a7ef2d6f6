"""The purchasing pages: lists, details with their workflow buttons, the working pages (send,
compare and award, answers, import, release) — as a buyer, an accountant and a controller."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kern.purchasing import services
from kern.purchasing.models import BillStatus, OrderStatus, PurchaseOrder, VendorBill
from tests.builders import a_user, a_vendor, a_web_client
from tests.purchasing.helpers import receive
from tests.purchasing.ubl_builder import Line, an_invoice
from tests.querycounts import query_baseline

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer_web(buyer):
    return a_web_client(buyer)


def an_approved_order(company, vendor, chair, buyer, quantity=10, price="40"):
    order = services.create_order(
        company,
        vendor=vendor,
        lines=[{"product": chair, "quantity": quantity, "unit_price": price}],
        by=buyer,
    )
    services.submit_order(order, by=buyer)
    order.refresh_from_db()
    return order


def test_the_lists_render_with_a_fixed_number_of_queries(company, vendor, chair, table, buyer, accountant):
    for n in range(3):
        order = an_approved_order(company, vendor, chair, buyer)
        receive(order)
        services.create_bill_from_order(order, by=accountant, vendor_reference=f"L-{n}")
    services.create_requisition(company, lines=[{"product": table, "quantity": 1}])
    services.create_rfq(company, lines=[{"product": table, "quantity": 1}], vendors=[vendor])
    services.set_vendor_price(company, vendor=vendor, product=chair, unit_price="40")
    web = a_web_client(a_user(company, "administrator"))
    for name, url in (
        ("page.orders", "/purchasing/orders/"),
        ("page.bills", "/purchasing/bills/"),
        ("page.requisitions", "/purchasing/requisitions/"),
        ("page.rfqs", "/purchasing/rfqs/"),
        ("page.vendor_prices", "/purchasing/vendor-prices/"),
    ):
        with query_baseline(__file__, name):
            response = web.get(url)
        assert response.status_code == 200, url
    assert b"PO-" in web.get("/purchasing/orders/").content


def test_a_buyer_creates_submits_and_sends_an_order_from_its_page(
    company, vendor, chair, buyer_web, django_capture_on_commit_callbacks
):
    response = buyer_web.post(
        "/purchasing/orders/new/",
        {
            "vendor": vendor.pk,
            "order_date": "2026-03-02",
            "currency": "EUR",
            "vendor_reference": "",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    order = PurchaseOrder.objects.get(company=company)
    response = buyer_web.post(
        f"/purchasing/orders/{order.pk}/lines/new/",
        {
            "product": chair.pk,
            "quantity": "5",
            "unit_price": "",
            "discount_percent": "",
            "tax_code": "",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert (order.untaxed_amount, order.lines.get().unit_price) == (Decimal("200.00"), Decimal("40.000000"))
    page = buyer_web.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert "Submit for approval" in page and "PDF" in page
    buyer_web.post(f"/purchasing/orders/{order.pk}/do/submit/")
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED
    pdf = buyer_web.get(f"/purchasing/orders/{order.pk}/pdf/")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")
    with django_capture_on_commit_callbacks(execute=True):
        sent = buyer_web.post(f"/purchasing/orders/{order.pk}/send/", {"to": "", "message": "Graag snel"})
    assert sent.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.sent_to) == (OrderStatus.SENT, "verkoop@jansen.example")


def test_an_order_above_the_limit_shows_why_and_a_controller_approves_it(
    company, vendor, chair, buyer, controller, buyer_web
):
    order = services.create_order(
        company, vendor=vendor, lines=[{"product": chair, "quantity": 300, "unit_price": "40"}], by=buyer
    )
    buyer_web.post(f"/purchasing/orders/{order.pk}/do/submit/")
    order.refresh_from_db()
    assert order.status == OrderStatus.TO_APPROVE
    refused = buyer_web.post(f"/purchasing/orders/{order.pk}/do/approve/", follow=True)
    assert "your roles may approve orders up to 10000.00 EUR" in refused.content.decode()
    assert PurchaseOrder.objects.get(pk=order.pk).status == OrderStatus.TO_APPROVE
    a_web_client(controller).post(f"/purchasing/orders/{order.pk}/do/approve/")
    assert PurchaseOrder.objects.get(pk=order.pk).status == OrderStatus.APPROVED


def test_an_einvoice_is_uploaded_and_a_bad_one_shows_its_findings(company, vendor, accountant):
    web = a_web_client(accountant)
    bad = SimpleUploadedFile("bad.xml", an_invoice("W-1", tamper={"TaxAmount": "1.00"}).xml())
    refused = web.post("/purchasing/bills/import/", {"file": bad})
    page = refused.content.decode()
    assert refused.status_code == 422
    assert "BR-CO-15" in page and "BR-CO-14" in page and "nothing was imported" in page
    assert not VendorBill.objects.filter(company=company).exists()
    good = SimpleUploadedFile("good.xml", an_invoice("W-2").xml())
    done = web.post("/purchasing/bills/import/", {"file": good})
    bill = VendorBill.objects.get(company=company)
    assert done.status_code == 302 and done["Location"] == f"/purchasing/bills/{bill.pk}/"
    page = web.get(done["Location"]).content.decode()
    assert ("W-2" in page and "484,00" in page) or "484.00" in page


def test_a_blocked_bill_shows_the_variance_and_is_released_by_a_controller(
    company, vendor, chair, buyer, accountant, controller
):
    order = an_approved_order(company, vendor, chair, buyer)
    receive(order)
    bill = services.import_einvoice(
        company,
        an_invoice(
            "V-1",
            order_reference=order.number,
            lines=[Line("Stoel", Decimal("10"), Decimal("44.00"), order_line="1")],
        ).xml(),
        by=accountant,
    ).bill
    web = a_web_client(accountant)
    web.post(f"/purchasing/bills/{bill.pk}/do/approve/")
    bill.refresh_from_db()
    assert (bill.status, bill.payment_blocked) == (BillStatus.APPROVED, True)
    page = web.get(f"/purchasing/bills/{bill.pk}/").content.decode()
    assert "Blocked for payment" in page
    assert "unit price 44 EUR is 4 (10.0%) above the order&#x27;s 40" in page
    own = web.post(f"/purchasing/bills/{bill.pk}/release/", {"note": "ok"}, follow=True)
    assert "whoever entered a bill cannot approve its variance" in own.content.decode()
    released = a_web_client(controller).post(f"/purchasing/bills/{bill.pk}/release/", {"note": "agreed"})
    assert released.status_code == 302
    bill.refresh_from_db()
    assert (bill.payment_blocked, bill.match_status) == (False, "released")


def test_answers_are_recorded_compared_and_ordered_on_the_rfq_pages(company, vendor, chair, buyer, buyer_web):
    other = a_vendor(company, "Meubelfabriek")
    rfq = services.create_rfq(
        company, lines=[{"product": chair, "quantity": 10}], vendors=[vendor, other], by=buyer
    )
    buyer_web.post(f"/purchasing/rfqs/{rfq.pk}/do/sent/")
    line = rfq.lines.get()
    for invitation, price in zip(rfq.vendors.order_by("id"), ("41.00", "39.50"), strict=True):
        response = buyer_web.post(
            f"/purchasing/rfqs/{rfq.pk}/answers/{invitation.pk}/",
            {f"price_{line.pk}": price, f"qty_{line.pk}": "10", f"days_{line.pk}": "7", "currency": "EUR"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    page = buyer_web.get(f"/purchasing/rfqs/{rfq.pk}/comparison/").content.decode()
    assert "Meubelfabriek" in page and "395.00" in page
    best = rfq.vendors.get(vendor=other)
    ordered = buyer_web.post(f"/purchasing/rfqs/{rfq.pk}/comparison/", {f"line_{line.pk}": str(best.pk)})
    assert ordered.status_code == 302
    order = PurchaseOrder.objects.get(company=company)
    assert (order.vendor, order.untaxed_amount) == (other, Decimal("395.00"))


def test_pages_speak_dutch(company, vendor, chair, buyer):
    an_approved_order(company, vendor, chair, buyer)
    web = a_web_client(buyer, language="nl")
    page = web.get("/purchasing/orders/").content.decode()
    assert "Inkooporders" in page and "Goedgekeurd" in page


def test_a_line_of_an_imported_einvoice_is_booked_differently_from_its_page(
    company, vendor, chair, accountant
):
    bill = services.import_einvoice(company, an_invoice("W-9").xml(), by=accountant).bill
    line = bill.lines.order_by("position").first()
    web = a_web_client(accountant)
    url = f"/purchasing/bills/{bill.pk}/lines/{line.pk}/edit/"
    page = web.get(url)
    assert page.status_code == 200
    assert 'name="description"' not in page.content.decode()  # what the vendor billed stays
    saved = web.post(url, {"product": chair.pk, "tax_code": "", "account": "", "order_line": ""})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    line.refresh_from_db()
    assert line.product_id == chair.pk
