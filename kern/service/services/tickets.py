"""Tickets: opening (routing, tier, SLA targets, assignment), the conversation, status changes,
merging duplicates, links to other records, and escalation of service levels."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from kern.core import context
from kern.core.db import atomic
from kern.core.events import emit
from kern.core.exceptions import Conflict, ValidationFailed
from kern.core.models import Company
from kern.core.numbering import next_number
from kern.core.selectors import is_member
from kern.core.services import add_attachment, validated
from kern.core.workflow import transition
from kern.parties.models import ContactPerson, Party
from kern.service import selectors
from kern.service.businesstime import add_business_minutes, business_minutes_between
from kern.service.models import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    TIER_RANK,
    AssignmentStrategy,
    Channel,
    MessageKind,
    Priority,
    RoutingRule,
    Team,
    TeamMember,
    Ticket,
    TicketCategory,
    TicketLink,
    TicketMessage,
    TicketStatus,
)
from kern.service.richtext import rich_text
from kern.service.services.notifications import message_id_for

__all__ = [
    "LINKABLE",
    "add_customer_message",
    "add_note",
    "assign_ticket",
    "check_service_levels",
    "close_ticket",
    "link_record",
    "merge_tickets",
    "open_ticket",
    "reopen_ticket",
    "reply_to_ticket",
    "resolve_ticket",
    "start_ticket",
    "unlink_record",
    "update_ticket",
    "wait_on_customer",
]

log = logging.getLogger("kern.service")

MAX_ATTACHMENTS = 20


def _acting(by: Any):
    return context.acting(by) if by is not None else context.acting()


def _company_row(model: type, company_id: int, value: Any, field: str) -> Any:
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    found = model._default_manager.filter(company_id=company_id, pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise ValidationFailed.on(field, f"unknown {model._meta.verbose_name} {pk!r}")
    return found


def _agent(company_id: int, user: Any, field: str = "assignee") -> Any:
    if user in (None, ""):
        return None
    User = get_user_model()
    if not isinstance(user, User):
        user = User.objects.filter(pk=user).first() if str(user).isdigit() else None
    if user is None or not user.is_active or not is_member(user, company_id):
        raise ValidationFailed.on(field, "assign to an active user of this company")
    return user


def _requester(company_id: int, email: str) -> tuple[Party | None, ContactPerson | None]:
    """Who writes from `email`: a contact person of a customer, else a customer with that address."""
    email = (email or "").strip()
    if not email:
        return None, None
    contact = (
        ContactPerson.objects.filter(company_id=company_id, email__iexact=email, is_active=True)
        .select_related("party")
        .order_by("-party__is_customer", "id")
        .first()
    )
    if contact is not None:
        return contact.party, contact
    party = (
        Party.objects.filter(company_id=company_id, email__iexact=email)
        .order_by("-is_customer", "id")
        .first()
    )
    return party, None


def _route(ticket: Ticket) -> None:
    """The first matching routing rule picks the team (and may raise the priority); else the
    category's team; else the company's default team."""
    rank = TIER_RANK.get(ticket.tier, 0)
    for rule in (
        RoutingRule.objects.for_company(ticket.company_id).filter(is_active=True).select_related("team")
    ):
        if rule.category_id and rule.category_id != ticket.category_id:
            continue
        if rule.min_tier and rank < TIER_RANK[rule.min_tier]:
            continue
        if rule.channel and rule.channel != ticket.channel:
            continue
        if rule.keyword and rule.keyword.lower() not in ticket.subject.lower():
            continue
        if not rule.team.is_active:
            continue
        ticket.team = rule.team
        if rule.min_priority and PRIORITY_RANK[rule.min_priority] > PRIORITY_RANK[ticket.priority]:
            ticket.priority = rule.min_priority
        return
    if ticket.team_id is None and ticket.category is not None and ticket.category.team_id:
        ticket.team = ticket.category.team
    if ticket.team_id is None:
        ticket.team = (
            Team.objects.for_company(ticket.company_id).filter(is_default=True, is_active=True).first()
        )


def _pick_agent(ticket: Ticket) -> Any:
    """The next agent of the ticket's team by its strategy. Members are locked in a fixed order so
    two tickets opened at once never both go to the same 'next' agent."""
    team = ticket.team
    if team is None or team.strategy == AssignmentStrategy.MANUAL:
        return None
    members = list(
        TeamMember.objects.filter(team=team, is_available=True, user__is_active=True)
        .select_related("user")
        .select_for_update()
        .order_by("pk")
    )
    if team.strategy == AssignmentStrategy.SKILLS and ticket.category is not None and ticket.category.skill:
        skilled = [m for m in members if ticket.category.skill.lower() in [s.lower() for s in m.skills or []]]
        members = skilled or members
    if not members:
        return None
    if team.strategy == AssignmentStrategy.LEAST_LOADED:
        load = dict(
            Ticket.objects.filter(
                company_id=ticket.company_id, status__in=OPEN_STATUSES, assignee__in=[m.user for m in members]
            )
            .values_list("assignee")
            .annotate(n=Count("id"))
            .values_list("assignee", "n")
        )
        chosen = min(
            members,
            key=lambda m: (
                load.get(m.user_id, 0),
                m.last_assigned_at or dt.datetime.min.replace(tzinfo=dt.UTC),
                m.pk,
            ),
        )
    else:  # round robin: whoever got a ticket longest ago (never first)
        chosen = min(
            members, key=lambda m: (m.last_assigned_at or dt.datetime.min.replace(tzinfo=dt.UTC), m.pk)
        )
    TeamMember.objects.filter(pk=chosen.pk).update(last_assigned_at=timezone.now())
    return chosen.user


def _set_targets(ticket: Ticket, *, start: dt.datetime) -> None:
    policy = selectors.policy_for(ticket.company_id, ticket.tier, ticket.priority)
    ticket.sla_policy = policy
    if policy is None:
        ticket.first_response_due = ticket.resolution_due = None
        return
    schedule = selectors.schedule_of(policy.calendar)
    try:
        if ticket.first_responded_at is None:
            ticket.first_response_due = add_business_minutes(schedule, start, policy.first_response_minutes)
        ticket.resolution_due = add_business_minutes(schedule, start, policy.resolution_minutes)
    except ValueError as exc:
        raise ValidationFailed.on("sla_policy", f"{policy}: {exc}") from None


def _attach(message: TicketMessage, files: list[Any] | None, by: Any) -> list[Any]:
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed.on("attachments", f"at most {MAX_ATTACHMENTS} files per message")
    from kern.service.services.inbound import refuse_dangerous_file

    out = []
    for upload in files:
        refuse_dangerous_file(getattr(upload, "name", ""), getattr(upload, "content_type", ""))
        out.append(add_attachment(message, file=upload, by=by))
    return out


def _message(ticket: Ticket, kind: str, body: str, *, by: Any = None, **fields: Any) -> TicketMessage:
    clean = rich_text(body)
    if not clean:
        raise ValidationFailed.on("body", "write a message")
    message = TicketMessage(company_id=ticket.company_id, ticket=ticket, kind=kind, body=clean, **fields)
    if by is not None and getattr(by, "is_authenticated", False):
        message.author = by
        message.author_name = message.author_name or by.get_full_name() or by.get_username()
        message.author_email = message.author_email or by.email or ""
    message.save()
    return message


def open_ticket(
    company: Any,
    *,
    subject: str,
    description: str = "",
    channel: str = Channel.AGENT,
    customer: Any = None,
    contact: Any = None,
    requester_email: str = "",
    requester_name: str = "",
    priority: str = Priority.NORMAL,
    category: Any = None,
    team: Any = None,
    assignee: Any = None,
    attachments: list[Any] | None = None,
    email_message_id: str = "",
    by: Any = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Open a ticket from any channel: find the customer, set its tier, route it to a team, start
    the SLA clocks and assign an agent. The requester gets an acknowledgement after commit."""
    if not isinstance(company, Company):
        company = Company.objects.get(pk=company)
    company_id = company.pk
    now = now or timezone.now()
    customer = _company_row(Party, company_id, customer, "customer")
    contact = _company_row(ContactPerson, company_id, contact, "contact")
    if contact is not None and customer is not None and contact.party_id != customer.pk:
        raise ValidationFailed.on("contact", "this contact belongs to another customer")
    if contact is not None and customer is None:
        customer = contact.party
    if customer is None and contact is None and requester_email:
        customer, contact = _requester(company_id, requester_email)
    if customer is not None and contact is None:
        # no one named: the customer's primary contact (or the one whose address wrote to us)
        contacts = customer.contacts.filter(is_active=True)
        if requester_email:
            contacts = contacts.filter(email__iexact=requester_email)
        contact = contacts.order_by("-is_primary", "id").first()
    if contact is not None:
        requester_email = requester_email or contact.email
        requester_name = requester_name or contact.full_name
    ticket = Ticket(
        company_id=company_id,
        number="pending",
        subject=(subject or "").strip()[:200],
        description=rich_text(description),
        channel=channel,
        customer=customer,
        contact=contact,
        requester_email=(requester_email or "").strip(),
        requester_name=(requester_name or "").strip()[:160],
        priority=priority or Priority.NORMAL,
        category=_company_row(TicketCategory, company_id, category, "category"),
        team=_company_row(Team, company_id, team, "team"),
        created_at=now,
        updated_at=now,
    )
    if not ticket.subject:
        raise ValidationFailed.on("subject", "give the ticket a subject")
    if channel in (Channel.EMAIL, Channel.WEB_FORM) and not ticket.requester_email:
        raise ValidationFailed.on("requester_email", "we need an e-mail address to answer")
    ticket.tier = selectors.tier_of(customer).tier
    validated(ticket, exclude=["number", "assignee", "sla_policy"])
    with atomic(), _acting(by):
        if ticket.team_id is None:
            _route(ticket)
        _set_targets(ticket, start=now)
        ticket.assignee = _agent(company_id, assignee) if assignee else _pick_agent(ticket)
        ticket.number = next_number(company, "service.ticket", now.date())
        ticket.save()
        if ticket.description:
            # The description is the customer's question, even when an agent typed it from a call.
            message = TicketMessage(
                company_id=company_id,
                ticket=ticket,
                kind=MessageKind.CUSTOMER,
                body=ticket.description,
                author=by if channel == Channel.PORTAL and by is not None else None,
                author_name=ticket.requester_name,
                author_email=ticket.requester_email,
                channel=channel,
                email_message_id=(email_message_id or "")[:255],
                created_at=now,
            )
            message.save()
            _attach(message, attachments, by)
        elif attachments:
            raise ValidationFailed.on("description", "describe the question to attach files")
        emit(
            "service.ticket_opened",
            {
                "ticket_id": ticket.pk,
                "number": ticket.number,
                "channel": channel,
                "assignee_id": ticket.assignee_id,
            },
            company=company_id,
        )
    return ticket


