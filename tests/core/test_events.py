"""Domain events: stored with the transaction, in-transaction handlers at once, the rest after commit."""

import pytest
from django.test import TestCase

from kern.core import events
from kern.core.db import atomic
from kern.core.models import OutboxEvent

seen: list[tuple[str, dict]] = []


def _in_transaction(event):
    seen.append(("in", event.payload))


def _after_commit(event):
    seen.append(("after", event.payload))


def _failing(event):
    raise RuntimeError("smtp down")


events.subscribe("tests.something_happened", _in_transaction)
events.subscribe("tests.something_happened", _after_commit, after_commit=True)
events.subscribe("tests.mail_requested", _failing, after_commit=True)


class EventsTest(TestCase):
    def setUp(self):
        seen.clear()

    def test_handlers_run_in_the_transaction_and_after_commit(self):
        with self.captureOnCommitCallbacks(execute=True):
            with atomic():
                events.emit("tests.something_happened", {"id": 7}, company=None)
                assert seen == [("in", {"id": 7})]
                assert not OutboxEvent.objects.filter(name="tests.something_happened").exists()
            assert OutboxEvent.objects.filter(name="tests.something_happened").count() == 1
        assert seen == [("in", {"id": 7}), ("after", {"id": 7})]
        assert OutboxEvent.objects.get(name="tests.something_happened").processed_at is not None

    def test_a_rolled_back_transaction_leaves_no_event_and_runs_no_after_commit_handler(self):
        with self.captureOnCommitCallbacks(execute=True), pytest.raises(RuntimeError), atomic():
            events.emit("tests.something_happened", {"id": 8})
            raise RuntimeError
        assert not OutboxEvent.objects.filter(name="tests.something_happened").exists()
        assert ("after", {"id": 8}) not in seen

    def test_a_failing_after_commit_handler_keeps_the_event_for_a_retry(self):
        with self.captureOnCommitCallbacks(execute=True):
            events.emit("tests.mail_requested", {"to": "a@b.nl"})
        row = OutboxEvent.objects.get(name="tests.mail_requested")
        assert (row.processed_at, row.attempts) == (None, 1)
        assert "smtp down" in row.last_error
        assert events.dispatch_pending() == 0
        assert OutboxEvent.objects.get(pk=row.pk).attempts == 2

    def test_events_nobody_handles_after_commit_are_stored_processed(self):
        events.emit("tests.nobody_listens", {"x": 1})
        assert OutboxEvent.objects.get(name="tests.nobody_listens").processed_at is not None


class NestedBlocksTest(TestCase):
    """A nested atomic() joins the unit of work without a savepoint, as Django's would."""

    def test_an_error_leaving_a_nested_block_marks_the_whole_transaction_for_rollback(self):
        from django.db import connection, transaction

        with pytest.raises(RuntimeError), atomic() as outer:
            try:
                with atomic() as inner:
                    assert inner is outer
                    raise ValueError("refused")
            except ValueError:
                pass
            assert connection.needs_rollback  # the caller may not commit half the work
            assert transaction.get_rollback()
            raise RuntimeError
        assert not connection.needs_rollback

    def test_work_done_after_commit_gets_a_unit_of_its_own_and_is_written(self):
        def after_commit():
            with atomic():
                events.emit("tests.follow_up", {"id": 9})

        with self.captureOnCommitCallbacks(execute=True), atomic():
            events.emit("tests.something_happened", {"id": 10})
            from django.db import transaction

            transaction.on_commit(after_commit)
        assert OutboxEvent.objects.filter(name="tests.follow_up").count() == 1


def test_a_dataclass_payload_is_stored_as_asdict_would_give_it_in_json_values():
    import dataclasses
    import datetime as dt
    from decimal import Decimal

    from kern.core.audit import _jsonable

    @dataclasses.dataclass
    class Line:
        product_id: int
        quantity: Decimal
        done_on: dt.date | None

    @dataclasses.dataclass
    class Shipped:
        operation_id: int
        lines: list[Line]
        totals: dict[str, Decimal]
        tags: tuple[str, ...]

    payload = Shipped(
        7,
        [Line(1, Decimal("2.50"), dt.date(2026, 11, 27)), Line(2, Decimal("1"), None)],
        {"value": Decimal("12.345")},
        ("a", "b"),
    )
    assert events._payload_json(payload) == _jsonable(dataclasses.asdict(payload))
    assert events._payload_json(payload)["lines"][0] == {
        "product_id": 1,
        "quantity": "2.50",
        "done_on": "2026-11-27",
    }
