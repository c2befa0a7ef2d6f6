from __future__ import annotations

import pytest

from kern.core.models import AuditEvent
from kern.crm import services
from kern.crm.models import Lead, Opportunity, OpportunityStatus, PipelineStage
from tests.builders import ApiClient, a_customer
from tests.crm.factories import a_lead, a_rep, an_opportunity
from tests.querycounts import query_baseline

pytestmark = pytest.mark.django_db


def test_create_a_lead_lists_likely_duplicates(api, company):
    a_customer(company, name="Bakkerij Bos", email="info@bos.example")
    response = api.post_json(
        "/api/v1/crm/leads",
        {"organisation": "Bakkerij Bos BV", "last_name": "Bos", "email": "info@bos.example", "country": "nl"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("L")
    assert body["source"] == "api"
    assert body["country"] == "NL"
    assert [(d["kind"], d["reason"]) for d in body["likely_duplicates"]] == [("party", "same e-mail")]


def test_convert_a_lead_through_the_api_and_twice_is_409(api, company):
    lead = a_lead(company)
    response = api.post_json(f"/api/v1/crm/leads/{lead.pk}/convert", {"expected_revenue": "2500.00"})
    assert response.status_code == 201, response.content
    body = response.json()
    opp = Opportunity.objects.get(pk=body["opportunity_id"])
    assert (opp.expected_revenue, opp.party_id, body["opportunity_number"]) == (
        2500,
        body["party_id"],
        opp.number,
    )
    again = api.post_json(f"/api/v1/crm/leads/{lead.pk}/convert", {})
    assert again.status_code == 409
    problem = again.json()
    assert problem["code"] == "lead_already_converted"
    assert problem["opportunity"] == opp.number
    assert opp.number in problem["detail"]
    assert Opportunity.objects.count() == 1


def test_moving_an_opportunity_is_saved_and_audited(api, company):
    opp = an_opportunity(company)
    proposal = PipelineStage.objects.get(company=company, name="Proposal")
    response = api.post_json(f"/api/v1/crm/opportunities/{opp.pk}/move", {"stage_id": proposal.pk})
    assert response.status_code == 200, response.content
    assert (response.json()["stage_name"], response.json()["probability"]) == ("Proposal", 50)
    event = AuditEvent.objects.filter(model="crm.opportunity", object_id=str(opp.pk), action="update").first()
    assert event.changes["stage_id"] == [opp.stage_id, proposal.pk]
    assert event.user_id == api.user.pk
    assert event.interface == "api"


def test_won_without_a_reason_is_422_naming_the_field_and_changes_nothing(api, company):
    opp = an_opportunity(company)
    response = api.post_json(f"/api/v1/crm/opportunities/{opp.pk}/won", {})
    assert response.status_code == 422
    assert response.json()["code"] == "won_details_missing"
    assert "won_reason" in response.json()["errors"]
    assert Opportunity.objects.get(pk=opp.pk).status == OpportunityStatus.OPEN
    ok = api.post_json(f"/api/v1/crm/opportunities/{opp.pk}/won", {"won_reason": "Best service"})
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["probability"]) == ("won", 100)
    assert (
        api.post_json(f"/api/v1/crm/opportunities/{opp.pk}/move", {"stage_id": opp.stage_id}).status_code
        == 409
    )


def test_lost_needs_a_reason_of_the_company(api, company, other_company):
    opp = an_opportunity(company)
    theirs = services.create_lost_reason(other_company, name="Theirs")
    refused = api.post_json(f"/api/v1/crm/opportunities/{opp.pk}/lost", {"lost_reason_id": theirs.pk})
    assert refused.status_code == 422
    reason = services.create_lost_reason(company, name="Timing")
    ok = api.post_json(
        f"/api/v1/crm/opportunities/{opp.pk}/lost", {"lost_reason_id": reason.pk, "lost_note": "Q3"}
    )
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["lost_reason_id"]) == ("lost", reason.pk)


def test_reps_see_only_their_own_leads_and_opportunities(company):
    rep = a_rep(company)
    other_rep = a_rep(company)
    mine = a_lead(company, owner=rep)
    a_lead(company, owner=other_rep)
    pool = a_lead(company)
    services.update_crm_settings(company, rep_visibility="own")
    client = ApiClient(rep, company)
    ids = sorted(row["id"] for row in client.get("/api/v1/crm/leads").json()["results"])
    assert ids == sorted([mine.pk, pool.pk])
    theirs = an_opportunity(company, owner=other_rep)
    assert client.get(f"/api/v1/crm/opportunities/{theirs.pk}").status_code == 404
    manager = ApiClient(a_rep(company, "sales_manager"), company)
    assert manager.get(f"/api/v1/crm/opportunities/{theirs.pk}").status_code == 200


