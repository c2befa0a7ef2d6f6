"""Purchasing pages, mounted at /purchasing/."""

from django.urls import path

from kern.purchasing import views
from kern.purchasing.views import pages

app_name = "purchasing"

urlpatterns = [
    path("orders/<int:pk>/pdf/", pages.order_pdf, name="order_pdf"),
    path("orders/<int:pk>/send/", pages.send_order, name="order_send"),
    path("orders/<int:pk>/cancel/", pages.cancel_order, name="order_cancel"),
    path("orders/<int:pk>/quality-hold/", pages.quality_hold, name="order_quality"),
    path("bills/import/", pages.import_bill, name="bill_import"),
    path("bills/<int:pk>/release/", pages.release_bill, name="bill_release"),
    path("bills/<int:pk>/cancel/", pages.cancel_bill, name="bill_cancel"),
    path("requisitions/replenish/", pages.replenish, name="replenish"),
    path("requisitions/<int:pk>/rfq/", pages.requisition_rfq, name="requisition_rfq"),
    path("rfqs/<int:pk>/comparison/", pages.rfq_comparison, name="rfq_comparison"),
    path("rfqs/<int:pk>/answers/<int:invitation>/", pages.rfq_quote, name="rfq_quote"),
    path("rfqs/<int:pk>/pdf/", pages.rfq_pdf, name="rfq_pdf"),
    path("policy/", pages.policy, name="policy"),
    *views.VENDOR_PRICES.urls(),
    *views.APPROVAL_LIMITS.urls(),
    *views.REQUISITION_LINES.urls(),
    *views.REQUISITIONS.urls(),
    *views.RFQ_LINES.urls(),
    *views.RFQ_VENDORS.urls(),
    *views.RFQS.urls(),
    *views.ORDER_LINES.urls(),
    *views.ORDERS.urls(),
    *views.BILL_LINES.urls(),
    *views.BILLS.urls(),
]
