"""The public lead form: what a website visitor submits becomes a lead (or behaviour on theirs).

Spam is met three ways: a honeypot field (bots fill every field; such posts are dropped without a
trace and answered as if accepted), a rate limit per client address (counted in the database, so
every server process sees the same burst) and a required consent checkbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext

from kern.core import context
from kern.core.db import atomic
from kern.core.models import Company
from kern.core.services import validated
from kern.crm.exceptions import CrmValidationError, RateLimited
from kern.crm.models import EngagementKind, Lead, LeadForm, LeadSource, LeadSubmission
from kern.crm.selectors import crm_settings, open_lead_with_email
from kern.crm.services._common import acting, member, text

__all__ = [
    "HONEYPOT_FIELD",
    "FormOutcome",
    "client_hash",
    "create_lead_form",
    "submit_lead_form",
    "update_lead_form",
]

HONEYPOT_FIELD = "website_url"  # looks tempting to a bot; hidden from people
FORM_FIELDS = {
    "name",
    "title",
    "consent_text",
    "thanks_message",
    "ask_company",
    "ask_phone",
    "ask_message",
    "owner",
    "is_active",
}


def _apply(form: LeadForm, fields: dict[str, Any]) -> None:
    unknown = set(fields) - FORM_FIELDS
    if unknown:
        raise CrmValidationError.on(sorted(unknown)[0], gettext("unknown field"))
    for name, value in fields.items():
        if name == "owner":
            form.owner = member(form.company_id, "owner", value)
        else:
            setattr(form, name, text(value) if isinstance(value, str) else value)
    if not form.name:
        raise CrmValidationError.on("name", gettext("give the form a name"))


def create_lead_form(company: Company, *, by: Any = None, **fields: Any) -> LeadForm:
    form = LeadForm(company=company, key=secrets.token_urlsafe(18))
    _apply(form, fields)
    validated(form, exclude=["company"])
    with atomic(), acting(by):
        form.save()
    return form


def update_lead_form(form: LeadForm, *, by: Any = None, **fields: Any) -> LeadForm:
    _apply(form, fields)
    validated(form)
    with atomic(), acting(by):
        form.save()
    return form


def client_hash(address: str) -> str:
    """A keyed hash of the client's address: enough to count a burst, not to identify a person."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class FormOutcome:
    accepted: bool
    lead: Lead | None = None
    dropped: bool = False  # a honeypot hit: answered as accepted, nothing stored


def _value(data: Any, name: str, limit: int) -> str:
    value = data.get(name, "") if hasattr(data, "get") else ""
    return text(value if isinstance(value, str) else "", limit)


def submit_lead_form(
    form: LeadForm, data: Any, *, client_address: str, now: dt.datetime | None = None
) -> FormOutcome:
    """Handle one post of the public form. Raises RateLimited (429) when this address has posted
    more than the company allows in its window, CrmValidationError with per-field errors for bad
    input; a filled honeypot returns a "dropped" outcome that the caller answers like a success."""
    if _value(data, HONEYPOT_FIELD, 500):
        return FormOutcome(accepted=True, dropped=True)
    now = now or timezone.now()
    who = client_hash(client_address)
    config = crm_settings(form.company_id)
    since = now - dt.timedelta(minutes=config.form_rate_window_minutes)
    recent = LeadSubmission.objects.filter(client_hash=who, at__gte=since).count()
    if recent >= config.form_rate_limit:
        raise RateLimited.submissions(config.form_rate_window_minutes)
    values = {
        "first_name": _value(data, "first_name", 80),
        "last_name": _value(data, "last_name", 120),
        "email": _value(data, "email", 254),
        "organisation": _value(data, "organisation", 200) if form.ask_company else "",
        "phone": _value(data, "phone", 40) if form.ask_phone else "",
        "message": _value(data, "message", 5000) if form.ask_message else "",
    }
    raw_consent = data.get("consent") if hasattr(data, "get") else None
    consent = raw_consent is True or _value(data, "consent", 10).lower() in {"on", "1", "true", "yes"}
    errors: dict[str, list[str]] = {}
    if not values["last_name"]:
        errors["last_name"] = ["please give your name"]
    try:
        validate_email(values["email"])
    except ValidationError:
        errors["email"] = ["please give a valid e-mail address"]
    if not consent:
        errors["consent"] = ["please agree so we may contact you"]
    with atomic(), context.acting(interface="web", company=form.company_id):
        # Every post counts towards the limit, also one with mistakes.
        submission = LeadSubmission.objects.create(
            company_id=form.company_id,
            form=form,
            at=now,
            client_hash=who,
            accepted=not errors,
            payload={k: v for k, v in values.items() if v} | {"consent": consent},
        )
        lead = None
        if not errors:
            lead = _lead_for(form, submission, values, now)
            submission.lead = lead
            submission.save(update_fields=["lead"])
    if errors:
        first = next(iter(errors))
        raise CrmValidationError(f"{first}: {errors[first][0]}", errors=errors)
    return FormOutcome(accepted=True, lead=lead)


def _lead_for(form: LeadForm, submission: LeadSubmission, values: dict[str, str], now: dt.datetime) -> Lead:
    from kern.crm.services.leads import create_lead, record_engagement

    lead = open_lead_with_email(form.company_id, values["email"])
    if lead is None:
        name = values["organisation"] or f"{values['first_name']} {values['last_name']}".strip()
        lead = create_lead(
            form.company,
            title=f"{form.name}: {name}"[:200],
            source=LeadSource.WEB_FORM,
            organisation=values["organisation"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=values["email"],
            phone=values["phone"],
            description=values["message"],
            consent=True,
            consent_text=form.consent_text,
            form=form,
            owner=form.owner,
        )
    record_engagement(
        lead,
        EngagementKind.FORM_SUBMISSION,
        at=now,
        detail=form.name,
        source_type="crm.leadsubmission",
        source_id=submission.pk,
    )
    return lead