def update_ticket(ticket: Ticket, *, by: Any = None, **fields: Any) -> Ticket:
    """Change subject, priority, category, team, customer or contact. A new priority or customer
    moves the SLA targets (counted from when the ticket was opened)."""
    allowed = {"subject", "priority", "category", "team", "customer", "contact", "assignee"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], "this field cannot be changed here")
    if not ticket.is_open:
        raise Conflict(f"ticket {ticket.number} is {ticket.get_status_display()}; reopen it first")
    cid = ticket.company_id
    if "subject" in fields:
        ticket.subject = (fields["subject"] or "").strip()[:200]
        if not ticket.subject:
            raise ValidationFailed.on("subject", "give the ticket a subject")
    if "category" in fields:
        ticket.category = _company_row(TicketCategory, cid, fields["category"], "category")
    if "team" in fields:
        ticket.team = _company_row(Team, cid, fields["team"], "team")
    if "customer" in fields:
        ticket.customer = _company_row(Party, cid, fields["customer"], "customer")
        ticket.tier = selectors.tier_of(ticket.customer).tier
    if "contact" in fields:
        ticket.contact = _company_row(ContactPerson, cid, fields["contact"], "contact")
        if (
            ticket.contact is not None
            and ticket.customer_id
            and ticket.contact.party_id != ticket.customer_id
        ):
            raise ValidationFailed.on("contact", "this contact belongs to another customer")
    if "assignee" in fields:
        ticket.assignee = _agent(cid, fields["assignee"])
    if "priority" in fields:
        ticket.priority = fields["priority"] or Priority.NORMAL
    validated(ticket)
    with atomic(), _acting(by):
        if {"priority", "customer"} & set(fields) and ticket.status != TicketStatus.PENDING:
            _set_targets(ticket, start=ticket.created_at)
            ticket.escalation_level = 0
        ticket.updated_at = timezone.now()
        ticket.save()
    return ticket


