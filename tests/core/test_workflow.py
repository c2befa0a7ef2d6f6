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
