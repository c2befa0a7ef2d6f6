"""The CRM's working pages: the kanban board, converting a lead, won/lost, forecast, my day,
the calendar link and the settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kern.core import ui
from kern.core.exceptions import KernError
from kern.crm import selectors, services
from kern.crm.exceptions import CrmValidationError
from kern.crm.models import Activity, Lead, Opportunity, PipelineStage
from kern.crm.views import forms as crm_forms


def _company(request: HttpRequest) -> Any:
    company = getattr(request, "company", None)
    if company is None:
        raise Http404
    return company


def _lead(request: HttpRequest, pk: int) -> Lead:
    lead = selectors.visible_leads(request.user, _company(request)).filter(pk=pk).first()
    if lead is None:
        raise Http404
    return lead


def _opportunity(request: HttpRequest, pk: int) -> Opportunity:
    opp = (
        selectors.visible_opportunities(request.user, _company(request))
        .select_related("party", "stage")
        .filter(pk=pk)
        .first()
    )
    if opp is None:
        raise Http404
    return opp


# --- kanban ---------------------------------------------------------------------------------------


@login_required
@permission_required("crm.view_opportunity", raise_exception=True)
def pipeline(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    owner = request.GET.get("owner", "")
    search = request.GET.get("q", "").strip()[:100]
    board = selectors.kanban_board(
        request.user, company, owner=int(owner) if owner.isdigit() else None, search=search
    )
    context = {
        "title": _("Pipeline"),
        "board": board,
        "stages": [column.stage for column in board],
        "q": search,
        "owner": owner,
        "owners": crm_forms.members(company),
        "currency": company.base_currency_id,
        "can_move": request.user.has_perm("crm.change_opportunity"),
    }
    return render(request, "crm/pipeline.html", context)


@login_required
@permission_required("crm.change_opportunity", raise_exception=True)
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a kanban move. A script gets JSON (the card's new column and the totals); a plain form
    (no JavaScript) is sent back to the board with a message."""
    opp = _opportunity(request, pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    stage = request.POST.get("stage", "")
    try:
        opp = services.move_opportunity(opp, stage=stage if stage.isdigit() else None, by=request.user)
    except KernError as exc:
        if wants_json:
            return JsonResponse({"ok": False, "error": exc.message}, status=exc.status)
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("crm:pipeline"))
    stage_obj = PipelineStage.objects.get(pk=opp.stage_id)
    message = _("%(opportunity)s moved to %(stage)s.") % {"opportunity": opp.name, "stage": stage_obj.name}
    if wants_json:
        board = selectors.kanban_board(request.user, _company(request))
        totals = {
            str(col.stage.pk): {
                "count": col.count,
                "expected": _money(col.expected),
                "weighted": _money(col.weighted),
            }
            for col in board
        }
        return JsonResponse(
            {
                "ok": True,
                "stage": opp.stage_id,
                "probability": opp.probability,
                "message": message,
                "totals": totals,
            }
        )
    messages.success(request, message)
    return HttpResponseRedirect(request.POST.get("next") or reverse("crm:pipeline"))


def _money(value: Any) -> str:
    from kern.core.ui.columns import display_value

    return display_value(value)


# --- lead conversion, won and lost -------------------------------------------------------------


