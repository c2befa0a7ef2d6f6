"""The secret iCalendar feed URL of a user's activities."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kern.core.db import atomic
from kern.core.models import Company
from kern.core.tokens import hash_secret, new_secret
from kern.crm.models import CalendarFeed
from kern.crm.services._common import acting, member

__all__ = ["issue_calendar_feed", "revoke_calendar_feed"]


def issue_calendar_feed(user: Any, company: Company, *, by: Any = None) -> tuple[CalendarFeed, str]:
    """A new secret feed URL for `user` in `company`; the previous one stops working. The secret
    is returned once and never stored."""
    member(company.pk, "user", user)
    prefix, secret = new_secret()
    with atomic(), acting(by or user):
        for old in CalendarFeed.objects.filter(company=company, user=user, revoked_at__isnull=True):
            revoke_calendar_feed(old, by=by or user)
        feed = CalendarFeed.objects.create(
            company=company, user=user, prefix=prefix, key_hash=hash_secret(secret)
        )
    return feed, secret


def revoke_calendar_feed(feed: CalendarFeed, *, by: Any = None) -> CalendarFeed:
    if feed.revoked_at is None:
        with atomic(), acting(by):
            feed.revoked_at = timezone.now()
            feed.save(update_fields=["revoked_at"])
    return feed
