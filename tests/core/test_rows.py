"""core.rows: statements built once per process, writing what the ORM would write."""

import pytest

from kern.core.models import AuditEvent
from kern.core.rows import _UPDATES, save_new, update_columns
from tests.core.workflow_model import Ticket

pytestmark = pytest.mark.django_db


def test_a_new_row_saved_by_save_new_is_stored_and_audited_as_save_would():
    by_save = Ticket(number="T-20", closed_note="first")
    by_save.save()
    ours = save_new(Ticket(number="T-21", closed_note="first"))
    assert ours.pk and not ours._state.adding
    stored = Ticket.objects.get(pk=ours.pk)
    assert (stored.number, stored.status, stored.closed_note) == ("T-21", "draft", "first")

    def audit_of(ticket):
        row = AuditEvent.objects.get(model="kern_tests.ticket", object_id=str(ticket.pk))
        changes = dict(row.changes)
        changes.pop("number")
        return row.action, changes, row.object_repr[:2]

    assert audit_of(ours) == audit_of(by_save)
    # the saved instance keeps its audit snapshot: a later save records only what changed
    ours.closed_note = "second"
    ours.save()
    update = AuditEvent.objects.get(model="kern_tests.ticket", object_id=str(ours.pk), action="update")
    assert update.changes == {"closed_note": ["first", "second"]}


def test_update_columns_changes_the_row_builds_the_sql_once_and_honours_the_status_condition():
    ticket = Ticket.objects.create(number="T-22")
    assert update_columns(Ticket, ticket.pk, {"closed_note": "a"}) == 1
    assert update_columns(Ticket, ticket.pk, {"closed_note": "b"}) == 1
    assert update_columns(Ticket, ticket.pk, {"closed_note": "c"}, status="open") == 0  # it is a draft
    assert Ticket.objects.get(pk=ticket.pk).closed_note == "b"
    shapes = [key for key in _UPDATES if key[0] is Ticket and key[2] == ("closed_note",)]
    assert sorted(key[3] for key in shapes) == [False, True]
