"""Service API: tickets and their conversation, set-up of teams and service levels, knowledge
articles, the inbound e-mail webhook and the SLA attainment report."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from kern.core.apikit import KernCursorPagination, require_perm, scoped
from kern.core.exceptions import ValidationFailed
from kern.parties.models import Party
from kern.service import selectors, services
from kern.service.models import (
    BusinessCalendar,
    CannedReply,
    InboundMail,
    KnowledgeArticle,
    Mailbox,
    RoutingRule,
    ServiceContract,
    SlaPolicy,
    Team,
    TeamMember,
    Ticket,
    TicketCategory,
    TicketLink,
)

router = Router(tags=["service"])

PriorityName = Literal["low", "normal", "high", "urgent"]
TierName = Literal["standard", "silver", "gold"]
ChannelName = Literal["portal", "web_form", "email", "api", "phone", "agent"]


# --- schemas ---------------------------------------------------------------------------------


class TimerOut(Schema):
    due: dt.datetime | None
    state: str
    minutes_left: int | None
    done_at: dt.datetime | None


class SlaOut(Schema):
    state: str
    first_response: TimerOut
    resolution: TimerOut


class TicketIn(Schema):
    subject: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=100_000)
    channel: ChannelName = "api"
    customer_id: int | None = None
    contact_id: int | None = None
    requester_email: str = Field("", max_length=254)
    requester_name: str = Field("", max_length=160)
    priority: PriorityName = "normal"
    category_id: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None


class TicketPatch(Schema):
    subject: str | None = Field(None, min_length=1, max_length=200)
    priority: PriorityName | None = None
    category_id: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    customer_id: int | None = None
    contact_id: int | None = None


class TicketOut(Schema):
    id: int
    number: str
    subject: str
    status: str
    priority: str
    channel: str
    tier: str
    customer_id: int | None
    contact_id: int | None
    requester_email: str
    requester_name: str
    team_id: int | None
    category_id: int | None
    assignee_id: int | None
    sla_policy_id: int | None
    first_response_due: dt.datetime | None
    first_responded_at: dt.datetime | None
    resolution_due: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    escalation_level: int
    merged_into_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class MessageOut(Schema):
    id: int
    kind: str
    body: str
    author_name: str
    author_email: str
    channel: str
    created_at: dt.datetime


class LinkOut(Schema):
    id: int
    target_model: str
    target_id: str
    label: str


class TicketDetailOut(TicketOut):
    description: str
    sla: SlaOut
    messages: list[MessageOut]
    links: list[LinkOut]


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=100_000)


class ReplyIn(MessageIn):
    then: Literal["open", "pending", "resolved"] | None = None


class CustomerMessageIn(MessageIn):
    author_email: str = Field("", max_length=254)
    author_name: str = Field("", max_length=160)


class MergeIn(Schema):
    into_id: int


class LinkIn(Schema):
    target_model: str = Field(min_length=3, max_length=80)
    target_id: int = Field(ge=1)


class ArticleHit(Schema):
    id: int
    title: str
    visibility: str


class CannedOut(Schema):
    id: int
    name: str
    text: str


class SuggestionsOut(Schema):
    articles: list[ArticleHit]
    canned_replies: list[CannedOut]


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    email: str = Field("", max_length=254)
    strategy: Literal["round_robin", "skills", "least_loaded", "manual"] = "round_robin"
    lead_id: int | None = None
    web_form_enabled: bool = False
    is_default: bool = False
    is_active: bool = True


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    email: str | None = Field(None, max_length=254)
    strategy: Literal["round_robin", "skills", "least_loaded", "manual"] | None = None
    lead_id: int | None = None
    web_form_enabled: bool | None = None
    is_default: bool | None = None
    is_active: bool | None = None


class MemberIn(Schema):
    user_id: int
    skills: list[str] = Field(default_factory=list, max_length=30)
    is_available: bool = True


class MemberOut(Schema):
    id: int
    user_id: int
    skills: list[str]
    is_available: bool


class TeamOut(Schema):
    id: int
    name: str
    email: str
    strategy: str
    lead_id: int | None
    web_form_enabled: bool
    web_form_key: str
    is_default: bool
    is_active: bool
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Team) -> list[TeamMember]:
        return list(obj.members.all())


class CategoryIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    team_id: int | None = None
    skill: str = Field("", max_length=40)
    is_public: bool = True
    is_active: bool = True


class CategoryOut(CategoryIn):
    id: int


class RuleIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    sequence: int = Field(10, ge=0, le=100_000)
    team_id: int
    category_id: int | None = None
    min_tier: TierName | Literal[""] = ""
    channel: ChannelName | Literal[""] = ""
    keyword: str = Field("", max_length=80)
    min_priority: PriorityName | Literal[""] = ""
    is_active: bool = True


class RuleOut(RuleIn):
    id: int


class CalendarIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    time_zone: str = Field("Europe/Amsterdam", max_length=64)
    working_hours: dict[str, list[list[str]]] = Field(
        default_factory=lambda: {str(d): [["09:00", "17:00"]] for d in range(5)}
    )


class HolidayIn(Schema):
    date: dt.date
    name: str = Field(min_length=1, max_length=80)


class HolidayOut(HolidayIn):
    id: int


class CalendarOut(CalendarIn):
    id: int
    holidays: list[HolidayOut]

    @staticmethod
    def resolve_holidays(obj: BusinessCalendar) -> list:
        return list(obj.holidays.all())


class PolicyIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    tier: TierName
    priority: PriorityName
    first_response_minutes: int = Field(ge=1, le=1_000_000)
    resolution_minutes: int = Field(ge=1, le=1_000_000)
    calendar_id: int
    at_risk_percent: int = Field(75, ge=1, le=99)
    escalation_team_id: int | None = None
    notify_emails: str = Field("", max_length=500)
    is_active: bool = True


class PolicyPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    first_response_minutes: int | None = Field(None, ge=1, le=1_000_000)
    resolution_minutes: int | None = Field(None, ge=1, le=1_000_000)
    calendar_id: int | None = None
    at_risk_percent: int | None = Field(None, ge=1, le=99)
    escalation_team_id: int | None = None
    notify_emails: str | None = Field(None, max_length=500)
    is_active: bool | None = None


class PolicyOut(PolicyIn):
    id: int


class ContractIn(Schema):
    party_id: int
    reference: str = Field(min_length=1, max_length=60)
    tier: TierName = "gold"
    starts_on: dt.date
    ends_on: dt.date | None = None


class ContractOut(ContractIn):
    id: int


class TierOut(Schema):
    tier: str
    revenue: Decimal
    reason: str
    contract_id: int | None


class CannedIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    body: str = Field(min_length=1, max_length=20_000)
    team_id: int | None = None
    is_active: bool = True


class CannedReplyOut(CannedIn):
    id: int


class ArticleIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=200_000)
    category_id: int | None = None
    keywords: str = Field("", max_length=300)
    visibility: Literal["internal", "public"] = "internal"


class ArticlePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=200_000)
    category_id: int | None = None
    keywords: str | None = Field(None, max_length=300)
    visibility: Literal["internal", "public"] | None = None


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    category_id: int | None
    keywords: str
    visibility: str
    status: str
    updated_at: dt.datetime


class MailboxIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    protocol: Literal["imap", "pop3"] = "imap"
    host: str = Field(min_length=1, max_length=200)
    port: int = Field(993, ge=1, le=65535)
    use_ssl: bool = True
    username: str = Field(min_length=1, max_length=200)
    password: str = Field("", max_length=200)
    folder: str = Field("INBOX", max_length=100)
    team_id: int | None = None
    is_active: bool = True


class MailboxOut(Schema):
    id: int
    name: str
    protocol: str
    host: str
    port: int
    use_ssl: bool
    username: str
    folder: str
    team_id: int | None
    is_active: bool
    last_polled_at: dt.datetime | None
    last_error: str


class InboundOut(Schema):
    status: str
    ticket_id: int | None
    reason: str


class InboundLogOut(Schema):
    id: int
    message_id: str
    sender: str
    subject: str
    size: int
    status: str
    reason: str
    ticket_id: int | None
    received_at: dt.datetime


class AttainmentRow(Schema):
    group: str
    key: str
    tickets: int
    response_met: int
    response_decided: int
    resolution_met: int
    resolution_decided: int
    response_attainment: Decimal | None
    resolution_attainment: Decimal | None


class AttainmentOut(Schema):
    since: dt.date
    until: dt.date
    groups: list[AttainmentRow]


# --- helpers ---------------------------------------------------------------------------------


def _ids(data: dict, *names: str) -> dict:
    """`team_id` → `team` for the services, which take ids or rows."""
    for name in names:
        if f"{name}_id" in data:
            data[name] = data.pop(f"{name}_id")
    return data


def _patch(payload: Schema, *names: str) -> dict:
    data = payload.dict(exclude_unset=True)
    return _ids(data, *names)


def _sla(ticket: Ticket) -> dict:
    state = selectors.sla_state(ticket)
    return {"state": state.state, "first_response": state.first_response, "resolution": state.resolution}


def _detail(request: HttpRequest, ticket_id: int) -> Ticket:
    ticket = scoped(selectors.tickets_for(request.auth.company), request, ticket_id)
    ticket.sla = _sla(ticket)
    return ticket


class TicketDetail(TicketDetailOut):
    @staticmethod
    def resolve_messages(obj: Ticket) -> list:
        return list(obj.messages.all())

    @staticmethod
    def resolve_links(obj: Ticket) -> list:
        return list(obj.links.all())


# --- tickets ---------------------------------------------------------------------------------


@router.get("/service/tickets", response=list[TicketOut])
@paginate(KernCursorPagination)
def list_tickets(
    request: HttpRequest,
    status: str | None = None,
    open: bool | None = None,
    team_id: int | None = None,
    assignee_id: int | None = None,
    customer_id: int | None = None,
    priority: PriorityName | None = None,
    q: str | None = None,
):
    require_perm(request, "service.view_ticket")
    qs = scoped(Ticket, request)
    if status:
        qs = qs.filter(status=status)
    if open is not None:
        qs = (
            qs.filter(status__in=("new", "open", "pending"))
            if open
            else qs.exclude(status__in=("new", "open", "pending"))
        )
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if priority:
        qs = qs.filter(priority=priority)
    if q:
        qs = qs.filter(Q(number__iexact=q) | Q(subject__icontains=q) | Q(requester_email__icontains=q))
    return qs


@router.post("/service/tickets", response={201: TicketDetail})
def create_ticket(request: HttpRequest, payload: TicketIn):
    who = require_perm(request, "service.add_ticket")
    data = _ids(payload.dict(), "customer", "contact", "category", "team", "assignee")
    ticket = services.open_ticket(who.company, by=who.user, **data)
    return Status(201, _detail(request, ticket.pk))


@router.get("/service/tickets/{ticket_id}", response=TicketDetail)
def get_ticket(request: HttpRequest, ticket_id: int):
    require_perm(request, "service.view_ticket")
    return _detail(request, ticket_id)


@router.patch("/service/tickets/{ticket_id}", response=TicketDetail)
def update_ticket(request: HttpRequest, ticket_id: int, payload: TicketPatch):
    who = require_perm(request, "service.change_ticket")
    ticket = scoped(Ticket, request, ticket_id)
    services.update_ticket(
        ticket, by=who.user, **_patch(payload, "customer", "contact", "category", "team", "assignee")
    )
    return _detail(request, ticket_id)


@router.post("/service/tickets/{ticket_id}/replies", response={201: MessageOut})
def reply(request: HttpRequest, ticket_id: int, payload: ReplyIn):
    who = require_perm(request, "service.change_ticket")
    ticket = scoped(Ticket, request, ticket_id)
    return Status(201, services.reply_to_ticket(ticket, body=payload.body, by=who.user, then=payload.then))


@router.post("/service/tickets/{ticket_id}/notes", response={201: MessageOut})
def note(request: HttpRequest, ticket_id: int, payload: MessageIn):
    who = require_perm(request, "service.change_ticket")
    ticket = scoped(Ticket, request, ticket_id)
    return Status(201, services.add_note(ticket, body=payload.body, by=who.user))


@router.post("/service/tickets/{ticket_id}/customer-messages", response={201: MessageOut})
def customer_message(request: HttpRequest, ticket_id: int, payload: CustomerMessageIn):
    """A message of the customer that reached us another way (a chat or phone integration)."""
    who = require_perm(request, "service.change_ticket")
    ticket = scoped(Ticket, request, ticket_id)
    message = services.add_customer_message(
        ticket,
        body=payload.body,
        by=who.user,
        author_email=payload.author_email,
        author_name=payload.author_name,
        channel="api",
    )
    return Status(201, message)


@router.post("/service/tickets/{ticket_id}/attachments", response={201: MessageOut})
def attach(
    request: HttpRequest, ticket_id: int, file: UploadedFile | None = File(None), note: str = Form("")
):
    """Attach a file (multipart field `file`) to the ticket as an internal note."""
    who = require_perm(request, "service.change_ticket")
    ticket = scoped(Ticket, request, ticket_id)
    if file is None:
        raise ValidationFailed.on("file", "choose a file to attach")
    text = note.strip() or f"Attached {file.name}"
    return Status(201, services.add_note(ticket, body=text, by=who.user, attachments=[file]))


def _act(request: HttpRequest, ticket_id: int, service) -> Ticket:
    who = require_perm(request, "service.change_ticket")
    ticket = scoped(Ticket.objects.select_related("sla_policy__calendar"), request, ticket_id)
    service(ticket, by=who.user)
    return _detail(request, ticket_id)


@router.post("/service/tickets/{ticket_id}/start", response=TicketDetail)
def start_ticket(request: HttpRequest, ticket_id: int):
    """New → open: an agent has picked the ticket up."""
    return _act(request, ticket_id, services.start_ticket)


@router.post("/service/tickets/{ticket_id}/pending", response=TicketDetail)
def wait_on_customer(request: HttpRequest, ticket_id: int):
    """Waiting on the customer: the resolution clock stops until they answer."""
    return _act(request, ticket_id, services.wait_on_customer)


@router.post("/service/tickets/{ticket_id}/resolve", response=TicketDetail)
def resolve_ticket(request: HttpRequest, ticket_id: int):
    return _act(request, ticket_id, services.resolve_ticket)


@router.post("/service/tickets/{ticket_id}/close", response=TicketDetail)
def close_ticket(request: HttpRequest, ticket_id: int):
    return _act(request, ticket_id, services.close_ticket)


@router.post("/service/tickets/{ticket_id}/reopen", response=TicketDetail)
def reopen_ticket(request: HttpRequest, ticket_id: int):
    return _act(request, ticket_id, services.reopen_ticket)


@router.post("/service/tickets/{ticket_id}/merge", response=TicketDetail)
def merge(request: HttpRequest, ticket_id: int, payload: MergeIn):
    """Merge this ticket (a duplicate) into `into_id`; answers with the surviving ticket."""
    who = require_perm(request, "service.change_ticket")
    duplicate = scoped(Ticket, request, ticket_id)
    into = Ticket.objects.filter(company_id=who.company.pk, pk=payload.into_id).first()
    if into is None:
        raise ValidationFailed.on("into_id", f"no ticket {payload.into_id}")
    services.merge_tickets(duplicate, into, by=who.user)
    return _detail(request, into.pk)


@router.post("/service/tickets/{ticket_id}/links", response={201: LinkOut})
def add_link(request: HttpRequest, ticket_id: int, payload: LinkIn):
    who = require_perm(request, "service.change_ticket")
    ticket = scoped(Ticket, request, ticket_id)
    link = services.link_record(
        ticket, target_model=payload.target_model, target_id=payload.target_id, by=who.user
    )
    return Status(201, link)


@router.delete("/service/tickets/{ticket_id}/links/{link_id}", response={204: None})
def remove_link(request: HttpRequest, ticket_id: int, link_id: int):
    who = require_perm(request, "service.change_ticket")
    link = scoped(TicketLink.objects.filter(ticket_id=ticket_id), request, link_id)
    services.unlink_record(link, by=who.user)
    return Status(204, None)


@router.get("/service/tickets/{ticket_id}/suggestions", response=SuggestionsOut)
def suggestions(request: HttpRequest, ticket_id: int):
    """Knowledge articles that match the ticket, and the canned replies filled in for it."""
    who = require_perm(request, "service.view_ticket")
    ticket = scoped(selectors.tickets_for(who.company), request, ticket_id)
    articles = selectors.suggest_articles(who.company, ticket.subject, ticket.description)
    canned = [
        {"id": c.pk, "name": c.name, "text": services.render_canned_reply(c, ticket, agent=who.user)}
        for c in selectors.canned_replies_for(ticket)
    ]
    return {"articles": list(articles), "canned_replies": canned}


# --- inbound e-mail --------------------------------------------------------------------------


@router.post("/service/inbound-email", response={201: InboundOut, 200: InboundOut})
def inbound_email(request: HttpRequest, team_id: int | None = None):
    """Webhook for a mail service: the body is one raw RFC 5322 message (message/rfc822). A new
    ticket answers 201; a reply, an ignored auto-reply or a refused message answers 200 with why."""
    who = require_perm(request, "service.add_ticket")
    team = scoped(Team, request, team_id) if team_id is not None else None
    result = services.receive_email(who.company, request.body, team=team)
    body = {"status": result.status, "ticket_id": getattr(result.ticket, "pk", None), "reason": result.reason}
    return Status(201 if result.status == "created" else 200, body)


@router.get("/service/inbound-email", response=list[InboundLogOut])
@paginate(KernCursorPagination)
def inbound_log(request: HttpRequest, status: str | None = None):
    require_perm(request, "service.view_inboundmail")
    qs = scoped(InboundMail, request)
    return qs.filter(status=status) if status else qs


# --- set-up ----------------------------------------------------------------------------------


@router.get("/service/teams", response=list[TeamOut])
def list_teams(request: HttpRequest):
    require_perm(request, "service.view_team")
    return list(scoped(Team, request).prefetch_related("members"))


@router.post("/service/teams", response={201: TeamOut})
def create_team(request: HttpRequest, payload: TeamIn):
    who = require_perm(request, "service.add_team")
    return Status(201, services.create_team(who.company, by=who.user, **_ids(payload.dict(), "lead")))


@router.patch("/service/teams/{team_id}", response=TeamOut)
def update_team(request: HttpRequest, team_id: int, payload: TeamPatch):
    who = require_perm(request, "service.change_team")
    team = scoped(Team, request, team_id)
    return services.update_team(team, by=who.user, **_patch(payload, "lead"))


@router.post("/service/teams/{team_id}/members", response={201: MemberOut})
def add_member(request: HttpRequest, team_id: int, payload: MemberIn):
    who = require_perm(request, "service.change_team")
    team = scoped(Team, request, team_id)
    member = services.add_team_member(
        team, user=payload.user_id, skills=payload.skills, is_available=payload.is_available, by=who.user
    )
    return Status(201, member)


@router.delete("/service/teams/{team_id}/members/{member_id}", response={204: None})
def remove_member(request: HttpRequest, team_id: int, member_id: int):
    who = require_perm(request, "service.change_team")
    member = scoped(TeamMember.objects.filter(team_id=team_id), request, member_id)
    services.remove_team_member(member, by=who.user)
    return Status(204, None)


@router.get("/service/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest):
    require_perm(request, "service.view_ticketcategory")
    return list(scoped(TicketCategory, request))


@router.post("/service/categories", response={201: CategoryOut})
def create_category(request: HttpRequest, payload: CategoryIn):
    who = require_perm(request, "service.add_ticketcategory")
    return Status(201, services.create_category(who.company, by=who.user, **_ids(payload.dict(), "team")))


@router.get("/service/routing-rules", response=list[RuleOut])
def list_rules(request: HttpRequest):
    require_perm(request, "service.view_routingrule")
    return list(scoped(RoutingRule, request))


@router.post("/service/routing-rules", response={201: RuleOut})
def create_rule(request: HttpRequest, payload: RuleIn):
    who = require_perm(request, "service.add_routingrule")
    data = _ids(payload.dict(), "team", "category")
    return Status(201, services.create_routing_rule(who.company, by=who.user, **data))


@router.get("/service/calendars", response=list[CalendarOut])
def list_calendars(request: HttpRequest):
    require_perm(request, "service.view_businesscalendar")
    return list(scoped(BusinessCalendar, request).prefetch_related("holidays"))


@router.post("/service/calendars", response={201: CalendarOut})
def create_calendar(request: HttpRequest, payload: CalendarIn):
    who = require_perm(request, "service.add_businesscalendar")
    return Status(201, services.create_calendar(who.company, by=who.user, **payload.dict()))


@router.post("/service/calendars/{calendar_id}/holidays", response={201: HolidayOut})
def add_holiday(request: HttpRequest, calendar_id: int, payload: HolidayIn):
    who = require_perm(request, "service.change_businesscalendar")
    calendar = scoped(BusinessCalendar, request, calendar_id)
    return Status(201, services.add_holiday(calendar, date=payload.date, name=payload.name, by=who.user))


@router.get("/service/sla-policies", response=list[PolicyOut])
def list_policies(request: HttpRequest):
    require_perm(request, "service.view_slapolicy")
    return list(scoped(SlaPolicy, request))


@router.post("/service/sla-policies", response={201: PolicyOut})
def create_policy(request: HttpRequest, payload: PolicyIn):
    who = require_perm(request, "service.add_slapolicy")
    data = _ids(payload.dict(), "calendar", "escalation_team")
    return Status(201, services.create_sla_policy(who.company, by=who.user, **data))


@router.patch("/service/sla-policies/{policy_id}", response=PolicyOut)
def update_policy(request: HttpRequest, policy_id: int, payload: PolicyPatch):
    who = require_perm(request, "service.change_slapolicy")
    policy = scoped(SlaPolicy, request, policy_id)
    return services.update_sla_policy(policy, by=who.user, **_patch(payload, "calendar", "escalation_team"))


@router.get("/service/contracts", response=list[ContractOut])
def list_contracts(request: HttpRequest):
    require_perm(request, "service.view_servicecontract")
    return list(scoped(ServiceContract, request))


@router.post("/service/contracts", response={201: ContractOut})
def create_contract(request: HttpRequest, payload: ContractIn):
    who = require_perm(request, "service.add_servicecontract")
    return Status(201, services.create_contract(who.company, by=who.user, **_ids(payload.dict(), "party")))


@router.get("/service/customers/{party_id}/tier", response=TierOut)
def customer_tier(request: HttpRequest, party_id: int):
    require_perm(request, "service.view_ticket")
    party = scoped(Party, request, party_id)
    verdict = selectors.tier_of(party)
    return {
        "tier": verdict.tier,
        "revenue": verdict.revenue,
        "reason": verdict.reason,
        "contract_id": getattr(verdict.contract, "pk", None),
    }


@router.get("/service/canned-replies", response=list[CannedReplyOut])
def list_canned(request: HttpRequest):
    require_perm(request, "service.view_cannedreply")
    return list(scoped(CannedReply, request))


@router.post("/service/canned-replies", response={201: CannedReplyOut})
def create_canned(request: HttpRequest, payload: CannedIn):
    who = require_perm(request, "service.add_cannedreply")
    return Status(201, services.create_canned_reply(who.company, by=who.user, **_ids(payload.dict(), "team")))


@router.get("/service/mailboxes", response=list[MailboxOut])
def list_mailboxes(request: HttpRequest):
    require_perm(request, "service.view_mailbox")
    return list(scoped(Mailbox, request))


@router.post("/service/mailboxes", response={201: MailboxOut})
def create_mailbox(request: HttpRequest, payload: MailboxIn):
    who = require_perm(request, "service.add_mailbox")
    return Status(201, services.create_mailbox(who.company, by=who.user, **_ids(payload.dict(), "team")))


# --- knowledge base --------------------------------------------------------------------------


@router.get("/service/articles", response=list[ArticleOut])
@paginate(KernCursorPagination)
def list_articles(request: HttpRequest, q: str | None = None, visibility: str | None = None):
    who = require_perm(request, "service.view_knowledgearticle")
    if q:
        ids = [a.pk for a in selectors.search_articles(who.company, q, limit=50)]
        qs = scoped(KnowledgeArticle, request).filter(pk__in=ids)
    else:
        qs = scoped(KnowledgeArticle, request)
    return qs.filter(visibility=visibility) if visibility else qs


@router.post("/service/articles", response={201: ArticleOut})
def create_article(request: HttpRequest, payload: ArticleIn):
    who = require_perm(request, "service.add_knowledgearticle")
    return Status(201, services.create_article(who.company, by=who.user, **_ids(payload.dict(), "category")))


@router.get("/service/articles/{article_id}", response=ArticleOut)
def get_article(request: HttpRequest, article_id: int):
    require_perm(request, "service.view_knowledgearticle")
    return scoped(KnowledgeArticle, request, article_id)


@router.patch("/service/articles/{article_id}", response=ArticleOut)
def update_article(request: HttpRequest, article_id: int, payload: ArticlePatch):
    who = require_perm(request, "service.change_knowledgearticle")
    article = scoped(KnowledgeArticle, request, article_id)
    return services.update_article(article, by=who.user, **_patch(payload, "category"))


def _article_act(request: HttpRequest, article_id: int, service) -> KnowledgeArticle:
    who = require_perm(request, "service.change_knowledgearticle")
    return service(scoped(KnowledgeArticle, request, article_id), by=who.user)


@router.post("/service/articles/{article_id}/publish", response=ArticleOut)
def publish_article(request: HttpRequest, article_id: int):
    return _article_act(request, article_id, services.publish_article)


@router.post("/service/articles/{article_id}/unpublish", response=ArticleOut)
def unpublish_article(request: HttpRequest, article_id: int):
    return _article_act(request, article_id, services.unpublish_article)


@router.post("/service/articles/{article_id}/archive", response=ArticleOut)
def archive_article(request: HttpRequest, article_id: int):
    return _article_act(request, article_id, services.archive_article)


# --- reports ---------------------------------------------------------------------------------


@router.get("/service/reports/sla-attainment", response=AttainmentOut)
def sla_attainment(request: HttpRequest, since: dt.date | None = None, until: dt.date | None = None):
    who = require_perm(request, "service.view_service_report")
    until = until or timezone.localdate()
    since = since or until - dt.timedelta(days=30)
    if since > until:
        raise ValidationFailed.on("since", "the period starts after it ends")
    if (until - since).days > 3660:
        raise ValidationFailed.on("since", "a report covers at most ten years")
    return selectors.sla_attainment(who.company, since=since, until=until)
