"""Portal API: staff invite a customer's contact person by e-mail, list invitations and logins,
and revoke a login; bad input is a 4xx problem, never a 500, and writes nothing."""

import re

import pytest
from django.core import mail
from django.test import Client

from kern.parties import services as parties
from kern.portal.models import PortalAccess, PortalInvitation
from tests.builders import ApiClient, a_customer, a_vendor, an_api_client
from tests.service.factories import an_agent


@pytest.fixture
def agent_api(company):
    return ApiClient(an_agent(company), company)


def _contact(company, name="Hotel Visser", email="els@visser.test", **kw):
    customer = a_customer(company, name)
    return parties.add_contact(customer, first_name="Els", last_name="Visser", email=email, **kw)


@pytest.mark.django_db
def test_an_agent_invites_a_contact_over_the_api_and_the_contact_signs_up(
    company, agent_api, django_capture_on_commit_callbacks
):
    contact = _contact(company)
    with django_capture_on_commit_callbacks(execute=True):
        created = agent_api.post_json("/api/v1/portal/invitations", {"contact_id": contact.pk})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["contact_id"], body["party_id"], body["email"], body["accepted_at"]) == (
        contact.pk,
        contact.party_id,
        "els@visser.test",
        None,
    )
    assert "token" not in str(body)  # the token only travels in the e-mail
    assert mail.outbox[-1].to == ["els@visser.test"]
    link = re.search(r"http://\S+/portal/invitation/\S+?/", mail.outbox[-1].body).group(0)
    done = Client().post(link, {"password": "Hotel-Visser-2026!", "repeat": "Hotel-Visser-2026!"})
    assert done.status_code == 302
    listed = agent_api.get("/api/v1/portal/invitations?open=false").json()["results"]
    assert [(i["id"], i["accepted_at"] is not None) for i in listed] == [(body["id"], True)]
    assert agent_api.get("/api/v1/portal/invitations?open=true").json()["results"] == []
    logins = agent_api.get(f"/api/v1/portal/accesses?party_id={contact.party_id}").json()["results"]
    assert [(a["contact_id"], a["email"], a["is_active"]) for a in logins] == [
        (contact.pk, "els@visser.test", True)
    ]
    again = agent_api.post_json("/api/v1/portal/invitations", {"contact_id": contact.pk})
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_a_revoked_login_is_refused_and_can_be_given_back_by_a_new_invitation(
    company, agent_api, django_capture_on_commit_callbacks
):
    contact = _contact(company)
    with django_capture_on_commit_callbacks(execute=True):
        agent_api.post_json("/api/v1/portal/invitations", {"contact_id": contact.pk})
    link = re.search(r"http://\S+/portal/invitation/\S+?/", mail.outbox[-1].body).group(0)
    browser = Client()
    browser.post(link, {"password": "Hotel-Visser-2026!", "repeat": "Hotel-Visser-2026!"})
    access = PortalAccess.objects.get()
    revoked = agent_api.post(f"/api/v1/portal/accesses/{access.pk}/revoke")
    assert revoked.status_code == 200 and revoked.json()["is_active"] is False
    assert browser.get("/portal/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            agent_api.post_json("/api/v1/portal/invitations", {"contact_id": contact.pk}).status_code == 201
        )
    link = re.search(r"http://\S+/portal/invitation/\S+?/", mail.outbox[-1].body).group(0)
    back = Client()
    assert (
        back.post(link, {"password": "Nieuw-Wachtwoord-77", "repeat": "Nieuw-Wachtwoord-77"}).status_code
        == 302
    )
    assert back.get("/portal/").status_code == 200
    assert PortalAccess.objects.get().is_active and PortalAccess.objects.count() == 1


@pytest.mark.django_db
def test_bad_invitations_are_refused_and_send_nothing(company, other_company, agent_api):
    no_mail = _contact(company, "Zonder Mail", email="")
    gone = _contact(company, "Vertrokken", email="weg@x.test")
    parties.update_contact(gone, is_active=False)
    supplier = parties.add_contact(
        a_vendor(company, "Leverancier"), first_name="Piet", last_name="Bos", email="piet@lev.test"
    )
    foreign = _contact(other_company, "Elders", email="elders@x.test")
    cases = [
        ({"contact_id": no_mail.pk}, 422),
        ({"contact_id": gone.pk}, 422),
        ({"contact_id": supplier.pk}, 422),
        ({"contact_id": foreign.pk}, 404),
        ({"contact_id": 999999}, 404),
        ({"contact_id": "abc"}, 422),
        ({}, 422),
    ]
    for payload, status in cases:
        answer = agent_api.post_json("/api/v1/portal/invitations", payload)
        assert (payload, answer.status_code) == (payload, status)
        assert answer["Content-Type"] == "application/problem+json"
    assert not PortalInvitation.objects.exists() and mail.outbox == []
    other = an_api_client(other_company)
    assert other.get("/api/v1/portal/invitations").json()["results"] == []
    warehouse = an_api_client(company, "warehouse")
    assert warehouse.post_json("/api/v1/portal/invitations", {"contact_id": no_mail.pk}).status_code == 403
    assert warehouse.get("/api/v1/portal/accesses").status_code == 403
    assert agent_api.post("/api/v1/portal/accesses/999999/revoke").status_code == 404
