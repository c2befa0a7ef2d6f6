"""Background work of the CRM (django-tasks): reminders go out when they fall due.

When an activity with a reminder is saved, an after-commit handler enqueues `send_reminders` to
run at the reminder time (the database backend keeps it until then and `kern worker` runs it).
The task claims every due reminder, so a reminder that was moved, or a worker that was down,
is caught by the next run; `kern crm reminders` does the same from cron.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import default_task_backend, task

from kern.core.events import Event
from kern.crm import services

__all__ = ["schedule_reminder", "send_reminders"]


@task()
def send_reminders() -> int:
    return services.send_due_reminders()


def schedule_reminder(event: Event) -> None:
    """After commit of a saved activity with a reminder: run the reminder task at that moment."""
    when = dt.datetime.fromisoformat(event.payload["reminder_at"])
    if default_task_backend.supports_defer:
        send_reminders.using(run_after=when).enqueue()
    # A backend that cannot defer (the immediate one in tests) leaves it to `kern crm reminders`.
