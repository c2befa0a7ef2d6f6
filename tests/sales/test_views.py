"""Sales pages: the quote builder re-prices live, documents show as the customer sees them (and as
PDF), workflow buttons act, and the public acceptance link accepts or refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from kern.catalog import services as catalog
from kern.sales import services
from kern.sales.models import Invoice, Quote, QuoteStatus, SalesOrder
from tests.builders import a_user, a_web_client

pytestmark = pytest.mark.django_db


def _builder_post(world, **extra):
    data = {
        "customer": world.customer.pk,
        "line-0-product": world.chair.pk,
        "line-0-quantity": "4",
        "line-0-discount": "20",
        "line-1-product": "",
    }
    data.update(extra)
    return data


def test_the_builder_prices_the_lines_shows_approval_atp_and_credit_live(world):
    client = a_web_client(world.rep)

    page = client.get(reverse("sales:quote_create"))
    preview = client.post(
        reverse("sales:builder_preview", args=["quote"]), _builder_post(world), HTTP_HX_REQUEST="true"
    )

    assert page.status_code == 200
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "80.00" in html  # 100.00 less 20 %
    assert "320.00" in html  # 4 × 80.00
    assert "387.20" in html  # incl. 21 % VAT
    assert 'id="approval-state"' in html and "Approval needed before sending" in html
    assert ">50<" in html  # chairs available to promise
    assert not Quote.objects.exists()


def test_the_builder_saves_a_quote_and_names_a_bad_line(world):
    client = a_web_client(world.rep)

    bad = client.post(
        reverse("sales:quote_create"), _builder_post(world, **{"line-0-discount": "120", "action": "save"})
    )
    good = client.post(reverse("sales:quote_create"), _builder_post(world, action="save"))

    assert bad.status_code == 422
    assert "between 0 and 100" in bad.content.decode()
    quote = Quote.objects.get()
    assert good.status_code == 302 and good["Location"] == reverse("sales:quote_detail", args=[quote.pk])
    assert (quote.total, quote.sales_rep, quote.approval_role) == (
        Decimal("387.20"),
        world.rep,
        "sales_manager",
    )


def test_document_pages_pdf_and_workflow_buttons(world):
    manager = a_web_client(world.manager)
    quote = services.create_quote(
        world.company,
        customer=world.customer,
        lines=[{"product": world.desk.pk, "quantity": 2}],
        by=world.rep,
    )

    detail = manager.get(reverse("sales:quote_detail", args=[quote.pk]))
    pdf = manager.get(reverse("sales:document_pdf", args=["quote", quote.pk]))
    sent = manager.post(reverse("sales:quote_action", args=[quote.pk, "send"]))

    assert detail.status_code == 200
    assert "As the customer sees it" in detail.content.decode()
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )
    assert sent.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    assert (
        'id="acceptance-link"' in manager.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    )


def test_order_buttons_confirm_ship_and_invoice(world):
    client = a_web_client(world.manager)
    order = services.create_order(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 2}],
        by=world.rep,
    )

    for action in ("confirm", "ship", "invoice"):
        response = client.post(reverse("sales:order_action", args=[order.pk, action]))
        assert response.status_code == 302, action

    order.refresh_from_db()
    invoice = Invoice.objects.get(order=order)
    assert (order.status, order.delivery_status, order.invoice_status) == ("done", "fully", "fully")
    assert invoice.status == "posted"
    assert client.get(reverse("sales:invoice_detail", args=[invoice.pk])).status_code == 200
    assert client.get(reverse("sales:order_detail", args=[order.pk]) + "?tab=deliveries").status_code == 200


def test_the_customer_accepts_through_the_link_and_a_tampered_link_is_refused(world, client):
    quote = services.create_quote(
        world.company,
        customer=world.customer,
        lines=[{"product": world.desk.pk, "quantity": 1}],
        by=world.rep,
    )
    services.send_quote(quote, by=world.rep)
    token = services.acceptance_token(quote)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    refused = client.get(reverse("sales:quote_accept", args=[tampered]))
    refused_post = client.post(reverse("sales:quote_accept", args=[tampered]), {"name": "Eve", "agree": "1"})
    quote.refresh_from_db()
    assert (refused.status_code, refused_post.status_code, quote.status) == (403, 403, QuoteStatus.SENT)

    page = client.get(reverse("sales:quote_accept", args=[token]))
    assert page.status_code == 200 and quote.number in page.content.decode()
    done = client.post(
        reverse("sales:quote_accept", args=[token]), {"name": "P. Jansen", "agree": "1", "decision": "accept"}
    )

    assert done.status_code == 200
    quote.refresh_from_db()
    order = SalesOrder.objects.get(quote=quote)
    assert (quote.status, quote.accepted_by_name, order.status) == (
        QuoteStatus.ACCEPTED,
        "P. Jansen",
        "confirmed",
    )
    assert order.number in done.content.decode()
    assert client.get(reverse("sales:quote_accept", args=[token])).status_code == 403


def test_options_of_a_configurable_product_appear_in_the_builder(world):
    frame = catalog.add_option_group(world.chair, code="frame", name="Frame")
    catalog.add_option(frame, code="oak", name="Oak", price_delta=Decimal("40"))
    catalog.add_option(frame, code="steel", name="Steel", is_default=True)
    client = a_web_client(a_user(world.company, "sales_rep"))

    preview = client.post(
        reverse("sales:builder_preview", args=["quote"]), _builder_post(world, **{"line-0-discount": "0"})
    )

    html = preview.content.decode()
    assert 'name="line-0-options"' in html and "Oak" in html and "Steel" in html
    assert "100.00" in html  # steel, the default, adds nothing
