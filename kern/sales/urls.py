"""Sales pages, mounted at /sales/."""

from django.urls import path

from kern.sales import views

app_name = "sales"

urlpatterns = [
    path("quotes/new/", views.document_builder, {"kind": "quote"}, name="quote_create"),
    path("quotes/<int:pk>/edit/", views.document_builder, {"kind": "quote"}, name="quote_edit"),
    path("orders/new/", views.document_builder, {"kind": "order"}, name="order_create"),
    path("orders/<int:pk>/edit/", views.document_builder, {"kind": "order"}, name="order_edit"),
    path("orders/<int:pk>/return/", views.return_create, name="order_return"),
    path("invoices/new/", views.document_builder, {"kind": "invoice"}, name="invoice_create"),
    path("invoices/<int:pk>/edit/", views.document_builder, {"kind": "invoice"}, name="invoice_edit"),
    path("invoices/<int:pk>/ubl/", views.invoice_ubl, name="invoice_ubl"),
    path("builder/<slug:kind>/preview/", views.builder_preview, name="builder_preview"),
    path("print/<slug:kind>/<int:pk>.pdf", views.document_pdf, name="document_pdf"),
    path("accept/<str:token>/", views.quote_accept, name="quote_accept"),
    *views.QUOTES.urls(),
    *views.ORDERS.urls(),
    *views.INVOICES.urls(),
    *views.RETURNS.urls(),
    *views.TEAMS.urls(),
]
