"""Settings pages of the foundation, mounted at /settings/."""

from django.urls import path

from kern.core import views

app_name = "core"

urlpatterns = [
    path("users/add-existing/", views.add_member, name="user_add_existing"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("audit/verify/", views.verify_audit_chain, name="audit_verify"),
    path("import/", views.import_start, name="import_start"),
    path("import/map/", views.import_map, name="import_map"),
    *views.COMPANIES.urls(),
    *views.USERS.urls(),
    *views.CURRENCIES.urls(),
    *views.RATES.urls(),
    *views.AUDIT.urls(),
    *views.TOKENS.urls(),
]
