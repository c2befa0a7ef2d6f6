"""Service API: the ticket life cycle over HTTP, the e-mail webhook, set-up, knowledge, the report."""

import datetime as dt

import pytest
from django.test import Client

from kern.core.models import AuditEvent
from kern.service.models import Ticket
from tests.builders import ApiClient, a_product, a_user
from tests.querycounts import query_baseline
from tests.service.factories import a_customer_with_contact, a_ticket, an_agent
from tests.service.test_mail import raw_mail


@pytest.fixture
def agent_api(company):
    user = an_agent(company)
    return ApiClient(user, company)


@pytest.mark.django_db
def test_the_life_of_a_ticket_over_the_api(company, agent_api):
    customer, contact = a_customer_with_contact(company)
    created = agent_api.post_json(
        "/api/v1/service/tickets",
        {
            "subject": "Printer doet het niet",
            "description": "Papierstoring",
            "customer_id": customer.pk,
            "priority": "high",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    tid = body["id"]
    assert (body["status"], body["contact_id"], body["assignee_id"]) == ("new", contact.pk, agent_api.user.pk)
    assert body["sla"]["first_response"]["state"] in ("running", "at_risk", "breached")
    assert [m["kind"] for m in body["messages"]] == ["customer"]
    note = agent_api.post_json(f"/api/v1/service/tickets/{tid}/notes", {"body": "Intern"})
    reply = agent_api.post_json(
        f"/api/v1/service/tickets/{tid}/replies", {"body": "Probeer dit", "then": "pending"}
    )
    assert (note.status_code, reply.status_code) == (201, 201)
    detail = agent_api.get(f"/api/v1/service/tickets/{tid}").json()
    assert detail["status"] == "pending" and detail["sla"]["resolution"]["state"] == "paused"
    assert [m["kind"] for m in detail["messages"]] == ["customer", "note", "reply"]
    assert agent_api.post(f"/api/v1/service/tickets/{tid}/resolve").json()["status"] == "resolved"
    assert agent_api.post(f"/api/v1/service/tickets/{tid}/close").json()["status"] == "closed"
    refused = agent_api.post(f"/api/v1/service/tickets/{tid}/resolve")
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    late = agent_api.post_json(f"/api/v1/service/tickets/{tid}/replies", {"body": "Nog iets"})
    assert late.status_code == 409


@pytest.mark.django_db
def test_patch_merge_links_and_suggestions(company, agent_api):
    first, second = a_ticket(company, "Levering kapot"), a_ticket(company, "Levering kapot 2")
    product = a_product(company)
    patched = agent_api.patch_json(f"/api/v1/service/tickets/{first.pk}", {"priority": "urgent"})
    assert patched.status_code == 200 and patched.json()["priority"] == "urgent"
    link = agent_api.post_json(
        f"/api/v1/service/tickets/{second.pk}/links",
        {"target_model": "catalog.product", "target_id": product.pk},
    )
    assert link.status_code == 201 and link.json()["target_id"] == str(product.pk)
    merged = agent_api.post_json(f"/api/v1/service/tickets/{second.pk}/merge", {"into_id": first.pk})
    assert merged.status_code == 200 and [lk["target_id"] for lk in merged.json()["links"]] == [
        str(product.pk)
    ]
    assert Ticket.objects.get(pk=second.pk).status == "merged"
    article = agent_api.post_json(
        "/api/v1/service/articles",
        {"title": "Levering beschadigd", "body": "Stuur foto's", "visibility": "public"},
    ).json()
    assert agent_api.post(f"/api/v1/service/articles/{article['id']}/publish").json()["status"] == "published"
    agent_api.post_json(
        "/api/v1/service/canned-replies", {"name": "Dank", "body": "Dank u, {contact}. ({ticket})"}
    )
    tips = agent_api.get(f"/api/v1/service/tickets/{first.pk}/suggestions").json()
    assert [a["title"] for a in tips["articles"]] == ["Levering beschadigd"]
    assert tips["canned_replies"][0]["text"] == f"Dank u, . ({first.number})"


@pytest.mark.django_db
def test_the_inbound_webhook_takes_a_raw_message(company):
    api = ApiClient(a_user(company, "service_agent"), company)
    created = api.post("/api/v1/service/inbound-email", data=raw_mail(), content_type="message/rfc822")
    assert created.status_code == 201 and created.json()["status"] == "created"
    loop = api.post(
        "/api/v1/service/inbound-email",
        data=raw_mail(headers={"Auto-Submitted": "auto-replied"}, body="afwezig"),
        content_type="message/rfc822",
    )
    assert loop.status_code == 200 and loop.json()["status"] == "loop"
    garbage = api.post("/api/v1/service/inbound-email", data=b"\x00\x01", content_type="message/rfc822")
    assert garbage.status_code == 200 and garbage.json()["status"] == "rejected"
    log = api.get("/api/v1/service/inbound-email").json()["results"]
    assert sorted(row["status"] for row in log) == ["created", "loop", "rejected"]
    assert (
        Client()
        .post("/api/v1/service/inbound-email", data=raw_mail(), content_type="message/rfc822")
        .status_code
        == 401
    )


@pytest.mark.django_db
def test_set_up_over_the_api_and_refusals(company, api):
    team = api.post_json("/api/v1/service/teams", {"name": "Tweede lijn", "strategy": "skills"})
    assert team.status_code == 201
    agent = a_user(company, "service_agent")
    member = api.post_json(
        f"/api/v1/service/teams/{team.json()['id']}/members", {"user_id": agent.pk, "skills": ["Factuur"]}
    )
    assert member.status_code == 201 and member.json()["skills"] == ["factuur"]
    outsider = a_user(None, "service_agent")
    refused = api.post_json(f"/api/v1/service/teams/{team.json()['id']}/members", {"user_id": outsider.pk})
    assert refused.status_code == 422 and "user" in refused.json()["errors"]
    calendar = api.post_json(
        "/api/v1/service/calendars",
        {"name": "24/7", "working_hours": {str(d): [["00:00", "24:00"]] for d in range(7)}},
    )
    assert calendar.status_code == 201
    bad = api.post_json(
        "/api/v1/service/calendars", {"name": "Fout", "working_hours": {"0": [["17:00", "09:00"]]}}
    )
    assert bad.status_code == 422 and "working_hours" in bad.json()["errors"]
    holiday = api.post_json(
        f"/api/v1/service/calendars/{calendar.json()['id']}/holidays", {"date": "2026-12-25", "name": "Kerst"}
    )
    assert holiday.status_code == 201
    clash = api.post_json(
        "/api/v1/service/sla-policies",
        {
            "name": "Dubbel",
            "tier": "standard",
            "priority": "normal",
            "first_response_minutes": 60,
            "resolution_minutes": 600,
            "calendar_id": calendar.json()["id"],
        },
    )
    assert clash.status_code == 422 and "priority" in clash.json()["errors"]
    before = AuditEvent.objects.count()
    backwards = api.post_json(
        "/api/v1/service/sla-policies",
        {
            "name": "Achterstevoren",
            "tier": "silver",
            "priority": "normal",
            "first_response_minutes": 600,
            "resolution_minutes": 60,
            "calendar_id": calendar.json()["id"],
        },
    )
    assert backwards.status_code == 422 and AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_customer_tier_and_the_sla_report(company, api):
    customer, _ = a_customer_with_contact(company)
    contract = api.post_json(
        "/api/v1/service/contracts",
        {"party_id": customer.pk, "reference": "GOLD-1", "starts_on": "2026-01-01"},
    )
    assert contract.status_code == 201
    tier = api.get(f"/api/v1/service/customers/{customer.pk}/tier").json()
    assert (tier["tier"], tier["reason"]) == ("gold", "contract GOLD-1")
    a_ticket(company, customer=customer)
    today = dt.date.today()
    report = api.get(f"/api/v1/service/reports/sla-attainment?since={today}&until={today}").json()
    overall = next(g for g in report["groups"] if g["group"] == "all")
    assert overall["tickets"] == 1 and overall["response_attainment"] is None
    assert (
        api.get(
            f"/api/v1/service/reports/sla-attainment?since={today}&until={today - dt.timedelta(days=1)}"
        ).status_code
        == 422
    )


@pytest.mark.django_db
def test_a_sales_rep_may_read_tickets_but_not_answer_them(company):
    ticket = a_ticket(company)
    rep = ApiClient(a_user(company, "sales_rep"), company)
    assert rep.get(f"/api/v1/service/tickets/{ticket.pk}").status_code == 200
    assert rep.post_json(f"/api/v1/service/tickets/{ticket.pk}/replies", {"body": "x"}).status_code == 403


@pytest.mark.django_db
def test_ticket_list_query_baseline(company, agent_api):
    for i in range(5):
        a_ticket(company, f"Vraag {i}")
    with query_baseline(__file__, "api.service.tickets.list"):
        response = agent_api.get("/api/v1/service/tickets")
    assert len(response.json()["results"]) == 5
