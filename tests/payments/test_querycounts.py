"""Query-count baselines of the payments lists (API and pages): the count does not grow with the
rows listed (measured with a few rows, then with more) and stays at its committed baseline."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.parties import services as party_services
from kern.payments.services import (
    approve_payment_run,
    create_bank_journal,
    import_bank_statement,
    propose_payment_run,
    receive_payment,
    send_dunning_letters,
)
from tests.builders import a_customer, a_user, a_vendor, a_web_client, an_api_client, an_open_item
from tests.payments.camt import a_camt053, a_line
from tests.payments.helpers import D
from tests.querycounts import query_baseline

pytestmark = pytest.mark.django_db

IBAN = "NL91ABNA0417164300"

API = [
    ("api.payments.open_items.list", "/api/v1/open-items?page_size=100"),
    ("api.payments.payments.list", "/api/v1/payments?page_size=100"),
    ("api.payments.bank_journals.list", "/api/v1/bank-journals?page_size=100"),
    ("api.payments.statements.list", "/api/v1/statements?page_size=100"),
    ("api.payments.statement_lines.list", "/api/v1/statement-lines?page_size=100"),
    ("api.payments.runs.list", "/api/v1/runs?page_size=100"),
    ("api.payments.dunning_letters.list", "/api/v1/dunning-letters?page_size=100"),
]
PAGES = [
    ("page.payments.open_items", "/payments/open-items/"),
    ("page.payments.payments", "/payments/payments/"),
    ("page.payments.bank_journals", "/payments/bank-journals/"),
    ("page.payments.statements", "/payments/statements/"),
    ("page.payments.reconcile", "/payments/reconcile/"),
    ("page.payments.runs", "/payments/runs/"),
    ("page.payments.dunning_letters", "/payments/dunning-letters/"),
    ("page.payments.aged_receivables", "/payments/receivables/"),
    ("page.payments.aged_payables", "/payments/payables/"),
]


def _rows(company, n: int, controller) -> None:
    """n customers with an overdue invoice, a payment, a dunning letter and a statement line each;
    n vendors with a bill in a payment run."""
    month = 1 + n % 5
    lines = []
    for k in range(n):
        customer = a_customer(company)
        an_open_item(company, customer, "100.00", on=D(1, 2), due_days=5)
        receive_payment(company, party=customer, amount="10.00", on=D(month, 3))
        lines.append(a_line(f"{k + 1}.13", D(month, 3), remittance=f"unknown {n} {k}"))
        vendor = a_vendor(company)
        party_services.add_bank_account(vendor, iban="NL20INGB0001234567")
        an_open_item(company, vendor, "50.00", kind="payable", on=D(1, 2), due_days=0)
    import_bank_statement(company, a_camt053(IBAN, D(month, 4), *lines, reference=f"QC-{n}"))
    run = propose_payment_run(company, execution_date=D(month, 5))
    approve_payment_run(run, by=controller)
    send_dunning_letters(company, on=D(month, 20))


def _count(get, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_payments_lists_do_not_grow_with_their_rows(company):
    create_bank_journal(company, name="Bank", iban=IBAN)
    controller = a_user(company, "controller")
    api = an_api_client(company, "administrator")
    web = a_web_client(a_user(company, "accountant"))
    _rows(company, 2, controller)
    few = {name: _count(api.get, url) for name, url in API}
    few.update({name: _count(web.get, url) for name, url in PAGES})
    _rows(company, 6, controller)
    for name, url in API:
        with query_baseline(__file__, name):
            response = api.get(url)
        body = response.json()
        assert response.status_code == 200 and (body["results"] if isinstance(body, dict) else body), name
        assert _count(api.get, url) <= few[name], f"{name} grows with its rows"
    for name, url in PAGES:
        with query_baseline(__file__, name):
            assert web.get(url).status_code == 200, name
        assert _count(web.get, url) <= few[name], f"{name} grows with its rows"
