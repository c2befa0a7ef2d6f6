"""Payment runs: propose the vendor bills to pay, approve, export a SEPA pain.001 file.

A run selects payable open items that are due by a date — or whose early-payment discount is
still open on the execution date, taking it — nets each vendor's credit notes, and lists every
vendor Kern cannot pay (no IBAN, credits above the bills) as an error line while the rest of the
run stays intact. Approval needs one approver, two above the company threshold
(`Company.settings["payments"]["dual_approval_threshold"]`, default 10,000), and nobody who
entered or approved one of its bills may approve its payment (segregation of duties; a company
may allow it with `settings["payments"]["allow_self_approval"]`). Export books one payment per
vendor and writes the pain.001 file, validated against the XSD; the transfers are reconciled when
the bank statement comes back (EndToEndId = payment number).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iso11649

from kern.core import audit
from kern.core.db import atomic
from kern.core.numbering import next_number
from kern.core.workflow import transition
from kern.parties.models import BankAccount
from kern.payments.events import PAYMENT_RUN_EXPORTED
from kern.payments.exceptions import PaymentsCode, PaymentsConflict, PaymentsInvalid, SegregationOfDuties
from kern.payments.formats.pain001 import CreditTransfer, TransferFile, render_pain001, validate_pain001
from kern.payments.models import (
    BankJournal,
    OpenItem,
    OpenItemKind,
    OpenItemStatus,
    PaymentDirection,
    PaymentRun,
    PaymentRunApproval,
    PaymentRunLine,
    PaymentRunStatus,
    RunLineStatus,
)
from kern.payments.services.banking import default_bank_journal
from kern.payments.services.openitems import ZERO, acting, invalid
from kern.payments.services.settlement import AllocationSpec, post_payment

__all__ = [
    "approve_payment_run",
    "cancel_payment_run",
    "export_payment_run",
    "propose_payment_run",
    "remove_run_line",
]

DEFAULT_DUAL_THRESHOLD = Decimal("10000")
ACTIVE_RUNS = [PaymentRunStatus.DRAFT, PaymentRunStatus.APPROVED]


def _settings(company: Any) -> dict[str, Any]:
    return (company.settings or {}).get("payments", {})


def dual_approval_threshold(company: Any) -> Decimal:
    return Decimal(str(_settings(company).get("dual_approval_threshold", DEFAULT_DUAL_THRESHOLD)))


def _discount_on(item: OpenItem, on: dt.date) -> Decimal:
    if (
        item.discount_amount
        and item.discount_date
        and on <= item.discount_date
        and item.residual == item.amount
    ):
        return item.discount_amount
    return ZERO


def propose_payment_run(
    company: Any,
    *,
    execution_date: dt.date,
    due_until: dt.date | None = None,
    bank_journal: BankJournal | None = None,
    parties: list[Any] | None = None,
    by: Any = None,
) -> PaymentRun:
    """A draft run of the vendor bills due by `due_until` (default: the execution date), and of
    those whose early-payment discount is still open on the execution date."""
    if not isinstance(execution_date, dt.date):
        raise invalid("execution_date", _("a date is required"))
    due_until = due_until or execution_date
    bank = bank_journal or default_bank_journal(company)
    if bank.company_id != company.pk:
        raise invalid("bank_journal", _("not a bank journal of this company"))
    if bank.currency_id != "EUR":
        raise invalid("bank_journal", _("SEPA credit transfers are in euro: choose a euro bank account"))
    busy = PaymentRunLine.objects.filter(
        company_id=company.pk, run__status__in=ACTIVE_RUNS, status=RunLineStatus.INCLUDED
    ).values("open_item_id")
    items = OpenItem.objects.filter(
        company_id=company.pk,
        kind=OpenItemKind.PAYABLE,
        status__in=[OpenItemStatus.OPEN, OpenItemStatus.PARTIAL],
        currency_id=bank.currency_id,
        payment_blocked=False,
    ).exclude(pk__in=busy)
    if parties:
        items = items.filter(party_id__in=[getattr(p, "pk", p) for p in parties])
    due = list(
        items.filter(residual__gt=0)
        .filter(
            Q(due_date__lte=due_until)
            | Q(discount_date__gte=execution_date, discount_amount__gt=0, document_date__lte=execution_date)
        )
        .select_related("party")
        .order_by("party_id", "due_date", "pk")
    )
    if not due:
        raise PaymentsConflict(
            _("no vendor bill is due by %(date)s: there is nothing to pay") % {"date": due_until.isoformat()},
            code=PaymentsCode.NOTHING_TO_PAY,
        )
    vendor_ids = sorted({i.party_id for i in due})
    credits = list(
        items.filter(residual__lt=0, party_id__in=vendor_ids)
        .select_related("party")
        .order_by("party_id", "due_date", "pk")
    )
    accounts: dict[int, BankAccount] = {}
    for account in BankAccount.objects.filter(company_id=company.pk, party_id__in=vendor_ids).order_by(
        "party_id", "-is_default", "pk"
    ):
        accounts.setdefault(account.party_id, account)
    by_vendor: dict[int, list[OpenItem]] = defaultdict(list)
    for item in [*due, *credits]:
        by_vendor[item.party_id].append(item)
    with atomic(), acting(by):
        run = PaymentRun(
            company_id=company.pk,
            number=next_number(company, "payments.run", execution_date),
            bank_journal=bank,
            execution_date=execution_date,
            due_until=due_until,
            currency_id=bank.currency_id,
            created_by_id=getattr(by, "pk", by),
        )
        run.save(force_insert=True)
        lines = []
        total = ZERO
        for vendor_id in vendor_ids:
            vendor_items = by_vendor[vendor_id]
            account = accounts.get(vendor_id)
            planned = []
            for item in vendor_items:
                discount = _discount_on(item, execution_date) if item.residual > 0 else ZERO
                planned.append((item, item.residual - discount, discount))
            vendor_total = sum((pays for _i, pays, _d in planned), ZERO)
            error = ""
            if account is None:
                error = f"{vendor_items[0].party.name} has no IBAN: add a bank account to pay"
            elif vendor_total <= 0:
                error = f"the credit notes of {vendor_items[0].party.name} exceed what is due"
            for item, pays, discount in planned:
                lines.append(
                    PaymentRunLine(
                        company_id=company.pk,
                        run=run,
                        open_item=item,
                        party_id=vendor_id,
                        amount=pays,
                        discount=discount,
                        iban=account.iban if account else "",
                        bic=account.bic if account else "",
                        status=RunLineStatus.ERROR if error else RunLineStatus.INCLUDED,
                        error=error[:255],
                    )
                )
            if not error:
                total += vendor_total
        PaymentRunLine.objects.bulk_create(lines)
        audit.record_created(lines)
        old = {"total": run.total, "required_approvals": run.required_approvals}
        run.total = total
        run.required_approvals = 2 if total > dual_approval_threshold(company) else 1
        PaymentRun.objects.filter(pk=run.pk).update(
            total=run.total, required_approvals=run.required_approvals
        )
        audit.record_change(run, old)
    return run


def remove_run_line(line: PaymentRunLine, *, by: Any = None) -> PaymentRun:
    """Leave one bill out of a draft run; approvals given so far no longer hold."""
    run = line.run
    if run.status != PaymentRunStatus.DRAFT:
        raise PaymentsConflict(
            _("run %(number)s is %(status)s: it cannot change any more")
            % {"number": run.number, "status": run.get_status_display().lower()}
        )
    with atomic(), acting(by):
        line.delete()
        for approval in PaymentRunApproval.objects.filter(run=run):
            approval.delete()
        _retotal(run)
    return run


def _retotal(run: PaymentRun) -> None:
    included = PaymentRunLine.objects.filter(run=run, status=RunLineStatus.INCLUDED)
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for party_id, amount in included.values_list("party_id", "amount"):
        totals[party_id] += amount
    total = sum(totals.values(), ZERO)
    old = {"total": run.total, "required_approvals": run.required_approvals}
    run.total = total
    run.required_approvals = 2 if total > dual_approval_threshold(run.company) else 1
    PaymentRun.objects.filter(pk=run.pk).update(total=run.total, required_approvals=run.required_approvals)
    audit.record_change(run, old)


def approve_payment_run(run: PaymentRun, *, by: Any) -> PaymentRun:
    """Record `by`'s approval; the run is approved once it has the approvals it needs."""
    user_id = getattr(by, "pk", by)
    if user_id is None:
        raise invalid("by", _("an approver is required"))
    if run.status != PaymentRunStatus.DRAFT:
        raise PaymentsConflict(
            _("run %(number)s is %(status)s: there is nothing to approve")
            % {"number": run.number, "status": run.get_status_display().lower()}
        )
    if not _settings(run.company).get("allow_self_approval"):
        conflicts = list(
            PaymentRunLine.objects.filter(run=run, status=RunLineStatus.INCLUDED)
            .filter(Q(open_item__entered_by_id=user_id) | Q(open_item__approved_by_id=user_id))
            .values_list("open_item__number", flat=True)
        )
        if conflicts:
            raise SegregationOfDuties(
                _("you entered or approved %(bills)s: someone else must approve their payment")
                % {"bills": ", ".join(sorted(conflicts))},
                bills=sorted(conflicts),
            )
    if not PaymentRunLine.objects.filter(run=run, status=RunLineStatus.INCLUDED).exists():
        raise PaymentsConflict(
            _("run %(number)s pays nothing") % {"number": run.number}, code=PaymentsCode.NOTHING_TO_PAY
        )
    with atomic(), acting(by):
        if PaymentRunApproval.objects.filter(run=run, user_id=user_id).exists():
            raise PaymentsConflict(
                _("you approved run %(number)s already; a second approver is needed")
                % {"number": run.number},
                code=PaymentsCode.ALREADY_APPROVED,
            )
        PaymentRunApproval.objects.create(company_id=run.company_id, run=run, user_id=user_id)
        if PaymentRunApproval.objects.filter(run=run).count() >= run.required_approvals:
            transition(run, to=PaymentRunStatus.APPROVED, by=by)
    return run


