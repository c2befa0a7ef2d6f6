"""Sales refusals are worded in the user's language: the services and the pricing translate their
messages (and per-field errors) when they raise them, so a Dutch user reads Dutch on a Dutch page
and in a Dutch API answer, while English stays the default and stored text stays English."""

from __future__ import annotations

import pytest
from django.utils import translation

from kern.core.exceptions import ValidationFailed
from kern.sales import services
from kern.sales.exceptions import (
    ApprovalNotAllowed,
    ApprovalRequired,
    LinkInvalid,
    NothingToInvoice,
    SalesConflict,
    SalesInvalid,
)
from kern.sales.selectors import preview_document
from tests.builders import an_api_client

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def an_order(world, *lines, **fields):
    return services.create_order(
        world.company,
        customer=world.customer,
        lines=list(lines) or [{"product": world.chair.pk, "quantity": 5}],
        by=world.rep,
        **fields,
    )


def test_invoicing_or_shipping_an_order_that_is_not_confirmed_is_refused_in_dutch(world):
    draft = an_order(world)
    cancelled = an_order(world)
    services.confirm_order(cancelled, by=world.rep)
    services.cancel_order(cancelled, reason="Te duur", by=world.rep)

    with translation.override("nl"):
        with pytest.raises(SalesConflict) as not_invoiced:
            services.invoice_order(cancelled, by=world.accountant)
        with pytest.raises(SalesConflict) as not_shipped:
            services.ship_order(cancelled, by=world.rep)
        with pytest.raises(SalesConflict) as not_confirmed:
            services.invoice_order(draft, by=world.accountant)
    assert not_invoiced.value.code == "order_cancelled"
    assert not_invoiced.value.message == (
        f"order {cancelled.number} is geannuleerd: Te duur; die kan niet worden gefactureerd"
    )
    assert not_shipped.value.message == (
        f"order {cancelled.number} is geannuleerd: Te duur; die kan niet worden verzonden"
    )
    assert not_confirmed.value.message == f"order {draft.number} is nog niet bevestigd; bevestig die eerst"

    # without a language asked for, the same refusals stay English
    with pytest.raises(SalesConflict) as english:
        services.invoice_order(cancelled, by=world.accountant)
    assert english.value.message == f"order {cancelled.number} is cancelled: Te duur; it cannot be invoiced"
    with pytest.raises(SalesConflict) as english_ship:
        services.ship_order(cancelled, by=world.rep)
    assert (
        english_ship.value.message == f"order {cancelled.number} is cancelled: Te duur; it cannot be shipped"
    )


def test_nothing_to_invoice_and_editing_a_confirmed_order_are_refused_in_dutch(world):
    order = an_order(world)
    services.confirm_order(order, by=world.rep)

    with translation.override("nl"):
        with pytest.raises(NothingToInvoice) as nothing:
            services.invoice_order(order, by=world.accountant)
        with pytest.raises(SalesConflict) as not_editable:
            services.update_order(order, notes="later", by=world.rep)
    assert nothing.value.message == (
        f"order {order.number} heeft niets te factureren: alles wat geleverd is, is gefactureerd"
        " (die factureert geleverde aantallen)"
    )
    assert not_editable.value.message == (
        f"order {order.number} heeft de status 'bevestigd'; die kan niet meer worden gewijzigd"
    )

    with pytest.raises(NothingToInvoice) as english:
        services.invoice_order(order, by=world.accountant)
    assert english.value.message == (
        f"order {order.number} has nothing to invoice: everything delivered is invoiced"
        " (it invoices delivered quantities)"
    )


def test_field_errors_are_dutch(world):
    with translation.override("nl"):
        with pytest.raises(SalesInvalid) as not_a_number:
            an_order(world, {"product": world.chair.pk, "quantity": "veel"})
        with pytest.raises(SalesInvalid) as decimals:
            an_order(world, {"product": world.chair.pk, "quantity": "1.23456"})
        with pytest.raises(SalesInvalid) as unknown_field:
            an_order(world, colour="red")
        with pytest.raises(ValidationFailed) as too_long:
            an_order(world, customer_reference="x" * 81)
        with pytest.raises(SalesInvalid) as no_description:
            services.create_invoice(
                world.company, customer=world.customer, lines=[{"quantity": "1", "unit_price": "5"}]
            )
    assert not_a_number.value.errors == {"lines[0].quantity": ["geen getal"]}
    assert not_a_number.value.message == "lines[0].quantity: geen getal"
    assert decimals.value.errors == {"lines[0].quantity": ["hoogstens 4 decimalen"]}
    assert unknown_field.value.errors == {"colour": ["kan hier niet worden ingesteld"]}
    assert too_long.value.errors == {"customer_reference": ["hoogstens 80 tekens"]}
    assert no_description.value.errors == {"lines[0].description": ["verplicht"]}
    assert no_description.value.message == (
        "lines[0].description: een regel zonder product heeft een omschrijving nodig"
    )

    with pytest.raises(SalesInvalid) as english:
        an_order(world, {"product": world.chair.pk, "quantity": "veel"})
    assert english.value.errors == {"lines[0].quantity": ["not a number"]}
    with pytest.raises(ValidationFailed) as english_long:
        an_order(world, customer_reference="x" * 81)
    assert english_long.value.errors == {"customer_reference": ["at most 80 characters"]}


