"""Payments and their allocation to open items: receive, pay, offset, reverse.

A payment is posted as one ledger entry: the bank line, one receivable/payable line per open item
it settles (at the company-currency value the item was booked at), early-payment discounts,
the realised exchange difference, and — for money beyond what was allocated — a line that
stays on the party's account as credit (a negative open item, allocated later).

Cost (one payment, one allocation): a number, the payment INSERT, one conditional UPDATE of the
open item, the allocation INSERT and the ledger posting. The conditional UPDATE
(`… WHERE residual = <seen>`) is the row lock and the concurrency guard at once: when someone
else settled the item first it changes nothing, the item is re-read under lock and the
allocation is refused if it no longer fits. A CHECK constraint keeps the residual between zero
and the amount whatever happens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kern.core import audit
from kern.core.db import atomic, statement_cursor
from kern.core.events import emit
from kern.core.money import quantize
from kern.core.numbering import claim_numbers
from kern.core.rows import insert_rows, save_new_with_lines
from kern.core.selectors import convert
from kern.core.workflow import transition
from kern.ledger.models import EntryKind, EntryStatus, JournalEntry
from kern.ledger.services import LineSpec, SourceRef, post_entry, reverse_entry
from kern.payments.events import (
    OPEN_ITEM_SETTLED,
    PAYMENT_POSTED,
    PAYMENT_REVERSED,
    OpenItemSettled,
    PaymentPosted,
)
from kern.payments.exceptions import AlreadySettled, PaymentsCode, PaymentsConflict
from kern.payments.models import (
    Allocation,
    BankJournal,
    LineStatus,
    OpenItem,
    OpenItemKind,
    OpenItemStatus,
    Payment,
    PaymentDirection,
    PaymentStatus,
    StatementLine,
)
from kern.payments.services.openitems import ZERO, acting, invalid, money, register_open_item

__all__ = [
    "AllocationSpec",
    "allocate_credit",
    "offset_open_items",
    "pay",
    "post_payment",
    "receive_payment",
    "reverse_payment",
]


# The choices' values as a set: Django's `Choices.values` builds a new list at every call.
_DIRECTIONS = frozenset(PaymentDirection.values)


@dataclass(frozen=True)
class AllocationSpec:
    """Settle `amount` (positive, in the item's currency) of `open_item`.

    `discount` None: the early-payment discount is taken when the payment is on time and covers
    the rest; a number grants that discount explicitly (0 refuses it).
    """

    open_item: Any  # OpenItem or its id
    amount: Decimal
    discount: Decimal | None = None


@dataclass
class _Plan:
    item: OpenItem
    amount: Decimal  # signed like the item
    discount: Decimal  # signed like the item
    base: str  # the company currency
    settled_company: Decimal = ZERO  # company value of amount + discount at the item's rate
    new_residual: Decimal = ZERO
    new_residual_company: Decimal = ZERO
    new_status: str = ""

    def compute(self) -> None:
        item = self.item
        settled = self.amount + self.discount
        if not self.fits():
            return  # refused by the caller; nothing to compute against a zero residual
        if settled == item.residual:
            self.settled_company = item.residual_company
        else:
            self.settled_company = quantize(item.residual_company * settled / item.residual, self.base)
        self.new_residual = item.residual - settled
        self.new_residual_company = item.residual_company - self.settled_company
        if self.new_residual == 0:
            self.new_residual_company = ZERO
            self.settled_company = item.residual_company
        self.new_status = (
            OpenItemStatus.PAID
            if self.new_residual == 0
            else (OpenItemStatus.OPEN if self.new_residual == item.amount else OpenItemStatus.PARTIAL)
        )

    def fits(self) -> bool:
        settled = self.amount + self.discount
        residual = self.item.residual
        return settled != 0 and (settled > 0) == (residual > 0) and abs(settled) <= abs(residual)


def _k(kind: str) -> int:
    """+1 when the item's natural side is a debit (receivable), −1 for payables."""
    return 1 if kind == OpenItemKind.RECEIVABLE else -1


def _available_discount(item: OpenItem, on: dt.date) -> Decimal:
    """The discount still open on `on`, in proportion to what is left of the item."""
    if not item.discount_amount or item.discount_date is None or on > item.discount_date or item.amount < 0:
        return ZERO
    if item.residual == item.amount:
        return item.discount_amount
    return quantize(item.discount_amount * item.residual / item.amount, item.currency_id)


def _discount_for(item: OpenItem, pays: Decimal, on: dt.date, explicit: Decimal | None) -> Decimal:
    """Discount (positive) granted when `pays` (positive) is paid on `on`."""
    left = abs(item.residual) - pays
    if explicit is not None:
        if explicit < 0 or explicit > left:
            raise invalid(
                "discount",
                _("must be between 0 and %(most)s for %(number)s") % {"most": left, "number": item.number},
            )
        return explicit
    available = _available_discount(item, on)
    if available and left > 0 and left <= available:
        return left
    return ZERO


def _apply(plans: list[_Plan]) -> None:
    """Write the new residuals with conditional UPDATEs, in a fixed (id) order.

    A stale item (its residual moved since it was read) is re-read under lock and re-planned;
    an allocation that no longer fits raises AlreadySettled and the transaction rolls back.
    """

    sql = (
        "UPDATE payments_openitem SET residual = %s, residual_company = %s, status = %s "
        "WHERE id = %s AND residual = %s AND residual_company = %s"
    )
    for plan in sorted(plans, key=lambda p: p.item.pk):
        item = plan.item
        if not plan.fits():
            raise _refusal(item, plan)
        with statement_cursor() as cursor:
            cursor.execute(
                sql,
                [
                    plan.new_residual,
                    plan.new_residual_company,
                    plan.new_status,
                    item.pk,
                    item.residual,
                    item.residual_company,
                ],
            )
            changed = cursor.rowcount
        if changed != 1:
            fresh = OpenItem.objects.select_for_update().filter(pk=item.pk).first()
            if fresh is None:
                raise AlreadySettled(_("open item %(number)s no longer exists") % {"number": item.number})
            for name in ("residual", "residual_company", "status"):
                setattr(item, name, getattr(fresh, name))
            plan.compute()
            if not plan.fits():
                raise _refusal(item, plan)
            OpenItem.objects.filter(pk=item.pk).update(
                residual=plan.new_residual, residual_company=plan.new_residual_company, status=plan.new_status
            )
        old = {"residual": item.residual, "residual_company": item.residual_company, "status": item.status}
        item.residual = plan.new_residual
        item.residual_company = plan.new_residual_company
        item.status = plan.new_status
        audit.record_change(item, old)


def _refusal(item: OpenItem, plan: _Plan) -> AlreadySettled:
    wanted = abs(plan.amount + plan.discount)
    if item.residual == 0:
        return AlreadySettled(
            _("%(number)s is already settled") % {"number": item.number},
            open_item=item.pk,
            residual=str(item.residual),
        )
    return AlreadySettled(
        _("%(number)s has %(residual)s %(currency)s left; %(wanted)s cannot be allocated")
        % {
            "number": item.number,
            "residual": abs(item.residual),
            "currency": item.currency_id,
            "wanted": wanted,
        },
        code=PaymentsCode.OVER_ALLOCATED,
        open_item=item.pk,
        residual=str(item.residual),
    )


def _emit_settled(item: OpenItem, payment_id: int | None) -> None:
    emit(
        OPEN_ITEM_SETTLED,
        OpenItemSettled(
            company_id=item.company_id,
            open_item_id=item.pk,
            kind=item.kind,
            source_type=item.source_type,
            source_id=item.source_id,
            number=item.number,
            residual=str(item.residual),
            residual_company=str(item.residual_company),
            status=item.status,
            payment_id=payment_id,
        ),
        company=item.company_id,
    )


def _load_items(company: Any, specs: list[AllocationSpec]) -> dict[int, OpenItem]:
    """Items given as instances are used as they are (re-checked by the conditional UPDATE);
    ids are read in one query, within the company."""
    ids = [s.open_item for s in specs if not isinstance(s.open_item, OpenItem)]
    found: dict[int, OpenItem] = {}
    if ids:
        for item in OpenItem.objects.filter(company_id=company.pk, pk__in=ids):
            found[item.pk] = item
        missing = [i for i in ids if i not in found]
        if missing:
            raise invalid("allocations", _("open item %(id)s not found") % {"id": missing[0]})
    for s in specs:
        if isinstance(s.open_item, OpenItem):
            if s.open_item.company_id != company.pk:
                raise invalid("allocations", _("open item %(id)s not found") % {"id": s.open_item.pk})
            found[s.open_item.pk] = s.open_item
    return found


def _sign(direction: str) -> int:
    return 1 if direction == PaymentDirection.INCOMING else -1


def _consumes(item: OpenItem, direction: str) -> int:
    """+1 when settling the item uses the payment's money, −1 when it adds to it (a credit note)."""
    return 1 if _k(item.kind) * (1 if item.amount > 0 else -1) == _sign(direction) else -1


def _auto_specs(company: Any, party_id: int, direction: str, currency: str, amount: Decimal, on: dt.date):
    """Oldest first: the party's items that this payment naturally settles (invoices for money in,
    bills for money out), taking early-payment discounts that are still open."""
    kind = OpenItemKind.RECEIVABLE if direction == PaymentDirection.INCOMING else OpenItemKind.PAYABLE
    natural = {"residual__gt": 0}
    items = list(
        OpenItem.objects.select_for_update()
        .filter(
            company_id=company.pk,
            party_id=party_id,
            kind=kind,
            currency_id=currency,
            status__in=[OpenItemStatus.OPEN, OpenItemStatus.PARTIAL],
            payment_blocked=False,
            **natural,
        )
        .order_by("pk")
    )
    items.sort(key=lambda i: (i.due_date, i.pk))
    specs = []
    left = amount
    for item in items:
        if left <= 0:
            break
        pays = min(left, item.residual)
        specs.append(AllocationSpec(item, pays))  # the discount follows from _discount_for
        left -= pays
    return specs


def post_payment(
    company: Any,
    *,
    direction: str,
    party: Any,
    amount: Decimal,
    currency: str | None = None,
    on: dt.date,
    reference: str = "",
    memo: str = "",
    allocations: list[AllocationSpec] | None = None,
    bank_journal: BankJournal | None = None,
    amount_company: Decimal | None = None,
    payment_run: Any = None,
    reconciled: bool = False,
    by: Any = None,
) -> Payment:
    """Receive (`incoming`) or pay (`outgoing`) money and settle open items with it."""
    base = company.base_currency_id
    currency = (currency or (bank_journal.currency_id if bank_journal else base)).upper()
    if direction not in _DIRECTIONS:
        raise invalid("direction", _("must be incoming or outgoing"))
    amount = money(amount, currency, "amount")
    if amount <= 0:
        raise invalid("amount", _("must be more than zero"))
    if not isinstance(on, dt.date):
        raise invalid("date", _("a date is required"))
    if len(reference or "") > 140:
        raise invalid("reference", _("at most 140 characters"))
    if len(memo or "") > 255:
        raise invalid("memo", _("at most 255 characters"))
    if bank_journal is not None and bank_journal.company_id != company.pk:
        raise invalid("bank_journal", _("not a bank journal of this company"))
    if bank_journal is not None and bank_journal.currency_id != currency:
        raise invalid(
            "currency",
            _("the bank journal %(bank)s is kept in %(currency)s")
            % {"bank": bank_journal.name, "currency": bank_journal.currency_id},
            PaymentsCode.CURRENCY_MISMATCH,
        )
    party_id = getattr(party, "pk", party)
    if not isinstance(party_id, int) or isinstance(party_id, bool):
        raise invalid("party", _("a party is required"))
    if amount_company is None:
        amount_company = amount if currency == base else convert(amount, currency, base, on, company=company)
    amount_company = money(amount_company, base, "amount_company")
    if amount_company <= 0:
        raise invalid("amount_company", _("must be more than zero"))
    e = _sign(direction)
    with atomic(), acting(by):
        if allocations is None:
            specs = _auto_specs(company, party_id, direction, currency, amount, on)
        else:
            specs = list(allocations)
        items = _load_items(company, specs)
        plans: list[_Plan] = []
        used = ZERO
        seen: set[int] = set()
        for n, spec in enumerate(specs):
            item = items[getattr(spec.open_item, "pk", spec.open_item)]
            where = f"allocations[{n}]"
            if item.pk in seen:
                raise invalid(where, _("%(number)s is allocated twice") % {"number": item.number})
            seen.add(item.pk)
            if item.party_id != party_id:
                raise invalid(
                    where,
                    _("%(number)s belongs to another party") % {"number": item.number},
                    PaymentsCode.WRONG_PARTY,
                )
            if item.currency_id != currency:
                raise invalid(
                    where,
                    _("%(number)s is in %(currency)s, the payment in %(payment_currency)s")
                    % {"number": item.number, "currency": item.currency_id, "payment_currency": currency},
                    PaymentsCode.CURRENCY_MISMATCH,
                )
            if item.payment_blocked:
                raise PaymentsConflict(
                    _("%(number)s is blocked for payment: %(reason)s")
                    % {"number": item.number, "reason": item.block_reason}
                )
            pays = money(spec.amount, currency, f"{where}.amount")
            if pays <= 0:
                raise invalid(f"{where}.amount", _("must be more than zero"))
            discount = _discount_for(
                item,
                pays,
                on,
                money(spec.discount, currency, f"{where}.discount") if spec.discount is not None else None,
            )
            sign = 1 if item.amount > 0 else -1
            plan = _Plan(item, pays * sign, discount * sign, base)
            plan.compute()
            if not plan.fits():
                raise _refusal(item, plan)
            plans.append(plan)
            used += _consumes(item, direction) * pays
        if used > amount:
            raise invalid(
                "allocations",
                _("%(used)s %(currency)s is allocated but the payment is only %(amount)s %(currency)s")
                % {"used": used, "currency": currency, "amount": amount},
                PaymentsCode.OVER_ALLOCATED,
            )
        if used < 0:
            raise invalid("allocations", _("the credits allocated exceed what the payment settles"))
        _apply(plans)
        remainder = amount - used
        payment = Payment(
            company_id=company.pk,
            direction=direction,
            party_id=party_id,
            date=on,
            amount=amount,
            currency_id=currency,
            amount_company=amount_company,
            unallocated=remainder,
            reference=reference or "",
            memo=memo or "",
            bank_journal=bank_journal,
            payment_run=payment_run,
            is_reconciled=reconciled,
            created_by_id=getattr(by, "pk", by),
        )
        allocations_rows = []
        lines: list[tuple[dict[str, Any], Decimal, Decimal | None]] = []
        foreign = currency != base
        bank_signed = e * amount_company
        lines.append(
            (
                {"role": "bank"} if bank_journal is None else {"account": bank_journal.account},
                bank_signed,
                e * amount if foreign else None,
            )
        )
        paid_total = ZERO
        fx_total = ZERO
        for plan in plans:
            item = plan.item
            k = _k(item.kind)
            paid_c = quantize(plan.amount * amount_company / amount, base)
            discount_c = quantize(plan.discount * amount_company / amount, base) if plan.discount else ZERO
            gain = k * (paid_c + discount_c - plan.settled_company)
            paid_total += k * paid_c
            fx_total += gain
            settled = plan.amount + plan.discount
            if plan.settled_company:
                lines.append(
                    (
                        {"role": item.kind, "party_id": item.party_id, "description": item.number[:255]},
                        -k * plan.settled_company,
                        -k * settled if foreign else None,
                    )
                )
            if discount_c:
                role = (
                    "early_payment_discount_given"
                    if item.kind == OpenItemKind.RECEIVABLE
                    else "early_payment_discount_received"
                )
                lines.append(
                    ({"role": role, "description": f"discount {item.number}"[:255]}, k * discount_c, None)
                )
            allocations_rows.append(
                Allocation(
                    company_id=company.pk,
                    open_item=item,
                    payment=payment,
                    date=on,
                    amount=plan.amount,
                    discount=plan.discount,
                    amount_company=plan.settled_company,
                    exchange_difference=gain,
                )
            )
        # The payment, its number and its allocations: one statement on PostgreSQL.
        number = claim_numbers(company, "payments.payment", on)
        save_new_with_lines(payment, Allocation, allocations_rows, parent="payment", number=number)
        if allocations_rows:
            audit.record_created(allocations_rows)
        credit_item = None
        if remainder:
            remainder_signed = bank_signed - paid_total
            kind = OpenItemKind.RECEIVABLE if e > 0 else OpenItemKind.PAYABLE
            natural_company = remainder_signed * -1 if kind == OpenItemKind.RECEIVABLE else remainder_signed
            lines.append(
                (
                    {"role": kind, "party_id": party_id, "description": f"credit {payment.number}"},
                    -remainder_signed,
                    (-remainder if kind == OpenItemKind.RECEIVABLE else remainder) if foreign else None,
                )
            )
            credit_item = (kind, natural_company)
        if fx_total:
            role = "exchange_gain" if fx_total > 0 else "exchange_loss"
            lines.append(({"role": role, "description": "realised exchange difference"}, -fx_total, None))
        specs_out = []
        for where, signed, in_currency in lines:
            if not signed:
                continue
            extra = {"amount_currency": in_currency, "currency": currency} if in_currency is not None else {}
            specs_out.append(
                LineSpec(
                    debit=signed if signed > 0 else ZERO,
                    credit=-signed if signed < 0 else ZERO,
                    **where,
                    **extra,
                )
            )
        post_entry(
            company=company,
            journal=bank_journal.journal if bank_journal is not None else "bank",
            on=on,
            lines=specs_out,
            source=SourceRef("payments.payment", payment.pk, payment.number),
            memo=(reference or memo or payment.number)[:255],
            by=by,
        )
        if credit_item is not None:
            kind, natural_company = credit_item
            register_open_item(
                company,
                kind=kind,
                party=party_id,
                source_type="payments.payment",
                source_id=payment.pk,
                number=payment.number,
                reference=(reference or "")[:60],
                document_date=on,
                due_date=on,
                currency=currency,
                amount=-remainder,
                amount_company=natural_company,
            )
        for plan in plans:
            _emit_settled(plan.item, payment.pk)
        emit(
            PAYMENT_POSTED,
            PaymentPosted(
                company_id=company.pk,
                payment_id=payment.pk,
                number=payment.number,
                direction=direction,
                party_id=party_id,
                amount=str(amount),
                currency=currency,
                date=on.isoformat(),
            ),
            company=company.pk,
        )
    payment._allocations = allocations_rows
    return payment


def receive_payment(
    company: Any,
    *,
    party: Any,
    amount: Decimal,
    currency: str | None = None,
    on: dt.date,
    reference: str = "",
    allocations: list[AllocationSpec] | None = None,
    bank_journal: BankJournal | None = None,
    amount_company: Decimal | None = None,
    memo: str = "",
    by: Any = None,
) -> Payment:
    """Money in from `party`: allocated to the given open items, or oldest first when None;
    what is left is kept as the customer's credit (never lost) for a later allocation."""
    return post_payment(
        company,
        direction=PaymentDirection.INCOMING,
        party=party,
        amount=amount,
        currency=currency,
        on=on,
        reference=reference,
        memo=memo,
        allocations=allocations,
        bank_journal=bank_journal,
        amount_company=amount_company,
        by=by,
    )


def pay(
    company: Any,
    *,
    party: Any,
    amount: Decimal,
    currency: str | None = None,
    on: dt.date,
    reference: str = "",
    allocations: list[AllocationSpec] | None = None,
    bank_journal: BankJournal | None = None,
    amount_company: Decimal | None = None,
    memo: str = "",
    by: Any = None,
) -> Payment:
    """Money out to `party` (a vendor's bills, or a refund of a customer's credit)."""
    return post_payment(
        company,
        direction=PaymentDirection.OUTGOING,
        party=party,
        amount=amount,
        currency=currency,
        on=on,
        reference=reference,
        memo=memo,
        allocations=allocations,
        bank_journal=bank_journal,
        amount_company=amount_company,
        by=by,
    )


def offset_open_items(
    first: OpenItem,
    second: OpenItem,
    *,
    amount: Decimal | None = None,
    on: dt.date | None = None,
    by: Any = None,
) -> list[Allocation]:
    """Settle two items of one party against each other: a credit note (or a customer's credit)
    against an invoice. Both are reduced by `amount` (default: as much as both allow); a
    company-currency difference between their booked rates is posted as realised exchange result."""
    if first.pk == second.pk:
        raise invalid("counterpart", _("an item cannot be offset against itself"))
    if first.company_id != second.company_id:
        raise invalid("counterpart", _("not found"))
    if first.party_id != second.party_id:
        raise invalid("counterpart", _("both items must belong to the same party"), PaymentsCode.WRONG_PARTY)
    if first.kind != second.kind:
        raise invalid(
            "counterpart",
            _("a receivable can only be offset against a receivable, a payable against a payable"),
        )
    if first.currency_id != second.currency_id:
        raise invalid(
            "counterpart", _("both items must be in the same currency"), PaymentsCode.CURRENCY_MISMATCH
        )
    if (first.amount > 0) == (second.amount > 0):
        raise invalid("counterpart", _("offset a credit (negative item) against a debit (positive item)"))
    with atomic(), acting(by):
        fresh = {
            i.pk: i
            for i in OpenItem.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk")
        }
        for item in (first, second):
            for name in ("residual", "residual_company", "status"):
                setattr(item, name, getattr(fresh[item.pk], name))
        on = on or dt.date.today()
        most = min(abs(first.residual), abs(second.residual))
        if most == 0:
            settled = first if first.residual == 0 else second
            raise AlreadySettled(_("%(number)s is already settled") % {"number": settled.number})
        if amount is None:
            amount = most
        amount = money(amount, first.currency_id, "amount")
        if amount <= 0:
            raise invalid("amount", _("must be more than zero"))
        if amount > most:
            raise AlreadySettled(
                _("at most %(most)s %(currency)s can be offset")
                % {"most": most, "currency": first.currency_id},
                code=PaymentsCode.OVER_ALLOCATED,
            )
        company = first.company
        base = company.base_currency_id
        plans = []
        for item in (first, second):
            sign = 1 if item.amount > 0 else -1
            plan = _Plan(item, amount * sign, ZERO, base)
            plan.compute()
            plans.append(plan)
        _apply(plans)
        k = _k(first.kind)
        # Both items sit on the same party account: only a difference between the rates they
        # were booked at moves money, from the party account to the exchange result.
        fx_signed = k * sum((p.settled_company for p in plans), ZERO)
        rows = [
            Allocation(
                company_id=first.company_id,
                open_item=plans[0].item,
                counterpart=plans[1].item,
                date=on,
                amount=plans[0].amount,
                amount_company=plans[0].settled_company,
                exchange_difference=ZERO,
            ),
            Allocation(
                company_id=first.company_id,
                open_item=plans[1].item,
                counterpart=plans[0].item,
                date=on,
                amount=plans[1].amount,
                amount_company=plans[1].settled_company,
                exchange_difference=-fx_signed,
            ),
        ]
        insert_rows(Allocation, rows)
        audit.record_created(rows)
        if fx_signed:
            foreign = first.currency_id != base
            lines = []
            for plan in plans:
                signed = -k * plan.settled_company
                lines.append(
                    LineSpec(
                        role=plan.item.kind,
                        party_id=plan.item.party_id,
                        debit=signed if signed > 0 else ZERO,
                        credit=-signed if signed < 0 else ZERO,
                        description=plan.item.number[:255],
                        amount_currency=(-k * plan.amount) if foreign else None,
                        currency=first.currency_id if foreign else None,
                    )
                )
            lines.append(
                LineSpec(
                    role="exchange_loss" if fx_signed > 0 else "exchange_gain",
                    debit=fx_signed if fx_signed > 0 else ZERO,
                    credit=-fx_signed if fx_signed < 0 else ZERO,
                    description="realised exchange difference",
                )
            )
            post_entry(
                company=company,
                journal="general",
                on=on,
                lines=lines,
                source=SourceRef("payments.openitem", first.pk, first.number),
                memo=f"offset {first.number} / {second.number}"[:255],
                by=by,
            )
        for plan in plans:
            _emit_settled(plan.item, None)
    return rows


def allocate_credit(
    credit: OpenItem, item: OpenItem, *, amount: Decimal | None = None, on=None, by: Any = None
):
    """Use a customer's credit (or a vendor's) on an open item: the same as an offset."""
    return offset_open_items(item, credit, amount=amount, on=on, by=by)


def reverse_payment(
    payment: Payment, *, on: dt.date | None = None, reason: str = "", by: Any = None
) -> Payment:
    """Undo a payment (a bounced transfer, a booking in error): its entry is reversed, the items
    it settled are open again, and its unused credit disappears. Refused when that credit has
    already been used on another item — undo that first."""
    on = on or payment.date
    with atomic(), acting(by):
        credit = (
            OpenItem.objects.select_for_update()
            .filter(company_id=payment.company_id, source_type="payments.payment", source_id=payment.pk)
            .first()
        )
        if credit is not None and credit.residual != credit.amount:
            raise PaymentsConflict(
                _("the credit of %(number)s has been used on other items; undo that first")
                % {"number": payment.number},
                code=PaymentsCode.CREDIT_USED,
            )
        transition(
            payment,
            to=PaymentStatus.REVERSED,
            by=by,
            fields={"reversed_on": on},
            event=PAYMENT_REVERSED,
            payload={"payment_id": payment.pk, "number": payment.number, "company_id": payment.company_id},
        )
        allocations = list(
            Allocation.objects.filter(payment=payment, is_reversed=False)
            .select_related("open_item")
            .order_by("open_item_id")
        )
        company = payment.company
        base = company.base_currency_id
        plans = []
        items = {
            i.pk: i
            for i in OpenItem.objects.select_for_update()
            .filter(pk__in=[a.open_item_id for a in allocations])
            .order_by("pk")
        }
        for allocation in allocations:
            item = items[allocation.open_item_id]
            plan = _Plan(item, -allocation.amount, -allocation.discount, base)
            plan.settled_company = -allocation.amount_company
            plan.new_residual = item.residual + allocation.amount + allocation.discount
            plan.new_residual_company = item.residual_company + allocation.amount_company
            plan.new_status = (
                OpenItemStatus.OPEN if plan.new_residual == item.amount else OpenItemStatus.PARTIAL
            )
            plans.append(plan)
        _apply_reopen(plans)
        if allocations:
            Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(
                is_reversed=True, reversed_on=on
            )
            for allocation in allocations:
                allocation.is_reversed, allocation.reversed_on = True, on
                audit.record_change(allocation, {"is_reversed": False, "reversed_on": None})
        if credit is not None:
            credit.delete()
        for line in StatementLine.objects.filter(payment=payment):
            # The bank line that matched it is open again on the reconciliation screen.
            old = {"status": line.status, "payment_id": line.payment_id, "match_note": line.match_note}
            StatementLine.objects.filter(pk=line.pk).update(
                status=LineStatus.UNMATCHED, payment=None, match_note=""
            )
            line.status, line.payment_id, line.match_note = LineStatus.UNMATCHED, None, ""
            audit.record_change(line, old)
        entry = (
            JournalEntry.objects.filter(
                company_id=payment.company_id,
                source_type="payments.payment",
                source_id=payment.pk,
                kind=EntryKind.NORMAL,
                status=EntryStatus.POSTED,
            )
            .select_related("journal", "company")
            .first()
        )
        if entry is not None:
            reverse_entry(
                entry, on=on, by=by, memo=(f"Reversal of {payment.number}: {reason}" if reason else "")[:255]
            )
        for plan in plans:
            _emit_settled(plan.item, payment.pk)
    return payment


def _apply_reopen(plans: list[_Plan]) -> None:
    for plan in sorted(plans, key=lambda p: p.item.pk):
        item = plan.item
        old = {"residual": item.residual, "residual_company": item.residual_company, "status": item.status}
        OpenItem.objects.filter(pk=item.pk).update(
            residual=plan.new_residual, residual_company=plan.new_residual_company, status=plan.new_status
        )
        item.residual, item.residual_company, item.status = (
            plan.new_residual,
            plan.new_residual_company,
            plan.new_status,
        )
        audit.record_change(item, old)
