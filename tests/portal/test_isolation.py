"""Strict isolation of the portal, generated from its URL configuration: every page that takes an
id is requested with every verb, as a user of customer A, for each object of customer B (of the
same company and of another company) — and answers 404 with the database unchanged."""

import re

import pytest
from django.urls import URLPattern, URLResolver

from kern.core.models import AuditEvent, OutboxEvent
from kern.portal import urls as portal_urls
from kern.portal.models import PortalAccess
from kern.service.models import Ticket, TicketMessage
from tests.portal.factories import a_portal_customer

VERBS = ("get", "post", "put", "patch", "delete")


def _patterns(patterns, prefix="/portal/"):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _params(route: str) -> list[str]:
    return re.findall(r"<int:(\w+)>", route)


def _fingerprint():
    return (
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
        list(Ticket.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        TicketMessage.objects.count(),
    )


@pytest.mark.isolation
@pytest.mark.django_db
def test_every_id_of_another_customer_is_404_for_every_verb(company, other_company):
    a = a_portal_customer(company, "Bakkerij Alfa")
    b = a_portal_customer(company, "Bakkerij Beta")
    c = a_portal_customer(other_company, "Bakkerij Gamma")
    theirs = {
        # one customer of the same company, one of another company; attachment_id names the
        # other customer's files and the own ticket's internal-note file
        "ticket_id": [b.ticket.pk, c.ticket.pk],
        "quote_id": [b.quote.pk, c.quote.pk],
        "order_id": [b.order.pk, c.order.pk],
        "invoice_id": [b.invoice.pk, c.invoice.pk],
        "article_id": [b.internal_article.pk, c.public_article.pk, 999_999],
        # a staff page (revoke a login): a customer is told nothing about any login either
        "access_id": [PortalAccess.objects.get(user=b.user).pk, PortalAccess.objects.get(user=c.user).pk],
    }
    routes = [r for r in _patterns(portal_urls.urlpatterns) if _params(r)]
    missing = sorted({p for r in routes for p in _params(r)} - set(theirs) - {"attachment_id"})
    assert not missing, f"add objects for these portal URL parameters: {missing}"
    assert len(routes) >= 10
    before = _fingerprint()
    checked = 0
    for route in routes:
        params = _params(route)
        first = params[0]
        for value in theirs[first]:
            url = route.replace(f"<int:{first}>", str(value))
            if "<int:attachment_id>" in url:
                url = url.replace("<int:attachment_id>", str(b.public_file.pk))
            for verb in VERBS:
                response = getattr(a.browser, verb)(url)
                assert response.status_code == 404, f"{verb.upper()} {url} -> {response.status_code}"
                body = response.content.decode()
                assert "Bakkerij Beta" not in body and "Bakkerij Gamma" not in body
                checked += 1
    # A's own ticket, but a file on an internal note or on another customer's ticket: 404 too
    for attachment in (a.note_file, b.public_file, c.public_file):
        url = f"/portal/tickets/{a.ticket.pk}/files/{attachment.pk}/"
        for verb in VERBS:
            assert getattr(a.browser, verb)(url).status_code == 404, (verb, url)
    assert _fingerprint() == before
    assert checked >= 100
    # and A's own rows answer, so the 404s above are about ownership, not broken pages
    assert a.browser.get(f"/portal/tickets/{a.ticket.pk}/").status_code == 200
    assert a.browser.get(f"/portal/tickets/{a.ticket.pk}/files/{a.public_file.pk}/").status_code == 200


@pytest.mark.isolation
@pytest.mark.django_db
def test_staff_and_strangers_do_not_get_into_the_portal(company):
    from django.test import Client

    from tests.builders import a_user

    a = a_portal_customer(company, "Bakkerij Alfa", documents=False)
    stranger = Client()
    assert stranger.get("/portal/tickets/").status_code == 302
    staff = Client()
    staff.force_login(a_user(company, "service_agent"))
    assert staff.get("/portal/tickets/").status_code == 403
    # and the portal user reaches no staff page or API
    assert a.browser.get("/service/tickets/").status_code == 403
    assert a.browser.get("/parties/").status_code in (403, 404)
    assert a.browser.get("/api/v1/service/tickets").status_code in (401, 403)
