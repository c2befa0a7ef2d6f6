"""The customer portal, mounted at /portal/."""

from django.urls import path

from kern.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.PortalLogin.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<int:ticket_id>/", views.ticket, name="ticket"),
    path("tickets/<int:ticket_id>/close/", views.ticket_close, name="ticket_close"),
    path("tickets/<int:ticket_id>/files/<int:attachment_id>/", views.ticket_file, name="ticket_file"),
    path("knowledge/suggest/", views.kb_suggest, name="kb_suggest"),
    path("knowledge/", views.knowledge, name="knowledge"),
    path("knowledge/<int:article_id>/", views.article, name="article"),
    path("quotes/", views.quotes, name="quotes"),
    path("quotes/<int:quote_id>/", views.quote, name="quote"),
    path("quotes/<int:quote_id>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order, name="order"),
    path("orders/<int:order_id>/pdf/", views.order_pdf, name="order_pdf"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:invoice_id>/ubl/", views.invoice_ubl, name="invoice_ubl"),
    path("statement/", views.statement, name="statement"),
    path("profile/", views.profile, name="profile"),
    path("staff/logins/", views.staff_access, name="staff_access"),
    path("staff/logins/<int:access_id>/revoke/", views.staff_revoke_access, name="staff_revoke_access"),
]
