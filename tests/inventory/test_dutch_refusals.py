"""Inventory refusals are worded in the user's language: a Dutch user reads a Dutch title and
detail in the API's problem+json and on the pick screen, an English user the English ones. A
refused status change names the operation or count by its translated name and the statuses by
their labels; `code`, the context keys and the raw statuses a client compares against never
change with the language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from kern.catalog.models import ProductType, TrackingMode
from kern.core.exceptions import InvalidTransition, ValidationFailed
from kern.inventory import services
from kern.inventory.exceptions import InvalidQuantity, LotRequired, NotStockable, UnknownCode
from kern.inventory.services import MoveSpec
from tests.builders import a_product, a_user, a_web_client, in_stock

pytestmark = pytest.mark.django_db

D = Decimal
DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def a_delivery(company, customer, product, quantity):
    return services.create_delivery(company, lines=[MoveSpec(product, D(quantity))], partner=customer)


def post_delivery(api, product, quantity, **headers):
    return api.post_json(
        "/api/v1/inventory/operations",
        {
            "kind": "delivery",
            "allow_partial": False,
            "lines": [{"product_id": product.pk, "quantity": quantity}],
        },
        **headers,
    )


def test_too_little_stock_is_a_dutch_problem_for_a_dutch_request_and_english_otherwise(api, chair):
    in_stock(chair, 3)
    dutch = post_delivery(api, chair, "4", **DUTCH)
    english = post_delivery(api, chair, "4")

    assert (dutch.status_code, english.status_code) == (409, 409)
    assert (dutch.json()["title"], dutch.json()["detail"]) == (
        "Onvoldoende voorraad",
        "CHAIR Chair: 4 gevraagd, 3 beschikbaar",
    )
    assert (english.json()["title"], english.json()["detail"]) == (
        "Insufficient stock",
        "CHAIR Chair: 4 requested, 3 available",
    )
    for key in ("type", "code", "status", "sku", "requested", "available", "product_id"):
        assert dutch.json()[key] == english.json()[key], key
    assert (english.json()["code"], english.json()["requested"], english.json()["available"]) == (
        "insufficient_stock",
        "4",
        "3",
    )


def test_a_quantity_that_is_not_positive_is_refused_in_dutch_with_the_reason(api, chair):
    dutch = post_delivery(api, chair, "-1", **DUTCH)
    english = post_delivery(api, chair, "-1")
    assert (dutch.status_code, english.status_code) == (422, 422)
    assert dutch.json()["title"] == "Ongeldig aantal"
    assert dutch.json()["detail"] == "CHAIR Chair: aantal -1 moet positief zijn"
    assert english.json()["title"] == "Invalid quantity"
    assert english.json()["detail"] == "CHAIR Chair: quantity -1 must be positive"
    assert dutch.json()["code"] == english.json()["code"] == "invalid_quantity"

    with translation.override("nl"):
        negative = InvalidQuantity(chair, D("-2"), field="counted", reason="cannot be negative")
        not_a_number = InvalidQuantity(chair, "veel", reason="is not a number")
        unknown_reason = InvalidQuantity(chair, D("1"), reason="is odd")
    assert negative.message == "CHAIR Chair: aantal -2 mag niet negatief zijn"
    assert negative.errors == {"counted": ["CHAIR Chair: aantal -2 mag niet negatief zijn"]}
    assert not_a_number.message == "CHAIR Chair: aantal veel is geen getal"
    assert unknown_reason.message == "CHAIR Chair: aantal 1 is odd"
    assert InvalidQuantity(chair, D("-2"), reason="cannot be negative").message == (
        "CHAIR Chair: quantity -2 cannot be negative"
    )


def test_a_refused_status_change_names_the_operation_and_the_status_labels_in_dutch(
    api, company, customer, chair
):
    in_stock(chair, 5)
    delivery = a_delivery(company, customer, chair, "2")  # reserved: ready, not picked
    url = f"/api/v1/inventory/operations/{delivery.pk}/pack"
    dutch = api.post_json(url, {}, **DUTCH)
    english = api.post_json(url, {})

    assert (dutch.status_code, english.status_code) == (409, 409)
    assert dutch.json()["title"] == "Ongeldige statuswijziging"
    assert dutch.json()["detail"] == (
        f"voorraadmutatie {delivery.number} kan niet van 'Gereed voor picken' naar 'Ingepakt'"
    )
    assert english.json()["title"] == "Invalid state transition"
    assert english.json()["detail"] == f"stock operation {delivery.number} cannot go from 'Ready' to 'Packed'"
    for key in ("code", "type", "current", "requested"):
        assert dutch.json()[key] == english.json()[key], key
    assert (english.json()["current"], english.json()["requested"]) == ("ready", "packed")


def test_every_refused_operation_step_is_worded_with_labels_and_keeps_the_raw_statuses(
    company, customer, chair
):
    in_stock(chair, 5)
    ready = a_delivery(company, customer, chair, "1")
    cancelled = services.cancel_operation(a_delivery(company, customer, chair, "1"))
    steps = [
        (lambda: services.pick(cancelled), cancelled, "cancelled", "picked", "Geannuleerd", "Gepickt"),
        (lambda: services.pack(ready), ready, "ready", "packed", "Gereed voor picken", "Ingepakt"),
        (
            lambda: services.confirm_operation(ready),
            ready,
            "ready",
            "waiting",
            "Gereed voor picken",
            "Wacht op voorraad",
        ),
        (
            lambda: services.reserve_stock(cancelled),
            cancelled,
            "cancelled",
            "ready",
            "Geannuleerd",
            "Gereed voor picken",
        ),
        (
            lambda: services.unreserve_stock(cancelled),
            cancelled,
            "cancelled",
            "waiting",
            "Geannuleerd",
            "Wacht op voorraad",
        ),
    ]
    for step, operation, current, requested, current_nl, requested_nl in steps:
        with translation.override("nl"), pytest.raises(InvalidTransition) as refused:
            step()
        assert refused.value.message == (
            f"voorraadmutatie {operation.number} kan niet van '{current_nl}' naar '{requested_nl}'"
        )
        assert (refused.value.current, refused.value.requested) == (current, requested)
        assert refused.value.as_problem()["current"] == current

    with pytest.raises(InvalidTransition) as english:
        services.pick(cancelled)
    assert (
        english.value.message == f"stock operation {cancelled.number} cannot go from 'Cancelled' to 'Picked'"
    )


def test_a_finished_count_is_refused_in_dutch_with_its_labels(wh, chair):
    in_stock(chair, 2)
    count = services.start_stock_count(wh)
    services.apply_stock_count(count)
    with translation.override("nl"), pytest.raises(InvalidTransition) as dutch:
        services.apply_stock_count(count)
    assert dutch.value.message == f"voorraadtelling {count.number} kan niet van 'Verwerkt' naar 'Verwerkt'"
    assert (dutch.value.current, dutch.value.requested) == ("done", "done")
    with pytest.raises(InvalidTransition) as english:
        services.apply_stock_count(count)
    assert english.value.message == f"stock count {count.number} cannot go from 'Applied' to 'Applied'"


def test_the_pick_screen_refuses_in_the_users_language(company, customer, chair):
    in_stock(chair, 10)
    delivery = a_delivery(company, customer, chair, "2")
    url = f"/inventory/operations/{delivery.pk}/pick/"
    dutch = a_web_client(a_user(company, "warehouse"))
    dutch.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    english = a_web_client(a_user(company, "warehouse"))

    refused = dutch.post(url, {"code": "CHAIR", "quantity": "3"})
    assert refused.status_code == 422
    assert "CHAIR Chair: 3 te verzenden, maar slechts 2 gereserveerd" in refused.content.decode()
    refused = english.post(url, {"code": "CHAIR", "quantity": "3"})
    assert refused.status_code == 422
    assert "CHAIR Chair: 3 to ship, only 2 reserved" in refused.content.decode()


def test_the_titles_follow_the_language_and_stay_english_on_the_class():
    with translation.override("nl"):
        dutch = NotStockable("x").as_problem()
    english = NotStockable("x").as_problem()
    assert (dutch["title"], english["title"]) == (
        "Product wordt niet op voorraad gehouden",
        "Product is not kept in stock",
    )
    assert dutch["code"] == english["code"] == "not_stockable"
    assert NotStockable.title == "Product is not kept in stock"


def test_a_service_on_a_delivery_is_refused_in_dutch_through_the_api(api, company):
    advice = a_product(company, "ADVICE", name="Advice", type=ProductType.SERVICE)
    dutch = post_delivery(api, advice, "1", **DUTCH)
    english = post_delivery(api, advice, "1")
    assert (dutch.status_code, english.status_code) == (422, 422)
    assert dutch.json()["title"] == "Product wordt niet op voorraad gehouden"
    assert dutch.json()["detail"] == "ADVICE Advice is een dienst en wordt niet op voorraad gehouden"
    assert dutch.json()["errors"] == {"product": ["ADVICE is een dienst"]}
    assert english.json()["detail"] == "ADVICE Advice is a service and is not kept in stock"
    assert english.json()["errors"] == {"product": ["ADVICE is a service"]}
    assert dutch.json()["code"] == english.json()["code"] == "not_stockable"


def test_scanning_refusals_on_a_delivery_and_a_count_are_worded_in_dutch(company, customer, wh, chair):
    in_stock(chair, 5)
    delivery = a_delivery(company, customer, chair, "1")
    count = services.start_stock_count(wh)
    shelf = wh.stock_location
    shelf.barcode = "SHELF-A"
    shelf.save(update_fields=["barcode"])
    with translation.override("nl"):
        with pytest.raises(UnknownCode) as unknown:
            services.scan_pick(delivery, "NOPE-42")
        with pytest.raises(ValidationFailed) as location:
            services.scan_pick(delivery, "SHELF-A")
        with pytest.raises(UnknownCode) as unknown_counted:
            services.scan_count(count, "NOPE-42", location=count.location)
    assert unknown.value.message == "NOPE-42: geen product, partij of serienummer"
    assert unknown.value.errors == {"code": ["onbekende code NOPE-42"]}
    assert unknown_counted.value.message == "NOPE-42: geen product, partij of serienummer"
    assert location.value.message == "code: SHELF-A is een locatie; scan een product, partij of serienummer"
    with pytest.raises(UnknownCode) as english:
        services.scan_pick(delivery, "NOPE-42")
    assert english.value.message == "NOPE-42: no product, lot or serial number"


def test_a_tracked_product_without_its_serial_is_refused_in_dutch(company, customer):
    phone = a_product(company, "PHONE", name="Phone", tracking=TrackingMode.SERIAL)
    receipt = services.receive(company, lines=[MoveSpec(phone, D("1"))], partner=customer, validate=False)
    with translation.override("nl"), pytest.raises(LotRequired) as dutch:
        services.validate_operation(receipt)
    assert dutch.value.message == "een serienummer is verplicht voor PHONE Phone"
    assert dutch.value.errors == {"lot": ["PHONE heeft een partij- of serienummer nodig"]}
    with pytest.raises(LotRequired) as english:
        services.validate_operation(receipt)
    assert english.value.message == "a serial number is required for PHONE Phone"
