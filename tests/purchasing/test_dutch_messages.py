"""Purchasing refusals are worded in the user's language: the services translate their messages
(and per-field errors) when they raise them, so a Dutch user reads Dutch on a Dutch page and in a
Dutch API answer, while English stays the default."""

from __future__ import annotations

import pytest
from django.utils import translation

from kern.core.exceptions import InvalidTransition, PermissionDenied
from kern.core.models import Currency
from kern.purchasing import services
from kern.purchasing.exceptions import (
    ApprovalLimitExceeded,
    DuplicateBill,
    EInvoiceRejected,
    PurchasingConflict,
    PurchasingInvalid,
)
from tests.builders import a_user, an_api_client
from tests.purchasing.helpers import receive
from tests.purchasing.ubl_builder import an_invoice

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def an_order(company, vendor, product, quantity, *, by=None):
    return services.create_order(
        company, vendor=vendor, lines=[{"product": product, "quantity": quantity, "unit_price": "40"}], by=by
    )


def test_approving_above_the_limit_or_without_the_role_is_refused_in_dutch(company, vendor, chair, buyer):
    order = an_order(company, vendor, chair, 300, by=buyer)  # 12000 EUR, the buyer may approve 10000
    clerk = a_user(company, "warehouse")
    with translation.override("nl"):
        with pytest.raises(ApprovalLimitExceeded) as above:
            services.approve_order(order, by=buyer)
        with pytest.raises(PermissionDenied) as no_role:
            services.approve_order(order, by=clerk)
        with pytest.raises(InvalidTransition) as not_open:
            services.close_order(order, by=buyer)
    assert above.value.message == (
        f"{order.number} is 12000.00 EUR exclusief btw; uw rollen mogen orders goedkeuren tot 10000.00 EUR"
    )
    assert no_role.value.message == "u mag geen inkooporders goedkeuren"
    assert not_open.value.message == f"inkooporder {order.number} kan niet van 'draft' naar 'done'"

    # without a language asked for, the same refusals stay English
    with pytest.raises(ApprovalLimitExceeded) as english:
        services.approve_order(order, by=buyer)
    assert english.value.message == (
        f"{order.number} is 12000.00 EUR untaxed; your roles may approve orders up to 10000.00 EUR"
    )
    with pytest.raises(InvalidTransition) as english_transition:
        services.close_order(order, by=buyer)
    assert (
        english_transition.value.message == f"purchase order {order.number} cannot go from 'draft' to 'done'"
    )


def test_taking_more_out_of_quality_hold_than_arrived_is_refused_in_dutch(company, vendor, chair, buyer):
    services.update_policy(company, quality_hold=True)
    order = an_order(company, vendor, chair, 10, by=buyer)
    with translation.override("nl"), pytest.raises(PurchasingConflict) as nothing_to_bill:
        services.create_bill_from_order(order, by=buyer, vendor_reference="F-1")
    assert nothing_to_bill.value.message == (
        f"{order.number} heeft de status 'concept'; alleen goedgekeurde orders worden gefactureerd"
    )
    services.submit_order(order, by=buyer)
    receive(order)
    line = order.lines.get()
    with translation.override("nl"), pytest.raises(PurchasingInvalid) as too_many:
        services.release_from_quality_hold(order, quantities={line.pk: 11}, by=buyer)
    assert too_many.value.errors == {"quantities": ["CHAIR: 11 gevraagd, 10.0000 in quarantaine"]}
    assert too_many.value.message == "quantities: CHAIR: 11 gevraagd, 10.0000 in quarantaine"
    with pytest.raises(PurchasingInvalid) as english:
        services.release_from_quality_hold(order, quantities={line.pk: 11}, by=buyer)
    assert english.value.errors == {"quantities": ["CHAIR: 11 asked, 10.0000 in quality hold"]}