def test_activities_my_day_and_the_calendar_feed(api, company):
    party = a_customer(company)
    created = api.post_json(
        "/api/v1/crm/activities",
        {"kind": "meeting", "subject": "Demo", "party_id": party.pk, "due_at": "2030-01-02T10:00:00+01:00"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["duration_minutes"] == 60
    logged = api.post_json(
        "/api/v1/crm/activities", {"kind": "call", "subject": "Gebeld", "party_id": party.pk, "done": True}
    )
    assert logged.json()["status"] == "done"
    day = api.get("/api/v1/crm/my-day").json()
    assert [a["subject"] for a in day["done_today"]] == ["Gebeld"]
    feed = api.post_json("/api/v1/crm/calendar-feed")
    assert feed.status_code == 201
    url = feed.json()["url"]
    from django.test import Client

    ics = Client().get(url.replace("http://testserver", ""))
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    text = ics.content.decode()
    assert "SUMMARY:Meeting: Demo" in text
    assert "DTSTART;TZID=Europe/Amsterdam:20300102T100000" in text
    assert Client().get(url.replace("http://testserver", "")[:-8] + "xxxx.ics").status_code == 404


def test_forecast_weights_the_pipeline_per_month_and_rep(api, company):
    import datetime as dt
    from decimal import Decimal

    rep = a_rep(company)
    an_opportunity(
        company, owner=rep, expected_revenue=Decimal("1000"), expected_close_date=dt.date(2030, 3, 10)
    )
    an_opportunity(
        company,
        owner=rep,
        expected_revenue=Decimal("3000"),
        expected_close_date=dt.date(2030, 3, 20),
        probability=50,
    )
    response = api.get("/api/v1/crm/forecast?start=2030-03-01&months=2&by=rep")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 1
    row = rows[0]
    assert (row["month"], row["key"], row["count"], row["expected"], row["weighted"]) == (
        "2030-03-01",
        rep.pk,
        2,
        "4000.00",
        "1600.00",
    )


def test_api_lists_have_query_baselines(api, company):
    for _ in range(3):
        a_lead(company)
        an_opportunity(company)
    with query_baseline(__file__, "api.crm.leads"):
        assert api.get("/api/v1/crm/leads").status_code == 200
    with query_baseline(__file__, "api.crm.opportunities"):
        assert api.get("/api/v1/crm/opportunities").status_code == 200
    with query_baseline(__file__, "api.crm.pipeline"):
        assert api.get("/api/v1/crm/pipeline").status_code == 200
    assert Lead.objects.count() == 3


def test_customer_360_in_one_call_with_a_constant_number_of_queries(api, company):
    from decimal import Decimal

    from kern.crm.models import Activity

    party = a_customer(company, name="Groothandel Mulder", credit_limit=Decimal("10000"))

    def add_documents(n: int) -> None:
        for i in range(n):
            an_opportunity(company, party=party, name=f"Kans {i}")
            services.log_activity(company, by=api.user, kind="call", subject=f"Gesprek {i}", party=party)

    add_documents(2)
    api.get(f"/api/v1/crm/customers/{party.pk}/360")  # warm: the token's last use is noted once
    with query_baseline(__file__, "api.crm.customer360") as few:
        response = api.get(f"/api/v1/crm/customers/{party.pk}/360")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], len(body["open_opportunities"]), len(body["recent_activities"])) == (
        "Groothandel Mulder",
        2,
        2,
    )
    assert (body["credit"]["limit"], body["credit"]["status"]) == ("10000.00", "ok")
    assert body["pipeline_value"] == "2000.00"
    add_documents(12)
    with query_baseline(__file__, "api.crm.customer360") as many:
        again = api.get(f"/api/v1/crm/customers/{party.pk}/360").json()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert (len(again["open_opportunities"]), again["pipeline_value"]) == (10, "14000.00")
    assert Activity.objects.filter(party=party).count() == 14


def test_targets_show_attainment_from_invoiced_revenue(api, company):
    import datetime as dt

    rep = a_rep(company)
    created = api.post_json(
        "/api/v1/crm/targets",
        {"user_id": rep.pk, "period": "quarter", "start": "2030-05-17", "amount": "30000"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["start"], body["end"], body["invoiced"], body["attained_percent"]) == (
        "2030-04-01",
        "2030-06-30",
        "0",
        "0.0",
    )
    assert dt.date.fromisoformat(body["end"]) - dt.date.fromisoformat(body["start"]) == dt.timedelta(days=90)


def test_a_forecast_past_the_calendar_is_422_not_500(api):
    for query in ("start=9999-12-01&months=6", "start=9999-08-31&months=36", "start=9999-12-31&months=1"):
        response = api.get(f"/api/v1/crm/forecast?{query}")
        assert response.status_code == 422, (query, response.content)
        assert response.json()["errors"]["start"]
    assert api.get("/api/v1/crm/forecast?start=0001-01-01&months=36").status_code == 200
    assert api.get("/api/v1/crm/forecast?start=9999-07-01&months=5").status_code == 200
    assert api.get("/api/v1/crm/forecast?months=0").status_code == 422
    assert api.get("/api/v1/crm/forecast?by=planet").status_code == 422


def test_the_forecast_page_falls_back_to_this_month_for_a_start_past_the_calendar(company):
    from tests.builders import a_user, a_web_client

    page = a_web_client(a_user(company, "sales_manager"))
    assert page.get("/crm/forecast/?start=9999-12&months=24").status_code == 200
    assert page.get("/crm/forecast/?start=9999-99&months=x").status_code == 200
