"""Events the CRM emits (core.events outbox); names and payloads are public."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTIVITY_REMINDER_DUE",
    "ACTIVITY_SCHEDULED",
    "LEAD_ASSIGNED",
    "LEAD_CONVERTED",
    "LEAD_CREATED",
    "OPPORTUNITY_LOST",
    "OPPORTUNITY_REOPENED",
    "OPPORTUNITY_STAGE_CHANGED",
    "OPPORTUNITY_WON",
    "LeadConverted",
    "OpportunityClosed",
]

LEAD_CREATED = "crm.lead_created"
LEAD_ASSIGNED = "crm.lead_assigned"
LEAD_CONVERTED = "crm.lead_converted"
OPPORTUNITY_STAGE_CHANGED = "crm.opportunity_stage_changed"
OPPORTUNITY_WON = "crm.opportunity_won"
OPPORTUNITY_LOST = "crm.opportunity_lost"
OPPORTUNITY_REOPENED = "crm.opportunity_reopened"
ACTIVITY_SCHEDULED = "crm.activity_scheduled"
ACTIVITY_REMINDER_DUE = "crm.activity_reminder_due"


@dataclass(frozen=True)
class LeadConverted:
    company_id: int
    lead_id: int
    party_id: int
    contact_id: int | None
    opportunity_id: int | None


@dataclass(frozen=True)
class OpportunityClosed:
    company_id: int
    opportunity_id: int
    party_id: int
    status: str
    expected_revenue: str
    currency: str
    owner_id: int | None
