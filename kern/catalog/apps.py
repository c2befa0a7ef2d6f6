from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "kern.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from kern.catalog.demo import load_catalog
        from kern.catalog.importers import PRODUCT_IMPORTER
        from kern.catalog.reference import seed_units
        from kern.core.imports import register_importer
        from kern.core.registry import register_demo_step, register_reference_data

        register_importer(PRODUCT_IMPORTER)
        register_reference_data(seed_units)
        register_demo_step("catalog", load_catalog, order=30)
        from kern.catalog.views import register_ui

        register_ui()
