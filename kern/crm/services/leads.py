"""Leads: capture, scoring, assignment, qualification into party + contact + opportunity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from kern.core import audit
from kern.core.db import atomic
from kern.core.events import emit
from kern.core.models import Company
from kern.core.numbering import next_number
from kern.core.services import validated
from kern.core.workflow import transition
from kern.crm import events
from kern.crm.exceptions import CrmValidationError, LeadAlreadyConverted
from kern.crm.models import (
    Activity,
    EngagementKind,
    Industry,
    Lead,
    LeadEngagement,
    LeadScoreChange,
    LeadStatus,
    Opportunity,
)
from kern.crm.selectors import (
    matching_assignment_rule,
    score_lead,
    scoring_rules,
    team_member_ids,
)
from kern.crm.services._common import acting, member, resolve, text
from kern.parties import services as party_services
from kern.parties.models import ContactPerson, Party, PartyKind
from kern.sales.models import SalesTeam

__all__ = [
    "LEAD_FIELDS",
    "LeadConversion",
    "assign_lead",
    "convert_lead",
    "create_lead",
    "disqualify_lead",
    "mark_lead_contacted",
    "record_engagement",
    "reopen_lead",
    "rescore_lead",
    "rescore_leads",
    "update_lead",
]

LEAD_FIELDS = {
    "title",
    "source",
    "organisation",
    "first_name",
    "last_name",
    "job_title",
    "email",
    "phone",
    "website",
    "street",
    "postcode",
    "city",
    "country",
    "industry",
    "employees",
    "expected_revenue",
    "description",
    "consent",
    "consent_text",
}


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - LEAD_FIELDS - {"owner", "team", "form"}
    if unknown:
        raise CrmValidationError.on(sorted(unknown)[0], gettext("unknown field"))
    out = {}
    for name, value in fields.items():
        if name in {"owner", "team", "form"}:
            continue
        if isinstance(value, str):
            value = value.strip()
        if name == "country" and value:
            value = str(value).upper()
        if name == "industry" and value and value not in Industry.values:
            raise CrmValidationError.on(
                "industry", gettext("unknown industry %(industry)s") % {"industry": repr(value)}
            )
        if name == "expected_revenue" and value in (None, ""):
            value = Decimal("0")
        out[name] = value
    return out


def _check(lead: Lead) -> None:
    if not (lead.organisation or lead.last_name or lead.email):
        raise CrmValidationError(
            "a lead needs an organisation, a name or an e-mail address",
            errors={"organisation": ["give an organisation, a name or an e-mail address"]},
        )
    if not lead.title:
        lead.title = lead.organisation or lead.person_name or lead.email
    validated(lead, exclude=["number", "company"])


def create_lead(
    company: Company,
    *,
    by: Any = None,
    owner: Any = None,
    team: Any = None,
    assign: bool = True,
    **fields: Any,
) -> Lead:
    """Record a lead, score it and (unless an owner is given) assign it by the assignment rules."""
    data = _clean_fields(fields)
    lead = Lead(company=company, number="pending", **data)
    lead.owner = member(company.pk, "owner", owner)
    lead.form = fields.get("form")
    if team is not None:
        lead.team = resolve(SalesTeam, company.pk, "team", team)
    if lead.consent and lead.consent_at is None:
        lead.consent_at = timezone.now()
    _check(lead)
    with atomic(), acting(by):
        lead.number = next_number(company, "crm.lead", timezone.localdate())
        lead.save()
        rescore_lead(lead, trigger="created")
        if assign and lead.owner_id is None:
            _auto_assign(lead)
        emit(events.LEAD_CREATED, {"lead_id": lead.pk, "source": lead.source}, company=company)
    return lead


def update_lead(lead: Lead, *, by: Any = None, **fields: Any) -> Lead:
    if lead.status == LeadStatus.QUALIFIED:
        raise _already_converted(lead)
    owner = fields.pop("owner", lead.owner)
    team = fields.pop("team", lead.team)
    data = _clean_fields(fields)
    for name, value in data.items():
        setattr(lead, name, value)
    lead.owner = member(lead.company_id, "owner", owner)
    lead.team = resolve(SalesTeam, lead.company_id, "team", team)
    if lead.consent and lead.consent_at is None:
        lead.consent_at = timezone.now()
    _check(lead)
    with atomic(), acting(by):
        lead.save()
        rescore_lead(lead, trigger="details changed")
    return lead


def mark_lead_contacted(lead: Lead, *, by: Any = None) -> Lead:
    return transition(lead, to=LeadStatus.CONTACTED, by=by)


def disqualify_lead(lead: Lead, *, by: Any = None, reason: str = "") -> Lead:
    if lead.status == LeadStatus.QUALIFIED:
        raise _already_converted(lead)
    return transition(
        lead, to=LeadStatus.DISQUALIFIED, by=by, fields={"disqualify_reason": text(reason, 200)}
    )


def reopen_lead(lead: Lead, *, by: Any = None) -> Lead:
    return transition(lead, to=LeadStatus.NEW, by=by, fields={"disqualify_reason": ""})


# --- scoring ----------------------------------------------------------------------------------


def rescore_lead(lead: Lead, *, trigger: str = "", rules: list | None = None) -> Lead:
    """Recalculate the lead's score; a change is written to its score history with the reasons."""
    rules = scoring_rules(lead.company_id) if rules is None else rules
    score, reasons = score_lead(lead, rules)
    payload = [r.as_dict() for r in reasons]
    if score == lead.score and payload == lead.score_reasons:
        return lead
    with atomic():
        old = lead.score
        lead.score = score
        lead.score_reasons = payload
        lead.save(update_fields=["score", "score_reasons"])
        if score != old:
            LeadScoreChange.objects.create(
                company_id=lead.company_id,
                lead=lead,
                old_score=old,
                new_score=score,
                reasons=payload,
                trigger=trigger[:120],
            )
    return lead


