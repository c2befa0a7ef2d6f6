from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kern.api import api

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("settings/", include("kern.core.urls")),
    path("parties/", include("kern.parties.urls")),
    path("catalog/", include("kern.catalog.urls")),
    path("ledger/", include("kern.ledger.urls")),
    path("inventory/", include("kern.inventory.urls")),
    path("payments/", include("kern.payments.urls")),
    path("sales/", include("kern.sales.urls")),
    path("purchasing/", include("kern.purchasing.urls")),
    path("service/", include("kern.service.urls")),
    path("crm/", include("kern.crm.urls")),
    path("portal/", include("kern.portal.urls")),
    path("", include("kern.web.urls")),
]

handler400 = "kern.web.views.bad_request"
handler403 = "kern.web.views.permission_denied"
handler404 = "kern.web.views.page_not_found"
handler500 = "kern.web.views.server_error"

if settings.DEBUG:  # pragma: no cover
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