def assign_ticket(ticket: Ticket, assignee: Any, *, by: Any = None) -> Ticket:
    user = _agent(ticket.company_id, assignee)
    with atomic(), _acting(by):
        ticket.assignee = user
        ticket.updated_at = timezone.now()
        ticket.save(update_fields=["assignee", "updated_at"])
        emit(
            "service.ticket_assigned",
            {"ticket_id": ticket.pk, "assignee_id": getattr(user, "pk", None)},
            company=ticket.company_id,
        )
    return ticket


def reply_to_ticket(
    ticket: Ticket, *, body: str, by: Any, attachments: list[Any] | None = None, then: str | None = None
) -> TicketMessage:
    """A public answer by an agent: e-mailed to the requester after commit. It stops the first
    response clock; `then` may set the ticket to pending (waiting on the customer) or resolved."""
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.MERGED):
        raise Conflict(f"ticket {ticket.number} is {ticket.get_status_display()}; it takes no replies")
    if then not in (None, "", TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.RESOLVED):
        raise ValidationFailed.on("then", "after replying a ticket is open, pending or resolved")
    with atomic(), _acting(by):
        message = _message(
            ticket,
            MessageKind.REPLY,
            body,
            by=by,
            channel=Channel.AGENT,
            email_message_id=message_id_for(ticket),
        )
        _attach(message, attachments, by)
        now = message.created_at
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            Ticket.objects.filter(pk=ticket.pk).update(first_responded_at=now, updated_at=now)
        if ticket.status == TicketStatus.NEW and then != TicketStatus.RESOLVED:
            transition(ticket, to=TicketStatus.OPEN, by=by)
        if ticket.status == TicketStatus.RESOLVED:
            reopen_ticket(ticket, by=by)
        if then == TicketStatus.PENDING and ticket.status != TicketStatus.PENDING:
            wait_on_customer(ticket, by=by)
        elif then == TicketStatus.RESOLVED:
            resolve_ticket(ticket, by=by)
        emit(
            "service.reply_posted",
            {"ticket_id": ticket.pk, "message_id": message.pk},
            company=ticket.company_id,
        )
    return message


