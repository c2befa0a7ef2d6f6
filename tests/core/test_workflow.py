"""core.workflow.transition: the state-table guard every document goes through."""

import pytest

from kern.core.exceptions import InvalidTransition
from kern.core.models import AuditEvent, OutboxEvent
from kern.core.workflow import allowed_transitions, transition
from tests.builders import a_user
from tests.core.workflow_model import Ticket


@pytest.mark.django_db
def test_an_allowed_transition_sets_the_status_audits_and_emits():
    ticket = Ticket.objects.create(number="T-7")
    user = a_user()
    transition(ticket, to="open", by=user, event="tests.ticket_opened")
    assert Ticket.objects.get(pk=ticket.pk).status == "open"
    audit = AuditEvent.objects.filter(
        model="kern_tests.ticket", object_id=str(ticket.pk), action="transition"
    ).get()
    assert (audit.changes, audit.user_id) == ({"status": ["draft", "open"]}, user.pk)
    assert OutboxEvent.objects.filter(name="tests.ticket_opened", payload__id=ticket.pk).exists()
    assert allowed_transitions(ticket) == ["cancelled", "closed"]


@pytest.mark.django_db
def test_a_pair_outside_the_table_is_refused_and_nothing_changes():
    ticket = Ticket.objects.create(number="T-8")
    with pytest.raises(InvalidTransition) as err:
        transition(ticket, to="closed")
    assert (err.value.current, err.value.requested, err.value.status) == ("draft", "closed", 409)
    assert Ticket.objects.get(pk=ticket.pk).status == "draft"


@pytest.mark.django_db
def test_a_stale_instance_is_refused_with_the_real_status():
    ticket = Ticket.objects.create(number="T-9")
    stale = Ticket.objects.get(pk=ticket.pk)
    transition(ticket, to="open")
    transition(ticket, to="closed", fields={"closed_note": "done"})
    with pytest.raises(InvalidTransition) as err:
        transition(stale, to="cancelled")  # it still believes the ticket is a draft
    assert err.value.current == "closed"
    row = Ticket.objects.get(pk=ticket.pk)
    assert (row.status, row.closed_note) == ("closed", "done")


@pytest.mark.django_db
def test_the_update_sql_is_built_once_per_set_of_fields_and_an_expression_takes_the_orm_way():
    from django.db.models import Value
    from django.db.models.functions import Concat

    from kern.core import rows

    first, second = Ticket.objects.create(number="T-10"), Ticket.objects.create(number="T-11")
    transition(first, to="open")
    transition(second, to="open")
    transition(first, to="closed", fields={"closed_note": "paid"})
    transition(second, to="closed", fields={"closed_note": Concat(Value("by "), Value("phone"))})
    built = [key for key in rows._UPDATES if key[0] is Ticket and key[2][0] == "status"]
    assert sorted(key[2] for key in built) == [("status",), ("status", "closed_note")]
    rows = dict(Ticket.objects.filter(pk__in=[first.pk, second.pk]).values_list("number", "closed_note"))
    assert rows == {"T-10": "paid", "T-11": "by phone"}
