"""Set-up of the service desk: teams and their members, categories, routing rules, calendars and
holidays, SLA policies, tiers and contracts, canned replies, mailboxes, and the knowledge base."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils import timezone

from kern.core import context
from kern.core.audit import record_created
from kern.core.db import atomic
from kern.core.exceptions import ValidationFailed
from kern.core.models import Company
from kern.core.selectors import is_member
from kern.core.services import validated
from kern.core.workflow import transition
from kern.parties.models import Party
from kern.service.businesstime import parse_hours
from kern.service.models import (
    ArticleStatus,
    BusinessCalendar,
    CannedReply,
    Holiday,
    KnowledgeArticle,
    KnowledgeCategory,
    Mailbox,
    RoutingRule,
    ServiceContract,
    SlaPolicy,
    Team,
    TeamMember,
    Ticket,
    TicketCategory,
    TierThreshold,
)
from kern.service.richtext import html_to_text, rich_text

__all__ = [
    "add_holiday",
    "add_team_member",
    "archive_article",
    "create_article",
    "create_calendar",
    "create_canned_reply",
    "create_category",
    "create_contract",
    "create_knowledge_category",
    "create_mailbox",
    "create_routing_rule",
    "create_sla_policy",
    "create_team",
    "install_defaults",
    "on_company_created",
    "publish_article",
    "remove_holiday",
    "remove_team_member",
    "render_canned_reply",
    "set_tier_threshold",
    "unpublish_article",
    "update_article",
    "update_calendar",
    "update_canned_reply",
    "update_category",
    "update_contract",
    "update_mailbox",
    "update_routing_rule",
    "update_sla_policy",
    "update_team",
    "update_team_member",
]


def _acting(by: Any):
    return context.acting(by) if by is not None else context.acting()


def _fk(model: type[Model], company_id: int, value: Any, field: str) -> Any:
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    found = model._default_manager.filter(company_id=company_id, pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise ValidationFailed.on(field, f"unknown {model._meta.verbose_name} {pk!r}")
    return found


def _user(company_id: int, value: Any, field: str) -> Any:
    if value in (None, ""):
        return None
    User = get_user_model()
    user = (
        value
        if isinstance(value, User)
        else (User.objects.filter(pk=value).first() if str(value).isdigit() else None)
    )
    if user is None or not is_member(user, company_id):
        raise ValidationFailed.on(field, "choose a user of this company")
    return user


def _apply(
    obj: Model, fields: dict[str, Any], allowed: set[str], refs: dict[str, type[Model]] | None = None
) -> Model:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], "unknown field")
    for name, value in fields.items():
        if refs and name in refs:
            value = _fk(refs[name], obj.company_id, value, name)
        elif name in ("lead", "user"):
            value = _user(obj.company_id, value, name)
        elif isinstance(value, str) and name not in ("body",):
            value = value.strip()
        setattr(obj, name, value)
    return obj


def _save(obj: Model, by: Any, *, exclude: list[str] | None = None) -> Model:
    validated(obj, exclude=exclude)
    with atomic(), _acting(by):
        obj.save()
    return obj


def _company_id(company: Any) -> int:
    return getattr(company, "pk", company)


# --- teams -----------------------------------------------------------------------------------

TEAM_FIELDS = {"name", "email", "strategy", "lead", "web_form_enabled", "is_default", "is_active"}


def _one_default(team: Team) -> None:
    if team.is_default:
        Team.objects.filter(company_id=team.company_id, is_default=True).exclude(pk=team.pk).update(
            is_default=False
        )


def create_team(company: Any, *, by: Any = None, **fields: Any) -> Team:
    team = _apply(Team(company_id=_company_id(company)), fields, TEAM_FIELDS)
    validated(team, exclude=["web_form_key"])
    with atomic(), _acting(by):
        if team.is_default:
            Team.objects.filter(company_id=team.company_id, is_default=True).update(is_default=False)
        team.save()
    return team


def update_team(team: Team, *, by: Any = None, **fields: Any) -> Team:
    _apply(team, fields, TEAM_FIELDS)
    validated(team)
    with atomic(), _acting(by):
        _one_default(team)
        team.save()
    return team


def _skills(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return sorted({str(s).strip().lower() for s in value or [] if str(s).strip()})[:30]


def add_team_member(
    team: Team, *, user: Any, skills: Any = None, is_available: bool = True, by: Any = None
) -> TeamMember:
    member = TeamMember(company_id=team.company_id, team=team, user=_user(team.company_id, user, "user"))
    if member.user is None:
        raise ValidationFailed.on("user", "choose a user")
    if TeamMember.objects.filter(team=team, user=member.user).exists():
        raise ValidationFailed.on("user", f"{member.user} is already in {team}")
    member.skills = _skills(skills)
    member.is_available = is_available
    return _save(member, by)


def update_team_member(member: TeamMember, *, by: Any = None, **fields: Any) -> TeamMember:
    if "skills" in fields:
        member.skills = _skills(fields.pop("skills"))
    _apply(member, fields, {"is_available"})
    return _save(member, by)


def remove_team_member(member: TeamMember, *, by: Any = None) -> None:
    with atomic(), _acting(by):
        member.delete()


# --- categories and routing ------------------------------------------------------------------

CATEGORY_FIELDS = {"name", "team", "skill", "is_public", "is_active"}


def create_category(company: Any, *, by: Any = None, **fields: Any) -> TicketCategory:
    return _save(
        _apply(TicketCategory(company_id=_company_id(company)), fields, CATEGORY_FIELDS, {"team": Team}), by
    )


def update_category(category: TicketCategory, *, by: Any = None, **fields: Any) -> TicketCategory:
    return _save(_apply(category, fields, CATEGORY_FIELDS, {"team": Team}), by)


RULE_FIELDS = {
    "sequence",
    "name",
    "category",
    "min_tier",
    "channel",
    "keyword",
    "team",
    "min_priority",
    "is_active",
}
RULE_REFS = {"category": TicketCategory, "team": Team}


def create_routing_rule(company: Any, *, by: Any = None, **fields: Any) -> RoutingRule:
    return _save(_apply(RoutingRule(company_id=_company_id(company)), fields, RULE_FIELDS, RULE_REFS), by)


def update_routing_rule(rule: RoutingRule, *, by: Any = None, **fields: Any) -> RoutingRule:
    return _save(_apply(rule, fields, RULE_FIELDS, RULE_REFS), by)


# --- calendars and service levels ------------------------------------------------------------


def _check_hours(calendar: BusinessCalendar) -> None:
    try:
        hours = parse_hours(calendar.working_hours)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed.on("working_hours", str(exc)) from None
    if not hours:
        raise ValidationFailed.on("working_hours", "a calendar needs working hours on at least one day")
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(calendar.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed.on("time_zone", f"unknown time zone {calendar.time_zone!r}") from None


def create_calendar(company: Any, *, by: Any = None, **fields: Any) -> BusinessCalendar:
    calendar = _apply(
        BusinessCalendar(company_id=_company_id(company)), fields, {"name", "time_zone", "working_hours"}
    )
    _check_hours(calendar)
    return _save(calendar, by)


def update_calendar(calendar: BusinessCalendar, *, by: Any = None, **fields: Any) -> BusinessCalendar:
    _apply(calendar, fields, {"name", "time_zone", "working_hours"})
    _check_hours(calendar)
    return _save(calendar, by)


def add_holiday(calendar: BusinessCalendar, *, date: Any, name: str, by: Any = None) -> Holiday:
    if Holiday.objects.filter(calendar=calendar, date=date).exists():
        raise ValidationFailed.on("date", f"{date} is already a holiday")
    return _save(
        Holiday(company_id=calendar.company_id, calendar=calendar, date=date, name=(name or "").strip()), by
    )


def remove_holiday(holiday: Holiday, *, by: Any = None) -> None:
    with atomic(), _acting(by):
        holiday.delete()


SLA_FIELDS = {
    "name",
    "tier",
    "priority",
    "first_response_minutes",
    "resolution_minutes",
    "calendar",
    "at_risk_percent",
    "escalation_team",
    "notify_emails",
    "is_active",
}
SLA_REFS = {"calendar": BusinessCalendar, "escalation_team": Team}


def _check_policy(policy: SlaPolicy) -> None:
    if (
        policy.first_response_minutes
        and policy.resolution_minutes
        and policy.resolution_minutes < policy.first_response_minutes
    ):
        raise ValidationFailed.on("resolution_minutes", "resolution cannot be due before the first response")
    if policy.is_active:
        clash = SlaPolicy.objects.filter(
            company_id=policy.company_id, tier=policy.tier, priority=policy.priority, is_active=True
        ).exclude(pk=policy.pk)
        if clash.exists():
            raise ValidationFailed.on(
                "priority", f"there is already an active policy for {policy.tier} / {policy.priority}"
            )


def create_sla_policy(company: Any, *, by: Any = None, **fields: Any) -> SlaPolicy:
    policy = _apply(SlaPolicy(company_id=_company_id(company)), fields, SLA_FIELDS, SLA_REFS)
    _check_policy(policy)
    return _save(policy, by)


def update_sla_policy(policy: SlaPolicy, *, by: Any = None, **fields: Any) -> SlaPolicy:
    _apply(policy, fields, SLA_FIELDS, SLA_REFS)
    _check_policy(policy)
    return _save(policy, by)


def set_tier_threshold(company: Any, *, tier: str, min_revenue: Any, by: Any = None) -> TierThreshold:
    company_id = _company_id(company)
    threshold = TierThreshold.objects.filter(company_id=company_id, tier=tier).first() or TierThreshold(
        company_id=company_id, tier=tier
    )
    threshold.min_revenue = min_revenue
    return _save(threshold, by)


CONTRACT_FIELDS = {"party", "reference", "tier", "starts_on", "ends_on"}


def create_contract(company: Any, *, by: Any = None, **fields: Any) -> ServiceContract:
    return _save(
        _apply(ServiceContract(company_id=_company_id(company)), fields, CONTRACT_FIELDS, {"party": Party}),
        by,
    )


def update_contract(contract: ServiceContract, *, by: Any = None, **fields: Any) -> ServiceContract:
    return _save(_apply(contract, fields, CONTRACT_FIELDS, {"party": Party}), by)


# --- canned replies and mailboxes ------------------------------------------------------------

CANNED_FIELDS = {"name", "body", "team", "is_active"}


def create_canned_reply(company: Any, *, by: Any = None, **fields: Any) -> CannedReply:
    return _save(
        _apply(CannedReply(company_id=_company_id(company)), fields, CANNED_FIELDS, {"team": Team}), by
    )


def update_canned_reply(reply: CannedReply, *, by: Any = None, **fields: Any) -> CannedReply:
    return _save(_apply(reply, fields, CANNED_FIELDS, {"team": Team}), by)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_canned_reply(reply: CannedReply, ticket: Ticket, *, agent: Any = None) -> str:
    """The reply's text with {customer}, {contact}, {ticket}, {subject} and {agent} filled in;
    an unknown placeholder stays as typed."""
    values = _Blank(
        customer=str(ticket.customer or ticket.requester_name or ""),
        contact=str(ticket.contact or ticket.requester_name or ""),
        ticket=ticket.number,
        subject=ticket.subject,
        agent=(agent.get_full_name() or agent.get_username()) if agent is not None else "",
    )
    try:
        return reply.body.format_map(values)
    except (ValueError, IndexError, AttributeError):  # stray braces: give the text as written
        return reply.body


MAILBOX_FIELDS = {
    "name",
    "protocol",
    "host",
    "port",
    "use_ssl",
    "username",
    "password",
    "folder",
    "team",
    "is_active",
}


def create_mailbox(company: Any, *, by: Any = None, **fields: Any) -> Mailbox:
    return _save(_apply(Mailbox(company_id=_company_id(company)), fields, MAILBOX_FIELDS, {"team": Team}), by)


def update_mailbox(mailbox: Mailbox, *, by: Any = None, **fields: Any) -> Mailbox:
    if fields.get("password") in (None, ""):
        fields.pop("password", None)  # an empty password field keeps the stored one
    return _save(_apply(mailbox, fields, MAILBOX_FIELDS, {"team": Team}), by)


# --- knowledge base --------------------------------------------------------------------------


def create_knowledge_category(company: Any, *, by: Any = None, **fields: Any) -> KnowledgeCategory:
    return _save(_apply(KnowledgeCategory(company_id=_company_id(company)), fields, {"name", "sequence"}), by)


ARTICLE_FIELDS = {"title", "category", "body", "keywords", "visibility"}


def create_article(company: Any, *, by: Any = None, **fields: Any) -> KnowledgeArticle:
    article = _apply(
        KnowledgeArticle(company_id=_company_id(company)),
        fields,
        ARTICLE_FIELDS,
        {"category": KnowledgeCategory},
    )
    article.body = rich_text(article.body)
    if not html_to_text(article.body):
        raise ValidationFailed.on("body", "an article needs text")
    return _save(article, by)


def update_article(article: KnowledgeArticle, *, by: Any = None, **fields: Any) -> KnowledgeArticle:
    _apply(article, fields, ARTICLE_FIELDS, {"category": KnowledgeCategory})
    article.body = rich_text(article.body)
    if not html_to_text(article.body):
        raise ValidationFailed.on("body", "an article needs text")
    article.updated_at = timezone.now()
    return _save(article, by)


def publish_article(article: KnowledgeArticle, *, by: Any = None) -> KnowledgeArticle:
    return transition(article, to=ArticleStatus.PUBLISHED, by=by, fields={"updated_at": timezone.now()})


def unpublish_article(article: KnowledgeArticle, *, by: Any = None) -> KnowledgeArticle:
    return transition(article, to=ArticleStatus.DRAFT, by=by, fields={"updated_at": timezone.now()})


def archive_article(article: KnowledgeArticle, *, by: Any = None) -> KnowledgeArticle:
    return transition(article, to=ArticleStatus.ARCHIVED, by=by, fields={"updated_at": timezone.now()})


# --- defaults for a new company --------------------------------------------------------------

DEFAULT_TARGETS = {  # (tier, priority): (first response, resolution) in business minutes
    ("standard", "low"): (16 * 60, 80 * 60),
    ("standard", "normal"): (8 * 60, 40 * 60),
    ("standard", "high"): (4 * 60, 16 * 60),
    ("standard", "urgent"): (2 * 60, 8 * 60),
    ("gold", "low"): (4 * 60, 24 * 60),
    ("gold", "normal"): (2 * 60, 16 * 60),
    ("gold", "high"): (60, 8 * 60),
    ("gold", "urgent"): (30, 4 * 60),
}


def install_defaults(company: Company) -> None:
    """A working desk for every new company: a default team, a Dutch business calendar and SLA
    policies for the standard and gold tiers (core.company_created, in its transaction)."""
    if Team.objects.filter(company=company).exists():
        return
    team = Team(company=company, name="Support", is_default=True)
    calendar = BusinessCalendar(company=company, name="Kantooruren")
    team.save()
    calendar.save()
    policies = [
        SlaPolicy(
            company=company,
            name=f"{tier.title()} / {priority}",
            tier=tier,
            priority=priority,
            first_response_minutes=first,
            resolution_minutes=resolve,
            calendar=calendar,
        )
        for (tier, priority), (first, resolve) in DEFAULT_TARGETS.items()
    ]
    SlaPolicy.objects.bulk_create(policies)
    record_created(policies)


def on_company_created(event: Any) -> None:
    company = Company.objects.get(pk=event.payload["company_id"])
    install_defaults(company)
