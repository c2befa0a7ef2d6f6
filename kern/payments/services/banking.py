"""Bank journals, bank statement import and reconciliation.

Import: the whole file is read and checked first (a file that is not a statement is refused
with one error and nothing is written); then each statement is booked in its own transaction:
the statement, its lines, and for every line Kern can match a payment (or the reconciliation of
the payment Kern booked before, e.g. by a payment run). A statement imported before is
recognised — by its identity at the bank and by its content — and not booked twice. Lines Kern
cannot match wait on the reconciliation screen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kern.core import audit
from kern.core.db import atomic, savepoint
from kern.core.events import emit
from kern.core.exceptions import KernError, NotFound
from kern.core.services import validated
from kern.core.validators import normalise_iban
from kern.core.workflow import transition
from kern.ledger.selectors import account_by_code, journal_for
from kern.ledger.services import LineSpec, SourceRef, post_entry, reverse_entry
from kern.payments.events import STATEMENT_IMPORTED
from kern.payments.exceptions import DuplicateStatement, NotAStatement, PaymentsCode, PaymentsConflict
from kern.payments.formats.camt053 import ParsedStatement, StatementFileError, parse_camt053
from kern.payments.formats.csvstatement import parse_csv_statement
from kern.payments.models import (
    BankJournal,
    BankStatement,
    LineStatus,
    Payment,
    PaymentDirection,
    PaymentRun,
    PaymentRunStatus,
    StatementFormat,
    StatementLine,
)
from kern.payments.selectors.matching import match_for_line
from kern.payments.services.openitems import ZERO, acting, invalid
from kern.payments.services.settlement import AllocationSpec, post_payment

__all__ = [
    "StatementImport",
    "auto_match_line",
    "book_line_to_account",
    "create_bank_journal",
    "default_bank_journal",
    "ignore_line",
    "import_bank_statement",
    "match_line_to_payment",
    "reconcile_line",
    "unmatch_line",
    "update_bank_journal",
]


# --- bank journals ----------------------------------------------------------------------------


def create_bank_journal(
    company: Any,
    *,
    name: str,
    iban: str,
    bic: str = "",
    currency: str = "EUR",
    journal: str = "",
    account: str = "",
    is_default: bool = False,
    by: Any = None,
) -> BankJournal:
    """Register one of the company's bank accounts. The ledger journal and account default to
    the company's bank journal and the account playing the `bank` role."""
    ledger_journal = journal_for(company, journal or "bank")
    if ledger_journal.kind not in ("bank", "cash"):
        raise invalid(
            "journal", _("%(journal)s is not a bank or cash journal") % {"journal": ledger_journal.code}
        )
    if account:
        ledger_account = account_by_code(company, account)
    elif ledger_journal.default_account_id:
        ledger_account = ledger_journal.default_account
    else:
        from kern.ledger.selectors import account_for

        ledger_account = account_for(company, "bank")
    try:
        iban = normalise_iban(iban)
    except Exception:
        raise invalid("iban", _("%(iban)r is not a valid IBAN") % {"iban": iban}) from None
    bank = BankJournal(
        company=company,
        name=(name or "").strip(),
        iban=iban,
        bic=(bic or "").strip().upper(),
        currency_id=(currency or company.base_currency_id).upper(),
        journal=ledger_journal.code,
        account=ledger_account.code,
        is_default=is_default,
    )
    validated(bank)
    with atomic(), acting(by):
        has_default = BankJournal.objects.filter(company=company, is_default=True).exists()
        if is_default and has_default:
            BankJournal.objects.filter(company=company, is_default=True).update(is_default=False)
        if not has_default:
            bank.is_default = True
        try:
            with savepoint():
                bank.save()
        except IntegrityError:
            raise invalid(
                "iban", _("%(iban)s is already a bank journal of this company") % {"iban": iban}
            ) from None
    return bank


