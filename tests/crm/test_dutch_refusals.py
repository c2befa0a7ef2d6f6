"""CRM refusals in the user's language: a Dutch user reads a Dutch title and detail (API
problem+json, the quote page), an English user the English ones. A closed opportunity is named
by its translated name and its status by its label; `code`, the context keys and the raw
statuses a client compares against never change with the language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from kern.core.exceptions import InvalidTransition
from kern.crm import services
from kern.crm.exceptions import CrmValidationError, LeadAlreadyConverted, RateLimited
from kern.crm.models import LostReason, PipelineStage
from kern.sales.models import Quote
from tests.builders import a_product, a_web_client
from tests.crm.factories import a_lead, a_rep, an_opportunity

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def a_lost_opportunity(company, **fields):
    opp = an_opportunity(company, **fields)
    return services.mark_lost(opp, lost_reason=LostReason.objects.filter(company=company).first())


def test_moving_a_won_opportunity_is_refused_in_dutch_with_its_label(api, company):
    opp = an_opportunity(company)
    services.mark_won(opp, won_reason="Beste prijs")
    proposal = PipelineStage.objects.get(company=company, name="Proposal")
    url = f"/api/v1/crm/opportunities/{opp.pk}/move"
    dutch = api.post_json(url, {"stage_id": proposal.pk}, **DUTCH)
    english = api.post_json(url, {"stage_id": proposal.pk})

    assert (dutch.status_code, english.status_code) == (409, 409)
    assert dutch.json()["title"] == "Ongeldige statuswijziging"
    assert dutch.json()["detail"] == (
        f"verkoopkans {opp.number} is gewonnen: heropen deze eerst om van fase te wisselen"
    )
    assert english.json()["title"] == "Invalid state transition"
    assert english.json()["detail"] == f"opportunity {opp.number} is won: reopen it to move it"
    for key in ("code", "type", "current", "requested"):
        assert dutch.json()[key] == english.json()[key], key
    assert (english.json()["current"], english.json()["requested"]) == ("won", "open")


def test_changing_the_stage_of_a_lost_opportunity_is_refused_in_dutch(company):
    opp = a_lost_opportunity(company)
    proposal = PipelineStage.objects.get(company=company, name="Proposal")
    with translation.override("nl"), pytest.raises(InvalidTransition) as dutch:
        services.update_opportunity(opp, stage=proposal.pk)
    assert (
        dutch.value.message
        == f"verkoopkans {opp.number} is verloren: heropen deze eerst om van fase te wisselen"
    )
    assert (dutch.value.current, dutch.value.requested) == ("lost", "open")
    opp.refresh_from_db()
    with pytest.raises(InvalidTransition) as english:
        services.update_opportunity(opp, stage=proposal.pk)
    assert english.value.message == f"opportunity {opp.number} is lost: reopen it to move it"


def test_quoting_a_lost_opportunity_on_the_page_is_refused_in_the_users_language(company):
    rep = a_rep(company)
    bed = a_product(company, "BED", name="Hotel bed", sale_price=Decimal("400.00"))
    opp = a_lost_opportunity(company, owner=rep, by=rep)
    url = f"/crm/opportunities/{opp.pk}/quote/"
    dutch = a_web_client(rep)
    dutch.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"

    refused = dutch.post(url, {"product_1": bed.pk})
    assert refused.status_code == 422
    assert (
        f"verkoopkans {opp.number} is verloren: heropen deze eerst om een offerte te maken"
        in refused.content.decode()
    )
    refused = a_web_client(rep).post(url, {"product_1": bed.pk})
    assert refused.status_code == 422
    assert f"opportunity {opp.number} is lost: reopen it to quote" in refused.content.decode()
    assert Quote.objects.count() == 0


def test_won_without_its_details_is_refused_in_dutch(api, company):
    opp = an_opportunity(company)
    url = f"/api/v1/crm/opportunities/{opp.pk}/won"
    dutch = api.post_json(url, {"expected_revenue": "0"}, **DUTCH)
    english = api.post_json(url, {"expected_revenue": "0"})

    assert (dutch.status_code, english.status_code) == (422, 422)
    assert dutch.json()["title"] == "Gegevens nodig om de verkoopkans als gewonnen te markeren"
    assert dutch.json()["detail"] == "won_reason: geef aan waarom de verkoopkans is gewonnen"
    assert dutch.json()["errors"] == {
        "won_reason": ["geef aan waarom de verkoopkans is gewonnen"],
        "expected_revenue": ["een gewonnen verkoopkans heeft een omzet boven nul"],
    }
    assert english.json()["title"] == "Details needed to mark the opportunity won"
    assert english.json()["detail"] == "won_reason: say why the opportunity was won"
    assert english.json()["errors"] == {
        "won_reason": ["say why the opportunity was won"],
        "expected_revenue": ["a won opportunity has revenue above zero"],
    }
    assert dutch.json()["code"] == english.json()["code"] == "won_details_missing"


def test_a_converted_lead_and_too_many_form_posts_are_worded_in_dutch(company):
    lead = a_lead(company)
    opp = services.convert_lead(lead).opportunity
    with translation.override("nl"):
        into = LeadAlreadyConverted.of(lead, opp)
        bare = LeadAlreadyConverted.of(lead)
        limited = RateLimited.submissions(10)
        one = RateLimited.submissions(1)
        titles = (into.as_problem()["title"], limited.as_problem()["title"])
    assert into.message == f"lead {lead.number} is al omgezet naar verkoopkans {opp.number} ({opp.name})"
    assert bare.message == f"lead {lead.number} is al omgezet"
    assert limited.message == "te veel inzendingen vanaf dit adres; probeer het over 10 minuten opnieuw"
    assert one.message == "te veel inzendingen vanaf dit adres; probeer het over 1 minuut opnieuw"
    assert titles == ("Lead is al omgezet", "Te veel verzoeken")
    # the context a client keys on is the same in any language
    assert into.as_problem()["opportunity"] == opp.number
    assert (limited.as_problem()["retry_after"], limited.status, limited.code) == (600, 429, "rate_limited")

    english = LeadAlreadyConverted.of(lead, opp)
    assert (
        english.message
        == f"lead {lead.number} was already converted into opportunity {opp.number} ({opp.name})"
    )
    assert english.as_problem()["title"] == "Lead already converted"
    assert LeadAlreadyConverted.of(lead).message == f"lead {lead.number} was already converted"
    assert RateLimited.submissions(10).message == (
        "too many submissions from this address; try again in 10 minutes"
    )


def test_the_services_raise_the_translated_refusals_to_a_dutch_user(company):
    lead = a_lead(company)
    services.convert_lead(lead)
    lead.refresh_from_db()
    form = services.create_lead_form(company, name="Contact", owner=a_rep(company))
    services.update_crm_settings(company, form_rate_limit=1, form_rate_window_minutes=10)
    post = {"first_name": "Eva", "last_name": "Kok", "email": "eva@kok.example", "consent": "on"}
    services.submit_lead_form(form, post, client_address="203.0.113.7")
    with translation.override("nl"):
        with pytest.raises(LeadAlreadyConverted) as converted:
            services.convert_lead(lead)
        with pytest.raises(RateLimited) as limited:
            services.submit_lead_form(form, post, client_address="203.0.113.7")
        with pytest.raises(CrmValidationError) as no_party:
            services.create_opportunity(company, name="Hotel")
        with pytest.raises(CrmValidationError) as no_rep:
            services.set_target(
                company, user=None, period="month", start=dt.date(2026, 1, 1), amount=Decimal("10")
            )
    assert converted.value.message.startswith(f"lead {lead.number} is al omgezet naar verkoopkans ")
    assert limited.value.message == "te veel inzendingen vanaf dit adres; probeer het over 10 minuten opnieuw"
    assert limited.value.as_problem()["retry_after"] == 600
    assert no_party.value.errors == {"party": ["een verkoopkans is voor een klant of prospect"]}
    assert no_rep.value.errors == {"user": ["kies een verkoper"]}
    with pytest.raises(CrmValidationError) as english:
        services.create_opportunity(company, name="Hotel")
    assert english.value.errors == {"party": ["an opportunity is for a customer or prospect"]}


def test_an_impossible_probability_is_refused_in_dutch(company):
    opp = an_opportunity(company)
    with translation.override("nl"), pytest.raises(CrmValidationError) as dutch:
        services.update_opportunity(opp, probability=150)
    assert dutch.value.errors == {"probability": ["een kans ligt tussen 0 en 100"]}
    opp.refresh_from_db()
    with pytest.raises(CrmValidationError) as english:
        services.update_opportunity(opp, probability=150)
    assert english.value.errors == {"probability": ["a probability lies between 0 and 100"]}
