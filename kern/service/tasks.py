"""Background work of the service desk (django-tasks), enqueued by `kern worker` on a schedule.

Both are registered as periodic tasks in `ServiceConfig.ready()`: SLA escalation every
`SERVICE_ESCALATE_EVERY` seconds (default 60) and mailbox polling every `SERVICE_POLL_MAIL_EVERY`
seconds (default 60). `kern service_desk escalate|poll-mail` runs the same work from cron.
"""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from kern.core import context
from kern.service import services

__all__ = ["ESCALATE_EVERY", "POLL_MAIL_EVERY", "escalate_tickets", "poll_mail"]

ESCALATE_EVERY = float(getattr(settings, "SERVICE_ESCALATE_EVERY", 60))
POLL_MAIL_EVERY = float(getattr(settings, "SERVICE_POLL_MAIL_EVERY", 60))


@task()
def escalate_tickets() -> dict[str, int]:
    with context.acting(interface="worker"):
        return services.check_service_levels()


@task()
def poll_mail() -> dict[str, int]:
    with context.acting(interface="worker"):
        return services.poll_mailboxes()
