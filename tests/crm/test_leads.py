from __future__ import annotations

from decimal import Decimal

import pytest

from kern.core.exceptions import InvalidTransition
from kern.crm import selectors, services
from kern.crm.exceptions import CrmValidationError, LeadAlreadyConverted
from kern.crm.models import Activity, Lead, LeadScoreChange, LeadStatus, Opportunity
from kern.parties.models import ContactPerson, Party
from tests.builders import a_customer
from tests.crm.factories import a_lead, a_rep

pytestmark = pytest.mark.django_db


def test_a_lead_gets_a_number_and_a_title(company):
    lead = services.create_lead(
        company, organisation="Bakkerij Bos", last_name="Bos", email="jan@bos.example"
    )
    assert lead.number.startswith("L")
    assert lead.title == "Bakkerij Bos"
    assert lead.status == LeadStatus.NEW


def test_a_lead_needs_someone_to_talk_to(company):
    with pytest.raises(CrmValidationError) as exc:
        services.create_lead(company, title="Just a subject")
    assert "organisation" in exc.value.errors
    assert Lead.objects.count() == 0


def test_an_unknown_industry_is_refused(company):
    with pytest.raises(CrmValidationError) as exc:
        a_lead(company, industry="alchemy")
    assert exc.value.errors == {"industry": ["unknown industry 'alchemy'"]}


def test_duplicates_are_found_among_parties_and_leads(company):
    party = a_customer(company, name="De Vries B.V.", email="info@devries.example")
    lead = a_lead(company, organisation="Houtbouw Noord", email="piet@houtbouw.example")
    found = selectors.lead_duplicates(company, email="PIET@houtbouw.example", organisation="De Vries")
    assert sorted((d.kind, d.id, d.reason) for d in found) == [
        ("lead", lead.pk, "same e-mail"),
        ("party", party.pk, "same name"),
    ]


def test_conversion_creates_party_contact_and_opportunity_from_the_lead(company, admin):
    lead = a_lead(
        company,
        organisation="Drukkerij Smit",
        first_name="Sanne",
        last_name="Smit",
        job_title="Directeur",
        email="sanne@smit.example",
        phone="+31 20 555 0101",
        street="Kade 4",
        postcode="1011 AA",
        city="Amsterdam",
        country="NL",
        expected_revenue=Decimal("12500.00"),
        title="Nieuwe pers",
    )
    call = services.schedule_activity(company, by=admin, kind="call", subject="Bellen", lead=lead)
    result = services.convert_lead(lead, by=admin)

    party = Party.objects.get(pk=result.party.pk)
    assert (party.name, party.email, party.is_prospect, party.kind) == (
        "Drukkerij Smit",
        "sanne@smit.example",
        True,
        "organisation",
    )
    assert party.addresses.get().city == "Amsterdam"
    contact = ContactPerson.objects.get(pk=result.contact.pk)
    assert (contact.first_name, contact.last_name, contact.job_title, contact.is_primary) == (
        "Sanne",
        "Smit",
        "Directeur",
        True,
    )
    opp = Opportunity.objects.get(pk=result.opportunity.pk)
    assert (opp.name, opp.party_id, opp.contact_id, opp.lead_id, opp.expected_revenue, opp.owner_id) == (
        "Nieuwe pers",
        party.pk,
        contact.pk,
        lead.pk,
        Decimal("12500.00"),
        admin.pk,
    )
    lead.refresh_from_db()
    assert (lead.status, lead.party_id, lead.contact_id) == (LeadStatus.QUALIFIED, party.pk, contact.pk)
    call.refresh_from_db()
    assert (call.party_id, call.opportunity_id, call.lead_id) == (party.pk, opp.pk, lead.pk)
    # The opportunity's timeline carries the lead's history.
    kinds = {item.kind for item in selectors.timeline_for(opp)}
    assert {"activity", "change"} <= kinds


def test_converting_twice_is_a_conflict_naming_the_opportunity(company, admin):
    lead = a_lead(company)
    first = services.convert_lead(lead, by=admin)
    parties = Party.objects.count()
    with pytest.raises(LeadAlreadyConverted) as exc:
        services.convert_lead(Lead.objects.get(pk=lead.pk), by=admin)
    assert exc.value.status == 409
    assert first.opportunity.number in exc.value.message
    assert exc.value.as_problem()["opportunity"] == first.opportunity.number
    assert Party.objects.count() == parties
    assert Opportunity.objects.count() == 1


def test_conversion_can_link_an_existing_party(company, admin):
    party = a_customer(company, name="Bestaand BV")
    lead = a_lead(company, organisation="Bestaand", last_name="Klaas", email="klaas@bestaand.example")
    result = services.convert_lead(lead, by=admin, party=party, create_opportunity=False)
    assert result.party.pk == party.pk
    assert result.opportunity is None
    assert Party.objects.count() == 1
    assert result.contact.party_id == party.pk


