"""What every company gets: pipeline stages with default probabilities and lost reasons."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from kern.core.db import atomic
from kern.core.events import Event
from kern.crm.models import CrmSettings, LostReason, PipelineStage, Visibility

__all__ = ["DEFAULT_LOST_REASONS", "DEFAULT_STAGES", "install_crm_defaults", "on_company_created"]

DEFAULT_STAGES = [
    (gettext_noop("New"), 10, 10),
    (gettext_noop("Qualified"), 20, 25),
    (gettext_noop("Proposal"), 30, 50),
    (gettext_noop("Negotiation"), 40, 75),
]
DEFAULT_LOST_REASONS = [
    gettext_noop("Too expensive"),
    gettext_noop("Chose a competitor"),
    gettext_noop("No budget"),
    gettext_noop("No response"),
    gettext_noop("Not a fit"),
]


def install_crm_defaults(company: Any) -> None:
    """Idempotent: stages and lost reasons for a company that has none yet."""
    company_id = getattr(company, "pk", company)
    with atomic():
        if not PipelineStage.objects.filter(company_id=company_id).exists():
            for name, sequence, probability in DEFAULT_STAGES:
                PipelineStage.objects.create(
                    company_id=company_id, name=name, sequence=sequence, probability=probability
                )
        if not LostReason.objects.filter(company_id=company_id).exists():
            for name in DEFAULT_LOST_REASONS:
                LostReason.objects.create(company_id=company_id, name=name)
        if not CrmSettings.objects.filter(company_id=company_id).exists():
            CrmSettings.objects.create(company_id=company_id, rep_visibility=Visibility.TEAM)


def on_company_created(event: Event) -> None:
    install_crm_defaults(event.payload["company_id"])
