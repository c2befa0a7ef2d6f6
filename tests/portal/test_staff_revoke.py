"""Staff revoke a customer's portal login from the page that lists the logins: a POST form with
its CSRF token and a question first, only for staff who may manage portal logins, through
services.revoke_access (audited), with a message after. Anyone else is refused and nothing
changes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from kern.core.models import AuditEvent
from kern.portal.models import PortalAccess
from tests.builders import a_company, a_user, a_web_client
from tests.portal.factories import a_portal_customer
from tests.service.factories import an_agent

pytestmark = pytest.mark.django_db

PAGE = "/portal/staff/logins/"


def revoke_url(access) -> str:
    return reverse("portal:staff_revoke_access", kwargs={"access_id": access.pk})


def audit_of(access) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(model="portal.portalaccess", object_id=str(access.pk), action="update")
        .order_by("id")
        .values_list("user_id", "changes")
    )


@pytest.fixture
def customer(company):
    world = a_portal_customer(company, "Bakkerij De Vries", documents=False)
    world.access = PortalAccess.objects.get(user=world.user)
    return world


def test_the_list_of_logins_offers_a_confirmed_post_form_to_revoke_an_active_one(company, customer):
    page = a_web_client(an_agent(company)).get(PAGE)
    assert page.status_code == 200
    [form] = lxml_html.fromstring(page.content).xpath(f"//form[@action='{revoke_url(customer.access)}']")
    assert form.get("method") == "post"
    assert "Revoke the portal login of Anna Vries (Bakkerij De Vries)?" in form.get("data-confirm")
    assert form.xpath(".//input[@name='csrfmiddlewaretoken']")
    assert form.xpath("string(.//button)").strip() == "Revoke"


def test_staff_revoke_a_login_the_customer_is_refused_and_the_change_is_audited(company, customer):
    agent = an_agent(company)
    assert customer.browser.get("/portal/").status_code == 200
    done = a_web_client(agent).post(revoke_url(customer.access), follow=True)
    assert done.redirect_chain == [(PAGE, 302)]
    assert "The portal login of Anna Vries (Bakkerij De Vries) is revoked" in done.content.decode()
    customer.access.refresh_from_db()
    assert customer.access.is_active is False
    assert audit_of(customer.access) == [(agent.pk, {"is_active": [True, False]})]
    assert customer.browser.get("/portal/").status_code == 403
    # a revoked login has no button any more, and revoking it again changes nothing
    assert revoke_url(customer.access) not in done.content.decode()
    again = a_web_client(agent).post(revoke_url(customer.access), follow=True)
    assert "was already revoked" in again.content.decode()
    assert len(audit_of(customer.access)) == 1


def test_the_form_needs_its_csrf_token(company, customer):
    web = a_web_client(an_agent(company))
    web.handler.enforce_csrf_checks = True
    assert web.post(revoke_url(customer.access)).status_code == 403
    customer.access.refresh_from_db()
    assert customer.access.is_active is True


def test_a_user_who_may_not_manage_portal_logins_sees_no_button_and_is_refused(company, customer):
    warehouse = a_web_client(a_user(company, "warehouse"))  # parties.view_* only
    assert warehouse.get(PAGE).status_code == 403
    assert warehouse.post(revoke_url(customer.access)).status_code == 403
    # nor can the customer revoke a login (their own or anyone's): as everywhere in the portal,
    # an id is not even confirmed to them
    assert customer.browser.post(revoke_url(customer.access)).status_code == 404
    customer.access.refresh_from_db()
    assert customer.access.is_active is True
    assert audit_of(customer.access) == []


def test_only_a_post_of_a_login_of_the_own_company_revokes(company, customer):
    agent_web = a_web_client(an_agent(company))
    assert agent_web.get(revoke_url(customer.access)).status_code == 405
    other = a_company("Other")
    stranger = a_web_client(an_agent(other))
    assert stranger.post(revoke_url(customer.access)).status_code == 404
    assert agent_web.post("/portal/staff/logins/999999/revoke/").status_code == 404
    customer.access.refresh_from_db()
    assert customer.access.is_active is True
    assert audit_of(customer.access) == []


def test_the_page_speaks_dutch(company, customer):
    web = a_web_client(an_agent(company), language="nl")
    page = web.get(PAGE).content.decode()
    assert "Intrekken" in page
    done = web.post(revoke_url(customer.access), follow=True).content.decode()
    assert "is ingetrokken" in done