def test_quote_approval_refusals_are_dutch_while_the_stored_reasons_stay_english(world):
    discounted = {"product": world.chair.pk, "quantity": 1, "discount_percent": "35"}
    with translation.override("nl"):
        quote = services.create_quote(
            world.company, customer=world.customer, lines=[discounted], by=world.rep
        )
        preview = preview_document(world.company, customer=world.customer, lines=[discounted], user=world.rep)
        with pytest.raises(ApprovalRequired) as needs_approval:
            services.send_quote(quote, by=world.rep)
        with pytest.raises(ApprovalNotAllowed) as not_yours:
            services.approve_quote(quote, by=world.manager)
        with pytest.raises(LinkInvalid) as altered:
            services.quote_for_token("not-a-token")

    # stored text does not depend on the language of whoever saved the quote
    assert quote.approval_reasons == [
        "discount 35% is above 15%: needs Administrator",
        "margin 7.69% is below the floor of 10%",
    ]
    # what the live builder shows is the user's language
    assert preview.approval_reasons == [
        "korting 35% is hoger dan 15%: Beheerder nodig",
        "marge 7.69% ligt onder de ondergrens van 10%",
    ]
    assert needs_approval.value.message == (
        f"offerte {quote.number} moet worden goedgekeurd voordat die wordt verstuurd: "
        "korting 35% is hoger dan 15%: Beheerder nodig; marge 7.69% ligt onder de ondergrens van 10%"
    )
    assert needs_approval.value.context["reasons"] == quote.approval_reasons
    assert not_yours.value.message == (
        f"u mag offerte {quote.number} niet goedkeuren: voor een korting van 35% is Beheerder nodig"
    )
    assert altered.value.message == "deze link is niet geldig: hij is gewijzigd of onvolledig"

    with pytest.raises(ApprovalRequired) as english:
        services.send_quote(quote, by=world.rep)
    assert english.value.message == (
        f"quote {quote.number} needs approval before it is sent: "
        "discount 35% is above 15%: needs Administrator; margin 7.69% is below the floor of 10%"
    )
    with pytest.raises(ApprovalNotAllowed) as english_approval:
        services.approve_quote(quote, by=world.manager)
    assert english_approval.value.message == (
        f"you may not approve quote {quote.number}: a discount of 35% needs Administrator"
    )


def test_the_api_answers_in_dutch_when_asked(world):
    api = an_api_client(world.company, "administrator")
    order = api.post_json(
        "/api/v1/sales-orders",
        {
            "customer_id": world.customer.pk,
            "lines": [{"product_id": world.chair.pk, "quantity": "2"}],
            "confirm": True,
        },
    ).json()
    cancelled = api.post_json(f"/api/v1/sales-orders/{order['id']}/cancel", {"reason": "Te duur"})
    assert cancelled.json()["status"] == "cancelled"

    dutch = api.post_json(f"/api/v1/sales-orders/{order['id']}/invoice", {}, **DUTCH)
    english = api.post_json(f"/api/v1/sales-orders/{order['id']}/invoice", {})

    assert dutch.status_code == 409 and dutch["Content-Type"] == "application/problem+json"
    assert dutch.json()["code"] == "order_cancelled"
    assert dutch.json()["detail"] == (
        f"order {order['number']} is geannuleerd: Te duur; die kan niet worden gefactureerd"
    )
    assert english.json()["detail"] == f"order {order['number']} is cancelled: Te duur; it cannot be invoiced"

    bad = {"customer_id": world.customer.pk, "lines": [{"product_id": 999999, "quantity": "1"}]}
    dutch_invalid = api.post_json("/api/v1/sales-orders", bad, **DUTCH)
    english_invalid = api.post_json("/api/v1/sales-orders", bad)
    assert dutch_invalid.status_code == 422
    assert dutch_invalid.json()["errors"] == {"lines[0].product": ["onbekend product"]}
    assert english_invalid.json()["errors"] == {"lines[0].product": ["unknown product"]}
