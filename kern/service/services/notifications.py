"""Outbound e-mail of the service desk. Every handler here is subscribed with `after_commit=True`:
mail leaves only once the transaction that caused it has committed, and a failed send stays on
the outbox row for `kern worker` to retry."""

from __future__ import annotations

import logging
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from kern.core.events import Event, subscribe
from kern.core.selectors import attachments_on
from kern.service.models import Channel, Ticket, TicketMessage
from kern.service.richtext import html_to_text

__all__ = ["message_id_for", "register_handlers", "ticket_subject"]

log = logging.getLogger("kern.service.mail")


def message_id_for(ticket: Ticket) -> str:
    """A Message-Id that names the ticket, so a reply threads back even if our row is gone."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip() or "kern.localhost"
    return make_msgid(idstring=None, domain=domain).replace("<", f"<ticket-{ticket.pk}.", 1)


def ticket_subject(ticket: Ticket, text: str | None = None) -> str:
    return f"[{ticket.number}] {text or ticket.subject}"


def _sender(ticket: Ticket) -> str:
    if ticket.team is not None and ticket.team.email:
        return f"{ticket.team.name} <{ticket.team.email}>"
    return settings.DEFAULT_FROM_EMAIL


def _language(ticket: Ticket) -> str:
    if ticket.contact is not None:
        return ticket.contact.language
    if ticket.customer is not None:
        return ticket.customer.language
    return settings.LANGUAGE_CODE.split("-")[0]


def _send(
    ticket: Ticket,
    *,
    to: list[str],
    template: str,
    context: dict[str, Any],
    message_id: str | None = None,
    attachments: list[Any] | None = None,
    language: str | None = None,
) -> None:
    to = sorted({addr for addr in to if addr})
    if not to:
        return
    with translation.override(language or _language(ticket)):
        html = render_to_string(f"service/email/{template}.html", {"ticket": ticket, **context})
        subject = render_to_string(f"service/email/{template}_subject.txt", {"ticket": ticket, **context})
    subject = " ".join(subject.split())
    references = list(
        ticket.messages.exclude(email_message_id="")
        .order_by("-id")
        .values_list("email_message_id", flat=True)[:10]
    )
    headers = {
        "Message-ID": message_id or message_id_for(ticket),
        # RFC 3834: tell other machines not to answer automatically, which stops mail loops.
        "Auto-Submitted": "auto-replied" if template != "reply" else "no",
        "X-Kern-Ticket": ticket.number,
    }
    if references:
        headers["In-Reply-To"] = references[0]
        headers["References"] = " ".join(reversed(references))
    mail = EmailMultiAlternatives(
        subject=subject,
        body=html_to_text(html),
        from_email=_sender(ticket),
        to=to,
        reply_to=[ticket.team.email] if ticket.team is not None and ticket.team.email else None,
        headers=headers,
        connection=get_connection(),
    )
    mail.attach_alternative(html, "text/html")
    for attachment in attachments or []:
        with attachment.file.open("rb") as handle:
            mail.attach(
                attachment.filename, handle.read(), attachment.content_type or "application/octet-stream"
            )
    mail.send()


def _ticket(event: Event) -> Ticket | None:
    return (
        Ticket.objects.filter(pk=event.payload.get("ticket_id"))
        .select_related("team", "customer", "contact", "assignee", "sla_policy")
        .first()
    )


def _user_emails(*user_ids: Any) -> list[str]:
    ids = [u for u in user_ids if u]
    if not ids:
        return []
    return list(
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def on_ticket_opened(event: Event) -> None:
    ticket = _ticket(event)
    if ticket is None:
        return
    if ticket.requester_email and ticket.channel != Channel.AGENT:
        _send(ticket, to=[ticket.requester_email], template="acknowledgement", context={})
    if ticket.assignee_id:
        _send(
            ticket,
            to=_user_emails(ticket.assignee_id),
            template="assigned",
            context={},
            language=settings.LANGUAGE_CODE,
        )


def on_ticket_assigned(event: Event) -> None:
    ticket = _ticket(event)
    if ticket is not None and ticket.assignee_id:
        _send(
            ticket,
            to=_user_emails(ticket.assignee_id),
            template="assigned",
            context={},
            language=settings.LANGUAGE_CODE,
        )


def on_reply_posted(event: Event) -> None:
    ticket = _ticket(event)
    message = (
        TicketMessage.objects.filter(pk=event.payload.get("message_id")).select_related("author").first()
    )
    if ticket is None or message is None or not ticket.requester_email:
        return
    _send(
        ticket,
        to=[ticket.requester_email],
        template="reply",
        context={"message": message},
        message_id=message.email_message_id or None,
        attachments=list(attachments_on(message)),
    )


def on_customer_replied(event: Event) -> None:
    ticket = _ticket(event)
    message = TicketMessage.objects.filter(pk=event.payload.get("message_id")).first()
    if ticket is None or message is None or not ticket.assignee_id:
        return
    _send(
        ticket,
        to=_user_emails(ticket.assignee_id),
        template="customer_replied",
        context={"message": message},
        language=settings.LANGUAGE_CODE,
    )


def on_ticket_resolved(event: Event) -> None:
    ticket = _ticket(event)
    if ticket is not None and ticket.requester_email:
        _send(ticket, to=[ticket.requester_email], template="resolved", context={})


def on_sla_escalated(event: Event) -> None:
    ticket = _ticket(event)
    if ticket is None:
        return
    to = _user_emails(ticket.assignee_id, getattr(ticket.team, "lead_id", None))
    if ticket.sla_policy is not None and ticket.sla_policy.notify_emails:
        to += [a.strip() for a in ticket.sla_policy.notify_emails.split(",") if a.strip()]
    _send(
        ticket,
        to=to,
        template="escalated",
        context={"level": event.payload.get("level"), "clock": event.payload.get("clock")},
        language=settings.LANGUAGE_CODE,
    )


def register_handlers() -> None:
    subscribe("service.ticket_opened", on_ticket_opened, after_commit=True)
    subscribe("service.ticket_assigned", on_ticket_assigned, after_commit=True)
    subscribe("service.reply_posted", on_reply_posted, after_commit=True)
    subscribe("service.customer_replied", on_customer_replied, after_commit=True)
    subscribe("service.ticket_resolved", on_ticket_resolved, after_commit=True)
    subscribe("service.sla_escalated", on_sla_escalated, after_commit=True)
