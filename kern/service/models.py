"""Service desk: tickets and their conversation, teams (queues), routing and assignment, service
levels on a business-hours calendar, the knowledge base, and the inbound mail log."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kern.core.models import CompanyOwned

__all__ = [
    "ArticleStatus",
    "ArticleVisibility",
    "AssignmentStrategy",
    "BusinessCalendar",
    "CannedReply",
    "Channel",
    "Holiday",
    "InboundMail",
    "InboundStatus",
    "KnowledgeArticle",
    "KnowledgeCategory",
    "Mailbox",
    "MessageKind",
    "Priority",
    "RoutingRule",
    "ServiceContract",
    "ServiceTier",
    "SlaPolicy",
    "Team",
    "TeamMember",
    "Ticket",
    "TicketCategory",
    "TicketLink",
    "TicketMessage",
    "TicketStatus",
    "TierThreshold",
]


class ServiceTier(models.TextChoices):
    """How much service a customer gets; derived from revenue and contracts (see selectors.tier_of)."""

    STANDARD = "standard", _("Standard")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")


TIER_RANK = {ServiceTier.STANDARD: 0, ServiceTier.SILVER: 1, ServiceTier.GOLD: 2}


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    WEB_FORM = "web_form", _("Web form")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    AGENT = "agent", _("Agent")


# --- calendar and service levels -------------------------------------------------------------


def _default_hours() -> dict[str, list[list[str]]]:
    day = [["09:00", "17:00"]]
    return {"0": day, "1": day, "2": day, "3": day, "4": day}


class BusinessCalendar(CompanyOwned):
    """Working hours per weekday (0 = Monday: [["09:00", "12:30"], ["13:00", "17:00"]]) in a time
    zone, and holidays. SLA targets count only time inside these hours."""

    name = models.CharField(_("name"), max_length=80)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Amsterdam")
    working_hours = models.JSONField(_("working hours"), default=_default_hours)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="service_calendar_unique")]

    def __str__(self) -> str:
        return self.name


class Holiday(CompanyOwned):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="service_holiday_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(CompanyOwned):
    """Targets for one customer tier and priority, in business minutes of `calendar`."""

    name = models.CharField(_("name"), max_length=80)
    tier = models.CharField(_("customer tier"), max_length=10, choices=ServiceTier.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (business minutes)"), validators=[MinValueValidator(1)]
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"), validators=[MinValueValidator(1)]
    )
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, verbose_name=_("calendar"))
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk from (% of target used)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    escalation_team = models.ForeignKey(
        "Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on breach, reassign to team"),
    )
    notify_emails = models.CharField(
        _("also notify (e-mail addresses, comma separated)"), max_length=500, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["tier", "priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "tier", "priority"],
                condition=Q(is_active=True),
                name="service_sla_one_active_per_tier_priority",
            ),
            models.CheckConstraint(
                condition=Q(resolution_minutes__gte=models.F("first_response_minutes")),
                name="service_sla_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceContract(CompanyOwned):
    """A support contract: while it runs, the customer has at least its tier."""

    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.CASCADE,
        related_name="service_contracts",
        verbose_name=_("customer"),
    )
    reference = models.CharField(_("reference"), max_length=60)
    tier = models.CharField(_("tier"), max_length=10, choices=ServiceTier.choices, default=ServiceTier.GOLD)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="service_contract_dates",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class TierThreshold(CompanyOwned):
    """Invoiced revenue over the last 12 months from which a customer reaches `tier`."""

    tier = models.CharField(_("tier"), max_length=10, choices=ServiceTier.choices)
    min_revenue = models.DecimalField(
        _("revenue last 12 months from"), max_digits=20, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["min_revenue"]
        verbose_name = _("tier threshold")
        verbose_name_plural = _("tier thresholds")
        constraints = [models.UniqueConstraint(fields=["company", "tier"], name="service_tier_unique")]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} ≥ {self.min_revenue}"


# --- teams, categories, routing --------------------------------------------------------------


class AssignmentStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    SKILLS = "skills", _("By skill, then round robin")
    LEAST_LOADED = "least_loaded", _("Fewest open tickets")
    MANUAL = "manual", _("Manual")


def _form_key() -> str:
    return secrets.token_urlsafe(12)


class Team(CompanyOwned):
    """A queue of tickets and the agents who work it."""

    name = models.CharField(_("name"), max_length=80)
    email = models.EmailField(_("e-mail address"), blank=True, help_text=_("Replies are sent from here."))
    strategy = models.CharField(
        _("assignment"),
        max_length=16,
        choices=AssignmentStrategy.choices,
        default=AssignmentStrategy.ROUND_ROBIN,
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team lead"),
    )
    web_form_enabled = models.BooleanField(_("public web form"), default=False)
    web_form_key = models.CharField(max_length=40, default=_form_key, unique=True, editable=False)
    is_default = models.BooleanField(_("default team"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="service_team_unique"),
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_default=True), name="service_team_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(CompanyOwned):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    skills = models.JSONField(_("skills"), default=list, blank=True)
    is_available = models.BooleanField(_("available"), default=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True, editable=False)

    audit_exclude = frozenset({"last_assigned_at"})

    class Meta:
        ordering = ["team", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="service_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.team}"


class TicketCategory(CompanyOwned):
    name = models.CharField(_("name"), max_length=80)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("default team")
    )
    skill = models.CharField(_("skill needed"), max_length=40, blank=True)
    is_public = models.BooleanField(_("offered to customers"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="service_category_unique")]

    def __str__(self) -> str:
        return self.name


class RoutingRule(CompanyOwned):
    """The first active rule (by sequence) whose conditions all match sends a new ticket to `team`,
    and may raise its priority. Empty conditions match everything."""

    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    name = models.CharField(_("name"), max_length=80)
    category = models.ForeignKey(
        TicketCategory, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("category")
    )
    min_tier = models.CharField(
        _("customer tier at least"), max_length=10, choices=ServiceTier.choices, blank=True
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    keyword = models.CharField(_("subject contains"), max_length=80, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="+", verbose_name=_("route to team")
    )
    min_priority = models.CharField(
        _("raise priority to at least"), max_length=10, choices=Priority.choices, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name


# --- tickets ---------------------------------------------------------------------------------


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)


class Ticket(CompanyOwned):
    number = models.CharField(_("number"), max_length=20)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.AGENT)
    customer = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("customer"),
    )
    contact = models.ForeignKey(
        "parties.ContactPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("contact"),
    )
    requester_name = models.CharField(_("requester"), max_length=160, blank=True)
    requester_email = models.EmailField(_("requester e-mail"), blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("team"))
    category = models.ForeignKey(
        TicketCategory, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("category")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    tier = models.CharField(
        _("customer tier"), max_length=10, choices=ServiceTier.choices, default=ServiceTier.STANDARD
    )
    sla_policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("SLA policy")
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # While the ticket waits on the customer the resolution clock stops: what was left is kept here.
    resolution_remaining_minutes = models.IntegerField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    TRANSITIONS = {
        (TicketStatus.NEW, TicketStatus.OPEN),
        (TicketStatus.NEW, TicketStatus.PENDING),
        (TicketStatus.NEW, TicketStatus.RESOLVED),
        (TicketStatus.OPEN, TicketStatus.PENDING),
        (TicketStatus.OPEN, TicketStatus.RESOLVED),
        (TicketStatus.PENDING, TicketStatus.OPEN),
        (TicketStatus.PENDING, TicketStatus.RESOLVED),
        (TicketStatus.RESOLVED, TicketStatus.OPEN),
        (TicketStatus.RESOLVED, TicketStatus.CLOSED),
        (TicketStatus.NEW, TicketStatus.CLOSED),
        (TicketStatus.OPEN, TicketStatus.CLOSED),
        (TicketStatus.PENDING, TicketStatus.CLOSED),
        (TicketStatus.NEW, TicketStatus.MERGED),
        (TicketStatus.OPEN, TicketStatus.MERGED),
        (TicketStatus.PENDING, TicketStatus.MERGED),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="service_ticket_unique_number")
        ]
        indexes = [
            models.Index(fields=["company", "status"], name="service_ticket_status_idx"),
            models.Index(fields=["company", "customer", "status"], name="service_ticket_customer_idx"),
            models.Index(fields=["company", "requester_email"], name="service_ticket_requester_idx"),
        ]
        permissions = [("view_service_report", "Can view service reports")]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", _("From the customer")
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")
    SYSTEM = "system", _("System")


class TicketMessage(CompanyOwned):
    """One entry of a ticket's conversation. Internal notes and system entries never reach the
    customer (the portal and outbound mail read only `is_public`)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    body = models.TextField(_("message"))  # sanitised HTML
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(_("from"), max_length=160, blank=True)
    author_email = models.EmailField(blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.AGENT)
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.get_kind_display()}"

    @property
    def is_public(self) -> bool:
        return self.kind in (MessageKind.CUSTOMER, MessageKind.REPLY)


