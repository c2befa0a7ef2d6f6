"""Tickets: routing, tiers, SLA clocks, the conversation, merging, links and escalation."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kern.core.exceptions import Conflict, InvalidTransition, ValidationFailed
from kern.core.models import AuditEvent, OutboxEvent
from kern.service import selectors, services
from kern.service.models import MessageKind, SlaPolicy, Team, Ticket, TicketMessage, TicketStatus
from tests.builders import a_product
from tests.service.factories import a_customer_with_contact, a_ticket, an_agent

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY_9 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=AMS)


@pytest.fixture
def desk(company):
    support = Team.objects.get(company=company, is_default=True)
    return support


@pytest.mark.django_db
def test_a_new_company_gets_a_desk_with_calendar_and_policies(company):
    assert Team.objects.filter(company=company, is_default=True).count() == 1
    assert SlaPolicy.objects.filter(company=company, is_active=True).count() == 8
    policy = selectors.policy_for(company, "silver", "high")  # no silver policy: standard applies
    assert (policy.tier, policy.first_response_minutes) == ("standard", 240)


@pytest.mark.django_db
def test_an_email_from_a_known_contact_finds_the_customer_and_starts_the_clocks(company, desk):
    customer, contact = a_customer_with_contact(company)
    ticket = a_ticket(company, requester_email="ANNA@devries.test", priority="high", now=MONDAY_9)
    assert (ticket.customer, ticket.contact, ticket.requester_name) == (customer, contact, "Anna de Vries")
    assert ticket.number == "TCK-2026-00001" and ticket.status == TicketStatus.NEW
    assert ticket.team == desk and ticket.tier == "standard"
    # standard/high: 4 business hours to respond, 16 to resolve (09:00–17:00 Mon–Fri)
    assert ticket.first_response_due == dt.datetime(2026, 11, 23, 13, 0, tzinfo=AMS)
    assert ticket.resolution_due == dt.datetime(2026, 11, 24, 17, 0, tzinfo=AMS)
    assert ticket.messages.get().kind == MessageKind.CUSTOMER


@pytest.mark.django_db
def test_a_contract_customer_is_gold_and_routed_to_premium(company, desk):
    customer, _contact = a_customer_with_contact(company)
    premium = services.create_team(company, name="Premium")
    lead = an_agent(company, team=premium)
    services.create_routing_rule(company, name="Gold", min_tier="gold", team=premium, min_priority="high")
    services.create_contract(
        company, party=customer, reference="C-1", tier="gold", starts_on=dt.date(2026, 1, 1)
    )
    ticket = a_ticket(company, customer=customer, now=MONDAY_9)
    assert (ticket.tier, ticket.team, ticket.priority, ticket.assignee) == ("gold", premium, "high", lead)
    # gold/high: 60 minutes to the first response
    assert ticket.first_response_due == dt.datetime(2026, 11, 23, 10, 0, tzinfo=AMS)
    assert selectors.tier_of(customer).reason == "contract C-1"


@pytest.mark.django_db
def test_revenue_over_the_last_year_sets_the_tier(company, monkeypatch):
    customer, _ = a_customer_with_contact(company)
    services.set_tier_threshold(company, tier="silver", min_revenue=Decimal("25000"))
    services.set_tier_threshold(company, tier="gold", min_revenue=Decimal("100000"))
    seen = {}

    def revenue(party, *, on=None):
        seen["on"] = on
        return Decimal("30000.00")

    monkeypatch.setattr(selectors, "revenue_last_12_months", revenue)
    verdict = selectors.tier_of(customer, on=dt.date(2026, 11, 1))
    assert (verdict.tier, verdict.revenue, seen["on"]) == (
        "silver",
        Decimal("30000.00"),
        dt.date(2026, 11, 1),
    )


@pytest.mark.django_db
def test_round_robin_gives_each_agent_a_turn(company, desk):
    first, second = an_agent(company), an_agent(company)
    assignees = [a_ticket(company, f"Vraag {i}").assignee for i in range(4)]
    assert assignees == [first, second, first, second]


@pytest.mark.django_db
def test_skills_routing_picks_the_agent_who_knows_invoices(company, desk):
    services.update_team(desk, strategy="skills")
    an_agent(company, skills=["levering"])
    invoicer = an_agent(company, skills=["Factuur"])
    category = services.create_category(company, name="Facturen", skill="factuur")
    assert a_ticket(company, category=category).assignee == invoicer
    assert a_ticket(company, category=category).assignee == invoicer


@pytest.mark.django_db
def test_reply_stops_the_first_response_clock_and_notes_stay_internal(company, desk):
    agent = an_agent(company)
    ticket = a_ticket(company, requester_email="klant@example.test", now=MONDAY_9)
    services.add_note(ticket, body="Even navragen bij het magazijn", by=agent)
    reply = services.reply_to_ticket(
        ticket, body="<p>We sturen het opnieuw.</p><script>alert(1)</script>", by=agent
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.first_responded_at == reply.created_at
    assert reply.body == "<p>We sturen het opnieuw.</p>" and reply.email_message_id.startswith("<ticket-")
    assert [m.kind for m in selectors.public_messages(ticket)] == ["customer", "reply"]
    assert selectors.sla_state(ticket, now=reply.created_at).first_response.state in ("met", "missed")


@pytest.mark.django_db
def test_waiting_on_the_customer_stops_the_resolution_clock(company, desk):
    agent = an_agent(company)
    ticket = a_ticket(company, now=MONDAY_9)  # standard/normal: resolve within 40 business hours
    services.reply_to_ticket(ticket, body="Welk ordernummer?", by=agent, then="pending")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING and ticket.resolution_remaining_minutes is not None
    left = ticket.resolution_remaining_minutes
    assert selectors.sla_state(ticket).resolution.state == "paused"
    services.add_customer_message(ticket, body="Order 1234", author_email="klant@example.test")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.resolution_remaining_minutes is None
    schedule = selectors.schedule_of(ticket.sla_policy.calendar)
    from kern.service.businesstime import business_minutes_between

    assert abs(business_minutes_between(schedule, dt.datetime.now(dt.UTC), ticket.resolution_due) - left) <= 1


@pytest.mark.django_db
def test_resolve_close_and_the_state_table(company, desk):
    agent = an_agent(company)
    ticket = a_ticket(company)
    services.resolve_ticket(ticket, by=agent)
    services.add_customer_message(ticket, body="Toch nog niet goed", author_email="x@example.test")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.resolved_at is None
    services.close_ticket(ticket, by=agent)
    before = TicketMessage.objects.count()
    with pytest.raises(Conflict):
        services.add_customer_message(ticket, body="Nog een vraag", author_email="x@example.test")
    with pytest.raises(InvalidTransition):
        services.resolve_ticket(ticket, by=agent)
    assert TicketMessage.objects.count() == before
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CLOSED


@pytest.mark.django_db
def test_merging_a_duplicate_moves_its_conversation(company, desk):
    customer, _ = a_customer_with_contact(company)
    agent = an_agent(company)
    original = a_ticket(company, "Levering kwijt", customer=customer)
    duplicate = a_ticket(company, "Levering nog steeds kwijt", customer=customer, description="Al een week!")
    product = a_product(company)
    services.link_record(duplicate, target_model="catalog.product", target_id=product.pk, by=agent)
    services.merge_tickets(duplicate, original, by=agent)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (TicketStatus.MERGED, original)
    bodies = [m.body for m in original.messages.filter(kind="customer")]
    assert bodies == ["<p>Mijn bestelling is niet aangekomen.</p>", "<p>Al een week!</p>"]
    assert original.links.get().target_id == str(product.pk)
    other = a_ticket(company, customer=a_customer_with_contact(company, "Ander", "b@x.test")[0])
    with pytest.raises(ValidationFailed) as exc:
        services.merge_tickets(other, original, by=agent)
    assert "same customer" in str(exc.value.errors)
    with pytest.raises(ValidationFailed):
        services.merge_tickets(original, original, by=agent)


@pytest.mark.django_db
def test_links_only_to_records_of_the_same_company(company, other_company, desk):
    ticket = a_ticket(company)
    foreign = a_product(other_company)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.link_record(ticket, target_model="catalog.product", target_id=foreign.pk)
    assert "target_id" in exc.value.errors
    with pytest.raises(ValidationFailed):
        services.link_record(ticket, target_model="core.company", target_id=company.pk)
    assert AuditEvent.objects.count() == before and not ticket.links.exists()


@pytest.mark.django_db
def test_escalation_warns_when_at_risk_then_reassigns_when_breached(company, desk):
    agent = an_agent(company)
    escalation = services.create_team(company, name="Tweede lijn")
    senior = an_agent(company, team=escalation)
    policy = selectors.policy_for(company, "standard", "normal")
    services.update_sla_policy(policy, escalation_team=escalation, at_risk_percent=75)
    ticket = a_ticket(company, now=MONDAY_9)  # first response due 17:00 the same day (8h)
    assert ticket.assignee == agent
    assert services.check_service_levels(company=company, now=MONDAY_9 + dt.timedelta(hours=1)) == {
        "at_risk": 0,
        "breached": 0,
    }
    assert services.check_service_levels(company=company, now=MONDAY_9 + dt.timedelta(hours=7)) == {
        "at_risk": 1,
        "breached": 0,
    }
    assert services.check_service_levels(
        company=company, now=MONDAY_9 + dt.timedelta(hours=7, minutes=5)
    ) == {"at_risk": 0, "breached": 0}
    breached_at = MONDAY_9 + dt.timedelta(hours=9)
    assert services.check_service_levels(company=company, now=breached_at) == {"at_risk": 0, "breached": 1}
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee, ticket.priority, ticket.escalation_level) == (
        escalation,
        senior,
        "high",
        2,
    )
    assert ticket.messages.filter(kind="system").count() == 2
    assert OutboxEvent.objects.filter(name="service.sla_escalated").count() == 2
    assert services.check_service_levels(company=company, now=breached_at) == {"at_risk": 0, "breached": 0}


@pytest.mark.django_db
def test_bad_input_is_refused_and_writes_nothing(company, other_company, desk):
    before = (Ticket.objects.count(), AuditEvent.objects.count())
    foreign, _ = a_customer_with_contact(other_company, "Vreemd", "v@x.test")
    before = (Ticket.objects.count(), AuditEvent.objects.count())
    for fields, field in [
        ({"subject": "  "}, "subject"),
        ({"customer": foreign.pk}, "customer"),
        ({"channel": "email"}, "requester_email"),
        ({"priority": "asap"}, "priority"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            a_ticket(company, **{"subject": "Vraag", **fields})
        assert field in exc.value.errors, fields
    assert (Ticket.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_canned_replies_fill_in_the_ticket(company, desk):
    customer, _ = a_customer_with_contact(company)
    agent = an_agent(company)
    ticket = a_ticket(company, customer=customer)
    reply = services.create_canned_reply(
        company, name="Dank", body="Beste {contact}, over {ticket}: {onbekend} — {agent}"
    )
    text = services.render_canned_reply(reply, ticket, agent=agent)
    assert text == f"Beste Anna de Vries, over {ticket.number}: {{onbekend}} — {agent.username}"


@pytest.mark.django_db
def test_the_periodic_command_escalates(company, desk):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    an_agent(company)
    a_ticket(company, now=MONDAY_9 - dt.timedelta(days=30))
    out = StringIO()
    call_command("service_desk", "escalate", stdout=out)
    assert out.getvalue().strip() == "at_risk=0 breached=1"
    out = StringIO()
    call_command("service_desk", "poll-mail", stdout=out)
    assert out.getvalue().strip() == "nothing to do"
    with pytest.raises(CommandError):
        call_command("service_desk", "escalate", "--every", "-1")
