"""Activities (tasks, calls, meetings, e-mails) and their reminders."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kern.core import audit
from kern.core.db import atomic
from kern.core.events import Event, emit
from kern.core.exceptions import NotFound
from kern.core.models import Company
from kern.core.workflow import transition
from kern.crm import events
from kern.crm.exceptions import CrmValidationError
from kern.crm.models import Activity, ActivityKind, ActivityStatus, EngagementKind, Lead, Opportunity
from kern.crm.services._common import acting, member, resolve, text
from kern.parties.models import ContactPerson, Party

__all__ = [
    "ACTIVITY_FIELDS",
    "cancel_activity",
    "complete_activity",
    "deliver_reminder",
    "log_activity",
    "reopen_activity",
    "schedule_activity",
    "send_due_reminders",
    "update_activity",
]

log = logging.getLogger(__name__)

ACTIVITY_FIELDS = {
    "kind",
    "subject",
    "notes",
    "due_at",
    "all_day",
    "duration_minutes",
    "location",
    "outcome",
    "assigned_to",
    "party",
    "contact",
    "lead",
    "opportunity",
    "reminder_at",
}
DEFAULT_DURATION = {ActivityKind.CALL: 15, ActivityKind.MEETING: 60}


def _apply(activity: Activity, fields: dict[str, Any]) -> None:
    unknown = set(fields) - ACTIVITY_FIELDS
    if unknown:
        raise CrmValidationError.on(sorted(unknown)[0], _("unknown field"))
    company_id = activity.company_id
    for name in ("subject", "notes", "location", "outcome"):
        if name in fields:
            setattr(activity, name, text(fields[name]))
    if "kind" in fields:
        if fields["kind"] not in ActivityKind.values:
            raise CrmValidationError.on("kind", _("unknown kind %(kind)s") % {"kind": repr(fields["kind"])})
        activity.kind = fields["kind"]
    if "due_at" in fields:
        activity.due_at = _aware(fields["due_at"], "due_at")
    if "all_day" in fields:
        activity.all_day = bool(fields["all_day"])
    if fields.get("duration_minutes") not in (None, ""):
        activity.duration_minutes = int(fields["duration_minutes"])
    if "reminder_at" in fields:
        new = _aware(fields["reminder_at"], "reminder_at")
        if new != activity.reminder_at:
            activity.reminder_at = new
            activity.reminder_sent_at = None
    if "assigned_to" in fields:
        activity.assigned_to = member(company_id, "assigned_to", fields["assigned_to"])
    for name, model in (
        ("party", Party),
        ("contact", ContactPerson),
        ("lead", Lead),
        ("opportunity", Opportunity),
    ):
        if name in fields:
            setattr(activity, name, resolve(model, company_id, name, fields[name]))
    # What an activity is about implies the rest: an opportunity's customer, a contact's party.
    if activity.opportunity_id and not activity.party_id:
        activity.party_id = activity.opportunity.party_id
    if activity.contact_id and not activity.party_id:
        activity.party_id = activity.contact.party_id
    if activity.contact_id and activity.contact.party_id != activity.party_id:
        raise CrmValidationError.on(
            "contact",
            _("%(contact)s is not a contact of %(party)s")
            % {"contact": activity.contact, "party": activity.party},
        )
    if activity.opportunity_id and activity.opportunity.party_id != activity.party_id:
        raise CrmValidationError.on(
            "opportunity", _("%(opportunity)s is for another party") % {"opportunity": activity.opportunity}
        )


def _aware(value: Any, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise CrmValidationError.on(
                field, _("%(value)s is not a date and time") % {"value": repr(value)}
            ) from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(9, 0))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _check(activity: Activity) -> None:
    if not activity.subject:
        raise CrmValidationError.on("subject", _("give the activity a subject"))
    if not (activity.party_id or activity.contact_id or activity.lead_id or activity.opportunity_id):
        raise CrmValidationError.on("party", _("an activity is about a party, contact, lead or opportunity"))
    if (
        activity.kind == ActivityKind.MEETING
        and activity.status == ActivityStatus.PLANNED
        and not activity.due_at
    ):
        raise CrmValidationError.on("due_at", _("a meeting needs a start time"))


def schedule_activity(company: Company, *, by: Any = None, **fields: Any) -> Activity:
    """Plan a task, call, meeting or e-mail; assigned to `assigned_to` (default: whoever plans it)."""
    fields.setdefault("assigned_to", by)
    activity = Activity(company=company, created_by=by if getattr(by, "pk", None) else None)
    if fields.get("assigned_to") is None:
        raise CrmValidationError.on("assigned_to", _("say who does it"))
    _apply(activity, fields)
    if not fields.get("duration_minutes"):
        activity.duration_minutes = DEFAULT_DURATION.get(activity.kind, 0)
    _check(activity)
    with atomic(), acting(by):
        activity.save()
        _announce(activity)
    return activity


def log_activity(company: Company, *, by: Any = None, **fields: Any) -> Activity:
    """Record something that already happened (a call made, an e-mail sent): done at once."""
    fields.setdefault("due_at", timezone.now())
    with atomic(), acting(by):
        activity = schedule_activity(company, by=by, **fields)
        return complete_activity(activity, by=by, outcome=fields.get("outcome", activity.outcome))


def update_activity(activity: Activity, *, by: Any = None, **fields: Any) -> Activity:
    _apply(activity, fields)
    _check(activity)
    with atomic(), acting(by):
        activity.save()
        _announce(activity)
    return activity


def _announce(activity: Activity) -> None:
    if (
        activity.reminder_at
        and activity.reminder_sent_at is None
        and activity.status == ActivityStatus.PLANNED
    ):
        emit(
            events.ACTIVITY_SCHEDULED,
            {"activity_id": activity.pk, "reminder_at": activity.reminder_at.isoformat()},
            company=activity.company_id,
        )


def complete_activity(activity: Activity, *, by: Any = None, outcome: str = "") -> Activity:
    """Mark done. A meeting held with a lead counts as the lead's behaviour for its score."""
    with atomic(), acting(by):
        transition(
            activity,
            to=ActivityStatus.DONE,
            by=by,
            fields={"done_at": timezone.now(), "outcome": text(outcome, 300) or activity.outcome},
        )
        if activity.kind == ActivityKind.MEETING and activity.lead_id:
            from kern.crm.services.leads import record_engagement

            lead = Lead.objects.get(pk=activity.lead_id)
            record_engagement(
                lead,
                EngagementKind.MEETING_HELD,
                detail=activity.subject,
                source_type="crm.activity",
                source_id=activity.pk,
            )
    return activity