def add_note(ticket: Ticket, *, body: str, by: Any, attachments: list[Any] | None = None) -> TicketMessage:
    """An internal note: colleagues see it, the customer never does."""
    with atomic(), _acting(by):
        message = _message(ticket, MessageKind.NOTE, body, by=by, channel=Channel.AGENT)
        _attach(message, attachments, by)
    return message


def add_customer_message(
    ticket: Ticket,
    *,
    body: str,
    by: Any = None,
    author_name: str = "",
    author_email: str = "",
    channel: str = Channel.PORTAL,
    attachments: list[Any] | None = None,
    email_message_id: str = "",
) -> TicketMessage:
    """The customer writes again (portal or e-mail). A pending or resolved ticket opens again and
    the assignee is told; a closed or merged one refuses (the customer opens a new ticket)."""
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.MERGED):
        raise Conflict(f"ticket {ticket.number} is closed; please open a new one")
    with atomic(), _acting(by):
        message = _message(
            ticket,
            MessageKind.CUSTOMER,
            body,
            by=by,
            author_name=author_name[:160],
            author_email=author_email[:254],
            channel=channel,
            email_message_id=email_message_id[:255],
        )
        _attach(message, attachments, by)
        if ticket.status == TicketStatus.PENDING:
            _resume(ticket, by=by)
        elif ticket.status == TicketStatus.RESOLVED:
            reopen_ticket(ticket, by=by)
        else:
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=message.created_at)
        emit(
            "service.customer_replied",
            {"ticket_id": ticket.pk, "message_id": message.pk},
            company=ticket.company_id,
        )
    return message


def _system_note(ticket: Ticket, text: str) -> TicketMessage:
    return TicketMessage.objects.create(
        company_id=ticket.company_id,
        ticket=ticket,
        kind=MessageKind.SYSTEM,
        body=rich_text(text),
        channel=Channel.AGENT,
    )


def start_ticket(ticket: Ticket, *, by: Any = None) -> Ticket:
    return transition(ticket, to=TicketStatus.OPEN, by=by, fields={"updated_at": timezone.now()})


def wait_on_customer(ticket: Ticket, *, by: Any = None, now: dt.datetime | None = None) -> Ticket:
    """Pending: the resolution clock stops; what is left of it is kept for when the customer answers."""
    now = now or timezone.now()
    remaining = None
    if ticket.sla_policy_id and ticket.resolution_due:
        schedule = selectors.schedule_of(ticket.sla_policy.calendar)
        remaining = max(business_minutes_between(schedule, now, ticket.resolution_due), 0)
    return transition(
        ticket,
        to=TicketStatus.PENDING,
        by=by,
        fields={"resolution_remaining_minutes": remaining, "updated_at": now},
        event="service.ticket_pending",
    )


