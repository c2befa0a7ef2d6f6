"""Eight clients pay the same invoice at the same moment, 500 times over: exactly one payment
books each time, the others are refused; no invoice is ever paid twice."""

import os
import threading
from decimal import Decimal

import pytest
from django.db import connection

from kern.core.exceptions import KernError
from kern.payments.models import OpenItem, Payment
from kern.payments.services import AllocationSpec, receive_payment
from tests.builders import a_company, a_customer, an_open_item
from tests.payments.helpers import D, balance, residuals

CLIENTS = 8
ROUNDS = int(os.environ.get("KERN_PAYMENT_RACE_ROUNDS", "500"))


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_eight_clients_paying_one_invoice_book_one_payment():
    company = a_company("Race BV")
    customer = a_customer(company)
    invoices = [an_open_item(company, customer, "10.00", on=D(2, 1)).pk for _ in range(ROUNDS)]
    barrier = threading.Barrier(CLIENTS)
    outcomes: list[list[str]] = [[] for _ in range(CLIENTS)]
    failures: list[BaseException] = []

    def client(n: int) -> None:
        # One connection per client for the whole race, as eight application servers would have.
        try:
            for item_id in invoices:
                item = OpenItem.objects.get(pk=item_id)  # each client read the invoice before paying
                barrier.wait(timeout=60)
                try:
                    receive_payment(
                        company,
                        party=customer,
                        amount=item.residual,
                        on=D(3, 1),
                        allocations=[AllocationSpec(item, item.residual)],
                    )
                    outcomes[n].append("paid")
                except KernError as refused:
                    outcomes[n].append(f"refused {refused.status}")
        except BaseException as exc:  # reported below, after the threads end
            failures.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not failures, failures
    flat = [o for per_client in outcomes for o in per_client]
    assert flat.count("paid") == ROUNDS
    assert flat.count("refused 409") == ROUNDS * (CLIENTS - 1)
    assert Payment.objects.filter(company=company).count() == ROUNDS  # duplicate payments: 0
    assert not OpenItem.objects.filter(pk__in=invoices).exclude(status="paid").exists()
    assert not OpenItem.objects.filter(company=company, source_type="payments.payment").exists()
    assert balance(company, "bank") == Decimal("10.00") * ROUNDS
    assert balance(company, "receivable") == Decimal("0") == residuals(company, "receivable")
