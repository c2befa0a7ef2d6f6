"""Reads of activities: "my day", a record's timeline, a user's calendar, the calendar feed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kern.core.models import AuditEvent
from kern.core.tokens import hash_secret
from kern.crm.models import Activity, ActivityStatus, CalendarFeed, Lead, LeadScoreChange, Opportunity

__all__ = [
    "MyDay",
    "TimelineItem",
    "activities_about",
    "calendar_activities",
    "calendar_feed_of",
    "feed_by_secret",
    "my_day",
    "timeline_for",
]


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


@dataclass
class MyDay:
    day: dt.date
    overdue: list[Activity]
    today: list[Activity]
    upcoming: list[Activity]
    unscheduled: list[Activity]
    done_today: list[Activity]


def my_day(user: Any, company: Any, *, day: dt.date | None = None, upcoming_days: int = 7) -> MyDay:
    """The user's planned activities: overdue, today, the next days, without a date; and what they
    finished today."""
    day = day or timezone.localdate()
    start, end = _day_bounds(day)
    horizon = end + dt.timedelta(days=upcoming_days)
    mine = (
        Activity.objects.for_company(company)
        .filter(assigned_to=user)
        .select_related("party", "contact", "lead", "opportunity")
    )
    planned = list(
        mine.filter(status=ActivityStatus.PLANNED)
        .filter(Q(due_at__lt=horizon) | Q(due_at__isnull=True))
        .order_by("due_at", "id")[:500]
    )
    return MyDay(
        day=day,
        overdue=[a for a in planned if a.due_at is not None and a.due_at < start],
        today=[a for a in planned if a.due_at is not None and start <= a.due_at < end],
        upcoming=[a for a in planned if a.due_at is not None and a.due_at >= end],
        unscheduled=[a for a in planned if a.due_at is None],
        done_today=list(
            mine.filter(status=ActivityStatus.DONE, done_at__gte=start, done_at__lt=end).order_by("-done_at")
        ),
    )


def activities_about(obj: Any) -> QuerySet[Activity]:
    """Every activity on a party, contact, lead or opportunity (an opportunity also shows its lead's)."""
    qs = Activity.objects.filter(company_id=obj.company_id).select_related("assigned_to", "contact")
    label = obj._meta.label_lower
    if label == "parties.party":
        return qs.filter(party_id=obj.pk)
    if label == "parties.contactperson":
        return qs.filter(contact_id=obj.pk)
    if label == "crm.lead":
        return qs.filter(lead_id=obj.pk)
    if label == "crm.opportunity":
        condition = Q(opportunity_id=obj.pk)
        if obj.lead_id:
            condition |= Q(lead_id=obj.lead_id)
        return qs.filter(condition)
    raise ValueError(f"no activities on {label}")


@dataclass(frozen=True)
class TimelineItem:
    at: dt.datetime
    kind: str  # activity | change | score
    title: str
    detail: str = ""
    who: str = ""
    activity: Activity | None = None


def timeline_for(obj: Any, *, limit: int = 100) -> list[TimelineItem]:
    """Activities, changes (the audit log) and, for leads, score changes — newest first. An
    opportunity made from a lead carries the lead's history along."""
    items: list[TimelineItem] = []
    for activity in activities_about(obj).order_by("-due_at", "-id")[:limit]:
        when = activity.done_at or activity.due_at or activity.created_at
        items.append(
            TimelineItem(
                at=when,
                kind="activity",
                title=str(activity),
                detail=activity.outcome or activity.notes[:200],
                who=str(activity.assigned_to),
                activity=activity,
            )
        )
    subjects: list[tuple[str, str]] = [(obj._meta.label_lower, str(obj.pk))]
    lead_id = obj.pk if isinstance(obj, Lead) else obj.lead_id if isinstance(obj, Opportunity) else None
    if isinstance(obj, Opportunity) and lead_id:
        subjects.append(("crm.lead", str(lead_id)))
    condition = Q()
    for model, object_id in subjects:
        condition |= Q(model=model, object_id=object_id)
    for event in AuditEvent.objects.filter(condition).order_by("-id")[:limit]:
        changed = ", ".join(sorted(k for k in (event.changes or {}) if not k.endswith("_hash")))
        items.append(
            TimelineItem(
                at=event.at,
                kind="change",
                title=f"{event.action} {event.object_repr}".strip(),
                detail=changed[:200],
                who=event.user_repr or (f"#{event.user_id}" if event.user_id else ""),
            )
        )
    if lead_id:
        for change in LeadScoreChange.objects.filter(lead_id=lead_id).order_by("-at", "-id")[:limit]:
            reasons = "; ".join(f"{r.get('rule')} {int(r.get('points', 0)):+d}" for r in change.reasons)
            items.append(
                TimelineItem(
                    at=change.at,
                    kind="score",
                    title=f"{change.old_score} → {change.new_score}",
                    detail=f"{change.trigger}: {reasons}" if reasons else change.trigger,
                )
            )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def calendar_activities(user: Any, company: Any, *, since_days: int = 90) -> QuerySet[Activity]:
    """The user's dated activities from `since_days` ago on, for the calendar feed."""
    since = timezone.now() - dt.timedelta(days=since_days)
    return (
        Activity.objects.for_company(company)
        .filter(assigned_to=user, due_at__isnull=False, due_at__gte=since)
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("party", "contact", "lead", "opportunity")
        .order_by("due_at", "id")[:2000]
    )


def calendar_feed_of(user: Any, company: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(company=company, user=user, revoked_at__isnull=True).first()


def feed_by_secret(secret: str) -> CalendarFeed | None:
    """The active feed of a secret calendar URL (only the hash is stored), or None."""
    if not secret or len(secret) > 200:
        return None
    feed = (
        CalendarFeed.objects.select_related("user", "company")
        .filter(key_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active or not feed.company.is_active:
        return None
    return feed
