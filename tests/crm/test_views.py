"""The CRM's pages: lists and forms, the kanban move, converting, won/lost, my day, the 360."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kern.core.models import AuditEvent
from kern.crm import services
from kern.crm.models import Activity, Lead, LeadStatus, Opportunity, OpportunityStatus, PipelineStage
from kern.parties.models import Party
from tests.builders import a_customer, a_user, a_web_client
from tests.crm.factories import a_lead, an_opportunity
from tests.querycounts import query_baseline

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(company):
    return a_user(company, "sales_rep")


@pytest.fixture
def browser(rep):
    return a_web_client(rep)


def test_lists_and_forms_render(browser, company, rep):
    a_lead(company, owner=rep)
    an_opportunity(company, owner=rep)
    for url in (
        "/crm/leads/",
        "/crm/leads/new/",
        "/crm/opportunities/",
        "/crm/opportunities/new/",
        "/crm/activities/",
        "/crm/activities/new/",
        "/crm/pipeline/",
        "/crm/forecast/",
        "/crm/my-day/",
        "/crm/calendar/",
        "/crm/targets/",
        "/crm/scoring-rules/",
        "/",
    ):
        assert browser.get(url).status_code == 200, url


def test_creating_a_lead_warns_about_a_duplicate_first(browser, company):
    a_customer(company, name="Hotel De Kroon", email="info@kroon.example")
    data = {
        "title": "Zalen",
        "organisation": "Hotel De Kroon",
        "last_name": "Kroon",
        "email": "info@kroon.example",
        "expected_revenue": "0",
        "source": "manual",
    }
    first = browser.post("/crm/leads/new/", data)
    assert first.status_code == 200
    assert b"looks like the same" in first.content
    assert Lead.objects.count() == 0
    saved = browser.post("/crm/leads/new/", {**data, "confirm_warnings": "1"})
    assert saved.status_code == 302
    assert Lead.objects.get().organisation == "Hotel De Kroon"


def test_the_kanban_move_without_javascript_and_with(browser, company, rep):
    opp = an_opportunity(company, owner=rep)
    stages = {s.name: s for s in PipelineStage.objects.filter(company=company)}
    page = browser.get("/crm/pipeline/")
    assert f'id="card-{opp.pk}"'.encode() in page.content
    plain = browser.post(f"/crm/opportunities/{opp.pk}/move/", {"stage": stages["Qualified"].pk})
    assert plain.status_code == 302
    assert Opportunity.objects.get(pk=opp.pk).stage_id == stages["Qualified"].pk
    scripted = browser.post(
        f"/crm/opportunities/{opp.pk}/move/",
        {"stage": stages["Negotiation"].pk},
        HTTP_ACCEPT="application/json",
    )
    body = scripted.json()
    assert (body["ok"], body["stage"], body["probability"]) == (True, stages["Negotiation"].pk, 75)
    assert body["totals"][str(stages["Negotiation"].pk)]["count"] == 1
    moves = AuditEvent.objects.filter(model="crm.opportunity", object_id=str(opp.pk), action="update")
    assert [e.changes["stage_id"][1] for e in moves.order_by("id")] == [
        stages["Qualified"].pk,
        stages["Negotiation"].pk,
    ]
    assert {e.user_id for e in moves} == {rep.pk}


def test_marking_won_without_a_reason_is_a_form_error(browser, company, rep):
    opp = an_opportunity(company, owner=rep)
    refused = browser.post(
        f"/crm/opportunities/{opp.pk}/won/", {"won_reason": "", "expected_revenue": "1000.00"}
    )
    assert refused.status_code == 422
    assert b"say why the opportunity was won" in refused.content
    assert Opportunity.objects.get(pk=opp.pk).status == OpportunityStatus.OPEN
    done = browser.post(
        f"/crm/opportunities/{opp.pk}/won/", {"won_reason": "Snelste levering", "expected_revenue": "1200.00"}
    )
    assert done.status_code == 302
    won = Opportunity.objects.get(pk=opp.pk)
    assert (won.status, won.expected_revenue, won.won_reason) == (
        "won",
        Decimal("1200.00"),
        "Snelste levering",
    )
    assert Party.objects.get(pk=won.party_id).is_customer


def test_lost_needs_a_reason(browser, company, rep):
    opp = an_opportunity(company, owner=rep)
    assert browser.post(f"/crm/opportunities/{opp.pk}/lost/", {}).status_code == 422
    assert Opportunity.objects.get(pk=opp.pk).status == OpportunityStatus.OPEN


def test_convert_page(browser, company, rep):
    lead = a_lead(
        company, owner=rep, organisation="Fietsen Dekker", last_name="Dekker", title="Bedrijfsfietsen"
    )
    assert browser.get(f"/crm/leads/{lead.pk}/").status_code == 200
    form = browser.get(f"/crm/leads/{lead.pk}/convert/")
    assert b"Bedrijfsfietsen" in form.content
    done = browser.post(
        f"/crm/leads/{lead.pk}/convert/",
        {"create_opportunity": "on", "opportunity_name": "Bedrijfsfietsen", "expected_revenue": "800"},
    )
    assert done.status_code == 302
    opp = Opportunity.objects.get()
    assert done["Location"] == f"/crm/opportunities/{opp.pk}/"
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.QUALIFIED
    again = browser.post(f"/crm/leads/{lead.pk}/convert/", {"create_opportunity": "on"})
    assert again.status_code == 422
    assert opp.number.encode() in again.content


def test_my_day_lists_overdue_and_today_and_marks_done(browser, company, rep):
    party = a_customer(company)
    now = timezone.now()
    late = services.schedule_activity(
        company, by=rep, subject="Offerte nabellen", party=party, due_at=now - dt.timedelta(days=2)
    )
    services.schedule_activity(
        company, by=rep, kind="meeting", subject="Lunch", party=party, due_at=now.replace(hour=12, minute=0)
    )
    page = browser.get("/crm/my-day/")
    text = page.content.decode()
    assert text.index("Offerte nabellen") < text.index("Lunch")
    browser.post(f"/crm/activities/{late.pk}/done/", {"next": "/crm/my-day/"})
    assert Activity.objects.get(pk=late.pk).status == "done"


def test_customer_360_shows_the_crm_sections_and_none_elsewhere(browser, company, rep):
    party = a_customer(company, name="Brouwerij Bos", credit_limit=Decimal("5000"))
    an_opportunity(company, party=party, owner=rep, name="Tapinstallatie")
    services.log_activity(company, by=rep, kind="call", subject="Intake", party=party)
    page = browser.get(f"/crm/customers/{party.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tapinstallatie" in text and "Intake" in text
    assert 'id="c360-credit-status">OK' in text.replace("\n", "").replace(" credit-ok", "")


def test_another_companys_records_are_404(browser, other_company):
    theirs = an_opportunity(other_company)
    lead = a_lead(other_company)
    assert browser.get(f"/crm/opportunities/{theirs.pk}/").status_code == 404
    assert (
        browser.post(f"/crm/opportunities/{theirs.pk}/move/", {"stage": theirs.stage_id}).status_code == 404
    )
    assert browser.get(f"/crm/leads/{lead.pk}/convert/").status_code == 404
    assert browser.get(f"/crm/customers/{theirs.party_id}/").status_code == 404


def test_list_pages_have_query_baselines(browser, company, rep):
    for _ in range(3):
        a_lead(company, owner=rep)
        an_opportunity(company, owner=rep)
    with query_baseline(__file__, "web.crm.leads"):
        assert browser.get("/crm/leads/").status_code == 200
    with query_baseline(__file__, "web.crm.opportunities"):
        assert browser.get("/crm/opportunities/").status_code == 200
    with query_baseline(__file__, "web.crm.pipeline"):
        assert browser.get("/crm/pipeline/").status_code == 200
