"""Reads about leads: likely duplicates, what the scoring rules say, the assignment territory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from kern.crm.models import (
    ATTRIBUTE_CRITERIA,
    BEHAVIOUR_CRITERIA,
    AssignmentRule,
    Lead,
    LeadEngagement,
    LeadStatus,
    ScoringCriterion,
    ScoringRule,
)
from kern.parties.models import normalise_name
from kern.parties.selectors import likely_duplicates

__all__ = [
    "Duplicate",
    "ScoreReason",
    "engagement_counts",
    "lead_duplicates",
    "matching_assignment_rule",
    "normalise_postcode",
    "open_lead_with_email",
    "score_lead",
    "scoring_rules",
]


@dataclass(frozen=True)
class Duplicate:
    kind: str  # "party" | "lead"
    id: int
    number: str
    name: str
    reason: str


def lead_duplicates(
    company: Any, *, email: str = "", organisation: str = "", vat_id: str = "", exclude: int | None = None
) -> list[Duplicate]:
    """Existing parties and leads that are probably the same as a new lead."""
    found = [
        Duplicate("party", d.id, d.number, d.name, d.reason)
        for d in likely_duplicates(company, name=organisation, vat_id=vat_id, email=email)
    ]
    condition = Q()
    email = (email or "").strip()
    norm = normalise_name(organisation)
    if email:
        condition |= Q(email__iexact=email)
    if norm:
        condition |= Q(normalised_name=norm)
    if condition:
        leads = Lead.objects.for_company(company).filter(condition)
        if exclude:
            leads = leads.exclude(pk=exclude)
        for lead in leads.only("id", "number", "organisation", "first_name", "last_name", "email")[:10]:
            reason = "same e-mail" if email and lead.email.lower() == email.lower() else "same name"
            found.append(Duplicate("lead", lead.pk, lead.number, lead.display_name, reason))
    return found


def open_lead_with_email(company: Any, email: str) -> Lead | None:
    """The newest lead still being worked with this e-mail: a second form from the same person
    counts as behaviour on that lead instead of a duplicate."""
    if not email:
        return None
    return (
        Lead.objects.for_company(company)
        .filter(email__iexact=email.strip(), status__in=[LeadStatus.NEW, LeadStatus.CONTACTED])
        .order_by("-created_at", "-id")
        .first()
    )


def scoring_rules(company: Any) -> list[ScoringRule]:
    return list(ScoringRule.objects.for_company(company).filter(is_active=True).order_by("criterion", "id"))


def engagement_counts(lead: Lead) -> dict[str, int]:
    if lead.pk is None:
        return {}
    rows = LeadEngagement.objects.filter(lead_id=lead.pk).values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}


@dataclass(frozen=True)
class ScoreReason:
    rule_id: int
    rule: str
    points: int
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "rule": self.rule, "points": self.points, "detail": self.detail}


def _attribute(lead: Lead, criterion: str) -> str:
    if criterion == ScoringCriterion.COUNTRY:
        return str(lead.country or "").lower()
    if criterion == ScoringCriterion.INDUSTRY:
        return (lead.industry or "").lower()
    return (lead.source or "").lower()


def _in_range(value: int, rule: ScoringRule) -> bool:
    return (rule.minimum is None or value >= rule.minimum) and (rule.maximum is None or value <= rule.maximum)


def score_lead(
    lead: Lead, rules: list[ScoringRule], counts: dict[str, int] | None = None
) -> tuple[int, list[ScoreReason]]:
    """The score the rules give `lead`, and every rule that contributed (the reasons)."""
    counts = engagement_counts(lead) if counts is None else counts
    total = 0
    reasons: list[ScoreReason] = []
    for rule in rules:
        points = 0
        detail = ""
        if rule.criterion in ATTRIBUTE_CRITERIA:
            value = _attribute(lead, rule.criterion)
            if value and value in rule.value_list():
                points, detail = rule.points, value.upper() if rule.criterion == "country" else value
        elif rule.criterion == ScoringCriterion.SIZE:
            if lead.employees is not None and _in_range(lead.employees, rule):
                points, detail = rule.points, f"{lead.employees} employees"
        elif rule.criterion in BEHAVIOUR_CRITERIA:
            n = counts.get(BEHAVIOUR_CRITERIA[rule.criterion], 0)
            if rule.per_occurrence:
                counted = min(n, rule.maximum) if rule.maximum is not None else n
                if counted >= (rule.minimum or 1):
                    points, detail = rule.points * counted, f"{counted} × {rule.points:+d}"
            elif n > 0 and _in_range(n, rule):
                points, detail = rule.points, f"{n}"
        if points:
            total += points
            reasons.append(ScoreReason(rule.pk, rule.name, points, detail))
    return total, reasons


def normalise_postcode(postcode: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (postcode or "").upper())


def _rule_matches(rule: AssignmentRule, lead: Lead) -> bool:
    countries = [c.strip().upper() for c in rule.countries.split(",") if c.strip()]
    if countries and str(lead.country or "").upper() not in countries:
        return False
    industries = [i.strip().lower() for i in rule.industries.split(",") if i.strip()]
    if industries and (lead.industry or "").lower() not in industries:
        return False
    if rule.postcode_from or rule.postcode_to:
        code = normalise_postcode(lead.postcode)
        if not code:
            return False
        low, high = normalise_postcode(rule.postcode_from), normalise_postcode(rule.postcode_to)
        # Compare on the bounds' own length: 1000–1999 holds 1012 AB.
        if low and code[: len(low)] < low:
            return False
        if high and code[: len(high)] > high:
            return False
    return True


def matching_assignment_rule(lead: Lead) -> AssignmentRule | None:
    """The first active rule (by sequence) whose territory holds the lead."""
    rules = (
        AssignmentRule.objects.for_company(lead.company_id).filter(is_active=True).order_by("sequence", "id")
    )
    return next((rule for rule in rules if _rule_matches(rule, lead)), None)
