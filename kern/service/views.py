"""Pages of the service desk: the ticket queue and the agent's ticket workspace (conversation, SLA
clocks, customer panel, reply with canned replies and attachments, merge, links), set-up pages,
the knowledge base, the SLA report and the public web form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from kern.core import ui
from kern.core.exceptions import KernError
from kern.core.selectors import attachments_on
from kern.parties.models import Party
from kern.service import selectors, services
from kern.service.forms import (
    ArticleForm,
    CalendarForm,
    CannedReplyForm,
    CategoryForm,
    ContractForm,
    HolidayForm,
    LinkForm,
    MailboxForm,
    MergeForm,
    PublicTicketForm,
    ReplyForm,
    RoutingRuleForm,
    SlaPolicyForm,
    TeamForm,
    TeamMemberForm,
    TicketForm,
    _agents,
)
from kern.service.models import (
    ArticleStatus,
    ArticleVisibility,
    BusinessCalendar,
    CannedReply,
    Holiday,
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
    TicketStatus,
)

# --- tickets ---------------------------------------------------------------------------------


def _sla_badge(ticket: Ticket) -> str:
    return selectors.sla_state(ticket).state if ticket.is_open else ""


class TicketPages(ui.Resource):
    model = Ticket
    prefix = "tickets/"
    list_columns = [
        "number",
        "subject",
        "customer",
        "status",
        "priority",
        "tier",
        "team",
        "assignee",
        "channel",
        "first_response_due",
        "resolution_due",
        ui.Column("sla", label=_("SLA"), value=_sla_badge),
        "created_at",
        "updated_at",
    ]
    default_columns = [
        "number",
        "subject",
        "customer",
        "status",
        "priority",
        "assignee",
        "resolution_due",
        "sla",
    ]
    search_fields = ["number", "subject", "requester_email", "requester_name", "customer__name"]
    filters = ["status", "priority", "tier", "team", "assignee", "category", "channel", "created_at"]
    ordering = ["-created_at"]
    form_class = TicketForm
    form_template = "service/ticket_form.html"
    create_service = staticmethod(services.open_ticket)
    detail_template = "service/ticket_detail.html"
    comments = False
    attachments = False

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .select_related("customer", "team", "assignee", "sla_policy__calendar", "category")
            .prefetch_related("sla_policy__calendar__holidays")
        )

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        form = super().get_form(request, obj, data, files)
        if "assignee" in form.fields:
            form.fields["assignee"].queryset = _agents(request.company)
        return form

    def object_title(self, obj: Any) -> str:
        return f"{obj.number} · {obj.subject}"


TICKETS = TicketPages()


def _ticket(request: HttpRequest, pk: int) -> Ticket:
    if not request.user.has_perm("service.view_ticket"):
        raise PermissionDenied
    return TICKETS.get_object(request, pk)


def _link_kinds() -> list[tuple[str, str]]:
    from django.apps import apps

    kinds = []
    for label in sorted(services.LINKABLE):
        try:
            kinds.append((label, str(apps.get_model(label)._meta.verbose_name).capitalize()))
        except (LookupError, ValueError):
            continue
    return kinds


@login_required
def ticket_workspace(request: HttpRequest, pk: int) -> HttpResponse:
    """The agent's page of one ticket."""
    ticket = _ticket(request, pk)
    conversation = list(ticket.messages.select_related("author"))
    files = {}
    for message in conversation:
        files[message.pk] = list(attachments_on(message))
    initial = {}
    canned_id = request.GET.get("canned", "")
    if canned_id.isdigit():
        canned = selectors.canned_replies_for(ticket).filter(pk=canned_id).first()
        if canned is not None:
            initial["body"] = services.render_canned_reply(canned, ticket, agent=request.user)
    reply_form = ui.style_form(ReplyForm(initial=initial))
    context = {
        "title": TICKETS.object_title(ticket),
        "object": ticket,
        "ticket": ticket,
        "resource": TICKETS,
        "list_url": TICKETS.list_url(),
        "sla": selectors.sla_state(ticket),
        "panel": selectors.customer_panel(ticket.customer),
        "conversation": [(m, files[m.pk]) for m in conversation],
        "reply_form": reply_form,
        "merge_form": ui.style_form(MergeForm()),
        "link_form": ui.style_form(LinkForm(kinds=_link_kinds())),
        "links": [(link, ui.document_url(link.target_model, link.target_id)) for link in ticket.links.all()],
        "canned_replies": list(selectors.canned_replies_for(ticket)),
        "articles": list(selectors.suggest_articles(request.company, ticket.subject)),
        "actions": [a for a in TICKET_ACTIONS if a.available(ticket, request.user, "service.change_ticket")],
        "can_change": request.user.has_perm("service.change_ticket"),
        "agents": list(_agents(request.company)),
        "merged_into_url": TICKETS.object_url(ticket.merged_into) if ticket.merged_into_id else "",
    }
    if request.htmx and request.htmx.target == "reply-box":
        return render(request, "service/_reply_box.html", context)
    return render(request, "service/ticket_detail.html", context)


