"""Demo data of payments (order 70): a bank account, payments received in full, in part and
too much, a bank statement with matched and unmatched lines, a payment run, reminders.

Sales and purchasing put their own invoices and bills in the subledger when their demo steps
run; where the demo company has no open items yet, a few opening balances per customer and
vendor are booked so payments have something to settle. Loaded once: a second run changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

from kern.core.demo import demo_company
from kern.core.exceptions import KernError
from kern.ledger.selectors import account_for
from kern.ledger.services import LineSpec, SourceRef, post_entry
from kern.parties import services as party_services
from kern.parties.models import BankAccount, Party
from kern.payments import services
from kern.payments.formats.camt053 import ParsedLine, ParsedStatement, render_camt053
from kern.payments.models import BankStatement, OpenItem, StatementLine

DEMO_IBAN = "NL91ABNA0417164300"
CUSTOMER_IBANS = ["NL20INGB0001234567", "NL44RABO0123456789", "NL39RABO0300065264"]


def _day(days_ago: int) -> dt.date:
    on = dt.date.today() - dt.timedelta(days=days_ago)
    return max(on, dt.date(dt.date.today().year, 1, 1))


def _opening_item(company: Any, party: Party, kind: str, amount: Decimal, days_ago: int, n: int) -> OpenItem:
    on = _day(days_ago)
    sign = 1 if kind == "receivable" else -1
    entry = post_entry(
        company=company,
        journal="general",
        on=on,
        lines=[
            LineSpec(
                role=kind,
                party_id=party.pk,
                debit=amount if sign > 0 else Decimal("0"),
                credit=amount if sign < 0 else Decimal("0"),
            ),
            LineSpec(
                role="opening_balance",
                debit=amount if sign < 0 else Decimal("0"),
                credit=amount if sign > 0 else Decimal("0"),
            ),
        ],
        source=SourceRef("payments.opening", n, f"OB-{party.number}-{n}"),
        memo=f"opening item {party.name}",
    )
    return services.register_open_item(
        company,
        kind=kind,
        party=party,
        source_type="payments.opening",
        source_id=n,
        number=f"OB-{party.number}-{n}",
        reference=f"OB-{party.number}-{n}",
        document_date=on,
        due_date=on + dt.timedelta(days=14),
        amount=amount,
        amount_company=amount,
        entry=entry,
    )


def load_payments(ctx: dict[str, Any], progress: Any = None) -> None:
    company = demo_company()
    if (
        company is None
        or BankStatement.objects.filter(company=company, reference__startswith="DEMO-").exists()
    ):
        return
    bank = (
        services.default_bank_journal(company)
        if company.iban
        else services.create_bank_journal(
            company, name="ABN AMRO", iban=DEMO_IBAN, bic="ABNANL2A", is_default=True
        )
    )
    customers = list(
        Party.objects.filter(company=company, is_customer=True, is_active=True).order_by("number")[:8]
    )
    vendors = list(
        Party.objects.filter(company=company, is_vendor=True, is_active=True).order_by("number")[:4]
    )
    if len(customers) < 6 or len(vendors) < 3:
        return
    receivables = list(
        OpenItem.objects.filter(
            company=company, kind="receivable", residual__gt=0, currency_id="EUR"
        ).order_by("pk")[:6]
    )
    if len(receivables) < 6:
        amounts = ["1210.00", "847.00", "302.50", "1996.50", "605.00", "423.50"]
        days = [75, 50, 40, 20, 12, 95]
        receivables = [
            _opening_item(company, customers[i], "receivable", Decimal(amounts[i]), days[i], 1000 + i)
            for i in range(6)
        ]
    payables = list(
        OpenItem.objects.filter(
            company=company, kind="payable", residual__gt=0, currency_id="EUR", payment_blocked=False
        ).order_by("pk")[:3]
    )
    if len(payables) < 3:
        payables = [
            _opening_item(company, vendors[i], "payable", Decimal(a), d, 2000 + i)
            for i, (a, d) in enumerate([("2420.00", 25), ("786.50", 20), ("155.00", 18)])
        ]
    for party, iban in zip(
        [receivables[4].party, *[p.party for p in payables]],
        [*CUSTOMER_IBANS, "NL30TRIO0197694519"],
        strict=False,
    ):
        if not BankAccount.objects.filter(party=party).exists():
            party_services.add_bank_account(party, iban=iban)
    today = dt.date.today()
    first, second, third = receivables[:3]
    services.receive_payment(
        company,
        party=first.party,
        amount=first.residual,
        on=_day(30),
        reference=first.number,
        allocations=[services.AllocationSpec(first, first.residual)],
    )
    services.receive_payment(
        company,
        party=second.party,
        amount=(second.residual / 2).quantize(Decimal("0.01")),
        on=_day(25),
        allocations=[services.AllocationSpec(second, (second.residual / 2).quantize(Decimal("0.01")))],
    )
    services.receive_payment(
        company, party=third.party, amount=third.residual + Decimal("50.00"), on=_day(20)
    )
    by_reference, by_iban = receivables[3], receivables[4]
    iban_of = BankAccount.objects.filter(party=by_iban.party).values_list("iban", flat=True).first()
    statement = ParsedStatement(
        reference=f"DEMO-{today.isoformat()}",
        iban=bank.iban,
        currency="EUR",
        date=_day(1),
        period_start=_day(7),
        period_end=_day(1),
        opening_balance=Decimal("25000.00"),
        lines=[
            ParsedLine(
                booking_date=_day(5),
                amount=by_reference.residual,
                currency="EUR",
                counterparty_name=by_reference.party.name,
                remittance=f"Factuur {by_reference.number}",
                bank_reference="DEMO-1",
            ),
            ParsedLine(
                booking_date=_day(4),
                amount=by_iban.residual,
                currency="EUR",
                counterparty_name=by_iban.party.name,
                counterparty_iban=iban_of or "",
                remittance="betaling",
                bank_reference="DEMO-2",
            ),
            ParsedLine(
                booking_date=_day(3),
                amount=Decimal("250.00"),
                currency="EUR",
                counterparty_name="Onbekende betaler",
                counterparty_iban="NL69INGB0123456789",
                remittance="aanbetaling",
                bank_reference="DEMO-3",
            ),
            ParsedLine(
                booking_date=_day(1),
                amount=Decimal("-18.45"),
                currency="EUR",
                remittance="Kosten zakelijk betalingsverkeer",
                bank_reference="DEMO-4",
            ),
        ],
    )
    statement.lines.append(
        ParsedLine(
            booking_date=_day(1),
            amount=Decimal("-500.00"),
            currency="EUR",
            counterparty_name=company.name,
            remittance="Overboeking spaarrekening",
            bank_reference="DEMO-5",
        )
    )
    imported = services.import_bank_statement(company, render_camt053(statement), filename="demo-camt053.xml")
    lines = {
        ln.bank_reference: ln
        for ln in StatementLine.objects.filter(statement__in=imported.statements, status="unmatched")
    }
    with contextlib.suppress(KernError):  # every line state: reconciled, to reconcile, booked, ignored
        if "DEMO-4" in lines:
            services.book_line_to_account(
                lines["DEMO-4"], account=account_for(company, "bank_charges").code, description="Bankkosten"
            )
        if "DEMO-5" in lines:
            services.ignore_line(lines["DEMO-5"])
    with contextlib.suppress(KernError):  # a payment booked twice by mistake, reversed
        mistake = services.receive_payment(
            company, party=customers[5], amount=Decimal("100.00"), on=_day(10), allocations=[]
        )
        services.reverse_payment(mistake)
    with contextlib.suppress(KernError):  # a run proposed and cancelled
        services.cancel_payment_run(services.propose_payment_run(company, execution_date=today))
    try:
        run = services.propose_payment_run(
            company, execution_date=today, due_until=today + dt.timedelta(days=7)
        )
        from django.contrib.auth import get_user_model

        approver = get_user_model().objects.filter(username="controller").first()
        if approver is not None:
            services.approve_payment_run(run, by=approver)
            services.export_payment_run(run, by=approver)
    except KernError:
        pass  # nothing due, or the demo's controller entered the bills: the run stays a draft
    # Nobody may be overdue enough for a reminder today: then there is no letter.
    with contextlib.suppress(KernError):
        services.send_dunning_letters(company, on=today)
