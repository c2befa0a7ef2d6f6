"""Catalog pages, mounted at /catalog/."""

from kern.catalog import views

app_name = "catalog"

urlpatterns = [
    *views.PRODUCTS.urls(),
    *views.CATEGORIES.urls(),
    *views.UNITS.urls(),
    *views.PRICE_LIST_ITEMS.urls(),
    *views.PRICE_LISTS.urls(),
]
