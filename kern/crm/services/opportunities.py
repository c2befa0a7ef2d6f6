"""Opportunities: the pipeline (stage moves from the kanban board), won and lost, reopening."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from kern.core.db import atomic
from kern.core.events import emit
from kern.core.models import Company, Currency
from kern.core.numbering import next_number
from kern.core.services import validated
from kern.core.workflow import transition
from kern.crm import events
from kern.crm.exceptions import CrmValidationError, WonDetailsMissing, refused_transition
from kern.crm.models import Lead, LostReason, Opportunity, OpportunityStatus, PipelineStage
from kern.crm.selectors import first_stage
from kern.crm.services._common import acting, member, resolve, text
from kern.crm.services.setup import install_crm_defaults
from kern.parties import services as party_services
from kern.parties.models import ContactPerson, Party
from kern.sales.models import SalesTeam

__all__ = [
    "OPPORTUNITY_FIELDS",
    "create_opportunity",
    "mark_lost",
    "mark_won",
    "move_opportunity",
    "reopen_opportunity",
    "update_opportunity",
]

OPPORTUNITY_FIELDS = {
    "name",
    "party",
    "contact",
    "stage",
    "probability",
    "expected_revenue",
    "currency",
    "expected_close_date",
    "owner",
    "team",
    "source",
    "description",
}


def _apply(opp: Opportunity, fields: dict[str, Any]) -> None:
    unknown = set(fields) - OPPORTUNITY_FIELDS
    if unknown:
        raise CrmValidationError.on(sorted(unknown)[0], gettext("unknown field"))
    company_id = opp.company_id
    if "name" in fields:
        opp.name = text(fields["name"], 200)
    if "party" in fields:
        opp.party = resolve(Party, company_id, "party", fields["party"])
    if "contact" in fields:
        opp.contact = resolve(ContactPerson, company_id, "contact", fields["contact"])
    if "stage" in fields and fields["stage"] not in (None, ""):
        stage = resolve(PipelineStage, company_id, "stage", fields["stage"])
        if stage.pk != opp.stage_id:
            opp.stage = stage
            opp.stage_changed_at = timezone.now()
            if fields.get("probability") in (None, ""):
                opp.probability = stage.probability
    if fields.get("probability") not in (None, ""):
        opp.probability = int(fields["probability"])
    if "expected_revenue" in fields:
        opp.expected_revenue = Decimal(fields["expected_revenue"] or 0)
    if fields.get("currency"):
        code = str(getattr(fields["currency"], "code", fields["currency"])).upper()
        if not Currency.objects.filter(code=code, is_active=True).exists():
            raise CrmValidationError.on(
                "currency", gettext("unknown currency %(currency)s") % {"currency": repr(code)}
            )
        opp.currency_id = code
    if "expected_close_date" in fields:
        opp.expected_close_date = fields["expected_close_date"] or None
    if "owner" in fields:
        opp.owner = member(company_id, "owner", fields["owner"])
    if "team" in fields:
        opp.team = resolve(SalesTeam, company_id, "team", fields["team"])
    if "source" in fields:
        opp.source = fields["source"] or ""
    if "description" in fields:
        opp.description = fields["description"] or ""
    if opp.contact_id and opp.party_id and opp.contact.party_id != opp.party_id:
        raise CrmValidationError.on(
            "contact",
            gettext("%(contact)s is not a contact of %(party)s")
            % {"contact": opp.contact, "party": opp.party},
        )
    if opp.probability is not None and not 0 <= opp.probability <= 100:
        raise CrmValidationError.on("probability", gettext("a probability lies between 0 and 100"))


def create_opportunity(
    company: Company, *, by: Any = None, lead: Lead | None = None, **fields: Any
) -> Opportunity:
    """A new opportunity in the first stage (or `stage`), with that stage's probability unless
    one is given; the currency defaults to the customer's, else the company's."""
    if not PipelineStage.objects.filter(company=company).exists():
        install_crm_defaults(company)
    opp = Opportunity(company=company, number="pending", currency_id=company.base_currency_id)
    stage = fields.pop("stage", None)
    fields.setdefault("owner", by if by is not None and getattr(by, "pk", None) else None)
    opp.stage = resolve(PipelineStage, company.pk, "stage", stage) if stage else first_stage(company)
    if opp.stage is None:
        raise CrmValidationError.on("stage", gettext("the pipeline has no active stage"))
    opp.probability = opp.stage.probability
    if fields.get("party") in (None, ""):
        raise CrmValidationError.on("party", gettext("an opportunity is for a customer or prospect"))
    _apply(opp, fields)
    if not fields.get("currency") and opp.party.currency_id:
        opp.currency_id = opp.party.currency_id
    if not opp.name:
        raise CrmValidationError.on("name", gettext("give the opportunity a name"))
    opp.lead = lead
    validated(opp, exclude=["number", "company"])
    with atomic(), acting(by):
        opp.number = next_number(company, "crm.opportunity", timezone.localdate())
        opp.save()
    return opp


def update_opportunity(opp: Opportunity, *, by: Any = None, **fields: Any) -> Opportunity:
    old_stage = opp.stage_id
    _apply(opp, fields)
    if not opp.name:
        raise CrmValidationError.on("name", gettext("give the opportunity a name"))
    if opp.stage_id != old_stage and opp.status != OpportunityStatus.OPEN:
        raise refused_transition(
            opp, OpportunityStatus.OPEN, message=gettext("%(document)s is %(status)s: reopen it to move it")
        )
    validated(opp)
    with atomic(), acting(by):
        opp.save()
        if opp.stage_id != old_stage:
            _stage_event(opp, old_stage)
    return opp


def move_opportunity(opp: Opportunity, *, stage: Any, by: Any = None) -> Opportunity:
    """Move an open opportunity to another stage (the kanban drag): saved, audited, announced."""
    target = resolve(PipelineStage, opp.company_id, "stage", stage)
    if target is None:
        raise CrmValidationError.on("stage", gettext("choose a stage"))
    if not target.is_active:
        raise CrmValidationError.on("stage", gettext("stage %(stage)s is no longer used") % {"stage": target})
    with atomic(), acting(by):
        opp = Opportunity.objects.select_for_update().get(pk=opp.pk)
        if opp.status != OpportunityStatus.OPEN:
            raise refused_transition(
                opp,
                OpportunityStatus.OPEN,
                message=gettext("%(document)s is %(status)s: reopen it to move it"),
            )
        if opp.stage_id == target.pk:
            return opp
        old_stage = opp.stage_id
        opp.stage = target
        opp.probability = target.probability
        opp.stage_changed_at = timezone.now()
        opp.save(update_fields=["stage", "probability", "stage_changed_at"])
        _stage_event(opp, old_stage)
    return opp


def _stage_event(opp: Opportunity, old_stage: int | None) -> None:
    emit(
        events.OPPORTUNITY_STAGE_CHANGED,
        {"opportunity_id": opp.pk, "from_stage": old_stage, "to_stage": opp.stage_id},
        company=opp.company_id,
    )


def _closed(opp: Opportunity) -> events.OpportunityClosed:
    return events.OpportunityClosed(
        company_id=opp.company_id,
        opportunity_id=opp.pk,
        party_id=opp.party_id,
        status=opp.status,
        expected_revenue=str(opp.expected_revenue),
        currency=opp.currency_id,
        owner_id=opp.owner_id,
    )


def mark_won(
    opp: Opportunity,
    *,
    by: Any = None,
    won_reason: str = "",
    expected_revenue: Decimal | None = None,
    closed_on: dt.date | None = None,
) -> Opportunity:
    """Close as won. Required: why we won, and the revenue (more than zero). The prospect becomes
    a customer."""
    reason = text(won_reason, 300)
    revenue = opp.expected_revenue if expected_revenue in (None, "") else Decimal(expected_revenue)
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["won_reason"] = [gettext("say why the opportunity was won")]
    if revenue is None or revenue <= 0:
        errors["expected_revenue"] = [gettext("a won opportunity has revenue above zero")]
    if errors:
        first = next(iter(errors))
        raise WonDetailsMissing(f"{first}: {errors[first][0]}", errors=errors)
    with atomic(), acting(by):
        transition(
            opp,
            to=OpportunityStatus.WON,
            by=by,
            fields={
                "won_reason": reason,
                "expected_revenue": revenue,
                "probability": 100,
                "closed_on": closed_on or timezone.localdate(),
                "lost_reason": None,
                "lost_note": "",
            },
        )
        party = Party.objects.get(pk=opp.party_id)
        if not party.is_customer:
            party_services.update_party(party, by=by, is_customer=True, is_prospect=False)
        emit(events.OPPORTUNITY_WON, _closed(opp), company=opp.company_id)
    return opp


def mark_lost(
    opp: Opportunity,
    *,
    by: Any = None,
    lost_reason: Any = None,
    lost_note: str = "",
    closed_on: dt.date | None = None,
) -> Opportunity:
    """Close as lost, with one of the company's lost reasons (required)."""
    reason = resolve(LostReason, opp.company_id, "lost_reason", lost_reason)
    if reason is None:
        raise CrmValidationError.on("lost_reason", gettext("choose why the opportunity was lost"))
    with atomic(), acting(by):
        transition(
            opp,
            to=OpportunityStatus.LOST,
            by=by,
            fields={
                "lost_reason": reason,
                "lost_note": text(lost_note, 300),
                "probability": 0,
                "closed_on": closed_on or timezone.localdate(),
                "won_reason": "",
            },
        )
        emit(events.OPPORTUNITY_LOST, _closed(opp), company=opp.company_id)
    return opp


def reopen_opportunity(opp: Opportunity, *, by: Any = None) -> Opportunity:
    stage = PipelineStage.objects.get(pk=opp.stage_id)
    with atomic(), acting(by):
        transition(
            opp,
            to=OpportunityStatus.OPEN,
            by=by,
            fields={"probability": stage.probability, "closed_on": None, "stage_changed_at": timezone.now()},
        )
        emit(events.OPPORTUNITY_REOPENED, {"opportunity_id": opp.pk}, company=opp.company_id)
    return opp