def rescore_leads(company: Company, *, by: Any = None) -> int:
    """Apply changed scoring rules to every lead still being worked; returns how many changed."""
    rules = scoring_rules(company)
    changed = 0
    with atomic(), acting(by):
        open_leads = Lead.objects.for_company(company).filter(
            status__in=[LeadStatus.NEW, LeadStatus.CONTACTED]
        )
        for lead in open_leads.iterator(chunk_size=500):
            before = lead.score
            rescore_lead(lead, trigger="scoring rules changed", rules=rules)
            changed += lead.score != before
    return changed


def record_engagement(
    lead: Lead,
    kind: str,
    *,
    at: dt.datetime | None = None,
    detail: str = "",
    source_type: str = "",
    source_id: Any = "",
    by: Any = None,
) -> LeadEngagement:
    """Something the lead did (an opened e-mail, a form, a meeting); behaviour rules rescore it."""
    if kind not in EngagementKind.values:
        raise CrmValidationError.on("kind", gettext("unknown engagement %(kind)s") % {"kind": repr(kind)})
    with atomic(), acting(by):
        engagement = LeadEngagement.objects.create(
            company_id=lead.company_id,
            lead=lead,
            kind=kind,
            at=at or timezone.now(),
            detail=text(detail, 200),
            source_type=text(source_type, 60),
            source_id=text(source_id, 64),
        )
        rescore_lead(lead, trigger=EngagementKind(kind).label)
    return engagement


# --- assignment ---------------------------------------------------------------------------


def _auto_assign(lead: Lead) -> None:
    rule = matching_assignment_rule(lead)
    if rule is None:
        return
    # The rule row is locked so two leads arriving together go to different reps.
    rule = type(rule).objects.select_for_update().get(pk=rule.pk)
    owner_id = rule.user_id
    team_id = rule.team_id
    if team_id is not None:
        members = team_member_ids(rule.team)
        if members:
            after = [m for m in members if rule.last_assigned_id is not None and m > rule.last_assigned_id]
            owner_id = (after or members)[0]
            rule.last_assigned_id = owner_id
            rule.save(update_fields=["last_assigned"])
    fields: dict[str, Any] = {}
    if owner_id is not None:
        fields["owner_id"] = owner_id
    if team_id is not None:
        fields["team_id"] = team_id
    if fields:
        _apply_assignment(lead, fields, rule=rule.name)


def _apply_assignment(lead: Lead, fields: dict[str, Any], *, rule: str = "") -> None:
    old = {name: getattr(lead, name) for name in fields}
    Lead.objects.filter(pk=lead.pk).update(**fields)
    for name, value in fields.items():
        setattr(lead, name, value)
    audit.record_change(lead, old, action="assign")
    emit(
        events.LEAD_ASSIGNED,
        {"lead_id": lead.pk, "owner_id": lead.owner_id, "rule": rule},
        company=lead.company_id,
    )


def assign_lead(lead: Lead, *, owner: Any = None, team: Any = None, by: Any = None) -> Lead:
    """Give the lead to a rep (and team) by hand; without either, run the assignment rules again."""
    if lead.status == LeadStatus.QUALIFIED:
        raise _already_converted(lead)
    with atomic(), acting(by):
        if owner is None and team is None:
            _auto_assign(lead)
            return lead
        fields: dict[str, Any] = {}
        if owner is not None:
            fields["owner_id"] = member(lead.company_id, "owner", owner).pk
        if team is not None:
            fields["team_id"] = resolve(SalesTeam, lead.company_id, "team", team).pk
        _apply_assignment(lead, fields)
    return lead