def _resume(ticket: Ticket, *, by: Any = None, now: dt.datetime | None = None) -> Ticket:
    now = now or timezone.now()
    fields: dict[str, Any] = {"resolution_remaining_minutes": None, "updated_at": now}
    if ticket.sla_policy_id and ticket.resolution_remaining_minutes is not None:
        schedule = selectors.schedule_of(ticket.sla_policy.calendar)
        fields["resolution_due"] = add_business_minutes(schedule, now, ticket.resolution_remaining_minutes)
    return transition(ticket, to=TicketStatus.OPEN, by=by, fields=fields)


def resolve_ticket(ticket: Ticket, *, by: Any = None, now: dt.datetime | None = None) -> Ticket:
    now = now or timezone.now()
    if (
        ticket.status == TicketStatus.PENDING
        and ticket.sla_policy_id
        and ticket.resolution_remaining_minutes is not None
    ):
        # resolved while waiting: the clock was stopped, so the target counts as met
        schedule = selectors.schedule_of(ticket.sla_policy.calendar)
        Ticket.objects.filter(pk=ticket.pk).update(
            resolution_due=add_business_minutes(schedule, now, ticket.resolution_remaining_minutes)
        )
        ticket.refresh_from_db(fields=["resolution_due"])
    return transition(
        ticket,
        to=TicketStatus.RESOLVED,
        by=by,
        fields={"resolved_at": now, "resolution_remaining_minutes": None, "updated_at": now},
        event="service.ticket_resolved",
        payload={"ticket_id": ticket.pk, "number": ticket.number},
    )


def reopen_ticket(ticket: Ticket, *, by: Any = None) -> Ticket:
    if ticket.status == TicketStatus.PENDING:
        return _resume(ticket, by=by)
    return transition(
        ticket, to=TicketStatus.OPEN, by=by, fields={"resolved_at": None, "updated_at": timezone.now()}
    )


def close_ticket(ticket: Ticket, *, by: Any = None) -> Ticket:
    now = timezone.now()
    fields: dict[str, Any] = {"closed_at": now, "updated_at": now, "resolution_remaining_minutes": None}
    if ticket.resolved_at is None:
        fields["resolved_at"] = now
    return transition(ticket, to=TicketStatus.CLOSED, by=by, fields=fields, event="service.ticket_closed")


def merge_tickets(duplicate: Ticket, into: Ticket, *, by: Any = None) -> Ticket:
    """Fold a duplicate into another ticket of the same customer: its conversation and links move
    over, it is marked merged and points at the surviving ticket."""
    if duplicate.pk == into.pk:
        raise ValidationFailed.on("into", "a ticket cannot be merged into itself")
    if duplicate.company_id != into.company_id:
        raise ValidationFailed.on("into", "unknown ticket")
    if not into.is_open and into.status != TicketStatus.RESOLVED:
        raise Conflict(f"ticket {into.number} is {into.get_status_display()}; merge into an open ticket")
    if duplicate.customer_id and into.customer_id and duplicate.customer_id != into.customer_id:
        raise ValidationFailed.on("into", "both tickets must be of the same customer")
    with atomic(), _acting(by):
        transition(
            duplicate,
            to=TicketStatus.MERGED,
            by=by,
            fields={"merged_into": into, "updated_at": timezone.now()},
        )
        TicketMessage.objects.filter(ticket=duplicate).update(ticket=into)
        existing = set(into.links.values_list("target_model", "target_id"))
        for link in list(duplicate.links.all()):
            if (link.target_model, link.target_id) in existing:
                link.delete()
            else:
                link.ticket = into
                link.save(update_fields=["ticket"])
        _system_note(into, f"Ticket {duplicate.number} ({duplicate.subject}) was merged into this ticket.")
        _system_note(duplicate, f"Merged into ticket {into.number}.")
        if into.status == TicketStatus.RESOLVED:
            reopen_ticket(into, by=by)
        emit(
            "service.ticket_merged", {"ticket_id": duplicate.pk, "into_id": into.pk}, company=into.company_id
        )
    return into


# --- links to other records ------------------------------------------------------------------

LINKABLE = {
    "catalog.product",
    "sales.quote",
    "sales.salesorder",
    "sales.invoice",
    "sales.salesinvoice",
    "sales.creditnote",
    "inventory.lot",
    "inventory.delivery",
    "inventory.serialnumber",
    "payments.payment",
}


