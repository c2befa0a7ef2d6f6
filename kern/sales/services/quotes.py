"""Quotes: configure, price, approve, send, and the customer's acceptance through a signed link.

A quote is edited while draft. Its highest manual discount and its margin decide whether it needs
approval (see `_policy`): a user whose role covers it may send it straight away (and is recorded
as the approver); anyone else submits it, and a user whose role covers it approves it. Editing an
approved or sent quote takes it back to draft, and the approval and the old acceptance link lapse.

The acceptance link carries a token signed with the site's secret (django.core.signing), naming
the quote and the quote's current link nonce. An altered token, a token older than the quote's
validity, a token of an earlier revision or for a quote no longer sent is refused with 403 and
nothing changes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from kern.core.db import atomic
from kern.core.events import emit
from kern.core.exceptions import ValidationFailed
from kern.core.numbering import next_number
from kern.core.workflow import transition
from kern.sales.events import QUOTE_ACCEPTED, QUOTE_APPROVED, QUOTE_REJECTED, QUOTE_SENT, QuoteEvent
from kern.sales.exceptions import ApprovalNotAllowed, ApprovalRequired, LinkInvalid, SalesCode
from kern.sales.models import InvoicingPolicy, Quote, QuoteLine, QuoteStatus
from kern.sales.selectors.policy import policy_of
from kern.sales.selectors.pricing import customer_situation, price_lines
from kern.sales.services._common import (
    acting,
    as_date,
    at_most,
    contact_of,
    currency_of,
    customer_of,
    default_team,
    only,
    payment_term_of,
    refuse,
    related,
    team_of,
    user_id,
    user_of,
)
from kern.sales.services._documents import apply_totals, write_lines

__all__ = [
    "accept_quote",
    "acceptance_token",
    "approve_quote",
    "cancel_quote",
    "create_quote",
    "expire_quotes",
    "quote_for_token",
    "refuse_quote_approval",
    "reject_quote",
    "revise_quote",
    "send_quote",
    "submit_quote",
    "update_quote",
]

S = QuoteStatus
QUOTE_FIELDS = {
    "quote_date",
    "valid_until",
    "currency",
    "payment_term",
    "invoicing_policy",
    "sales_rep",
    "team",
    "contact",
    "customer_reference",
    "notes",
    "source_type",
    "source_id",
}
EDITABLE = (S.DRAFT, S.TO_APPROVE, S.APPROVED)
LINK_SALT = "kern.sales.quote-acceptance"


def _event(quote: Quote) -> QuoteEvent:
    return QuoteEvent(
        company_id=quote.company_id,
        quote_id=quote.pk,
        number=quote.number,
        customer_id=quote.customer_id,
        total=str(quote.total),
        status=quote.status,
        source_type=quote.source_type,
        source_id=quote.source_id,
        order_id=getattr(quote, "_order_id", None),
    )


def _apply_fields(quote: Quote, company: Any, fields: dict[str, Any]) -> None:
    if "quote_date" in fields:
        quote.quote_date = as_date(fields["quote_date"], "quote_date") or timezone.localdate()
    if "valid_until" in fields:
        quote.valid_until = as_date(fields["valid_until"], "valid_until")
    if "currency" in fields:
        quote.currency_id = currency_of(fields["currency"], company.base_currency_id)
    if "payment_term" in fields:
        quote.payment_term = payment_term_of(company, fields["payment_term"])
    if "invoicing_policy" in fields:
        if fields["invoicing_policy"] not in InvoicingPolicy.values:
            raise ValidationFailed.on("invoicing_policy", _("order or delivery"))
        quote.invoicing_policy = fields["invoicing_policy"]
    if "sales_rep" in fields:
        quote.sales_rep = user_of(company, fields["sales_rep"])
    if "team" in fields:
        quote.team = team_of(company, fields["team"])
    if "contact" in fields:
        quote.contact = contact_of(company, quote.customer, fields["contact"])
    for name in ("customer_reference", "notes", "source_type"):
        if name in fields:
            setattr(quote, name, (fields[name] or "").strip())
    if "source_id" in fields:
        quote.source_id = fields["source_id"]
    if quote.valid_until is None:
        quote.valid_until = quote.quote_date + dt.timedelta(days=policy_of(company).quote_validity_days)
    if quote.valid_until < quote.quote_date:
        raise ValidationFailed.on("valid_until", _("must not be before the quote date"))
    if len(quote.customer_reference) > 80:
        raise ValidationFailed.on("customer_reference", at_most(80))
    if len(quote.source_type) > 60:
        raise ValidationFailed.on("source_type", at_most(60))


def _price(quote: Quote, lines: list[Any]):
    company = quote.company
    situation = customer_situation(company, quote.customer)
    quote.tax_country, quote.tax_vat_id = situation.country, situation.vat_id
    priced = price_lines(
        company, quote.customer, lines, currency=quote.currency_id, on=quote.quote_date, situation=situation
    )
    apply_totals(quote, priced)
    policy = policy_of(company)
    quote.max_discount_percent = priced.max_discount
    quote.approval_reasons, quote.approval_role = policy.approval_reasons(
        priced.max_discount, priced.margin_percent
    )
    return priced


def create_quote(
    company: Any, *, customer: Any, lines: list[Any] = (), by: Any = None, **fields: Any
) -> Quote:
    """A draft quote for `customer`, priced line by line (see `_lines`).

    Defaults: today, valid for the company's validity days, the customer's currency and payment
    term, the company's invoicing policy, `by` as the sales rep with their team.
    """
    only(fields, QUOTE_FIELDS)
    customer = customer_of(company, customer)
    with atomic(), acting(by):
        quote = Quote(
            company=company,
            customer=customer,
            currency_id=customer.currency_id or company.base_currency_id,
            **related(customer, "payment_term"),
            invoicing_policy=policy_of(company).invoicing_policy,
            created_by_id=user_id(by),
            link_nonce=secrets.token_hex(8),
            quote_date=timezone.localdate(),
        )
        _apply_fields(quote, company, fields)
        if "sales_rep" not in fields and by is not None and getattr(by, "pk", None):
            quote.sales_rep = by
        if "team" not in fields:
            quote.team = default_team(company, quote.sales_rep)
        priced = _price(quote, list(lines))
        quote.number = next_number(company, "sales.quote", quote.quote_date)
        quote.save()
        write_lines(QuoteLine, quote, priced, replace=False)
    return quote


def update_quote(quote: Quote, *, lines: list[Any] | None = None, by: Any = None, **fields: Any) -> Quote:
    """Change a quote that is not yet sent; an approval given before lapses."""
    only(fields, QUOTE_FIELDS)
    if quote.status not in EDITABLE:
        raise refuse(
            _("quote %(number)s is %(status)s; revise it to change it")
            % {"number": quote.number, "status": quote.get_status_display()},
            SalesCode.NOT_EDITABLE,
        )
    with atomic(), acting(by):
        if quote.status != S.DRAFT:
            transition(quote, to=S.DRAFT, by=by, fields={"approved_by": None, "approved_at": None})
        _apply_fields(quote, quote.company, fields)
        if lines is None:
            lines = [
                {
                    "product": ln.product_id,
                    "quantity": ln.quantity,
                    "uom": ln.uom.code,
                    "discount_percent": ln.discount_percent,
                    "unit_price": ln.list_price,
                    "description": ln.description if not ln.options else "",
                    "options": [c["option_id"] for c in ln.options],
                }
                for ln in quote.lines.select_related("uom").order_by("line_no")
            ]
        priced = _price(quote, list(lines))
        quote.save()
        write_lines(QuoteLine, quote, priced, replace=True)
    return quote


def submit_quote(quote: Quote, *, by: Any = None) -> Quote:
    """Ask for approval of a quote whose discount or margin needs it."""
    if not quote.needs_approval:
        raise refuse(
            _("quote %(number)s needs no approval; send it") % {"number": quote.number}, SalesCode.NOT_ALLOWED
        )
    with atomic(), acting(by):
        transition(quote, to=S.TO_APPROVE, by=by)
    return quote


def approve_quote(quote: Quote, *, by: Any) -> Quote:
    """Approve the discount and margin of a quote; only a role whose limit covers them may."""
    policy = policy_of(quote.company)
    allowed, why = policy.may_approve(by, quote.max_discount_percent, quote.margin_percent)
    if not allowed:
        raise ApprovalNotAllowed(
            _("you may not approve quote %(number)s: %(reason)s") % {"number": quote.number, "reason": why}
        )
    with atomic(), acting(by):
        transition(
            quote,
            to=S.APPROVED,
            by=by,
            fields={"approved_by": by, "approved_at": timezone.now()},
            action="approve",
            event=QUOTE_APPROVED,
            payload=_event(quote),
        )
    return quote


def refuse_quote_approval(quote: Quote, *, by: Any, reason: str = "") -> Quote:
    policy = policy_of(quote.company)
    allowed, why = policy.may_approve(by, quote.max_discount_percent, quote.margin_percent)
    if not allowed:
        raise ApprovalNotAllowed(
            _("you may not decide on quote %(number)s: %(reason)s") % {"number": quote.number, "reason": why}
        )
    with atomic(), acting(by):
        transition(
            quote, to=S.DRAFT, by=by, fields={"rejection_reason": (reason or "")[:300]}, action="refuse"
        )
    return quote


def send_quote(quote: Quote, *, by: Any = None) -> Quote:
    """Send the quote: the customer may accept it through its link until it expires.

    A quote that needs approval goes out only once approved, or when the sender's own role
    covers its discount and margin (recorded as their approval).
    """
    fields: dict[str, Any] = {"sent_at": timezone.now()}
    if quote.valid_until < timezone.localdate():
        raise refuse(
            _("quote %(number)s was valid until %(date)s; change the date first")
            % {"number": quote.number, "date": quote.valid_until.isoformat()},
            SalesCode.QUOTE_EXPIRED,
        )
    if quote.needs_approval and quote.status != S.APPROVED:
        allowed, _why = policy_of(quote.company).may_approve(
            by, quote.max_discount_percent, quote.margin_percent
        )
        if not allowed:
            # The reasons in the user's language (the stored ones are English), as the quote's
            # figures give them now; the stored ones should the policy since have changed.
            reasons = policy_of(quote.company).approval_reasons(
                quote.max_discount_percent, quote.margin_percent, translated=True
            )[0]
            raise ApprovalRequired(
                _("quote %(number)s needs approval before it is sent: %(reasons)s")
                % {"number": quote.number, "reasons": "; ".join(reasons or quote.approval_reasons)},
                reasons=quote.approval_reasons,
                role=quote.approval_role,
            )
        fields.update(approved_by=by, approved_at=timezone.now())
    if not quote.lines.exists():
        raise refuse(_("quote %(number)s has no lines") % {"number": quote.number}, SalesCode.NOT_ALLOWED)
    with atomic(), acting(by):
        transition(
            quote, to=S.SENT, by=by, fields=fields, action="send", event=QUOTE_SENT, payload=_event(quote)
        )
    return quote


def acceptance_token(quote: Quote) -> str:
    """The signed token of the quote's public acceptance link (valid while the quote is)."""
    return signing.dumps({"q": quote.pk, "n": quote.link_nonce}, salt=LINK_SALT, compress=True)


