"""CRM pages, mounted at /crm/."""

from django.urls import path

from kern.crm.views import customer360, pages, public, quotes, work

app_name = "crm"

urlpatterns = [
    path("forms/<slug:key>/", public.public_form, name="public_form"),
    path("calendar/<str:secret>.ics", public.calendar_feed, name="calendar_feed"),
    path("calendar/", work.calendar, name="calendar"),
    path("pipeline/", work.pipeline, name="pipeline"),
    path("forecast/", work.forecast, name="forecast"),
    path("my-day/", work.my_day, name="my_day"),
    path("settings/", work.settings_page, name="settings"),
    path("leads/<int:pk>/convert/", work.convert_lead, name="lead_convert"),
    path("opportunities/<int:pk>/move/", work.move, name="opportunity_move"),
    path("opportunities/<int:pk>/won/", work.mark_won, name="opportunity_won"),
    path("opportunities/<int:pk>/lost/", work.mark_lost, name="opportunity_lost"),
    path("opportunities/<int:pk>/quote/", quotes.create_quote, name="opportunity_quote"),
    path("activities/<int:pk>/done/", work.activity_done, name="activity_done"),
    path("customers/<int:pk>/", customer360.page, name="customer360"),
]
for resource in pages.ALL:
    urlpatterns += resource.urls()