class TicketLink(CompanyOwned):
    """A reference from a ticket to a record of another app (order, invoice, product, lot, …),
    kept as model label + id so a ticket never depends on those apps' tables."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links")
    target_model = models.CharField(_("kind"), max_length=80)
    target_id = models.CharField(max_length=64)
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target_model", "target_id"], name="service_link_unique"
            )
        ]
        indexes = [
            models.Index(fields=["company", "target_model", "target_id"], name="service_link_target_idx")
        ]

    def __str__(self) -> str:
        return self.label or f"{self.target_model}#{self.target_id}"


class CannedReply(CompanyOwned):
    """A reusable answer. Placeholders: {customer}, {contact}, {ticket}, {subject}, {agent}."""

    name = models.CharField(_("name"), max_length=80)
    body = models.TextField(_("text"))
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("only for team")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="service_canned_unique")]

    def __str__(self) -> str:
        return self.name


# --- knowledge base --------------------------------------------------------------------------


class KnowledgeCategory(CompanyOwned):
    name = models.CharField(_("name"), max_length=80)
    sequence = models.PositiveIntegerField(_("sequence"), default=10)

    class Meta:
        ordering = ["sequence", "name"]
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="service_kbcat_unique")]

    def __str__(self) -> str:
        return self.name


class ArticleVisibility(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PUBLIC = "public", _("Public")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class KnowledgeArticle(CompanyOwned):
    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        KnowledgeCategory, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("category")
    )
    body = models.TextField(_("text"))  # sanitised HTML
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=ArticleVisibility.choices, default=ArticleVisibility.INTERNAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    views = models.PositiveIntegerField(_("views"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    audit_exclude = frozenset({"views"})

    TRANSITIONS = {
        (ArticleStatus.DRAFT, ArticleStatus.PUBLISHED),
        (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED),
        (ArticleStatus.PUBLISHED, ArticleStatus.DRAFT),
        (ArticleStatus.ARCHIVED, ArticleStatus.DRAFT),
    }

    class Meta:
        ordering = ["title"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        indexes = [models.Index(fields=["company", "status", "visibility"], name="service_article_idx")]

    def __str__(self) -> str:
        return self.title


# --- inbound mail ----------------------------------------------------------------------------


class Mailbox(CompanyOwned):
    """A POP3 or IMAP mailbox polled for new mail; each message becomes a ticket or a reply."""

    class Protocol(models.TextChoices):
        IMAP = "imap", "IMAP"
        POP3 = "pop3", "POP3"

    name = models.CharField(_("name"), max_length=80)
    protocol = models.CharField(_("protocol"), max_length=5, choices=Protocol.choices, default=Protocol.IMAP)
    host = models.CharField(_("server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993, validators=[MaxValueValidator(65535)])
    use_ssl = models.BooleanField(_("SSL/TLS"), default=True)
    username = models.CharField(_("user name"), max_length=200)
    password = models.CharField(_("password"), max_length=200, blank=True)
    folder = models.CharField(_("folder"), max_length=100, default="INBOX")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("team"))
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)

    audit_exclude = frozenset({"password", "last_polled_at", "last_error"})

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="service_mailbox_unique")]

    def __str__(self) -> str:
        return self.name


class InboundStatus(models.TextChoices):
    CREATED = "created", _("New ticket")
    THREADED = "threaded", _("Added to ticket")
    LOOP = "loop", _("Ignored: automatic reply or mail loop")
    DUPLICATE = "duplicate", _("Ignored: already received")
    REJECTED = "rejected", _("Rejected")


class InboundMail(CompanyOwned):
    """What became of every message received: the log an administrator reads when mail goes missing."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    sender = models.CharField(_("from"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    status = models.CharField(_("result"), max_length=10, choices=InboundStatus.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        indexes = [
            models.Index(fields=["company", "message_id"], name="service_inbound_msgid_idx"),
            models.Index(fields=["company", "sender", "received_at"], name="service_inbound_sender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"