def _back(ticket: Ticket) -> HttpResponseRedirect:
    return HttpResponseRedirect(TICKETS.object_url(ticket))


def _change(request: HttpRequest, pk: int) -> Ticket:
    ticket = _ticket(request, pk)
    if not request.user.has_perm("service.change_ticket"):
        raise PermissionDenied
    return ticket


@require_POST
@login_required
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _change(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, gettext("Write a message first."))
        return _back(ticket)
    files = request.FILES.getlist("files")
    try:
        if form.cleaned_data["internal"]:
            services.add_note(ticket, body=form.cleaned_data["body"], by=request.user, attachments=files)
            messages.success(request, gettext("The note was added."))
        else:
            services.reply_to_ticket(
                ticket,
                body=form.cleaned_data["body"],
                by=request.user,
                attachments=files,
                then=form.cleaned_data["then"] or None,
            )
            messages.success(request, gettext("The reply was sent."))
    except KernError as exc:
        messages.error(request, exc.message)
    return _back(ticket)


@require_POST
@login_required
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _change(request, pk)
    try:
        services.assign_ticket(ticket, request.POST.get("assignee") or None, by=request.user)
        messages.success(request, gettext("The ticket was assigned."))
    except KernError as exc:
        messages.error(request, exc.message)
    return _back(ticket)


