"""core.rows: statements built once per process, writing what the ORM would write."""

import pytest
from django.db import connection

from kern.core.models import AuditEvent
from kern.core.rows import _UPDATES, insert_rows, save_new, update_columns
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


def test_inserted_rows_get_the_ids_the_database_gave_them_even_after_the_newest_rows_were_deleted():
    first = insert_rows(Ticket, [Ticket(number=f"A-{n}") for n in range(3)])
    Ticket.objects.filter(pk__in=[t.pk for t in first[1:]]).delete()
    # AUTOINCREMENT: the deleted ids are not given again, the new rows follow the largest ever
    later = insert_rows(Ticket, [Ticket(number=f"B-{n}") for n in range(4)])
    assert [t.pk for t in later] == list(range(first[-1].pk + 1, first[-1].pk + 5))
    stored = dict(Ticket.objects.filter(pk__in=[t.pk for t in later]).values_list("pk", "number"))
    assert stored == {t.pk: t.number for t in later}
    assert all(not t._state.adding for t in later)


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


def _two_counters(company):
    from kern.core.models import Sequence

    return [
        Sequence.objects.create(company=company, kind=f"test.rider{n}", pattern="R{seq}", last_value=n)
        for n in (1, 2)
    ]


def test_an_update_riding_with_a_transition_is_written_in_the_same_round_trip_on_postgresql(company):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kern.core.models import Sequence
    from kern.core.rows import rows_update
    from kern.core.workflow import transition

    first, second = _two_counters(company)
    ticket = Ticket.objects.create(number="T-30")
    counters = rows_update(
        "core_sequence",
        {"last_value": "BIGINT"},
        [(second.pk, 20), (first.pk, 10)],
        sets="last_value = core_sequence.last_value + {v}.last_value",
    )
    with CaptureQueriesContext(connection) as ctx:
        transition(ticket, to="open", riding=[counters, None])
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if "UPDATE" in q["sql"] and ("core_sequence" in q["sql"] or "kern_tests_ticket" in q["sql"])
    ]
    assert Ticket.objects.get(pk=ticket.pk).status == "open"
    assert sorted(
        Sequence.objects.filter(kind__startswith="test.rider").values_list("last_value", flat=True)
    ) == [
        11,
        22,
    ]
    if connection.vendor == "postgresql":
        assert len(writes) == 1 and "core_sequence" in writes[0] and "kern_tests_ticket" in writes[0]
    else:  # SQLite has no UPDATE inside WITH: the rider goes first, on its own
        assert len(writes) == 2 and "core_sequence" in writes[0] and "kern_tests_ticket" in writes[1]


def test_a_rider_is_written_even_when_nothing_else_is_and_a_stale_transition_is_still_refused(company):
    from kern.core.exceptions import InvalidTransition
    from kern.core.models import Sequence
    from kern.core.rows import execute_riding, rows_update
    from kern.core.workflow import transition

    first, _second = _two_counters(company)
    assert rows_update("core_sequence", {"last_value": "BIGINT"}, []) is None
    plain = rows_update("core_sequence", {"last_value": "BIGINT"}, [(first.pk, 7)])
    assert (
        execute_riding("UPDATE kern_tests_ticket SET closed_note = %s WHERE id = %s", ["x", -1], [plain]) == 0
    )
    assert Sequence.objects.get(pk=first.pk).last_value == 7  # the rider's row count is not returned
    ticket = Ticket.objects.create(number="T-31")
    stale = Ticket.objects.get(pk=ticket.pk)
    transition(ticket, to="cancelled")
    later = rows_update("core_sequence", {"last_value": "BIGINT"}, [(first.pk, 8)])
    with pytest.raises(InvalidTransition):
        transition(stale, to="open", riding=[later])  # another user cancelled it first
    assert Ticket.objects.get(pk=ticket.pk).status == "cancelled"


def test_an_update_may_not_ride_with_a_statement_on_its_own_table(company):
    from django.db import connection

    from kern.core.rows import execute_riding, rows_update

    first, _second = _two_counters(company)
    same = rows_update("core_sequence", {"last_value": "BIGINT"}, [(first.pk, 9)])
    if connection.vendor != "postgresql":
        pytest.skip("SQLite sends a rider as a statement of its own: no shared snapshot")
    with pytest.raises(ValueError, match="one snapshot"):
        execute_riding("UPDATE core_sequence SET last_value = 1 WHERE id = %s", [first.pk], [same])


def test_a_row_pointing_at_an_unsaved_object_is_refused_and_one_saved_since_takes_its_id(company):
    from kern.core.rows import _columns
    from kern.parties.models import Party, PaymentTerm

    assert not _columns(Party, connection).always_check  # the check of core.rows, not Django's
    term = PaymentTerm(company=company, name="14 days net", net_days=14)
    party = Party(company=company, name="Late Term BV", payment_term=term)
    with pytest.raises(ValueError, match="unsaved related object 'payment_term'"):
        insert_rows(Party, [party])
    assert not Party.objects.filter(name="Late Term BV").exists()
    term.save()
    insert_rows(Party, [party])
    assert Party.objects.get(pk=party.pk).payment_term_id == term.pk
