"""Reminders go out once, after commit; the lead import maps columns and reports bad rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kern.core.imports import get_importer, run_import
from kern.crm import services
from kern.crm.models import Activity, Lead
from tests.builders import a_customer, a_user

pytestmark = pytest.mark.django_db


def test_a_due_reminder_is_mailed_once_after_commit(company, django_capture_on_commit_callbacks):
    rep = a_user(company, "sales_rep")
    party = a_customer(company, name="Bakkerij Bos")
    now = timezone.now()
    activity = services.schedule_activity(
        company,
        by=rep,
        kind="call",
        subject="Offerte nabellen",
        party=party,
        due_at=now + dt.timedelta(hours=1),
        reminder_at=now + dt.timedelta(minutes=30),
    )
    assert services.send_due_reminders(now=now) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now=now + dt.timedelta(minutes=31)) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rep.email]
    assert mail.outbox[0].subject == "Reminder: Offerte nabellen"
    assert "Bakkerij Bos" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now=now + dt.timedelta(minutes=40)) == 0
    assert len(mail.outbox) == 1
    assert Activity.objects.get(pk=activity.pk).reminder_sent_at is not None


def test_a_done_activity_is_not_reminded(company):
    rep = a_user(company, "sales_rep")
    now = timezone.now()
    activity = services.schedule_activity(
        company,
        by=rep,
        subject="Mail sturen",
        party=a_customer(company),
        reminder_at=now - dt.timedelta(minutes=1),
    )
    services.complete_activity(activity, by=rep)
    assert services.send_due_reminders(now=now) == 0


CSV = (
    b"Bedrijf;Voornaam;Achternaam;E-mail;Land;Branche;Medewerkers;Verwachte omzet\n"
    b"Fietsen Dekker;Jan;Dekker;jan@dekker.example;NL;retail;12;1.500,00\n"
    b";;;;NL;retail;;\n"
    b"Data BV;Eva;Kok;eva@data.example;NL;alchemy;x;0\n"
)


def test_the_lead_import_dry_run_reports_bad_rows_and_commits_nothing(company, admin):
    report = run_import(get_importer("leads"), company, CSV, filename="leads.csv", dry_run=True, by=admin)
    assert (report.total_rows, report.valid_rows) == (3, 1)
    assert sorted((e.row, e.column) for e in report.errors) == [(3, "organisation"), (4, "employees")]
    assert Lead.objects.count() == 0
    good = CSV.decode().splitlines()
    clean = "\n".join([good[0], good[1]]).encode()
    done = run_import(get_importer("leads"), company, clean, filename="leads.csv", dry_run=False, by=admin)
    assert done.committed and done.created == 1
    lead = Lead.objects.get()
    assert (lead.organisation, lead.source, lead.employees, str(lead.expected_revenue)) == (
        "Fietsen Dekker",
        "import",
        12,
        "1500.00",
    )
