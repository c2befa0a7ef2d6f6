"""Kern's own refusals are worded in the user's language: a refused status change names the
statuses by their labels, a problem+json answer has its title in the request's language, and the
API's own validation messages (a body that is not JSON, a missing field, a wrong type) are Dutch
in a Dutch request. English stays the default; `code`, `type` and the raw statuses a client
compares against never change with the language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from kern.core.apiproblem import problem_body
from kern.core.exceptions import InvalidTransition, NotFound
from kern.core.workflow import transition
from kern.sales import services as sales
from tests.builders import ApiClient, a_customer, a_product, a_user
from tests.core.workflow_model import Ticket

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def a_cancelled_order(company):
    customer = a_customer(company, "Jansen BV")
    hour = a_product(company, "HOUR", name="Consultancy hour", type="service", sale_price=Decimal("95"))
    order = sales.create_order(company, customer=customer, lines=[{"product": hour.pk, "quantity": 1}])
    return sales.cancel_order(order, reason="Te duur")


def test_a_refused_transition_is_dutch_with_the_status_labels_and_keeps_the_raw_statuses(company):
    order = a_cancelled_order(company)
    with translation.override("nl"), pytest.raises(InvalidTransition) as dutch:
        sales.cancel_order(order)
    assert dutch.value.message == f"verkooporder {order.number} kan niet van 'Geannuleerd' naar 'Geannuleerd'"
    assert (dutch.value.current, dutch.value.requested) == ("cancelled", "cancelled")
    problem = dutch.value.as_problem()
    assert (problem["current"], problem["requested"]) == ("cancelled", "cancelled")

    with pytest.raises(InvalidTransition) as english:
        sales.cancel_order(order)
    assert english.value.message == f"sales order {order.number} cannot go from 'Cancelled' to 'Cancelled'"
    assert (english.value.current, english.value.requested) == ("cancelled", "cancelled")


def test_a_status_without_a_translated_label_and_a_vanished_document_are_refused_in_dutch():
    ticket = Ticket.objects.create(number="T-21")
    with translation.override("nl"), pytest.raises(InvalidTransition) as skipped:
        transition(ticket, to="closed")
    assert skipped.value.message == "ticket T-21 kan niet van 'Draft' naar 'Closed'"
    assert (skipped.value.current, skipped.value.requested) == ("draft", "closed")

    Ticket.objects.filter(pk=ticket.pk).delete()
    with translation.override("nl"), pytest.raises(NotFound) as gone:
        transition(ticket, to="open")
    assert gone.value.message == "ticket T-21 bestaat niet"
    with pytest.raises(NotFound) as english:
        transition(ticket, to="open")
    assert english.value.message == "ticket T-21 does not exist"


def test_a_transition_refused_by_a_caller_without_labels_is_worded_in_dutch_too():
    with translation.override("nl"):
        named = InvalidTransition("picked", "waiting", document="operation OUT-1")
        bare = InvalidTransition("picked", "waiting")
    assert named.message == "operation OUT-1 kan niet van 'picked' naar 'waiting'"
    assert bare.message == "kan niet van 'picked' naar 'waiting'"
    assert InvalidTransition("picked", "waiting").message == "cannot go from 'picked' to 'waiting'"


def test_titles_follow_the_language_and_codes_do_not():
    with translation.override("nl"):
        dutch = [problem_body(status, "x") for status in (400, 404, 409, 422, 418)]
        default_message = NotFound()
        transition_problem = InvalidTransition("a", "b").as_problem()
    english = [problem_body(status, "x") for status in (400, 404, 409, 422, 418)]
    assert [p["title"] for p in dutch] == [
        "Ongeldig verzoek",
        "Niet gevonden",
        "Conflict",
        "Ongeldige invoer",
        "Fout",
    ]
    assert [p["title"] for p in english] == [
        "Bad request",
        "Not found",
        "Conflict",
        "Validation failed",
        "Error",
    ]
    assert [(p["code"], p["type"]) for p in dutch] == [(p["code"], p["type"]) for p in english]
    assert [p["code"] for p in english] == [
        "bad_request",
        "not_found",
        "conflict",
        "validation_failed",
        "error",
    ]
    assert default_message.message == "Niet gevonden" and default_message.code == "not_found"
    assert transition_problem["title"] == "Ongeldige statuswijziging"
    assert InvalidTransition("a", "b").as_problem()["title"] == "Invalid state transition"
    # the class attribute stays the English source text
    assert InvalidTransition.title == "Invalid state transition"


def test_a_409_through_the_api_has_a_dutch_title_and_detail_and_the_same_code_and_type(api, company):
    order = a_cancelled_order(company)
    dutch = api.post_json(f"/api/v1/sales-orders/{order.pk}/cancel", {"reason": "nogmaals"}, **DUTCH)
    english = api.post_json(f"/api/v1/sales-orders/{order.pk}/cancel", {"reason": "nogmaals"})

    assert (dutch.status_code, english.status_code) == (409, 409)
    assert dutch["Content-Type"] == "application/problem+json"
    assert dutch.json()["title"] == "Ongeldige statuswijziging"
    assert dutch.json()["detail"] == (
        f"verkooporder {order.number} kan niet van 'Geannuleerd' naar 'Geannuleerd'"
    )
    assert english.json()["title"] == "Invalid state transition"
    assert english.json()["detail"] == f"sales order {order.number} cannot go from 'Cancelled' to 'Cancelled'"
    for key in ("code", "type", "status", "current", "requested"):
        assert dutch.json()[key] == english.json()[key], key
    assert (dutch.json()["code"], dutch.json()["current"]) == ("invalid_transition", "cancelled")


def test_the_users_chosen_language_is_used_without_an_accept_language_header(company):
    order = a_cancelled_order(company)
    client = ApiClient(a_user(company, "administrator"), company)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    refused = client.post_json(f"/api/v1/sales-orders/{order.pk}/cancel", {"reason": "nogmaals"})
    assert refused.status_code == 409
    assert refused.json()["title"] == "Ongeldige statuswijziging"


def test_a_body_that_is_not_json_is_a_dutch_400_problem_in_a_dutch_request(api):
    dutch = api.post("/api/v1/parties", data="{not json", content_type="application/json", **DUTCH)
    english = api.post("/api/v1/parties", data="{not json", content_type="application/json")
    assert (dutch.status_code, english.status_code) == (400, 400)
    assert dutch["Content-Type"] == "application/problem+json"
    assert dutch.json() == {
        "type": "https://kern.dev/problems/malformed_json",
        "title": "Ongeldig verzoek",
        "status": 400,
        "detail": "De inhoud van het verzoek is geen geldige JSON.",
        "code": "malformed_json",
    }
    assert english.json() == {
        "type": "https://kern.dev/problems/malformed_json",
        "title": "Bad request",
        "status": 400,
        "detail": "The request body is not valid JSON.",
        "code": "malformed_json",
    }


def test_missing_fields_and_wrong_types_are_dutch_in_a_dutch_request_and_pydantics_words_in_english(api):
    bad_rate = {"currency": "USDX", "rate": "-1", "rate_date": "2026-13-01"}
    dutch = api.post_json("/api/v1/exchange-rates", bad_rate, **DUTCH)
    english = api.post_json("/api/v1/exchange-rates", bad_rate)
    assert (dutch.status_code, english.status_code) == (422, 422)
    assert dutch.json()["title"] == "Ongeldige invoer"
    assert dutch.json()["code"] == english.json()["code"] == "validation_failed"
    assert dutch.json()["errors"] == {
        "currency": ["Mag hoogstens 3 tekens hebben"],
        "rate": ["Moet groter zijn dan 0"],
        "rate_date": ["Moet een geldige datum zijn (JJJJ-MM-DD)"],
    }
    assert dutch.json()["detail"] == "currency: Mag hoogstens 3 tekens hebben"
    assert english.json()["title"] == "Validation failed"
    assert english.json()["errors"] == {
        "currency": ["String should have at most 3 characters"],
        "rate": ["Input should be greater than 0"],
        "rate_date": [
            "Input should be a valid date or datetime, month value is outside expected range of 1-12"
        ],
    }

    missing = api.post_json("/api/v1/parties", {}, **DUTCH)
    wrong_type = api.post_json("/api/v1/parties", {"name": "A", "payment_term_id": "x"}, **DUTCH)
    bad_query = api.get("/api/v1/exchange-rates/lookup?from_currency=EUR&to_currency=USD&on=nope", **DUTCH)
    assert missing.status_code == 422 and missing.json()["errors"] == {"name": ["Verplicht veld"]}
    assert wrong_type.json()["errors"] == {"payment_term_id": ["Moet een geheel getal zijn"]}
    assert bad_query.status_code == 422
    assert bad_query.json()["errors"] == {"on": ["Moet een geldige datum zijn (JJJJ-MM-DD)"]}
    assert api.post_json("/api/v1/parties", {}).json()["errors"] == {"name": ["Field required"]}


def test_a_missing_permission_is_refused_in_dutch(company):
    hr = ApiClient(a_user(company, "hr"), company)
    dutch = hr.post_json("/api/v1/products", {"sku": "X", "name": "X"}, **DUTCH)
    english = hr.post_json("/api/v1/products", {"sku": "X", "name": "X"})
    assert (dutch.status_code, english.status_code) == (403, 403)
    assert (dutch.json()["title"], dutch.json()["code"]) == ("Geen toegang", "forbidden")
    assert dutch.json()["detail"] == "u hebt de bevoegdheid catalog.add_product niet"
    assert english.json()["detail"] == "you lack the permission catalog.add_product"
    assert english.json()["title"] == "Forbidden"


def test_a_bad_import_mapping_is_refused_in_dutch(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("parties.csv", b"name\nBakkerij Bos\n", content_type="text/csv")
    refused = api.post("/api/v1/imports/parties", {"file": upload, "mapping": "{nope"}, **DUTCH)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"mapping": ["mapping moet een JSON-object zijn"]}