@require_POST
@login_required
def ticket_priority(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _change(request, pk)
    try:
        services.update_ticket(ticket, priority=request.POST.get("priority", ""), by=request.user)
        messages.success(request, gettext("The priority was changed."))
    except KernError as exc:
        messages.error(request, exc.message)
    return _back(ticket)


@require_POST
@login_required
def ticket_merge(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _change(request, pk)
    number = request.POST.get("into", "").strip()
    into = Ticket.objects.filter(company=request.company, number__iexact=number).first()
    if into is None:
        messages.error(request, gettext("There is no ticket %(number)s.") % {"number": number})
        return _back(ticket)
    try:
        services.merge_tickets(ticket, into, by=request.user)
    except KernError as exc:
        messages.error(request, exc.message)
        return _back(ticket)
    messages.success(request, gettext("The ticket was merged into %(number)s.") % {"number": into.number})
    return _back(into)


@require_POST
@login_required
def ticket_link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _change(request, pk)
    if request.POST.get("remove", "").isdigit():
        link = ticket.links.filter(pk=request.POST["remove"]).first()
        if link is None:
            raise Http404
        services.unlink_record(link, by=request.user)
        return _back(ticket)
    form = LinkForm(request.POST, kinds=_link_kinds())
    if not form.is_valid():
        messages.error(request, gettext("Choose a kind and an id."))
        return _back(ticket)
    try:
        services.link_record(ticket, by=request.user, **form.cleaned_data)
        messages.success(request, gettext("The link was added."))
    except KernError as exc:
        messages.error(request, exc.message)
    return _back(ticket)


TICKET_ACTIONS = ui.workflow_actions(
    Ticket,
    {
        TicketStatus.OPEN: services.reopen_ticket,
        TicketStatus.PENDING: services.wait_on_customer,
        TicketStatus.RESOLVED: services.resolve_ticket,
        TicketStatus.CLOSED: services.close_ticket,
    },
    labels={
        TicketStatus.OPEN: _("Open"),
        TicketStatus.PENDING: _("Wait on customer"),
        TicketStatus.RESOLVED: _("Resolve"),
        TicketStatus.CLOSED: _("Close"),
    },
    styles={TicketStatus.CLOSED: "outline-secondary", TicketStatus.PENDING: "outline-primary"},
)


@require_POST
@login_required
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    ticket = _change(request, pk)
    chosen = next((a for a in TICKET_ACTIONS if a.name == action), None)
    if chosen is None:
        raise Http404
    try:
        chosen.service(ticket, by=request.user)
        messages.success(request, gettext("Done: %(action)s.") % {"action": chosen.label})
    except KernError as exc:
        messages.error(request, exc.message)
    return _back(ticket)


@require_GET
@login_required
def kb_suggest(request: HttpRequest) -> HttpResponse:
    """Articles matching what is being typed (htmx, on the ticket form)."""
    if not request.user.has_perm("service.view_knowledgearticle"):
        raise PermissionDenied
    text = f"{request.GET.get('subject', '')} {request.GET.get('description', '')}"[:1000]
    articles = list(selectors.suggest_articles(request.company, text)) if request.company else []
    return render(request, "service/_kb_suggestions.html", {"articles": articles})


# --- set-up and knowledge resources ----------------------------------------------------------


class TeamPages(ui.Resource):
    model = Team
    prefix = "teams/"
    list_columns = ["name", "email", "strategy", "lead", "web_form_enabled", "is_default", "is_active"]
    search_fields = ["name", "email"]
    filters = ["strategy", "is_active"]
    detail_fields = [
        "name",
        "email",
        "strategy",
        "lead",
        "web_form_enabled",
        "web_form_key",
        "is_default",
        "is_active",
    ]
    form_class = TeamForm
    create_service = staticmethod(services.create_team)
    update_service = staticmethod(services.update_team)
    comments = attachments = False

    @property
    def tabs(self) -> list[ui.Tab]:  # type: ignore[override]
        return [
            ui.Tab(
                "members",
                _("Members"),
                rows=lambda team, request: team.members.select_related("user"),
                columns=["user", "skills", "is_available"],
                add_url=lambda team: reverse("service:teammember_create", kwargs={"parent_pk": team.pk}),
                add_label=_("Add member"),
                edit_url=lambda team, row: reverse(
                    "service:teammember_edit", kwargs={"parent_pk": team.pk, "pk": row.pk}
                ),
                delete_url=lambda team, row: reverse(
                    "service:teammember_delete", kwargs={"parent_pk": team.pk, "pk": row.pk}
                ),
                row_url=lambda row: "",
            )
        ]

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        form = super().get_form(request, obj, data, files)
        form.fields["lead"].queryset = _agents(request.company)
        return form


class TeamMemberPages(ui.Resource):
    model = TeamMember
    parent = TeamPages
    parent_field = "team"
    parent_tab = "members"
    child_path = "members"
    form_class = TeamMemberForm
    create_service = staticmethod(services.add_team_member)
    update_service = staticmethod(services.update_team_member)
    delete_service = staticmethod(services.remove_team_member)

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        form = super().get_form(request, obj, data, files)
        if "user" in form.fields:
            form.fields["user"].queryset = _agents(request.company)
        return form


class CategoryPages(ui.Resource):
    model = TicketCategory
    name = "category"
    prefix = "categories/"
    list_columns = ["name", "team", "skill", "is_public", "is_active"]
    search_fields = ["name"]
    form_class = CategoryForm
    create_service = staticmethod(services.create_category)
    update_service = staticmethod(services.update_category)
    comments = attachments = False


class RoutingRulePages(ui.Resource):
    model = RoutingRule
    prefix = "routing-rules/"
    list_columns = [
        "sequence",
        "name",
        "category",
        "min_tier",
        "channel",
        "keyword",
        "team",
        "min_priority",
        "is_active",
    ]
    ordering = ["sequence"]
    form_class = RoutingRuleForm
    create_service = staticmethod(services.create_routing_rule)
    update_service = staticmethod(services.update_routing_rule)
    comments = attachments = False


class CalendarPages(ui.Resource):
    model = BusinessCalendar
    name = "calendar"
    prefix = "calendars/"
    list_columns = ["name", "time_zone"]
    detail_fields = ["name", "time_zone", "working_hours"]
    form_class = CalendarForm
    create_service = staticmethod(services.create_calendar)
    update_service = staticmethod(services.update_calendar)
    comments = attachments = False
    tabs = [
        ui.Tab(
            "holidays",
            _("Holidays"),
            rows="holidays",
            columns=["date", "name"],
            add_url=lambda cal: reverse("service:holiday_create", kwargs={"parent_pk": cal.pk}),
            add_label=_("Add holiday"),
            delete_url=lambda cal, row: reverse(
                "service:holiday_delete", kwargs={"parent_pk": cal.pk, "pk": row.pk}
            ),
            row_url=lambda row: "",
        )
    ]


class HolidayPages(ui.Resource):
    model = Holiday
    parent = CalendarPages
    parent_field = "calendar"
    parent_tab = "holidays"
    child_path = "holidays"
    form_class = HolidayForm
    create_service = staticmethod(services.add_holiday)
    delete_service = staticmethod(services.remove_holiday)


class SlaPolicyPages(ui.Resource):
    model = SlaPolicy
    prefix = "sla-policies/"
    list_columns = [
        "name",
        "tier",
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "calendar",
        "escalation_team",
        "is_active",
    ]
    filters = ["tier", "priority", "is_active"]
    form_class = SlaPolicyForm
    create_service = staticmethod(services.create_sla_policy)
    update_service = staticmethod(services.update_sla_policy)
    comments = attachments = False


class ContractPages(ui.Resource):
    model = ServiceContract
    name = "contract"
    prefix = "contracts/"
    list_columns = ["reference", "party", "tier", "starts_on", "ends_on"]
    search_fields = ["reference", "party__name"]
    filters = ["tier", "starts_on"]
    form_class = ContractForm
    create_service = staticmethod(services.create_contract)
    update_service = staticmethod(services.update_contract)


class CannedReplyPages(ui.Resource):
    model = CannedReply
    name = "cannedreply"
    prefix = "canned-replies/"
    list_columns = ["name", "team", "is_active"]
    search_fields = ["name", "body"]
    form_class = CannedReplyForm
    create_service = staticmethod(services.create_canned_reply)
    update_service = staticmethod(services.update_canned_reply)
    comments = attachments = False


class ArticlePages(ui.Resource):
    model = KnowledgeArticle
    name = "article"
    prefix = "knowledge/"
    list_columns = ["title", "category", "visibility", "status", "views", "updated_at"]
    search_fields = ["title", "keywords", "body"]
    filters = ["status", "visibility", "category"]
    detail_template = "service/article_detail.html"
    form_class = ArticleForm
    create_service = staticmethod(services.create_article)
    update_service = staticmethod(services.update_article)
    actions = ui.workflow_actions(
        KnowledgeArticle,
        {
            ArticleStatus.PUBLISHED: services.publish_article,
            ArticleStatus.DRAFT: services.unpublish_article,
            ArticleStatus.ARCHIVED: services.archive_article,
        },
        labels={
            ArticleStatus.PUBLISHED: _("Publish"),
            ArticleStatus.DRAFT: _("Back to draft"),
            ArticleStatus.ARCHIVED: _("Archive"),
        },
        styles={ArticleStatus.ARCHIVED: "outline-secondary", ArticleStatus.DRAFT: "outline-secondary"},
    )


class MailboxPages(ui.Resource):
    model = Mailbox
    prefix = "mailboxes/"
    list_columns = [
        "name",
        "protocol",
        "host",
        "username",
        "team",
        "is_active",
        "last_polled_at",
        "last_error",
    ]
    detail_fields = [
        "name",
        "protocol",
        "host",
        "port",
        "use_ssl",
        "username",
        "folder",
        "team",
        "is_active",
        "last_polled_at",
        "last_error",
    ]
    form_class = MailboxForm
    create_service = staticmethod(services.create_mailbox)
    update_service = staticmethod(services.update_mailbox)
    comments = attachments = False


class InboundMailPages(ui.Resource):
    model = InboundMail
    name = "inboundmail"
    prefix = "received-mail/"
    list_columns = ["received_at", "sender", "subject", "status", "reason", "ticket", "mailbox", "size"]
    search_fields = ["sender", "subject", "message_id"]
    filters = ["status", "received_at"]
    comments = attachments = False
    history = False


TEAMS = TeamPages()
MEMBERS = TeamMemberPages()
CATEGORIES = CategoryPages()
ROUTING = RoutingRulePages()
CALENDARS = CalendarPages()
HOLIDAYS = HolidayPages()
POLICIES = SlaPolicyPages()
CONTRACTS = ContractPages()
CANNED = CannedReplyPages()
ARTICLES = ArticlePages()
MAILBOXES = MailboxPages()
INBOUND = InboundMailPages()


# --- report ----------------------------------------------------------------------------------


@login_required
@permission_required("service.view_service_report", raise_exception=True)
def sla_report(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()

    def day(name: str, default: dt.date) -> dt.date:
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return default

    until = day("until", today)
    since = day("since", until - dt.timedelta(days=30))
    if since > until:
        since, until = until, since
    report = (
        selectors.sla_attainment(request.company, since=since, until=until)
        if request.company
        else {"groups": []}
    )
    labels = {"all": _("All tickets"), "team": _("Team"), "tier": _("Tier"), "priority": _("Priority")}
    rows = [{**g, "label": labels.get(g["group"], g["group"])} for g in report["groups"]]
    return render(
        request,
        "service/sla_report.html",
        {"title": _("SLA attainment"), "rows": rows, "since": since, "until": until},
    )


# --- the public web form ---------------------------------------------------------------------

WEB_FORM_LIMIT = 5  # tickets per address per 10 minutes


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def web_form(request: HttpRequest, key: str) -> HttpResponse:
    """The contact form anyone may use (no login). Rate-limited per address; a honeypot field
    catches simple bots."""
    team = (
        Team.objects.filter(web_form_key=key, web_form_enabled=True, is_active=True)
        .select_related("company")
        .first()
    )
    if team is None:
        raise Http404
    form = PublicTicketForm(request.POST or None, company=team.company)
    ui.style_form(form)
    if request.method == "POST" and form.is_valid():
        throttle = f"service:webform:{_client_ip(request)}"
        count = cache.get(throttle, 0)
        if form.cleaned_data["website"]:
            return render(request, "service/web_form_done.html", {"team": team, "ticket": None})
        if count >= WEB_FORM_LIMIT:
            form.add_error(
                None, gettext("Too many requests from your address; please try again in a few minutes.")
            )
        else:
            cache.set(throttle, count + 1, 600)
            try:
                ticket = services.open_ticket(
                    team.company,
                    subject=form.cleaned_data["subject"],
                    description=form.cleaned_data["description"],
                    channel="web_form",
                    requester_email=form.cleaned_data["email"],
                    requester_name=form.cleaned_data["name"],
                    category=form.cleaned_data["category"],
                    team=team
                    if not form.cleaned_data["category"] or not form.cleaned_data["category"].team_id
                    else None,
                )
            except KernError as exc:
                ui.apply_errors(form, exc)
            else:
                return render(request, "service/web_form_done.html", {"team": team, "ticket": ticket})
    return render(request, "service/web_form.html", {"form": form, "team": team})


# --- registrations ---------------------------------------------------------------------------


def _search_tickets(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
    qs = Ticket.objects.filter(company=request.company).filter(
        Q(number__iexact=text) | Q(subject__icontains=text) | Q(requester_email__iexact=text)
    )
    return [
        ui.SearchHit(t.subject, TICKETS.object_url(t), f"{t.number} · {t.get_status_display()}")
        for t in qs.order_by("-created_at")[:limit]
    ]


def _search_articles(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
    return [
        ui.SearchHit(
            a.title, reverse("service:article_detail", kwargs={"pk": a.pk}), a.get_visibility_display()
        )
        for a in selectors.search_articles(request.company, text, limit=limit)
    ]


def _my_tickets(request: HttpRequest) -> dict[str, Any]:
    company = request.company
    mine = (
        selectors.tickets_for(company)
        .filter(assignee=request.user, status__in=("new", "open", "pending"))
        .order_by("resolution_due")[:8]
        if company
        else []
    )
    return {
        "tickets": [(t, selectors.sla_state(t)) for t in mine],
        "counts": selectors.ticket_counts(company) if company else {},
    }


def _party_tickets(party: Party, request: HttpRequest) -> Any:
    return party.tickets.filter(company=request.company).order_by("-created_at")


def register_ui() -> None:
    view = "service.view_ticket"
    ui.register_nav("service", _("Tickets"), "service:ticket_list", permission=view, order=10)
    ui.register_nav(
        "service", _("Open tickets"), "service:ticket_list", permission=view, order=11, query="status=open"
    )
    ui.register_nav(
        "service",
        _("Knowledge base"),
        "service:article_list",
        permission="service.view_knowledgearticle",
        order=20,
    )
    ui.register_nav(
        "service",
        _("SLA attainment"),
        "service:sla_report",
        permission="service.view_service_report",
        order=30,
    )
    ui.register_nav(
        "service",
        _("Received e-mail"),
        "service:inboundmail_list",
        permission="service.view_inboundmail",
        order=40,
    )
    group = _("Set-up")
    for order, (label, url, perm) in enumerate(
        [
            (_("Teams"), "service:team_list", "service.view_team"),
            (_("Ticket categories"), "service:category_list", "service.view_ticketcategory"),
            (_("Routing rules"), "service:routingrule_list", "service.view_routingrule"),
            (_("SLA policies"), "service:slapolicy_list", "service.view_slapolicy"),
            (_("Business calendars"), "service:calendar_list", "service.view_businesscalendar"),
            (_("Service contracts"), "service:contract_list", "service.view_servicecontract"),
            (_("Canned replies"), "service:cannedreply_list", "service.view_cannedreply"),
            (_("Mailboxes"), "service:mailbox_list", "service.view_mailbox"),
        ]
    ):
        ui.register_nav("service", label, url, permission=perm, order=60 + order, group=group)
    ui.register_search(
        ui.SearchProvider("service.tickets", _("Tickets"), _search_tickets, permission=view, order=40)
    )
    ui.register_search(
        ui.SearchProvider(
            "service.articles",
            _("Knowledge base"),
            _search_articles,
            permission="service.view_knowledgearticle",
            order=41,
        )
    )
    ui.register_widget(
        ui.Widget(
            "service.my_tickets",
            _("My tickets"),
            "service/widget_my_tickets.html",
            _my_tickets,
            permission=view,
            order=30,
        )
    )
    ui.register_tab(
        "parties.party",
        ui.Tab(
            "tickets",
            _("Tickets"),
            rows=_party_tickets,
            columns=["number", "subject", "status", "priority", "created_at"],
            permission=view,
        ),
        order=60,
    )


__all__ = ["ArticleVisibility", "register_ui"]
