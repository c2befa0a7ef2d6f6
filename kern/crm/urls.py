"""CRM pages, mounted at /crm/."""

from django.urls import path

from kern.crm.views import public

app_name = "crm"

urlpatterns = [
    path("forms/<slug:key>/", public.public_form, name="public_form"),
    path("calendar/<str:secret>.ics", public.calendar_feed, name="calendar_feed"),
]
