"""Demo data of the portal: the demo user `portal_customer` becomes the portal login of a contact
person of the demo customer with the most to see (a sent quote to accept, orders, posted
invoices), who also has tickets in the portal. Runs after sales and service; idempotent."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from kern.parties.models import ContactPerson
from kern.portal import services
from kern.portal.models import PortalAccess
from kern.sales.models import InvoiceStatus, OrderStatus, QuoteStatus
from kern.sales.selectors.documents import invoices_of, orders_of, quotes_of
from kern.service import selectors as service_selectors
from kern.service import services as service_services
from kern.service.models import TicketStatus

__all__ = ["load_portal", "pick_customer"]


def _per_customer(qs: Any) -> dict[int, int]:
    return dict(qs.values_list("customer_id").annotate(n=Count("pk")).order_by())


def pick_customer(company: Any) -> ContactPerson | None:
    """The contact (with an e-mail address) of the customer with the most portal documents."""
    sent = _per_customer(quotes_of(company).filter(status=QuoteStatus.SENT))
    quotes = _per_customer(
        quotes_of(company).filter(status__in=(QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.REJECTED))
    )
    orders = _per_customer(orders_of(company).exclude(status__in=(OrderStatus.DRAFT, OrderStatus.CANCELLED)))
    invoices = _per_customer(invoices_of(company).filter(status=InvoiceStatus.POSTED))
    contacts = (
        ContactPerson.objects.filter(
            company=company, party__is_customer=True, party__is_active=True, is_active=True
        )
        .exclude(email="")
        .exclude(portal_access__isnull=False)
        .select_related("party")
        .order_by("party_id", "-is_primary", "pk")
    )
    best, best_key = None, None
    for contact in contacts:
        p = contact.party_id
        key = (
            p in sent and p in orders and p in invoices,
            (p in sent) + (p in orders) + (p in invoices),
            quotes.get(p, 0) + orders.get(p, 0) + invoices.get(p, 0),
        )
        if best_key is None or key > best_key:
            best, best_key = contact, key
    return best


def load_portal(ctx: dict[str, Any], progress: Any = None) -> None:
    company = ctx.get("company")
    users = ctx.get("users", {})
    user, agent = users.get("portal_customer"), users.get("service_agent")
    if company is None or user is None or PortalAccess.objects.filter(user=user).exists():
        return
    contact = pick_customer(company)
    if contact is None:
        return
    access = services.grant_access(contact, user=user)
    if service_selectors.open_tickets_for(access.party).exists():
        return
    ticket = service_services.open_ticket(
        company,
        subject="Vraag over de levering van mijn bestelling",
        description="Wanneer wordt de rest van mijn bestelling geleverd?",
        channel="portal",
        customer=access.party,
        contact=contact,
        requester_email=contact.email,
        requester_name=str(contact),
    )
    if agent is not None:
        service_services.reply_to_ticket(
            ticket,
            body="De rest gaat morgen mee met de vrachtwagen. Is dat op tijd?",
            by=agent,
            then=TicketStatus.PENDING,
        )
