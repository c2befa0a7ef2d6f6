"""Query-count baselines of every payments page beyond the lists (tests/payments/test_querycounts.py
has those): detail pages with their first tab, the working screens, forms and downloads. Each is
measured on a small company, then again after more rows were added (the count must not grow),
and against its committed baseline in query_counts.json."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kern.parties import services as party_services
from kern.payments.models import (
    BankJournal,
    BankStatement,
    DunningLetter,
    DunningLevel,
    OpenItem,
    Payment,
    PaymentRun,
    PaymentRunLine,
    StatementLine,
)
from kern.payments.services import (
    AllocationSpec,
    create_bank_journal,
    export_payment_run,
    propose_payment_run,
    receive_payment,
    reconcile_line,
    send_dunning_letters,
)
from tests.builders import a_customer, a_user, a_vendor, a_web_client, an_open_item
from tests.payments.helpers import D
from tests.payments.test_querycounts import IBAN, _rows
from tests.querycounts import query_baseline

pytestmark = pytest.mark.django_db


def _latest(model, company, **where):
    return model.objects.filter(company=company, **where).order_by("-pk").first()


def _credit_customer(company, n: int):
    """A customer with n open invoices, n credit notes and money kept as credit."""
    customer = a_customer(company, f"Tegoed {n}")
    for k in range(n):
        an_open_item(company, customer, "-10.00", on=D(2, 1), number=f"CN-QC-{n}-{k}")
    receive_payment(company, party=customer, amount=Decimal("25.00"), on=D(2, 2))  # all credit: nothing open
    for k in range(n):
        an_open_item(company, customer, "40.00", on=D(2, 3), due_days=5, number=f"INV-QC-{n}-{k}")
    return customer


def _pages(company) -> list[tuple[str, str]]:
    """(baseline name, URL) of each page, on the newest rows (the ones with the most lines)."""
    run = _latest(PaymentRun, company, status="exported")
    draft = _latest(PaymentRun, company, status="draft")
    credit_customer = _latest(OpenItem, company, number__startswith="CN-QC").party
    letter = _latest(DunningLetter, company, party=credit_customer)
    statement = _latest(BankStatement, company)
    line = _latest(StatementLine, company, status="unmatched")
    dunned = letter.party
    in_parts = _latest(OpenItem, company, number__startswith="INV-PARTS")
    run_line = PaymentRunLine.objects.filter(run=draft).order_by("pk").first()
    on = f"?on={D(6, 20).isoformat()}"
    credit = _latest(OpenItem, company, party=credit_customer, residual__lt=0)
    debit = _latest(OpenItem, company, party=credit_customer, residual__gt=0)

    def detail(name, obj):
        return reverse(f"payments:{name}_detail", kwargs={"pk": obj.pk})

    return [
        ("page.payments.openitem_detail", detail("openitem", in_parts)),
        (
            "page.payments.payment_detail",
            detail("payment", _latest(Payment, company, party__name__startswith="Betaler", amount__gt=30)),
        ),
        ("page.payments.bankjournal_detail", detail("bankjournal", _latest(BankJournal, company))),
        ("page.payments.bankjournal_create", reverse("payments:bankjournal_create")),
        ("page.payments.bankstatement_detail", detail("bankstatement", statement)),
        ("page.payments.statementline_detail", detail("statementline", line)),
        ("page.payments.paymentrun_detail", detail("paymentrun", run)),
        ("page.payments.paymentrun_detail_draft", detail("paymentrun", draft)),
        ("page.payments.dunningletter_detail", detail("dunningletter", letter)),
        ("page.payments.dunning_levels", reverse("payments:dunninglevel_list")),
        ("page.payments.dunninglevel_detail", detail("dunninglevel", _latest(DunningLevel, company))),
        ("page.payments.dunninglevel_create", reverse("payments:dunninglevel_create")),
        (
            "page.payments.dunninglevel_edit",
            reverse("payments:dunninglevel_edit", kwargs={"pk": _latest(DunningLevel, company).pk}),
        ),
        ("page.payments.statement_import", reverse("payments:statement_import")),
        (
            "page.payments.register_payment",
            f"{reverse('payments:register_payment')}?party={credit_customer.pk}",
        ),
        ("page.payments.reconcile_line", reverse("payments:reconcile_line", kwargs={"pk": line.pk})),
        (
            "page.payments.propose_run",
            f"{reverse('payments:propose_run')}?execution_date={D(6, 30).isoformat()}",
        ),
        (
            "page.payments.party_statement",
            reverse("payments:party_statement", kwargs={"pk": credit_customer.pk}),
        ),
        ("page.payments.dunning", reverse("payments:dunning") + on),
        (
            "page.payments.dunning_customer",
            reverse("payments:dunning_customer", kwargs={"pk": dunned.pk}) + on,
        ),
        ("page.payments.dunning_letter", reverse("payments:dunning_letter", kwargs={"pk": letter.pk})),
        ("page.payments.credits", reverse("payments:credits")),
        ("page.payments.party_credit", reverse("payments:party_credit", kwargs={"pk": credit_customer.pk})),
        (
            "page.payments.party_credit_preview",
            reverse("payments:party_credit", kwargs={"pk": credit_customer.pk})
            + f"?credit={credit.pk}&debit={debit.pk}",
        ),
        (
            "page.payments.run_line_remove",
            reverse("payments:run_line_remove", kwargs={"pk": draft.pk, "line": run_line.pk}),
        ),
        ("page.payments.run_pain001", reverse("payments:run_pain001", kwargs={"pk": run.pk})),
    ]


def _world(company, n: int, controller) -> None:
    """n of everything (see _rows) with that run exported; a customer with n credits and a
    reminder listing its n invoices; a payment settling n invoices; an invoice paid in n parts;
    the newest statement's lines reconciled but one; a proposed run of n more vendors."""
    _rows(company, n, controller)
    export_payment_run(_latest(PaymentRun, company, status="approved"), by=controller)
    customer = _credit_customer(company, n)
    send_dunning_letters(company, on=D(5, 1), parties=[customer])
    payer = a_customer(company, f"Betaler {n}")
    for _k in range(n):
        an_open_item(company, payer, "40.00", on=D(2, 3))
    receive_payment(company, party=payer, amount=Decimal(40 * n), on=D(2, 4))
    in_parts = an_open_item(company, payer, "100.00", on=D(2, 5), number=f"INV-PARTS-{n}")
    for _k in range(n):
        receive_payment(
            company, party=payer, amount="1.00", on=D(2, 6), allocations=[AllocationSpec(in_parts, 1)]
        )
    statement = _latest(BankStatement, company)
    for line in StatementLine.objects.filter(statement=statement).order_by("pk")[: n - 1]:
        reconcile_line(line, party=payer, by=controller)
    for _k in range(n):
        vendor = a_vendor(company)
        party_services.add_bank_account(vendor, iban="NL20INGB0001234567")
        an_open_item(company, vendor, "15.00", kind="payable", on=D(6, 1), due_days=0)
    propose_payment_run(company, execution_date=D(6, 30))


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def test_every_payments_page_has_a_baseline_and_does_not_grow_with_its_rows(company):
    create_bank_journal(company, name="Bank", iban=IBAN)
    controller = a_user(company, "controller")
    web = a_web_client(a_user(company, "accountant"))
    _world(company, 2, controller)
    web.get(reverse("payments:dunning"))  # the session is saved once, on the first page
    few = {name: _count(web, url) for name, url in _pages(company)}

    _world(company, 6, controller)
    pages = _pages(company)
    assert len(pages) == len(few)
    for name, url in pages:
        with query_baseline(__file__, name):
            response = web.get(url)
        assert response.status_code == 200, name
        assert _count(web, url) <= few[name], f"{name} grows with its rows"
