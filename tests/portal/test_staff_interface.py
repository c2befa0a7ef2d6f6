"""Audit rows name the interface a change came through. Under /portal/ that is "portal" for the
customers' own pages, but staff working on the portal's staff pages (inviting a contact, revoking
a login) work as staff: "web", as on every other staff page. Staff are the users with a staff
role; a portal customer holds none, even one with a membership (as the demo's portal user)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from kern.core.middleware import interface_for_request
from kern.core.models import AuditEvent
from kern.parties import services as parties
from kern.portal import services as portal
from kern.portal.models import PortalAccess, PortalInvitation
from kern.service.models import Ticket
from tests.builders import a_customer, a_user, a_web_client
from tests.portal.factories import a_portal_customer
from tests.service.factories import an_agent

pytestmark = pytest.mark.django_db


def interfaces(model: str, object_id, action: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(model=model, object_id=str(object_id), action=action)
        .order_by("id")
        .values_list("interface", flat=True)
    )


@pytest.fixture
def customer(company):
    world = a_portal_customer(company, "Bakkerij De Vries", documents=False)
    world.access = PortalAccess.objects.get(user=world.user)
    return world


def test_staff_revoking_a_login_on_the_portals_staff_page_work_through_web(company, customer):
    agent = an_agent(company)
    revoke = reverse("portal:staff_revoke_access", kwargs={"access_id": customer.access.pk})
    assert revoke.startswith("/portal/")
    assert a_web_client(agent).post(revoke).status_code == 302
    customer.access.refresh_from_db()
    assert customer.access.is_active is False
    assert interfaces("portal.portalaccess", customer.access.pk, "update") == ["web"]
    [event] = AuditEvent.objects.filter(model="portal.portalaccess", action="update")
    assert (event.user_id, event.company_id) == (agent.pk, company.pk)


def test_staff_inviting_a_contact_on_the_portals_staff_page_work_through_web(company):
    party = a_customer(company, "Molen BV")
    contact = parties.add_contact(party, first_name="Jan", last_name="Molen", email="jan@molen.test")
    page = reverse("portal:staff_access")
    assert a_web_client(an_agent(company)).post(page, {"contact": contact.pk}).status_code == 302
    invitation = PortalInvitation.objects.get(contact=contact)
    assert interfaces("portal.portalinvitation", invitation.pk, "create") == ["web"]


def test_a_customers_own_portal_actions_stay_portal(company, customer):
    done = customer.browser.post(
        reverse("portal:ticket_new"), {"subject": "Levering", "description": "Waar blijft mijn brood?"}
    )
    assert done.status_code == 302
    ticket = Ticket.objects.get(subject="Levering")
    assert interfaces("service.ticket", ticket.pk, "create") == ["portal"]


def test_a_portal_customer_with_a_membership_stays_portal(company):
    """The demo's portal user is a member of the company; its role is still no staff role."""
    user = a_user(company, "portal_customer")
    assert user.is_staff is False
    party = a_customer(company, "Molen BV")
    contact = parties.add_contact(party, first_name="Piet", last_name="Molen", email="piet@molen.test")
    portal.grant_access(contact, user=user)
    done = a_web_client(user).post(
        reverse("portal:ticket_new"), {"subject": "Factuur", "description": "Graag een kopie."}
    )
    assert done.status_code == 302
    ticket = Ticket.objects.get(subject="Factuur")
    assert interfaces("service.ticket", ticket.pk, "create") == ["portal"]


def test_a_staff_member_with_a_portal_login_acts_as_the_customer_on_the_customers_pages(company):
    """A service agent who is also a contact of a customer (a small firm's owner, say) files a
    ticket on the portal as that customer: the audit names the portal, not staff work."""
    agent = an_agent(company, "service_agent", "portal_customer")
    assert agent.is_staff
    party = a_customer(company, "Molen BV")
    contact = parties.add_contact(party, first_name="Kees", last_name="Molen", email="kees@molen.test")
    portal.grant_access(contact, user=agent)
    done = a_web_client(agent).post(
        reverse("portal:ticket_new"), {"subject": "Eigen bestelling", "description": "Voor mijn eigen zaak."}
    )
    assert done.status_code == 302
    ticket = Ticket.objects.get(subject="Eigen bestelling")
    assert interfaces("service.ticket", ticket.pk, "create") == ["portal"]


def test_the_portals_staff_pages_are_those_under_the_staff_prefix():
    """The middleware tells staff pages by their path: every staff view must live there."""
    from kern.core.middleware import PORTAL_STAFF_PREFIX
    from kern.portal import urls

    assert reverse("portal:staff_access").startswith(PORTAL_STAFF_PREFIX)
    staff_views = [p for p in urls.urlpatterns if p.name and p.name.startswith("staff_")]
    assert staff_views and all(str(p.pattern).startswith("staff/") for p in staff_views)
    others = [p for p in urls.urlpatterns if p.name and not p.name.startswith("staff_")]
    assert all(not str(p.pattern).startswith("staff/") for p in others)


def test_the_interface_by_path_and_user(company):
    staff, customer_user = a_user(company, "service_agent"), a_user(None, "portal_customer")
    factory = RequestFactory()

    def interface(path: str, user) -> str:
        request = factory.get(path)
        request.user = user
        return interface_for_request(request)

    assert [interface("/portal/staff/logins/", u) for u in (staff, customer_user, AnonymousUser())] == [
        "web",
        "portal",
        "portal",
    ]
    # the customers' own pages are portal work whoever signs in there
    assert [interface("/portal/login/", u) for u in (staff, AnonymousUser())] == ["portal", "portal"]
    assert interface("/portal/tickets/new/", staff) == "portal"
    assert [interface("/api/v1/parties", u) for u in (staff, customer_user)] == ["api", "api"]
    assert [interface("/parties/", u) for u in (staff, AnonymousUser())] == ["web", "web"]
    request = factory.get("/portal/")  # before (or without) the authentication middleware
    assert interface_for_request(request) == "portal"
