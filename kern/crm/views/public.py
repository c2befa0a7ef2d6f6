"""Pages without a login: the embeddable lead form and the secret iCalendar feed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import icalendar
from csp.decorators import csp_replace
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kern.core.apiproblem import PROBLEM_CONTENT_TYPE
from kern.core.exceptions import KernError
from kern.crm import selectors, services
from kern.crm.exceptions import RateLimited
from kern.crm.models import Activity, ActivityKind, ActivityStatus, LeadForm


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _problem(exc: KernError) -> HttpResponse:
    response = HttpResponse(
        json.dumps(exc.as_problem(), default=str), status=exc.status, content_type=PROBLEM_CONTENT_TYPE
    )
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.context.get("retry_after", 600))
    return response


@csrf_exempt  # posted from other sites by design; honeypot, rate limit and consent guard it
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest, key: str) -> HttpResponse:
    """The public lead form (for an <iframe>, or as the target of a website's own form; JSON too)."""
    form = LeadForm.objects.select_related("company").filter(key=key, is_active=True).first()
    if form is None:
        raise Http404
    context: dict[str, Any] = {"form": form, "values": {}, "errors": {}, "honeypot": services.HONEYPOT_FIELD}
    if request.method == "GET":
        return render(request, "crm/public_form.html", context)
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _problem(KernError("The request body is not a JSON object.", code="malformed_json"))
    else:
        data = request.POST
    try:
        services.submit_lead_form(form, data, client_address=request.META.get("REMOTE_ADDR", ""))
    except KernError as exc:
        if _wants_json(request):
            return _problem(exc)
        context.update(values=data, errors=exc.errors, error=exc.message if not exc.errors else "")
        response = render(request, "crm/public_form.html", context, status=exc.status)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.context.get("retry_after", 600))
        return response
    if _wants_json(request):
        return JsonResponse({"status": "received", "message": form.thanks_message}, status=201)
    return render(request, "crm/public_form_thanks.html", context, status=200)


def _event(activity: Activity, base_url: str) -> icalendar.Component:
    is_task = activity.kind == ActivityKind.TASK
    component = icalendar.Event()
    component.add("uid", f"activity-{activity.pk}@{base_url.split('://')[-1].strip('/')}")
    component.add("summary", f"{activity.get_kind_display()}: {activity.subject}")
    start = timezone.localtime(activity.due_at)
    if activity.all_day or (is_task and not activity.duration_minutes):
        component.add("dtstart", start.date())
        component.add("dtend", start.date() + dt.timedelta(days=1))
    else:
        component.add("dtstart", start)
        component.add("dtend", start + dt.timedelta(minutes=activity.duration_minutes or 30))
    component.add("dtstamp", timezone.now())
    about = activity.opportunity or activity.lead or activity.party or activity.contact
    description = "\n".join(x for x in (str(about) if about else "", activity.notes) if x)
    if description:
        component.add("description", description)
    if activity.location:
        component.add("location", activity.location)
    component.add("status", "CANCELLED" if activity.status == ActivityStatus.CANCELLED else "CONFIRMED")
    if activity.status == ActivityStatus.DONE:
        component.add("categories", ["DONE"])
    return component


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """A user's activities as iCalendar (RFC 5545), at a secret URL a calendar app subscribes to."""
    feed = selectors.feed_by_secret(secret)
    if feed is None:
        raise Http404
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Kern//CRM activities//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Kern – {feed.company.name}")
    base = request.build_absolute_uri(reverse("web:home"))
    for activity in selectors.calendar_activities(feed.user, feed.company):
        cal.add_component(_event(activity, base))
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
