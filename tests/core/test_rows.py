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


def test_values_passed_to_the_driver_as_they_are_are_those_the_field_would_not_change():
    """The shortcut in insert_rows / update_columns skips `get_db_prep_save` only where, for every
    model of the project on this database, the field returns such a value unchanged."""
    from decimal import Decimal

    from django.apps import apps
    from django.db import connection

    from kern.core.rows import _passed_as_is

    samples = {str: ["", "Å 1"], int: [0, 7, 2**40], bool: [True, False], Decimal: [Decimal("-1.50")]}
    checked = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            for kind in _passed_as_is(field, connection):
                for value in samples.get(kind, [None]):
                    prepared = field.get_db_prep_save(value, connection)
                    assert type(prepared) is type(value) and prepared == value, (field, value)
                    checked += 1
    assert checked > 1000  # the project's text, number, flag, amount and key columns


def test_a_field_with_its_own_conversion_is_always_asked():
    from django.db import connection, models

    from kern.core.rows import _passed_as_is

    class Upper(models.CharField):
        def get_prep_value(self, value):
            return super().get_prep_value(value).upper()

    assert _passed_as_is(models.CharField(max_length=3), connection) == (str, type(None))
    assert _passed_as_is(Upper(max_length=3), connection) == ()
    assert _passed_as_is(models.DateField(), connection) == ()
    assert _passed_as_is(models.JSONField(), connection) == ()


def test_an_amount_that_is_not_finite_is_refused_as_the_orm_refuses_it():
    from decimal import Decimal

    from django.core.exceptions import ValidationError
    from django.db import connection, models

    from kern.core.rows import _passed_as_is, _prepared

    amount = models.DecimalField(max_digits=12, decimal_places=2)
    as_is = _passed_as_is(amount, connection)
    assert _prepared(amount, Decimal("1.25"), as_is, connection) == Decimal("1.25")
    for wrong in (Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValidationError):
            _prepared(amount, wrong, as_is, connection)