def cancel_payment_run(run: PaymentRun, *, by: Any = None) -> PaymentRun:
    return transition(run, to=PaymentRunStatus.CANCELLED, by=by)


def _remittance(items: list[OpenItem]) -> tuple[str, str]:
    """(structured reference, free text) for the vendor's transfer."""
    bills = [i for i in items if i.amount > 0]
    if len(bills) == 1 and len(items) == 1:
        reference = (bills[0].reference or "").replace(" ", "").upper()
        if reference.startswith("RF") and iso11649.is_valid(reference):
            return reference, ""
        if reference.isdigit() and len(reference) == 16:  # Dutch betalingskenmerk
            return reference, ""
    words = [i.reference or i.number for i in items]
    return "", " ".join(words)


def export_payment_run(run: PaymentRun, *, by: Any = None) -> bytes:
    """Book the run's payments and return its SEPA pain.001.001.03 file (the same file on a
    second call: the payments are booked once)."""
    if run.status in (PaymentRunStatus.EXPORTED, PaymentRunStatus.DONE):
        return run.pain001.encode()
    if run.status != PaymentRunStatus.APPROVED:
        raise PaymentsConflict(
            _("run %(number)s must be approved before it is exported") % {"number": run.number}
        )
    company = run.company
    bank = run.bank_journal
    lines = list(
        PaymentRunLine.objects.filter(run=run, status=RunLineStatus.INCLUDED)
        .select_related("open_item", "party")
        .order_by("party_id", "pk")
    )
    by_vendor: dict[int, list[PaymentRunLine]] = defaultdict(list)
    for line in lines:
        by_vendor[line.party_id].append(line)
    transfers = []
    with atomic(), acting(by):
        for vendor_id, vendor_lines in by_vendor.items():
            items = [ln.open_item for ln in vendor_lines]
            amount = sum((ln.amount for ln in vendor_lines), ZERO)
            structured, text = _remittance(items)
            payment = post_payment(
                company,
                direction=PaymentDirection.OUTGOING,
                party=vendor_id,
                amount=amount,
                currency=run.currency_id,
                on=run.execution_date,
                reference=(structured or text)[:140],
                memo=f"{run.number}",
                allocations=[
                    AllocationSpec(ln.open_item, abs(ln.amount), ln.discount) for ln in vendor_lines
                ],
                bank_journal=bank,
                payment_run=run,
                by=by,
            )
            PaymentRunLine.objects.filter(pk__in=[ln.pk for ln in vendor_lines]).update(
                status=RunLineStatus.PAID, payment=payment
            )
            for ln in vendor_lines:
                audit.record_change(ln, {"status": ln.status, "payment_id": None})
                ln.status, ln.payment = RunLineStatus.PAID, payment
            transfers.append(
                CreditTransfer(
                    end_to_end_id=payment.number,
                    amount=amount,
                    creditor_name=vendor_lines[0].party.name,
                    creditor_iban=vendor_lines[0].iban,
                    creditor_bic=vendor_lines[0].bic,
                    remittance=text,
                    structured_reference=structured,
                )
            )
        document = render_pain001(
            TransferFile(
                message_id=run.number,
                created_at=timezone.localtime(),
                initiator_name=company.legal_name or company.name,
                debtor_name=company.legal_name or company.name,
                debtor_iban=bank.iban,
                debtor_bic=bank.bic,
                execution_date=run.execution_date,
                currency=run.currency_id,
                transfers=transfers,
            )
        )
        findings = validate_pain001(document)
        if findings:
            raise PaymentsInvalid(
                _("the SEPA file does not pass the pain.001.001.03 schema: %(findings)s")
                % {"findings": "; ".join(findings[:3])},
                errors={"pain001": findings[:10]},
            )
        # The file is kept to hand out again; its content is not copied into the audit log.
        PaymentRun.objects.filter(pk=run.pk).update(pain001=document.decode())
        run.pain001 = document.decode()
        transition(
            run,
            to=PaymentRunStatus.EXPORTED,
            by=by,
            fields={"exported_at": timezone.now()},
            event=PAYMENT_RUN_EXPORTED,
            payload={
                "company_id": company.pk,
                "run_id": run.pk,
                "number": run.number,
                "total": str(run.total),
            },
        )
    return document