def link_record(ticket: Ticket, *, target_model: str, target_id: Any, by: Any = None) -> TicketLink:
    """Point a ticket at an order, invoice, product or lot of the same company (by model label and id)."""
    label = (target_model or "").lower().strip()
    if label not in LINKABLE:
        raise ValidationFailed.on(
            "target_model", f"cannot link a {label or 'nothing'}; one of {', '.join(sorted(LINKABLE))}"
        )
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise ValidationFailed.on("target_model", f"{label} is not installed") from None
    target = (
        model._default_manager.filter(company_id=ticket.company_id, pk=target_id).first()
        if str(target_id).isdigit()
        else None
    )
    if target is None:
        raise ValidationFailed.on("target_id", f"no {model._meta.verbose_name} {target_id}")
    if ticket.links.filter(target_model=label, target_id=str(target.pk)).exists():
        raise Conflict(f"ticket {ticket.number} is already linked to {target}")
    with atomic(), _acting(by):
        return TicketLink.objects.create(
            company_id=ticket.company_id,
            ticket=ticket,
            target_model=label,
            target_id=str(target.pk),
            label=f"{model._meta.verbose_name}: {target}"[:200],
        )


def unlink_record(link: TicketLink, *, by: Any = None) -> None:
    with atomic(), _acting(by):
        link.delete()


# --- escalation ------------------------------------------------------------------------------


def check_service_levels(*, company: Any = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Run periodically (`kern service escalate`, or the worker): tickets whose target is at risk
    are reported to the assignee and team lead (level 1); breached ones are reassigned to the
    policy's escalation team, raised to at least high priority and reported (level 2). Each level
    happens once per ticket."""
    now = now or timezone.now()
    qs = Ticket.objects.filter(status__in=(TicketStatus.NEW, TicketStatus.OPEN), sla_policy__isnull=False)
    qs = qs.filter(escalation_level__lt=2)
    if company is not None:
        qs = qs.filter(company_id=getattr(company, "pk", company))
    schedules: dict[int, Any] = {}
    counts = {"at_risk": 0, "breached": 0}
    for ticket in qs.select_related("sla_policy__calendar", "sla_policy__escalation_team", "team").order_by(
        "pk"
    ):
        cal = ticket.sla_policy.calendar
        schedules.setdefault(cal.pk, selectors.schedule_of(cal))
        state = selectors.sla_state(ticket, now=now, schedule=schedules[cal.pk])
        clocks = [state.first_response, state.resolution]
        if any(c.state == "breached" for c in clocks):
            level = 2
        elif any(c.state == "at_risk" for c in clocks):
            level = 1
        else:
            continue
        if level <= ticket.escalation_level:
            continue
        with atomic(), context.acting(interface="worker", company=ticket.company_id):
            fresh = (
                Ticket.objects.select_for_update().filter(pk=ticket.pk, escalation_level__lt=level).first()
            )
            if fresh is None:  # another run got here first
                continue
            fresh.sla_policy = ticket.sla_policy
            which = "first response" if clocks[0].state in ("breached", "at_risk") else "resolution"
            fresh.escalation_level = level
            changes = ["escalation_level", "updated_at"]
            fresh.updated_at = now
            if level == 2:
                target_team = ticket.sla_policy.escalation_team
                if target_team is not None and target_team.is_active and target_team.pk != fresh.team_id:
                    fresh.team = target_team
                    fresh.assignee = _pick_agent(fresh) or target_team.lead
                    changes += ["team", "assignee"]
                elif fresh.team is not None and fresh.team.lead_id and fresh.assignee_id is None:
                    fresh.assignee_id = fresh.team.lead_id
                    changes.append("assignee")
                if PRIORITY_RANK[fresh.priority] < PRIORITY_RANK[Priority.HIGH]:
                    fresh.priority = Priority.HIGH
                    changes.append("priority")
            fresh.save(update_fields=changes)
            verb = "breached" if level == 2 else "at risk"
            _system_note(
                fresh,
                f"SLA {verb}: the {which} target ({timezone.localtime(clocks[0].due if which == 'first response' else clocks[1].due):%Y-%m-%d %H:%M}) is {verb}.",
            )
            emit(
                "service.sla_escalated",
                {"ticket_id": fresh.pk, "level": level, "clock": which},
                company=fresh.company_id,
            )
        counts["breached" if level == 2 else "at_risk"] += 1
    return counts