@login_required
@permission_required("crm.change_lead", raise_exception=True)
def convert_lead(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    company = _company(request)
    form = crm_forms.ConvertForm(
        request.POST if request.method == "POST" else None, company=company, lead=lead
    )
    duplicates = selectors.lead_duplicates(
        company, email=lead.email, organisation=lead.organisation, exclude=lead.pk
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.convert_lead(
                lead,
                by=request.user,
                party=data["party"],
                create_opportunity=data["create_opportunity"],
                opportunity_name=data["opportunity_name"],
                expected_revenue=data["expected_revenue"],
                expected_close_date=data["expected_close_date"],
                stage=data["stage"],
            )
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, _("The lead was converted."))
            target = result.opportunity or result.party
            return HttpResponseRedirect(ui.document_url(target))
    context = {
        "title": _("Convert %(lead)s") % {"lead": lead},
        "form": form,
        "lead": lead,
        "duplicates": [d for d in duplicates if d.kind == "party"],
        "cancel_url": ui.document_url(lead),
    }
    return render(request, "crm/convert.html", context, status=422 if form.errors else 200)


def _close(request: HttpRequest, pk: int, form_class: type, service: Any, title: str) -> HttpResponse:
    opp = _opportunity(request, pk)
    kwargs = {"company": _company(request)} if form_class is crm_forms.LostForm else {}
    initial = {"expected_revenue": opp.expected_revenue, "closed_on": timezone.localdate()}
    form = form_class(request.POST if request.method == "POST" else None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            service(opp, by=request.user, **form.cleaned_data)
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, _("%(opportunity)s was closed.") % {"opportunity": opp})
            return HttpResponseRedirect(ui.document_url(opp))
    context = {
        "title": title % {"opportunity": opp},
        "form": form,
        "warnings": [],
        "cancel_url": ui.document_url(opp),
    }
    return render(request, "ui/form.html", context, status=422 if form.errors else 200)


@login_required
@permission_required("crm.change_opportunity", raise_exception=True)
def mark_won(request: HttpRequest, pk: int) -> HttpResponse:
    return _close(request, pk, crm_forms.WonForm, services.mark_won, _("Won: %(opportunity)s"))


@login_required
@permission_required("crm.change_opportunity", raise_exception=True)
def mark_lost(request: HttpRequest, pk: int) -> HttpResponse:
    return _close(request, pk, crm_forms.LostForm, services.mark_lost, _("Lost: %(opportunity)s"))


# --- forecast ---------------------------------------------------------------------------------


@login_required
@permission_required("crm.view_opportunity", raise_exception=True)
def forecast(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    by = request.GET.get("by", "rep")
    by = by if by in {"rep", "team", "total"} else "rep"
    try:
        start = (
            dt.date.fromisoformat(request.GET.get("start", "") + "-01") if request.GET.get("start") else None
        )
    except ValueError:
        start = None
    start = start or timezone.localdate().replace(day=1)
    try:
        months = max(1, min(24, int(request.GET.get("months", 6))))
    except ValueError:
        months = 6
    try:
        rows = selectors.weighted_forecast(request.user, company, start=start, months=months, by=by)
    except CrmValidationError:  # a start near the end of the calendar: show the current months
        start = timezone.localdate().replace(day=1)
        rows = selectors.weighted_forecast(request.user, company, start=start, months=months, by=by)
    context = {
        "title": _("Forecast"),
        "rows": rows,
        "totals": selectors.totals_by_month(rows),
        "months": selectors.month_starts(start, months),
        "months_count": months,
        "start": start,
        "by": by,
        "currency": company.base_currency_id,
    }
    return render(request, "crm/forecast.html", context)


# --- my day and the calendar link -------------------------------------------------------------


@login_required
@permission_required("crm.view_activity", raise_exception=True)
def my_day(request: HttpRequest) -> HttpResponse:
    day = selectors.my_day(request.user, _company(request))
    sections = [
        ("overdue", _("Overdue"), day.overdue),
        ("today", _("Today"), day.today),
        ("upcoming", _("Coming days"), day.upcoming),
        ("unscheduled", _("Without a date"), day.unscheduled),
        ("done", _("Done today"), day.done_today),
    ]
    return render(request, "crm/my_day.html", {"title": _("My day"), "day": day, "sections": sections})


@login_required
@permission_required("crm.change_activity", raise_exception=True)
@require_POST
def activity_done(request: HttpRequest, pk: int) -> HttpResponse:
    activity = Activity.objects.filter(company=_company(request), pk=pk).first()
    if activity is None:
        raise Http404
    try:
        services.complete_activity(activity, by=request.user, outcome=request.POST.get("outcome", ""))
    except KernError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done: %(activity)s") % {"activity": activity.subject})
    return HttpResponseRedirect(request.POST.get("next") or reverse("crm:my_day"))


@login_required
@permission_required("crm.view_activity", raise_exception=True)
def calendar(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    url = ""
    if request.method == "POST":
        _feed, secret = services.issue_calendar_feed(request.user, company, by=request.user)
        url = request.build_absolute_uri(reverse("crm:calendar_feed", kwargs={"secret": secret}))
    active = selectors.calendar_feed_of(request.user, company)
    return render(request, "crm/calendar.html", {"title": _("Calendar link"), "url": url, "active": active})


@login_required
@permission_required("crm.change_crmsettings", raise_exception=True)
def settings_page(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    current = selectors.crm_settings(company)
    form = crm_forms.CrmSettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_crm_settings(company, by=request.user, **form.cleaned_data)
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(request, _("The CRM settings were saved."))
            return HttpResponseRedirect(reverse("crm:settings"))
    context = {
        "title": _("CRM settings"),
        "form": form,
        "warnings": [],
        "cancel_url": reverse("crm:pipeline"),
    }
    return render(request, "ui/form.html", context, status=422 if form.errors else 200)
