"""Texts written into the books are English whoever's language is active when they are written."""

from __future__ import annotations

import pytest
from django.utils import translation

from kern.inventory.models import Operation
from kern.ledger.models import JournalEntry
from kern.sales import services

pytestmark = pytest.mark.django_db


def _memo(source_type, document):
    return JournalEntry.objects.get(source_type=source_type, source_id=document.pk).memo


def test_a_dutch_user_ships_invoices_and_credits_and_the_journal_memos_are_english(world):
    with translation.override("nl"):
        order = services.create_order(
            world.company,
            customer=world.customer,
            lines=[{"product": world.chair.pk, "quantity": 2}],
            by=world.rep,
        )
        services.confirm_order(order, by=world.rep)
        services.ship_order(order, by=world.rep)
        invoice = services.invoice_order(order, post=True, by=world.accountant)
        credit = services.credit_invoice(invoice, post=True, by=world.accountant)
        assert str(Operation.objects.get(source_id=order.pk).get_kind_display()) != "Delivery"  # Dutch here
    delivery = Operation.objects.get(source_id=order.pk, kind="delivery")
    assert _memo("inventory.operation", delivery) == f"Delivery {delivery.number}"
    assert _memo("sales.invoice", invoice) == f"Invoice {invoice.number} Jansen BV"
    assert _memo("sales.invoice", credit) == f"Credit note {credit.number} Jansen BV"