def test_a_disqualified_lead_cannot_be_converted(company, admin):
    lead = services.disqualify_lead(a_lead(company), by=admin, reason="student")
    with pytest.raises(InvalidTransition):
        services.convert_lead(lead, by=admin)
    assert Party.objects.count() == 0
    assert Opportunity.objects.count() == 0
    services.reopen_lead(lead, by=admin)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_scoring_by_attributes_and_behaviour_with_history_and_reasons(company, admin):
    services.create_scoring_rule(company, name="Benelux", criterion="country", values="NL,BE", points=10)
    services.create_scoring_rule(company, name="IT", criterion="industry", values="ict", points=15)
    services.create_scoring_rule(
        company, name="Mid-size", criterion="size", minimum=50, maximum=500, points=20
    )
    services.create_scoring_rule(
        company, name="Opens mail", criterion="emails_opened", per_occurrence=True, maximum=3, points=2
    )
    services.create_scoring_rule(company, name="Met us", criterion="meetings_held", minimum=1, points=25)
    lead = a_lead(company, country="nl", industry="ict", employees=120)
    assert lead.score == 45
    assert [r["rule"] for r in lead.score_reasons] == ["Benelux", "IT", "Mid-size"]

    for _ in range(5):
        services.record_engagement(lead, "email_opened")
    lead.refresh_from_db()
    assert lead.score == 51  # 3 opens counted at most, 2 points each

    meeting = services.schedule_activity(
        company, by=admin, kind="meeting", subject="Kennismaking", lead=lead, due_at="2026-03-02T10:00"
    )
    services.complete_activity(meeting, by=admin)
    lead.refresh_from_db()
    assert lead.score == 76
    history = list(
        LeadScoreChange.objects.filter(lead=lead).order_by("id").values_list("old_score", "new_score")
    )
    assert history == [(0, 45), (45, 47), (47, 49), (49, 51), (51, 76)]
    assert LeadScoreChange.objects.filter(lead=lead).order_by("-id").first().trigger == "Meeting held"


def test_a_changed_rule_rescores_open_leads(company):
    lead = a_lead(company, country="BE")
    rule = services.create_scoring_rule(company, name="Belgium", criterion="country", values="BE", points=5)
    lead.refresh_from_db()
    assert lead.score == 5
    services.update_scoring_rule(rule, points=8)
    lead.refresh_from_db()
    assert lead.score == 8


def test_assignment_by_territory(company):
    north = a_rep(company)
    west = a_rep(company)
    services.create_assignment_rule(
        company, name="Noord", sequence=1, postcode_from="9000", postcode_to="9999", user=north
    )
    services.create_assignment_rule(
        company, name="ICT West", sequence=2, countries="nl", industries="ict", user=west
    )
    assert a_lead(company, postcode="9711 AB", country="NL").owner_id == north.pk
    assert a_lead(company, postcode="1012 AB", country="NL", industry="ict").owner_id == west.pk
    assert a_lead(company, postcode="1012 AB", country="NL", industry="retail").owner_id is None


def test_activity_must_be_about_something_of_the_company(company, other_company, admin):
    with pytest.raises(CrmValidationError):
        services.schedule_activity(company, by=admin, subject="Niets")
    stranger = a_customer(other_company)
    with pytest.raises(CrmValidationError) as exc:
        services.schedule_activity(company, by=admin, subject="Bellen", party=stranger)
    assert "party" in exc.value.errors
    assert Activity.objects.count() == 0


def test_round_robin_within_a_team(company):
    from tests.crm.factories import a_team

    reps = [a_rep(company) for _ in range(3)]
    team = a_team(company, "Binnendienst", members=reps)
    services.create_assignment_rule(company, name="Alles", team=team)
    owners = [a_lead(company).owner_id for _ in range(5)]
    ids = sorted(r.pk for r in reps)
    assert owners == [ids[0], ids[1], ids[2], ids[0], ids[1]]
    assert {lead.team_id for lead in Lead.objects.all()} == {team.pk}


def test_team_visibility_reps_see_their_team_managers_see_the_teams_they_manage(company):
    from kern.crm.selectors import visible_opportunities
    from tests.crm.factories import a_team, an_opportunity

    anna, bram, carl = a_rep(company), a_rep(company), a_rep(company)
    boss = a_rep(company, "sales_manager")
    north = a_team(company, "Noord", manager=boss, members=[anna, bram])
    south = a_team(company, "Zuid", members=[carl])
    a = an_opportunity(company, owner=anna, team=north)
    b = an_opportunity(company, owner=bram, team=north)
    c = an_opportunity(company, owner=carl, team=south)
    assert set(visible_opportunities(anna, company)) == {a, b}
    services.update_crm_settings(company, rep_visibility="own")
    anna = type(anna).objects.get(pk=anna.pk)
    assert set(visible_opportunities(anna, company)) == {a}
    assert set(visible_opportunities(boss, company)) == {a, b}
    services.update_crm_settings(company, rep_visibility="all")
    assert set(visible_opportunities(type(carl).objects.get(pk=carl.pk), company)) == {a, b, c}
