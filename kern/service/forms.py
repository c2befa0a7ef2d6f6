"""Forms of the service desk pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.parties.models import ContactPerson, Party
from kern.service.models import (
    BusinessCalendar,
    CannedReply,
    Channel,
    Holiday,
    KnowledgeArticle,
    Mailbox,
    Priority,
    RoutingRule,
    ServiceContract,
    SlaPolicy,
    Team,
    TeamMember,
    TicketCategory,
)

SUGGEST = {
    "hx-get": reverse_lazy("service:kb_suggest"),
    "hx-trigger": "input changed delay:400ms",
    "hx-target": "#kb-suggestions",
    "hx-swap": "outerHTML",
    "hx-include": "[name=subject],[name=description]",
}


def _agents(company: Any):
    return get_user_model().objects.filter(memberships__company=company, is_active=True).order_by("username")


class TicketForm(ui.KernForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Question"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    customer = forms.ModelChoiceField(
        Party.objects.filter(is_customer=True), label=_("Customer"), required=False
    )
    contact = forms.ModelChoiceField(ContactPerson.objects.all(), label=_("Contact"), required=False)
    requester_email = forms.EmailField(label=_("Requester e-mail"), required=False)
    requester_name = forms.CharField(label=_("Requester"), max_length=160, required=False)
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.AGENT, Channel.AGENT.label)],
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    category = forms.ModelChoiceField(
        TicketCategory.objects.filter(is_active=True), label=_("Category"), required=False
    )
    team = forms.ModelChoiceField(
        Team.objects.filter(is_active=True),
        label=_("Team"),
        required=False,
        help_text=_("Empty: the routing rules choose."),
    )
    assignee = forms.ModelChoiceField(
        get_user_model().objects.none(),
        label=_("Assign to"),
        required=False,
        help_text=_("Empty: the team's assignment rule chooses."),
    )

    def __init__(self, *args: Any, company: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("subject", "description"):
            self.fields[name].widget.attrs.update(SUGGEST)


class PublicTicketForm(ui.KernForm):
    """The web form anyone may fill in; `website` is a honeypot that people never see."""

    name = forms.CharField(label=_("Your name"), max_length=160)
    email = forms.EmailField(label=_("Your e-mail address"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = forms.ModelChoiceField(TicketCategory.objects.none(), label=_("Topic"), required=False)
    description = forms.CharField(
        label=_("Your question"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000
    )
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args: Any, company: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TicketCategory.objects.filter(
            company=company, is_active=True, is_public=True
        )
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})


class ReplyForm(ui.KernForm):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=100_000)
    internal = forms.BooleanField(label=_("Internal note (the customer does not see it)"), required=False)
    then = forms.ChoiceField(
        label=_("Then set the ticket to"),
        required=False,
        choices=[("", _("Open")), ("pending", _("Waiting on customer")), ("resolved", _("Resolved"))],
    )
    files = forms.FileField(label=_("Attachments"), required=False)


class MergeForm(ui.KernForm):
    into = forms.CharField(label=_("Merge into ticket number"), max_length=20)


class LinkForm(ui.KernForm):
    target_model = forms.ChoiceField(label=_("Kind"))
    target_id = forms.IntegerField(label=_("Id"), min_value=1)

    def __init__(self, *args: Any, kinds: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_model"].choices = kinds or []


class TeamForm(ui.KernModelForm):
    class Meta:
        model = Team
        fields = ["name", "email", "strategy", "lead", "web_form_enabled", "is_default", "is_active"]


class TeamMemberForm(ui.KernModelForm):
    skills = forms.CharField(label=_("Skills (comma separated)"), required=False)

    class Meta:
        model = TeamMember
        fields = ["user", "skills", "is_available"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("user")
            self.initial["skills"] = ", ".join(self.instance.skills or [])


class CategoryForm(ui.KernModelForm):
    class Meta:
        model = TicketCategory
        fields = ["name", "team", "skill", "is_public", "is_active"]


class RoutingRuleForm(ui.KernModelForm):
    class Meta:
        model = RoutingRule
        fields = [
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


class CalendarForm(ui.KernModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "working_hours"]
        help_texts = {"working_hours": _('Per weekday (0 = Monday): {"0": [["09:00", "17:00"]], …}')}


class HolidayForm(ui.KernModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class SlaPolicyForm(ui.KernModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
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
        ]


class ContractForm(ui.KernModelForm):
    class Meta:
        model = ServiceContract
        fields = ["party", "reference", "tier", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }


class CannedReplyForm(ui.KernModelForm):
    class Meta:
        model = CannedReply
        fields = ["name", "body", "team", "is_active"]
        help_texts = {"body": _("Placeholders: {customer}, {contact}, {ticket}, {subject}, {agent}.")}


class ArticleForm(ui.KernModelForm):
    class Meta:
        model = KnowledgeArticle
        fields = ["title", "category", "visibility", "keywords", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}


class MailboxForm(ui.KernModelForm):
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=False), required=False
    )

    class Meta:
        model = Mailbox
        fields = [
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
        ]