def update_bank_journal(bank: BankJournal, *, by: Any = None, **fields: Any) -> BankJournal:
    allowed = {"name", "bic", "is_default", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise invalid(sorted(unknown)[0], _("cannot be changed; create another bank journal"))
    for name, value in fields.items():
        setattr(bank, name, value.strip() if isinstance(value, str) else value)
    validated(bank)
    with atomic(), acting(by):
        if fields.get("is_default"):
            BankJournal.objects.filter(company_id=bank.company_id, is_default=True).exclude(
                pk=bank.pk
            ).update(is_default=False)
        bank.save()
    return bank


def default_bank_journal(company: Any) -> BankJournal:
    """The company's default bank account; created from the company's IBAN when there is none."""
    bank = (
        BankJournal.objects.filter(company_id=company.pk, is_active=True)
        .order_by("-is_default", "pk")
        .first()
    )
    if bank is not None:
        return bank
    if not company.iban:
        raise PaymentsConflict(
            _("the company has no bank journal and no IBAN: add a bank journal first"),
            code=PaymentsCode.NO_BANK_ACCOUNT,
        )
    return create_bank_journal(company, name="Bank", iban=company.iban, bic=company.bic, is_default=True)


# --- statement import -------------------------------------------------------------------------


@dataclass
class StatementImport:
    statements: list[BankStatement] = field(default_factory=list)
    duplicates: list[BankStatement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reconciled: int = 0
    unmatched: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "statements": [
                {"id": s.pk, "reference": s.reference, "lines": s.line_count} for s in self.statements
            ],
            "duplicates": [{"id": s.pk, "reference": s.reference} for s in self.duplicates],
            "warnings": self.warnings,
            "reconciled": self.reconciled,
            "unmatched": self.unmatched,
        }


def _detect_format(data: bytes, filename: str) -> str:
    head = data[:512].lstrip()
    if head.startswith((b"<", b"\xef\xbb\xbf<")) or filename.lower().endswith(".xml"):
        return StatementFormat.CAMT053
    return StatementFormat.CSV


def _content_hash(parsed: ParsedStatement) -> str:
    lines = sorted(
        f"{ln.booking_date}|{ln.amount}|{ln.currency}|{ln.bank_reference}|{ln.counterparty_iban}|{ln.remittance}"
        for ln in parsed.lines
    )
    blob = "\n".join([parsed.iban, parsed.currency, *lines])
    return hashlib.sha256(blob.encode()).hexdigest()


def _bank_for(company: Any, parsed: ParsedStatement, bank_journal: BankJournal | None) -> BankJournal:
    if bank_journal is not None:
        if bank_journal.company_id != company.pk:
            raise invalid("bank_journal", _("not a bank journal of this company"))
        if parsed.iban and parsed.iban != bank_journal.iban:
            raise invalid(
                "bank_journal",
                _("the statement is of account %(iban)s, the bank journal %(bank)s of %(bank_iban)s")
                % {"iban": parsed.iban, "bank": bank_journal.name, "bank_iban": bank_journal.iban},
            )
        return bank_journal
    if parsed.iban:
        found = BankJournal.objects.filter(company_id=company.pk, iban=parsed.iban).first()
        if found is not None:
            return found
        if company.iban and normalise_iban(company.iban) == parsed.iban:
            return default_bank_journal(company)
        raise invalid(
            "file",
            _(
                "the statement is of account %(iban)s, which is not one of the company's bank journals: "
                "add it first"
            )
            % {"iban": parsed.iban},
        )
    return default_bank_journal(company)


def import_bank_statement(
    company: Any,
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    bank_journal: BankJournal | None = None,
    auto_match: bool = True,
    by: Any = None,
) -> StatementImport:
    """Import a camt.053 (or CSV) bank statement file and reconcile what can be matched."""
    fmt = format or _detect_format(data, filename)
    if fmt not in StatementFormat.values:
        raise invalid(
            "format", _("must be one of %(choices)s") % {"choices": ", ".join(StatementFormat.values)}
        )
    if not data:
        empty = _("the file is empty")
        raise NotAStatement(f"file: {empty}", errors={"file": [empty]})
    try:
        if fmt == StatementFormat.CAMT053:
            parsed_all = parse_camt053(data)
        else:
            parsed_all = [
                parse_csv_statement(
                    data,
                    filename=filename,
                    mapping=mapping,
                    default_currency=bank_journal.currency_id if bank_journal else company.base_currency_id,
                )
            ]
    except StatementFileError as exc:
        # The reader's reason is English (kern.payments.formats): the translation leads it with the
        # refusal in the user's language; English adds nothing to it.
        # Translators: why a file given as a bank statement is refused; %(reason)s is the reader's (English)
        reason = pgettext("refused statement file", "%(reason)s") % {"reason": exc}
        raise NotAStatement(f"file: {reason}", errors={"file": [reason]}) from None
    plans = []
    for parsed in parsed_all:
        bank = _bank_for(company, parsed, bank_journal)
        if parsed.currency != bank.currency_id:
            raise invalid(
                "file",
                _("the statement is in %(currency)s, the bank journal in %(bank_currency)s")
                % {"currency": parsed.currency, "bank_currency": bank.currency_id},
            )
        for ln in parsed.lines:
            if ln.currency != bank.currency_id:
                raise invalid(
                    "file",
                    _("a line of %(date)s is in %(currency)s, the account in %(bank_currency)s")
                    % {"date": ln.booking_date, "currency": ln.currency, "bank_currency": bank.currency_id},
                )
        plans.append((parsed, bank, _content_hash(parsed)))
    result = StatementImport()
    for parsed, bank, digest in plans:
        existing = (
            BankStatement.objects.filter(
                company_id=company.pk, bank_journal=bank, reference=parsed.reference
            ).first()
            or BankStatement.objects.filter(company_id=company.pk, file_hash=digest).first()
        )
        if existing is not None:
            result.duplicates.append(existing)
            continue
        result.warnings.extend(parsed.warnings)
        statement = _book_statement(company, parsed, bank, digest, fmt, filename, auto_match, by, result)
        result.statements.append(statement)
    if not result.statements and result.duplicates:
        first = result.duplicates[0]
        raise DuplicateStatement(
            _("statement %(reference)s of %(date)s was imported before; nothing was booked twice")
            % {"reference": first.reference, "date": first.date},
            statement=first.pk,
        )
    return result


def _book_statement(company, parsed, bank, digest, fmt, filename, auto_match, by, result) -> BankStatement:
    with atomic(), acting(by):
        statement = BankStatement(
            company_id=company.pk,
            bank_journal=bank,
            reference=parsed.reference,
            iban=parsed.iban or bank.iban,
            currency_id=parsed.currency,
            date=parsed.date,
            period_start=parsed.period_start,
            period_end=parsed.period_end,
            opening_balance=parsed.opening_balance,
            closing_balance=parsed.closing_balance,
            format=fmt,
            filename=(filename or "")[:200],
            file_hash=digest,
            imported_by_id=getattr(by, "pk", by),
        )
        try:
            with savepoint():
                statement.save(force_insert=True)
        except IntegrityError:
            raise DuplicateStatement(
                _("statement %(reference)s was imported before") % {"reference": parsed.reference}
            ) from None
        known = set(
            StatementLine.objects.filter(
                company_id=company.pk,
                statement__bank_journal=bank,
                bank_reference__in=[ln.bank_reference for ln in parsed.lines if ln.bank_reference],
            ).values_list("bank_reference", flat=True)
        )
        lines = []
        for n, ln in enumerate(parsed.lines, start=1):
            duplicate = bool(ln.bank_reference) and ln.bank_reference in known
            lines.append(
                StatementLine(
                    company_id=company.pk,
                    statement=statement,
                    sequence=n,
                    booking_date=ln.booking_date,
                    value_date=ln.value_date,
                    amount=ln.amount,
                    currency_id=ln.currency,
                    counterparty_name=ln.counterparty_name,
                    counterparty_iban=ln.counterparty_iban,
                    counterparty_bic=ln.counterparty_bic,
                    remittance=ln.remittance,
                    structured_reference=ln.structured_reference,
                    end_to_end_id=ln.end_to_end_id,
                    bank_reference=ln.bank_reference,
                    status=LineStatus.DUPLICATE if duplicate else LineStatus.UNMATCHED,
                    match_note="booked in an earlier statement" if duplicate else "",
                )
            )
        StatementLine.objects.bulk_create(lines)
        audit.record_created(lines)
        if not all(line.pk for line in lines):  # backends without RETURNING
            lines = list(StatementLine.objects.filter(statement=statement).order_by("sequence"))
        statement.line_count = len(lines)
        if auto_match:
            for line in lines:
                if line.status != LineStatus.UNMATCHED:
                    continue
                line.statement = statement
                try:
                    # The reason a line is not booked is stored on it: English, whoever imports.
                    with savepoint(), translation.override("en"):
                        matched = auto_match_line(line, by=by)
                except KernError as exc:
                    # A line Kern cannot book automatically waits for a person; say why.
                    matched = False
                    StatementLine.objects.filter(pk=line.pk).update(
                        match_note=f"not booked: {exc.message}"[:200]
                    )
                if matched:
                    result.reconciled += 1
                else:
                    result.unmatched += 1
        else:
            result.unmatched += sum(1 for line in lines if line.status == LineStatus.UNMATCHED)
        emit(
            STATEMENT_IMPORTED,
            {"company_id": company.pk, "statement_id": statement.pk, "reference": statement.reference},
            company=company.pk,
        )
    return statement


# --- reconciliation ---------------------------------------------------------------------------


def _line_open(line: StatementLine) -> None:
    if line.status != LineStatus.UNMATCHED:
        raise PaymentsConflict(
            _("statement line %(sequence)s is %(status)s already")
            % {"sequence": line.sequence, "status": line.get_status_display().lower()},
            code=PaymentsCode.LINE_DONE,
        )


def _settle_line(line: StatementLine, fields: dict[str, Any]) -> None:
    old = {name: getattr(line, name) for name in fields}
    updated = StatementLine.objects.filter(pk=line.pk, status=LineStatus.UNMATCHED).update(**fields)
    if updated != 1:
        raise PaymentsConflict(
            _("statement line %(sequence)s was reconciled by someone else") % {"sequence": line.sequence},
            code=PaymentsCode.LINE_DONE,
        )
    for name, value in fields.items():
        setattr(line, name, value)
    audit.record_change(line, {StatementLine._meta.get_field(k).attname: v for k, v in old.items()})


def auto_match_line(line: StatementLine, *, by: Any = None) -> bool:
    """Reconcile a line with what it matches; True when it was booked. A line whose party was
    recognised but not what it pays keeps that party as a suggestion."""
    _line_open(line)
    match = match_for_line(line)
    if match is None:
        return False
    if match.payment is not None:
        match_line_to_payment(line, match.payment, note=f"matched by {match.reason}", by=by)
        return True
    if not match.items:
        StatementLine.objects.filter(pk=line.pk).update(
            party_id=match.party_id, match_note=f"party recognised by {match.reason}"
        )
        line.party_id = match.party_id
        return False
    amount = abs(line.amount)
    specs = []
    left = amount
    for item in match.items:
        if left <= 0:
            break
        pays = min(left, item.residual)
        specs.append(AllocationSpec(item, pays))
        left -= pays
    reconcile_line(line, party=match.party_id, allocations=specs, note=f"matched by {match.reason}", by=by)
    return True


def reconcile_line(
    line: StatementLine,
    *,
    party: Any,
    allocations: list[AllocationSpec] | None = None,
    note: str = "",
    by: Any = None,
) -> Payment:
    """Book a statement line as a payment of `party`, allocated to the given open items (none:
    the whole amount is kept as the party's credit, e.g. a prepayment)."""
    _line_open(line)
    statement = line.statement
    with atomic(), acting(by):
        payment = post_payment(
            statement.company,
            direction=PaymentDirection.INCOMING if line.amount > 0 else PaymentDirection.OUTGOING,
            party=party,
            amount=abs(line.amount),
            currency=line.currency_id,
            on=line.booking_date,
            reference=(line.structured_reference or line.end_to_end_id or line.remittance)[:140],
            memo=(line.counterparty_name or "")[:255],
            allocations=allocations if allocations is not None else [],
            bank_journal=statement.bank_journal,
            reconciled=True,
            by=by,
        )
        _settle_line(
            line,
            {
                "status": LineStatus.RECONCILED,
                "payment": payment,
                "party_id": payment.party_id,
                "match_note": (note or "reconciled by hand")[:200],
            },
        )
    return payment


def match_line_to_payment(
    line: StatementLine, payment: Payment, *, note: str = "", by: Any = None
) -> StatementLine:
    """The line is the bank's booking of a payment Kern already posted (a payment run's transfer)."""
    _line_open(line)
    if payment.company_id != line.company_id:
        raise NotFound(_("payment not found"))
    if payment.is_reconciled:
        raise PaymentsConflict(
            _("payment %(number)s is reconciled already") % {"number": payment.number},
            code=PaymentsCode.LINE_DONE,
        )
    if payment.amount != abs(line.amount) or (payment.direction == PaymentDirection.INCOMING) != (
        line.amount > 0
    ):
        raise invalid(
            "payment",
            _("payment %(number)s of %(amount)s does not match the line's %(line_amount)s")
            % {"number": payment.number, "amount": payment.amount, "line_amount": line.amount},
        )
    with atomic(), acting(by):
        updated = Payment.objects.filter(pk=payment.pk, is_reconciled=False).update(is_reconciled=True)
        if updated != 1:
            raise PaymentsConflict(
                _("payment %(number)s is reconciled already") % {"number": payment.number},
                code=PaymentsCode.LINE_DONE,
            )
        audit.record_change(payment, {"is_reconciled": False})
        payment.is_reconciled = True
        _settle_line(
            line,
            {
                "status": LineStatus.RECONCILED,
                "payment": payment,
                "party_id": payment.party_id,
                "match_note": (note or f"matched with {payment.number}")[:200],
            },
        )
        if payment.payment_run_id:
            _complete_run(payment.payment_run_id, by)
    return line


def _complete_run(run_id: int, by: Any) -> None:
    run = PaymentRun.objects.filter(pk=run_id).first()
    if run is None or run.status != PaymentRunStatus.EXPORTED:
        return
    if not Payment.objects.filter(payment_run_id=run_id, is_reconciled=False, status="posted").exists():
        transition(run, to=PaymentRunStatus.DONE, by=by)


def book_line_to_account(
    line: StatementLine, *, account: str, description: str = "", by: Any = None
) -> StatementLine:
    """Book a line straight to a ledger account: bank charges, interest, a tax refund."""
    _line_open(line)
    statement = line.statement
    bank = statement.bank_journal
    company = statement.company
    target = account_by_code(company, account)
    if target.code == bank.account:
        raise invalid("account", _("choose the account on the other side of the bank"))
    with atomic(), acting(by):
        foreign = line.currency_id != company.base_currency_id
        extra = {"currency": line.currency_id} if foreign else {}
        value = abs(line.amount)
        bank_line = LineSpec(
            account=bank.account,
            debit=value if line.amount > 0 and not foreign else ZERO,
            credit=value if line.amount < 0 and not foreign else ZERO,
            amount_currency=line.amount if foreign else None,
            description=(description or line.remittance)[:255],
            **extra,
        )
        other = LineSpec(
            account=target.code,
            debit=value if line.amount < 0 and not foreign else ZERO,
            credit=value if line.amount > 0 and not foreign else ZERO,
            amount_currency=-line.amount if foreign else None,
            description=(description or line.remittance)[:255],
            **extra,
        )
        entry = post_entry(
            company=company,
            journal=bank.journal,
            on=line.booking_date,
            lines=[bank_line, other],
            source=SourceRef("payments.statementline", line.pk, statement.reference[:60]),
            memo=(description or line.remittance or line.counterparty_name)[:255],
            by=by,
        )
        _settle_line(
            line,
            {"status": LineStatus.RECONCILED, "entry": entry, "match_note": f"booked to {target.code}"[:200]},
        )
    return line


def ignore_line(line: StatementLine, *, by: Any = None) -> StatementLine:
    """Leave a line out of the books (booked elsewhere, an internal transfer handled by hand)."""
    _line_open(line)
    with atomic(), acting(by):
        _settle_line(line, {"status": LineStatus.IGNORED, "match_note": "ignored"})
    return line


def unmatch_line(line: StatementLine, *, by: Any = None) -> StatementLine:
    """Undo what was done with a line, so it is to be reconciled again: an ignored line reopens; a
    line matched with a payment leaves the payment posted but no longer reconciled (match it again,
    or reverse it on its own page); a line booked to an account has that entry reversed."""
    if line.status not in (LineStatus.RECONCILED, LineStatus.IGNORED):
        raise PaymentsConflict(
            _("statement line %(sequence)s is not reconciled or ignored") % {"sequence": line.sequence},
            code=PaymentsCode.LINE_DONE,
        )
    fields = {"status": LineStatus.UNMATCHED, "payment": None, "entry": None, "match_note": ""}
    old = {name: getattr(line, name) for name in fields}
    with atomic(), acting(by):
        updated = StatementLine.objects.filter(pk=line.pk, status=line.status).update(**fields)
        if updated != 1:
            raise PaymentsConflict(
                _("statement line %(sequence)s was changed by someone else") % {"sequence": line.sequence},
                code=PaymentsCode.LINE_DONE,
            )
        payment, entry = line.payment, line.entry
        for name, value in fields.items():
            setattr(line, name, value)
        audit.record_change(
            line, {StatementLine._meta.get_field(k).attname: getattr(v, "pk", v) for k, v in old.items()}
        )
        if payment is not None and Payment.objects.filter(pk=payment.pk, is_reconciled=True).update(
            is_reconciled=False
        ):
            payment.is_reconciled = False
            audit.record_change(payment, {"is_reconciled": True})
        if entry is not None:
            reverse_entry(entry, on=line.booking_date, by=by, memo=f"statement line {line.sequence} reopened")
    return line
