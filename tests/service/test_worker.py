"""`kern worker` does the periodic work of the service desk: it enqueues SLA escalation and
mailbox polling as django-tasks on a schedule and runs them, without cron."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from kern.core.management.commands.worker import enqueue_periodic
from kern.core.registry import PERIODIC_TASKS
from kern.service import selectors, services, tasks
from kern.service.models import Team, Ticket
from tests.service.factories import a_ticket, an_agent
from tests.service.test_mail import pop3_server, raw_mail  # noqa: F401  (fixture)

AMS = ZoneInfo("Europe/Amsterdam")
LONG_AGO = dt.datetime(2025, 11, 24, 9, 0, tzinfo=AMS)  # a Monday morning, long breached by now
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_service_desk_registers_its_periodic_tasks():
    assert PERIODIC_TASKS["service.escalate"].task is tasks.escalate_tickets
    assert PERIODIC_TASKS["service.poll_mail"].task is tasks.poll_mail
    assert PERIODIC_TASKS["service.escalate"].every == 60 == PERIODIC_TASKS["service.poll_mail"].every


@pytest.mark.django_db(transaction=True)
def test_the_worker_escalates_breached_tickets_and_polls_the_mailboxes(company, settings, pop3_server):  # noqa: F811
    settings.TASKS = DB_TASKS
    an_agent(company)
    second_line = services.create_team(company, name="Tweede lijn")
    senior = an_agent(company, team=second_line)
    services.update_sla_policy(
        selectors.policy_for(company, "standard", "normal"), escalation_team=second_line
    )
    late = a_ticket(company, now=LONG_AGO)
    pop3_server.box[:] = [raw_mail(subject="Printer stuk", message_id="<w1@x.test>").replace(b"\n", b"\r\n")]
    services.create_mailbox(
        company,
        name="Support",
        protocol="pop3",
        host="127.0.0.1",
        port=pop3_server.server_address[1],
        use_ssl=False,
        username="support",
        password="geheim",
        team=Team.objects.get(company=company, is_default=True),
    )

    call_command("worker", "--once")

    late.refresh_from_db()
    assert (late.escalation_level, late.team, late.assignee, late.priority) == (
        2,
        second_line,
        senior,
        "high",
    )
    assert Ticket.objects.filter(subject="Printer stuk", channel="email").count() == 1
    assert pop3_server.deleted == [1]
    runs = {r.task_path: (r.status, r.return_value) for r in DBTaskResult.objects.all()}
    assert runs[tasks.escalate_tickets.module_path] == ("SUCCESSFUL", {"at_risk": 0, "breached": 1})
    assert runs[tasks.poll_mail.module_path] == ("SUCCESSFUL", {"created": 1})


@pytest.mark.django_db
def test_a_periodic_task_is_enqueued_when_due_and_never_twice_while_waiting(settings):
    settings.TASKS = DB_TASKS
    last: dict[str, float] = {}
    assert enqueue_periodic(last, now=1000.0) == ["service.escalate", "service.poll_mail"]
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    # not yet due again
    assert enqueue_periodic(last, now=1030.0) == []
    # due, but the earlier runs still wait in the queue: no pile-up while the worker is busy
    assert enqueue_periodic(last, now=1061.0) == []
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert enqueue_periodic(last, now=1122.0) == ["service.escalate", "service.poll_mail"]
    assert DBTaskResult.objects.count() == 4
