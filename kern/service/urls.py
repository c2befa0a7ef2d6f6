"""Service desk pages, mounted at /service/."""

from django.urls import path

from kern.service import views

app_name = "service"

urlpatterns = [
    # the agent's ticket page comes before the generic detail page of the same path
    path("tickets/<int:pk>/", views.ticket_workspace, name="ticket_workspace"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<int:pk>/priority/", views.ticket_priority, name="ticket_priority"),
    path("tickets/<int:pk>/merge/", views.ticket_merge, name="ticket_merge"),
    path("tickets/<int:pk>/links/", views.ticket_link, name="ticket_link"),
    path("tickets/<int:pk>/status/<slug:action>/", views.ticket_action, name="ticket_status"),
    path("knowledge/suggest/", views.kb_suggest, name="kb_suggest"),
    path("reports/sla/", views.sla_report, name="sla_report"),
    path("contact/<str:key>/", views.web_form, name="web_form"),
    *views.TICKETS.urls(),
    *views.MEMBERS.urls(),
    *views.TEAMS.urls(),
    *views.CATEGORIES.urls(),
    *views.ROUTING.urls(),
    *views.HOLIDAYS.urls(),
    *views.CALENDARS.urls(),
    *views.POLICIES.urls(),
    *views.CONTRACTS.urls(),
    *views.CANNED.urls(),
    *views.ARTICLES.urls(),
    *views.MAILBOXES.urls(),
    *views.INBOUND.urls(),
]
