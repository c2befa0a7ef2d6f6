"""Inventory pages, mounted at /inventory/."""

from django.urls import path

from kern.inventory import views

app_name = "inventory"

urlpatterns = [
    path(
        "operations/<int:pk>/pick/",
        views.PickScreen.as_view(resource=views.OPERATIONS),
        name="operation_pick",
    ),
    path(
        "stock-counts/<int:pk>/count/",
        views.CountScreen.as_view(resource=views.COUNTS),
        name="stockcount_count",
    ),
    path("stock/levels/", views.stock_levels, name="stock_levels"),
    path("valuation/", views.valuation, name="valuation"),
    path("ageing/", views.ageing, name="ageing"),
    path("to-replenish/", views.to_replenish, name="to_replenish"),
    *views.WAREHOUSES.urls(),
    *views.LOCATIONS.urls(),
    *views.LOTS.urls(),
    *views.OPERATIONS.urls(),
    *views.MOVES.urls(),
    *views.STOCK.urls(),
    *views.COUNTS.urls(),
    *views.RULES.urls(),
]
