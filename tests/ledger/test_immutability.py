"""Posted entries and lines refuse every write path; `verify_books` sees what slips through."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from kern.core.dbguard import maintenance
from kern.core.exceptions import ImmutableRecord
from kern.ledger.models import EntryStatus, JournalEntry, JournalLine
from kern.ledger.selectors import verify_books
from kern.ledger.services import LineSpec, post_entry
from tests.builders import a_customer, an_api_client

D = Decimal


@pytest.fixture
def entry(company):
    customer = a_customer(company)
    return post_entry(
        company=company,
        journal="sale",
        on=dt.date.today(),
        lines=[
            LineSpec(role="receivable", debit=D("121.00"), party_id=customer.pk),
            LineSpec(account="8000", credit=D("100.00"), tax_code="V21"),
            LineSpec(account="1500", credit=D("21.00"), tax_code="V21"),
        ],
    )


def snapshot(entry):
    return (
        list(JournalEntry.objects.filter(pk=entry.pk).values_list("status", "memo", "date", "hash")),
        list(
            JournalLine.objects.filter(entry=entry)
            .order_by("line_no")
            .values_list("debit", "credit", "account_id")
        ),
    )


def raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: PostgreSQL aborts on error
        cursor.execute(sql, params)


def test_the_orm_refuses_to_save_or_delete_a_posted_entry_or_line(entry):
    before = snapshot(entry)
    entry.memo = "changed"
    with pytest.raises(ImmutableRecord, match="reverse it"):
        entry.save()
    with pytest.raises(ImmutableRecord):
        entry.delete()
    line = JournalLine.objects.filter(entry=entry).first()
    line.debit = D("1.00")
    with pytest.raises(ImmutableRecord):
        line.save()
    with pytest.raises(ImmutableRecord):
        line.delete()
    assert snapshot(entry) == before


def test_querysets_refuse_update_and_delete(entry):
    before = snapshot(entry)
    with pytest.raises(ImmutableRecord):
        JournalEntry.objects.filter(pk=entry.pk).update(memo="changed")
    with pytest.raises(ImmutableRecord):
        JournalEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ImmutableRecord):
        JournalLine.objects.filter(entry=entry).update(debit=D("1.00"))
    with pytest.raises(ImmutableRecord):
        JournalLine.objects.filter(entry=entry).delete()
    assert snapshot(entry) == before


def test_the_api_refuses_to_change_delete_or_repost_a_posted_entry(company, entry):
    api = an_api_client(company, "administrator")
    before = snapshot(entry)
    url = f"/api/v1/ledger/entries/{entry.pk}"
    for response in (
        api.patch_json(url, {"memo": "changed"}),
        api.patch_json(
            url, {"lines": [{"account": "4600", "debit": "1.00"}, {"account": "1100", "credit": "1.00"}]}
        ),
        api.delete(url),
        api.post(f"{url}/post"),
    ):
        assert response.status_code == 409, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert "reverse" in response.json()["detail"]
    assert snapshot(entry) == before


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_journalline SET debit = 999 WHERE entry_id = %s",
        "DELETE FROM ledger_journalline WHERE entry_id = %s",
        "UPDATE ledger_journalentry SET memo = 'changed' WHERE id = %s",
        "UPDATE ledger_journalentry SET status = 'draft' WHERE id = %s",
        "UPDATE ledger_journalentry SET status = 'reversed', memo = 'sneaky' WHERE id = %s",
        "DELETE FROM ledger_journalentry WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_sql(entry, sql):
    before = snapshot(entry)
    with pytest.raises(DatabaseError, match="reverse"):
        raw(sql, [entry.pk])
    assert snapshot(entry) == before


def test_the_database_lets_a_posted_entry_become_reversed_and_nothing_more(entry):
    raw("UPDATE ledger_journalentry SET status = 'reversed' WHERE id = %s", [entry.pk])
    assert JournalEntry.objects.get(pk=entry.pk).status == EntryStatus.REVERSED
    with pytest.raises(DatabaseError):
        raw("UPDATE ledger_journalentry SET status = 'posted' WHERE id = %s", [entry.pk])


def test_verify_names_the_entry_whose_line_was_altered_by_hand(company, entry, capsys):
    second = post_entry(
        company=company,
        journal="general",
        on=dt.date.today(),
        lines=[LineSpec(account="4600", debit=D("10.00")), LineSpec(account="1100", credit=D("10.00"))],
    )
    assert verify_books(company)[0].ok
    with maintenance(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_journalline SET debit = 11 WHERE entry_id = %s AND line_no = 1", [second.pk]
        )

    [check] = verify_books(company)
    assert not check.ok
    assert check.first_broken_entry == second.number
    assert "does not match its hash" in check.problems[0]
    with pytest.raises(SystemExit) as exit_status:
        call_command("ledger", "verify", "--company", str(company.pk))
    assert exit_status.value.code == 1
    assert second.number in capsys.readouterr().out


def test_verify_notices_removed_entries_and_stale_balances(company, entry):
    with maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_journalline WHERE entry_id = %s", [entry.pk])
        cursor.execute("DELETE FROM ledger_journalentry WHERE id = %s", [entry.pk])

    [check] = verify_books(company)
    problems = " | ".join(check.problems)
    assert "newest entries were removed" in problems
    assert "1 numbers were issued but 0 entries exist" in problems
    assert "but its lines sum to" in problems


GUARDED_TABLES = ("ledger_journalentry", "ledger_journalline", "core_auditevent")


@pytest.mark.django_db
def test_every_guard_trigger_survives_the_migrations():
    # SQLite rebuilds a table to alter one of its columns and loses its triggers on the way: a
    # migration that alters a guarded table must install the guards again.
    if connection.vendor == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    with connection.cursor() as cursor:
        cursor.execute(query)
        triggers = {name for (name,) in cursor.fetchall()}
    expected = {f"{table}_refuse_{op}" for table in GUARDED_TABLES for op in ("update", "delete")}
    assert expected <= triggers, sorted(expected - triggers)
