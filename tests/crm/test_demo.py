"""The CRM's demo step: a realistic pipeline, loaded once however often it runs."""

import pytest

from kern.core.demo import demo_company, load_core
from kern.crm.demo import load_crm
from kern.crm.models import Activity, Lead, LeadScoreChange, Opportunity, SalesTarget
from kern.parties.demo import load_parties


def _counts(company):
    opps = Opportunity.objects.filter(company=company)
    leads = Lead.objects.filter(company=company)
    return {
        "leads": leads.count(),
        "lead_states": sorted(set(leads.values_list("status", flat=True))),
        "opportunities": opps.count(),
        "opportunity_states": sorted(set(opps.values_list("status", flat=True))),
        "stages": opps.filter(status="open").values("stage").distinct().count(),
        "activities": Activity.objects.filter(company=company).count(),
        "targets": SalesTarget.objects.filter(company=company).count(),
        "scored": LeadScoreChange.objects.filter(company=company).count() > 0,
    }


@pytest.mark.django_db
def test_the_demo_pipeline_is_realistic_and_loaded_once():
    ctx: dict = {}
    load_core(ctx)
    load_parties(ctx)
    load_crm(ctx)
    first = _counts(demo_company())
    assert first["leads"] == 30
    assert first["lead_states"] == ["contacted", "disqualified", "new", "qualified"]
    assert first["opportunities"] == 28
    assert first["opportunity_states"] == ["lost", "open", "won"]
    assert first["stages"] == 4
    assert first["activities"] > 40
    assert first["targets"] == 8
    assert first["scored"]
    load_crm(ctx)
    assert _counts(demo_company()) == first


@pytest.mark.django_db
def test_open_deals_at_proposal_have_quotes_made_from_the_opportunity():
    from kern.core.registry import DEMO_STEPS
    from kern.crm.models import OpportunityQuote
    from kern.sales.models import Quote

    ctx: dict = {}
    for name in ("core", "parties", "catalog", "crm"):
        DEMO_STEPS[name].run(ctx, None)
    company = ctx["company"]
    links = list(OpportunityQuote.objects.filter(company=company).select_related("opportunity", "quote"))
    assert len(links) >= 3
    for link in links:
        opp, quote = link.opportunity, link.quote
        assert (opp.status, opp.stage.name in ("Proposal", "Negotiation")) == ("open", True)
        assert (quote.status, quote.customer_id, quote.sales_rep_id) == ("draft", opp.party_id, opp.owner_id)
        assert (quote.source_type, quote.source_id) == ("crm.opportunity", opp.pk)
        assert quote.net_total > 0 and quote.lines.exists()
    # The sales demo did not run: every quote is one made from an opportunity.
    assert Quote.objects.filter(company=company).count() == len(links)
    DEMO_STEPS["crm"].run(ctx, None)
    assert OpportunityQuote.objects.filter(company=company).count() == len(links)