def cancel_activity(activity: Activity, *, by: Any = None) -> Activity:
    return transition(activity, to=ActivityStatus.CANCELLED, by=by)


def reopen_activity(activity: Activity, *, by: Any = None) -> Activity:
    return transition(activity, to=ActivityStatus.PLANNED, by=by, fields={"done_at": None})


# --- reminders ------------------------------------------------------------------------------


def send_due_reminders(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Claim every due, unsent reminder (each exactly once, even with several workers) and announce
    it; the e-mail goes out after commit (`deliver_reminder`). Returns how many were due."""
    now = now or timezone.now()
    claimed = 0
    with atomic():
        due = list(
            Activity.objects.filter(
                status=ActivityStatus.PLANNED, reminder_at__lte=now, reminder_sent_at__isnull=True
            )
            .order_by("reminder_at", "id")
            .values_list("id", "company_id", "assigned_to_id")[:limit]
        )
        for activity_id, company_id, user_id in due:
            # A conditional update: a second worker finds the row already claimed and skips it.
            if not Activity.objects.filter(pk=activity_id, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue
            audit.record(
                None,
                "reminder",
                {"reminder_sent_at": [None, now.isoformat()]},
                model="crm.activity",
                object_id=activity_id,
                company_id=company_id,
            )
            emit(
                events.ACTIVITY_REMINDER_DUE,
                {"activity_id": activity_id, "user_id": user_id},
                company=company_id,
            )
            claimed += 1
    return claimed


def deliver_reminder(event: Event) -> None:
    """After commit: e-mail the reminder to whoever the activity is assigned to."""
    activity = (
        Activity.objects.select_related("assigned_to", "party", "lead", "opportunity")
        .filter(pk=event.payload["activity_id"])
        .first()
    )
    if activity is None:
        raise NotFound(f"activity {event.payload['activity_id']} is gone")
    user = activity.assigned_to
    if not user.email or activity.status != ActivityStatus.PLANNED:
        return
    about = activity.opportunity or activity.lead or activity.party or activity.contact
    when = timezone.localtime(activity.due_at).strftime("%Y-%m-%d %H:%M") if activity.due_at else ""
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        subject = _("Reminder: %(subject)s") % {"subject": activity.subject}
        body = "\n".join(
            line
            for line in (
                f"{activity.get_kind_display()}: {activity.subject}",
                _("When: %(when)s") % {"when": when} if when else "",
                _("About: %(about)s") % {"about": about} if about else "",
                activity.notes,
            )
            if line
        )
    send_mail(subject, body, None, [user.email])
