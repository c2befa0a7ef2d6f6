"""A purchasing refusal reads in the user's language as a whole: the problem+json title (translated
when the problem is rendered, like core's) as well as the detail. `code` and `type` stay the same
in every language, and the class's `title` stays the English source text."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from kern.purchasing import exceptions
from tests.builders import an_api_client
from tests.refusals import assert_titles_read_in_dutch, refusals_with_their_own_title

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}

TITLES = {
    exceptions.ApprovalLimitExceeded: ("Approval limit exceeded", "Goedkeuringslimiet overschreden"),
    exceptions.SegregationOfDuties: ("Segregation of duties", "Functiescheiding"),
    exceptions.DuplicateBill: ("Duplicate bill", "Dubbele factuur"),
    exceptions.EInvoiceRejected: ("E-invoice rejected", "E-factuur geweigerd"),
}


def a_refusal(cls):
    if cls is exceptions.DuplicateBill:
        return cls(SimpleNamespace(number="BILL-1", pk=1, vendor="Houthandel Jansen"), "F-1")
    if cls is exceptions.EInvoiceRejected:
        return cls([])
    return cls("x")


def test_every_purchasing_refusal_with_its_own_title_has_it_in_dutch():
    assert refusals_with_their_own_title(exceptions) == set(TITLES)
    assert_titles_read_in_dutch(TITLES, a_refusal)
    with translation.override("nl"):
        assert exceptions.ApprovalLimitExceeded().message == "Goedkeuringslimiet overschreden"


def test_approving_above_the_limit_is_refused_in_dutch_title_and_detail(company, vendor, chair):
    buyer = an_api_client(company, "buyer")
    order = buyer.post_json(
        "/api/v1/purchase-orders",
        {"vendor_id": vendor.pk, "lines": [{"product_id": chair.pk, "quantity": "500", "unit_price": "40"}]},
    ).json()

    dutch = buyer.post_json(f"/api/v1/purchase-orders/{order['id']}/approve", {}, **DUTCH)
    english = buyer.post_json(f"/api/v1/purchase-orders/{order['id']}/approve", {})

    assert (dutch.status_code, english.status_code) == (403, 403)
    assert dutch["Content-Type"] == "application/problem+json"
    assert dutch.json()["title"] == "Goedkeuringslimiet overschreden"
    assert dutch.json()["detail"] == (
        f"{order['number']} is 20000.00 EUR exclusief btw; uw rollen mogen orders goedkeuren tot 10000.00 EUR"
    )
    assert english.json()["title"] == "Approval limit exceeded"
    assert english.json()["detail"] == (
        f"{order['number']} is 20000.00 EUR untaxed; your roles may approve orders up to 10000.00 EUR"
    )
    assert (dutch.json()["code"], dutch.json()["type"]) == (english.json()["code"], english.json()["type"])
    assert (dutch.json()["amount"], dutch.json()["limit"]) == (
        english.json()["amount"],
        english.json()["limit"],
    )


def test_a_bill_entered_twice_is_refused_in_dutch_title_and_detail(company, vendor):
    clerk = an_api_client(company, "accountant")
    first = clerk.post_json("/api/v1/vendor-bills", {"vendor_id": vendor.pk, "vendor_reference": "F-2026-7"})
    assert first.status_code == 201, first.content
    label = first.json()["number"] or f"draft #{first.json()['id']}"
    dutch_label = first.json()["number"] or f"concept #{first.json()['id']}"

    dutch = clerk.post_json(
        "/api/v1/vendor-bills", {"vendor_id": vendor.pk, "vendor_reference": "F-2026-7"}, **DUTCH
    )
    english = clerk.post_json(
        "/api/v1/vendor-bills", {"vendor_id": vendor.pk, "vendor_reference": "F-2026-7"}
    )

    assert (dutch.status_code, english.status_code) == (409, 409)
    assert dutch.json()["code"] == english.json()["code"] == "duplicate_bill"
    assert dutch.json()["title"] == "Dubbele factuur"
    assert dutch.json()["detail"] == (
        f"{vendor} heeft factuur F-2026-7 al eerder gestuurd: die is vastgelegd als {dutch_label}"
    )
    assert english.json()["title"] == "Duplicate bill"
    assert english.json()["detail"] == f"{vendor} already sent bill F-2026-7: it is recorded as {label}"
    # the context a client reads is the same in both languages
    assert dutch.json()["existing_bill"] == english.json()["existing_bill"] == label
    assert dutch.json()["existing_bill_id"] == english.json()["existing_bill_id"] == first.json()["id"]


def test_an_approval_limit_for_an_unknown_role_is_refused_in_dutch(company):
    admin = an_api_client(company, "administrator")
    dutch = admin.put_json(
        "/api/v1/purchasing/approval-limits/captain", {"max_amount": "10"}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    english = admin.put_json("/api/v1/purchasing/approval-limits/captain", {"max_amount": "10"})
    assert (dutch.status_code, english.status_code) == (404, 404)
    assert dutch.json()["detail"] == "onbekende rol 'captain'"
    assert english.json()["detail"] == "unknown role 'captain'"
