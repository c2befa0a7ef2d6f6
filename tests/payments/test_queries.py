"""The statements the O2C cycle spends in payments are pinned: registering an open item is one
INSERT; receiving one payment for one invoice is a number, the payment, the open item's
conditional UPDATE, the allocation and one ledger posting (five statements on SQLite, two round
trips on PostgreSQL)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.core.db import atomic
from kern.payments.services import AllocationSpec, receive_payment, register_open_item
from tests.builders import a_customer, an_open_item
from tests.payments.helpers import D

pytestmark = pytest.mark.django_db

BOOKKEEPING = ("core_auditchain", "core_auditevent", "core_outboxevent", "SAVEPOINT")


def work(ctx) -> list[str]:
    """The statements of the service itself: without the unit of work's audit/outbox flush and
    the test transaction's savepoints (both fixed costs per transaction, not per service)."""
    return [q["sql"] for q in ctx.captured_queries if not any(word in q["sql"] for word in BOOKKEEPING)]


def test_registering_an_open_item_is_one_insert(company):
    customer = a_customer(company)
    with CaptureQueriesContext(connection) as ctx, atomic():
        register_open_item(
            company,
            kind="receivable",
            party=customer,
            source_type="sales.invoice",
            source_id=1,
            number="INV-1",
            document_date=D(2, 1),
            amount=Decimal("121.00"),
            amount_company=Decimal("121.00"),
        )
    statements = work(ctx)
    assert len(statements) == 1 and statements[0].startswith('INSERT INTO "payments_openitem"')


def test_one_payment_of_one_invoice_costs_a_fixed_number_of_statements(company):
    customer = a_customer(company)
    invoice = an_open_item(company, customer, "121.00", on=D(2, 1))
    receive_payment(company, party=customer, amount=Decimal("1.00"), on=D(2, 2))  # warm the caches
    invoice.refresh_from_db()

    with CaptureQueriesContext(connection) as ctx, atomic():
        receive_payment(
            company,
            party=customer,
            amount=Decimal("120.00"),
            on=D(2, 3),
            allocations=[AllocationSpec(invoice, Decimal("120.00"))],
        )

    statements = work(ctx)
    # On SQLite: open item, number, payment, allocation, and the ledger posting's books, number,
    # entry, lines, balances. On PostgreSQL: open item, the payment with its number and its
    # allocation, and the posting's one statement (books, number, entry, lines, balances).
    pg = connection.vendor == "postgresql"
    assert len(statements) == (3 if pg else 9), "\n".join(s[:120] for s in statements)
    assert statements[0].startswith("UPDATE payments_openitem")
    assert sum("ledger_" in s for s in statements) == (1 if pg else 4)


def test_a_stale_open_item_is_read_again_under_lock_and_still_paid(company):
    customer = a_customer(company)
    invoice = an_open_item(company, customer, "121.00", on=D(2, 1))
    receive_payment(company, party=customer, amount=Decimal("1.00"), on=D(2, 2))  # invoice is now stale

    receive_payment(
        company,
        party=customer,
        amount=Decimal("120.00"),
        on=D(2, 3),
        allocations=[AllocationSpec(invoice, Decimal("120.00"))],
    )

    invoice.refresh_from_db()
    assert (invoice.residual, invoice.status) == (Decimal("0"), "paid")