# --- qualification ------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadConversion:
    lead: Lead
    party: Party
    contact: ContactPerson | None
    opportunity: Opportunity | None


def _already_converted(lead: Lead) -> LeadAlreadyConverted:
    opp = Opportunity.objects.filter(lead_id=lead.pk).only("id", "number", "name").first()
    return LeadAlreadyConverted.of(lead, opp)


def convert_lead(
    lead: Lead,
    *,
    by: Any = None,
    party: Any = None,
    create_opportunity: bool = True,
    opportunity_name: str = "",
    expected_revenue: Decimal | None = None,
    expected_close_date: dt.date | None = None,
    stage: Any = None,
    owner: Any = None,
) -> LeadConversion:
    """Qualify the lead in one step: a party (new, or the existing `party`), its contact person and
    an opportunity, all from what the lead already holds. The lead stays, linked to all three, and
    its activities follow to the party and opportunity so their timelines show the history."""
    from kern.crm.services.opportunities import create_opportunity as new_opportunity

    company = lead.company
    with atomic(), acting(by):
        # Lock the lead: two people converting it at once must not make two parties.
        lead = Lead.objects.select_for_update().select_related("company").get(pk=lead.pk)
        if lead.status == LeadStatus.QUALIFIED or Opportunity.objects.filter(lead_id=lead.pk).exists():
            raise _already_converted(lead)
        target = resolve(Party, company.pk, "party", party)
        if target is None:
            target = _party_from(lead, by)
        else:
            fields = {}
            if not target.is_customer and not target.is_prospect:
                fields["is_prospect"] = True
            if fields:
                party_services.update_party(target, by=by, **fields)
        contact = _contact_from(lead, target, by)
        opportunity = None
        if create_opportunity:
            opportunity = new_opportunity(
                company,
                by=by,
                name=text(opportunity_name, 200) or lead.title,
                party=target,
                contact=contact,
                lead=lead,
                stage=stage,
                expected_revenue=lead.expected_revenue if expected_revenue is None else expected_revenue,
                expected_close_date=expected_close_date,
                owner=owner or lead.owner or by,
                team=lead.team,
                source=lead.source,
                description=lead.description,
            )
        transition(
            lead,
            to=LeadStatus.QUALIFIED,
            by=by,
            fields={"party": target, "contact": contact, "converted_at": timezone.now()},
        )
        for activity in Activity.objects.filter(lead_id=lead.pk).order_by("id"):
            activity.party_id = activity.party_id or target.pk
            activity.contact_id = activity.contact_id or (contact.pk if contact else None)
            if opportunity is not None and activity.opportunity_id is None:
                activity.opportunity_id = opportunity.pk
            activity.save(update_fields=["party", "contact", "opportunity"])
        emit(
            events.LEAD_CONVERTED,
            events.LeadConverted(
                company_id=company.pk,
                lead_id=lead.pk,
                party_id=target.pk,
                contact_id=contact.pk if contact else None,
                opportunity_id=opportunity.pk if opportunity else None,
            ),
            company=company,
        )
    return LeadConversion(lead=lead, party=target, contact=contact, opportunity=opportunity)


def _party_from(lead: Lead, by: Any) -> Party:
    is_person = not lead.organisation
    party = party_services.create_party(
        lead.company,
        by=by,
        kind=PartyKind.PERSON if is_person else PartyKind.ORGANISATION,
        name=lead.organisation or lead.person_name or lead.email,
        is_prospect=True,
        email=lead.email,
        phone=lead.phone,
        website=lead.website,
        notes=lead.description,
    )
    if lead.street and lead.city:
        party_services.add_address(
            party,
            by=by,
            street=lead.street,
            postcode=lead.postcode,
            city=lead.city,
            country=str(lead.country or "NL"),
        )
    return party


def _contact_from(lead: Lead, party: Party, by: Any) -> ContactPerson | None:
    if not lead.last_name or (party.kind == PartyKind.PERSON and not lead.organisation):
        return None
    existing = None
    if lead.email:
        existing = ContactPerson.objects.filter(party=party, email__iexact=lead.email).first()
    if existing is not None:
        return existing
    return party_services.add_contact(
        party,
        by=by,
        first_name=lead.first_name,
        last_name=lead.last_name,
        job_title=lead.job_title,
        email=lead.email,
        phone=lead.phone,
        is_primary=not ContactPerson.objects.filter(party=party, is_primary=True).exists(),
    )
