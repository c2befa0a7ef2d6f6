"""Reads of the portal: always through the customer of the signed-in contact, so a portal user can
only ever reach their own company's records (any other id is simply not found). The staff's reads
(who has a login, open invitations) are at the end, scoped to the staff member's company."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from kern.core.exceptions import KernError
from kern.payments.selectors import party_statement
from kern.portal.models import PortalAccess, PortalInvitation
from kern.sales.models import Invoice, InvoiceStatus, OrderStatus, Quote, QuoteStatus, SalesOrder
from kern.sales.selectors.documents import invoices_of, orders_of, quotes_of
from kern.service import selectors as service_selectors
from kern.service.models import ArticleStatus, ArticleVisibility, KnowledgeArticle, Ticket

__all__ = [
    "access_of",
    "article_of",
    "invoice_of",
    "login_of",
    "logins_of",
    "my_invoices",
    "my_orders",
    "my_quotes",
    "my_statement",
    "my_tickets",
    "open_invitations_of",
    "order_of",
    "public_articles",
    "public_file_of",
    "quote_of",
    "ticket_of",
]

VISIBLE_QUOTES = (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.EXPIRED)


def access_of(user: Any) -> PortalAccess | None:
    if not getattr(user, "is_authenticated", False):
        return None
    access = (
        PortalAccess.objects.filter(user=user, is_active=True, contact__is_active=True)
        .select_related("party", "contact", "company")
        .first()
    )
    return access


def _one(qs: QuerySet, pk: Any) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def my_tickets(access: PortalAccess) -> QuerySet[Ticket]:
    return Ticket.objects.filter(company_id=access.company_id, customer_id=access.party_id).exclude(
        status="merged"
    )


def ticket_of(access: PortalAccess, pk: Any) -> Ticket:
    return _one(my_tickets(access), pk)


def my_quotes(access: PortalAccess) -> QuerySet[Quote]:
    return (
        quotes_of(access.company_id)
        .filter(customer_id=access.party_id, status__in=VISIBLE_QUOTES)
        .order_by("-pk")
    )


def quote_of(access: PortalAccess, pk: Any) -> Quote:
    return _one(my_quotes(access), pk)


def my_orders(access: PortalAccess) -> QuerySet[SalesOrder]:
    return (
        orders_of(access.company_id)
        .filter(customer_id=access.party_id)
        .exclude(status=OrderStatus.DRAFT)
        .order_by("-pk")
    )


def order_of(access: PortalAccess, pk: Any) -> SalesOrder:
    return _one(my_orders(access), pk)


def my_invoices(access: PortalAccess) -> QuerySet[Invoice]:
    return (
        invoices_of(access.company_id)
        .filter(customer_id=access.party_id, status=InvoiceStatus.POSTED)
        .order_by("-invoice_date", "-pk")
    )


def invoice_of(access: PortalAccess, pk: Any) -> Invoice:
    return _one(my_invoices(access), pk)


def my_statement(access: PortalAccess, *, days: int = 365) -> Any:
    """The customer's statement of the last `days` days; None while the books have no account for it."""
    end = timezone.localdate()
    try:
        return party_statement(access.company, access.party, end - dt.timedelta(days=days), end)
    except KernError:  # no receivables account set up yet: the page says there is nothing to show
        return None


def public_articles(access_company: Any, text: str = "") -> QuerySet[KnowledgeArticle]:
    if text.strip():
        return service_selectors.search_articles(access_company, text, public_only=True, limit=20)
    return (
        KnowledgeArticle.objects.for_company(access_company)
        .filter(status=ArticleStatus.PUBLISHED, visibility=ArticleVisibility.PUBLIC)
        .select_related("category")
    )


def article_of(access: PortalAccess, pk: Any) -> KnowledgeArticle:
    return _one(public_articles(access.company_id), pk)


def public_file_of(ticket: Ticket, pk: Any) -> Any:
    """A file on a public message of the ticket (never one on an internal note)."""
    from kern.core.models import Attachment

    message_ids = [str(i) for i in service_selectors.public_messages(ticket).values_list("pk", flat=True)]
    qs = Attachment.objects.filter(
        company_id=ticket.company_id, target_model="service.ticketmessage", target_id__in=message_ids
    )
    return _one(qs, pk)


# --- staff ---------------------------------------------------------------------------------------


def logins_of(company: Any) -> QuerySet[PortalAccess]:
    """The company's portal logins, active and revoked, by customer."""
    return (
        PortalAccess.objects.filter(company_id=getattr(company, "pk", company))
        .select_related("contact", "party", "user")
        .order_by("party__name", "pk")
    )


def login_of(company: Any, pk: Any) -> PortalAccess:
    """One of the company's portal logins; another company's id is not found (404)."""
    return _one(logins_of(company), pk)


def open_invitations_of(company: Any) -> QuerySet[PortalInvitation]:
    return PortalInvitation.objects.filter(
        company_id=getattr(company, "pk", company), accepted_at__isnull=True
    ).select_related("contact")