def test_field_errors_are_dutch(company, vendor, chair, buyer):
    with translation.override("nl"):
        with pytest.raises(PurchasingInvalid) as not_a_number:
            an_order(company, vendor, chair, "veel", by=buyer)
        with pytest.raises(PurchasingInvalid) as too_long:
            services.create_order(company, vendor=vendor, vendor_reference="x" * 61, by=buyer)
        with pytest.raises(PurchasingInvalid) as unknown_row:
            services.create_order(company, vendor=vendor, payment_term=999999, by=buyer)
    assert not_a_number.value.errors == {"quantity": ["geen getal: 'veel'"]}
    assert not_a_number.value.message == "quantity: geen getal: 'veel'"
    assert too_long.value.errors == {"vendor_reference": ["hoogstens 60 tekens"]}
    assert unknown_row.value.errors == {"payment_term": ["betalingstermijn 999999 is onbekend"]}

    with pytest.raises(PurchasingInvalid) as english:
        an_order(company, vendor, chair, "veel", by=buyer)
    assert english.value.errors == {"quantity": ["not a number: 'veel'"]}


def test_a_supplier_einvoice_that_does_not_validate_is_refused_in_dutch(company, vendor, accountant):
    bad = an_invoice("F-BAD", tamper={"TaxAmount": "10.00", "PayableAmount": "410.00"}).xml()
    with translation.override("nl"), pytest.raises(EInvoiceRejected) as rejected:
        services.import_einvoice(company, bad, by=accountant)
    assert rejected.value.message.startswith("de e-factuur is geweigerd: [BR-CO-15] ")

    Currency.objects.filter(code="USD").update(is_active=False)
    with translation.override("nl"), pytest.raises(EInvoiceRejected) as currency:
        services.import_einvoice(company, an_invoice("F-USD", currency="USD").xml(), by=accountant)
    assert currency.value.errors == {"file": ["[KERN-CURRENCY] de valuta USD is niet in gebruik in Kern"]}

    first = services.import_einvoice(company, an_invoice("F-7").xml(), by=accountant).bill
    with translation.override("nl"), pytest.raises(DuplicateBill) as twice:
        services.import_einvoice(company, an_invoice("F-7").xml(), by=accountant)
    assert twice.value.message == (
        f"Houthandel Jansen heeft factuur F-7 al eerder gestuurd: die is vastgelegd als concept #{first.pk}"
    )
    assert twice.value.errors == {"vendor_reference": [f"al vastgelegd als concept #{first.pk}"]}


def test_the_api_answers_a_refusal_in_the_language_the_request_asks_for(company, vendor, chair):
    buyer = an_api_client(company, "buyer")
    order = buyer.post_json(
        "/api/v1/purchase-orders",
        {"vendor_id": vendor.pk, "lines": [{"product_id": chair.pk, "quantity": "500", "unit_price": "40"}]},
    ).json()
    dutch = buyer.post_json(f"/api/v1/purchase-orders/{order['id']}/approve", {}, **DUTCH)
    english = buyer.post_json(f"/api/v1/purchase-orders/{order['id']}/approve", {})
    assert (dutch.status_code, english.status_code) == (403, 403)
    assert dutch["Content-Type"] == "application/problem+json"
    assert dutch.json()["code"] == "approval_limit_exceeded"
    assert dutch.json()["detail"] == (
        f"{order['number']} is 20000.00 EUR exclusief btw; uw rollen mogen orders goedkeuren tot 10000.00 EUR"
    )
    assert english.json()["detail"] == (
        f"{order['number']} is 20000.00 EUR untaxed; your roles may approve orders up to 10000.00 EUR"
    )

    field = buyer.post_json(
        "/api/v1/purchase-orders",
        {"vendor_id": vendor.pk, "lines": [{"product_id": chair.pk, "quantity": "5", "tax_code": "NOPE"}]},
        **DUTCH,
    )
    assert field.status_code == 422
    assert field.json()["errors"] == {"tax_code": ["'NOPE' is geen actieve btw-code voor inkoop"]}
