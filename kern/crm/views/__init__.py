"""CRM pages: generic record pages (pages), working pages (work), the customer 360, public pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kern.core import ui


def _search_leads(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
    from django.db.models import Q

    from kern.crm import selectors

    qs = selectors.visible_leads(request.user, request.company).filter(
        Q(title__icontains=text)
        | Q(organisation__icontains=text)
        | Q(email__icontains=text)
        | Q(number__iexact=text)
    )
    return [
        ui.SearchHit(
            lead.title,
            reverse("crm:lead_detail", kwargs={"pk": lead.pk}),
            f"{lead.number} · {lead.get_status_display()}",
        )
        for lead in qs.order_by("-created_at")[:limit]
    ]


def _search_opportunities(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
    from django.db.models import Q

    from kern.crm import selectors

    qs = selectors.visible_opportunities(request.user, request.company).filter(
        Q(name__icontains=text) | Q(number__iexact=text) | Q(party__name__icontains=text)
    )
    return [
        ui.SearchHit(
            o.name, reverse("crm:opportunity_detail", kwargs={"pk": o.pk}), f"{o.number} · {o.party.name}"
        )
        for o in qs.select_related("party").order_by("-created_at")[:limit]
    ]


def _my_day_widget(request: HttpRequest) -> dict[str, Any]:
    from kern.crm import selectors

    day = selectors.my_day(request.user, request.company, upcoming_days=0)
    return {"overdue": day.overdue[:5], "today": day.today[:8], "overdue_count": len(day.overdue)}


def _pipeline_widget(request: HttpRequest) -> dict[str, Any]:
    from kern.crm import selectors

    board = selectors.kanban_board(request.user, request.company, limit_per_stage=0)
    return {"board": board, "currency": request.company.base_currency_id}


def register_ui() -> None:
    """Menu entries, search, dashboard cards and the tabs the CRM adds to party pages."""
    from kern.crm.views.pages import activities_tab, timeline_tab

    opp, lead, act = "crm.view_opportunity", "crm.view_lead", "crm.view_activity"
    ui.register_nav("crm", _("My day"), "crm:my_day", permission=act, order=1)
    ui.register_nav("crm", _("Pipeline"), "crm:pipeline", permission=opp, order=2)
    ui.register_nav("crm", _("Leads"), "crm:lead_list", permission=lead, order=5)
    ui.register_nav("crm", _("Opportunities"), "crm:opportunity_list", permission=opp, order=6)
    ui.register_nav("crm", _("Activities"), "crm:activity_list", permission=act, order=7)
    ui.register_nav("crm", _("Forecast"), "crm:forecast", permission=opp, order=8, group=_("Analysis"))
    ui.register_nav(
        "crm",
        _("Sales targets"),
        "crm:salestarget_list",
        permission="crm.view_salestarget",
        order=9,
        group=_("Analysis"),
    )
    setup = _("Set-up")
    ui.register_nav(
        "crm",
        _("Pipeline stages"),
        "crm:pipelinestage_list",
        permission="crm.view_pipelinestage",
        order=40,
        group=setup,
    )
    ui.register_nav(
        "crm",
        _("Lost reasons"),
        "crm:lostreason_list",
        permission="crm.view_lostreason",
        order=41,
        group=setup,
    )
    ui.register_nav(
        "crm",
        _("Lead scoring"),
        "crm:scoringrule_list",
        permission="crm.view_scoringrule",
        order=42,
        group=setup,
    )
    ui.register_nav(
        "crm",
        _("Lead assignment"),
        "crm:assignmentrule_list",
        permission="crm.view_assignmentrule",
        order=43,
        group=setup,
    )
    ui.register_nav(
        "crm", _("Web forms"), "crm:leadform_list", permission="crm.view_leadform", order=44, group=setup
    )
    ui.register_nav(
        "settings", _("CRM settings"), "crm:settings", permission="crm.change_crmsettings", order=60
    )
    ui.register_search(ui.SearchProvider("crm.leads", _("Leads"), _search_leads, permission=lead, order=30))
    ui.register_search(
        ui.SearchProvider(
            "crm.opportunities", _("Opportunities"), _search_opportunities, permission=opp, order=31
        )
    )
    ui.register_widget(
        ui.Widget(
            "crm.my_day", _("My day"), "crm/widget_my_day.html", _my_day_widget, permission=act, order=5
        )
    )
    ui.register_widget(
        ui.Widget(
            "crm.pipeline",
            _("Pipeline"),
            "crm/widget_pipeline.html",
            _pipeline_widget,
            permission=opp,
            roles=("sales_rep", "sales_manager", "administrator"),
            order=6,
        )
    )
    ui.register_tab(
        "parties.party",
        ui.Tab(
            "crm360",
            _("Customer 360"),
            rows=lambda party, request: [],
            template="crm/_tab_360.html",
            permission="crm.view_opportunity",
        ),
        order=1,
    )
    ui.register_tab("parties.party", activities_tab("party"), order=50)
    ui.register_tab(
        "parties.party",
        ui.Tab(
            "opportunities",
            _("Opportunities"),
            rows=lambda party, request: selectors_visible_for_party(party, request),
            columns=["number", "name", "stage", "status", "expected_revenue", "expected_close_date", "owner"],
            add_url=lambda party: reverse("crm:opportunity_create") + f"?party={party.pk}",
            add_label=_("New opportunity"),
            permission=opp,
        ),
        order=51,
    )
    ui.register_tab("parties.party", timeline_tab("crm_timeline"), order=52)


def selectors_visible_for_party(party: Any, request: HttpRequest) -> Any:
    from kern.crm import selectors

    return (
        selectors.visible_opportunities(request.user, party.company_id)
        .filter(party=party)
        .select_related("stage", "owner")
        .order_by("-created_at")
    )