def quote_for_token(token: str, *, today: dt.date | None = None) -> Quote:
    """The quote a link names, if the link is genuine, current and the quote may be accepted."""
    today = today or timezone.localdate()
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=dt.timedelta(days=400))
        pk, nonce = int(data["q"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid(_("this link is not valid: it was altered or is incomplete")) from None
    quote = Quote.objects.select_related("company", "customer", "currency").filter(pk=pk).first()
    if quote is None or not secrets.compare_digest(nonce, quote.link_nonce):
        raise LinkInvalid(_("this link is no longer valid: the quote was changed or withdrawn"))
    if quote.status == S.SENT and quote.valid_until < today:
        raise LinkInvalid(_("this quote expired on %(date)s") % {"date": quote.valid_until.isoformat()})
    if quote.status != S.SENT:
        raise LinkInvalid(
            _("this quote can no longer be accepted (it is %(status)s)")
            % {"status": quote.get_status_display().lower()}
        )
    return quote


def accept_quote(quote: Quote, *, name: str, from_address: str = "", by: Any = None, confirm: bool = True):
    """The customer accepts the quote: it becomes a sales order (confirmed, unless the credit
    check holds it). Returns the order."""
    from kern.sales.services.orders import confirm_order, order_from_quote

    name = (name or "").strip()
    if not name:
        raise ValidationFailed.on("name", _("type your name to accept"))
    if quote.status == S.SENT and quote.valid_until < timezone.localdate():
        raise refuse(
            _("quote %(number)s expired on %(date)s")
            % {"number": quote.number, "date": quote.valid_until.isoformat()},
            SalesCode.QUOTE_EXPIRED,
        )
    with atomic(), acting(by):
        transition(
            quote,
            to=S.ACCEPTED,
            by=by,
            fields={
                "accepted_at": timezone.now(),
                "accepted_by_name": name[:120],
                "accepted_from": from_address[:45],
            },
            action="accept",
        )
        order = order_from_quote(quote, by=by)
        quote._order_id = order.pk
        emit(QUOTE_ACCEPTED, _event(quote), company=quote.company_id)
        if confirm:
            confirm_order(order, by=by)
    return order


def reject_quote(quote: Quote, *, reason: str = "", by: Any = None) -> Quote:
    with atomic(), acting(by):
        transition(
            quote,
            to=S.REJECTED,
            by=by,
            fields={"rejection_reason": (reason or "")[:300]},
            action="reject",
            event=QUOTE_REJECTED,
            payload=_event(quote),
        )
    return quote


def revise_quote(quote: Quote, *, by: Any = None) -> Quote:
    """Back to draft to change it; the old acceptance link stops working."""
    with atomic(), acting(by):
        transition(
            quote,
            to=S.DRAFT,
            by=by,
            fields={
                "link_nonce": secrets.token_hex(8),
                "approved_by": None,
                "approved_at": None,
                "sent_at": None,
            },
            action="revise",
        )
    return quote


def cancel_quote(quote: Quote, *, by: Any = None) -> Quote:
    with atomic(), acting(by):
        transition(quote, to=S.CANCELLED, by=by, action="cancel")
    return quote


def expire_quotes(company: Any, *, on: dt.date | None = None, by: Any = None) -> int:
    """Mark sent quotes past their validity as expired; returns how many."""
    on = on or timezone.localdate()
    count = 0
    with atomic(), acting(by):
        for quote in Quote.objects.filter(company_id=company.pk, status=S.SENT, valid_until__lt=on).order_by(
            "pk"
        ):
            transition(quote, to=S.EXPIRED, by=by, action="expire")
            count += 1
    return count
