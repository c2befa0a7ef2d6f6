from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

NUMBERING = {
    "inventory.receipt": "IN/{year}/{seq:05d}",
    "inventory.delivery": "OUT/{year}/{seq:05d}",
    "inventory.internal": "INT/{year}/{seq:05d}",
    "inventory.customer_return": "RET/{year}/{seq:05d}",
    "inventory.supplier_return": "RTV/{year}/{seq:05d}",
    "inventory.scrap": "SCR/{year}/{seq:05d}",
    "inventory.adjustment": "ADJ/{year}/{seq:05d}",
    "inventory.production": "PRD/{year}/{seq:05d}",
    "inventory.count": "CNT/{year}/{seq:05d}",
}


class InventoryConfig(AppConfig):
    name = "kern.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from kern.core.events import subscribe
        from kern.core.numbering import register_scheme
        from kern.core.registry import register_demo_step
        from kern.inventory.demo import load_inventory

        for kind, pattern in NUMBERING.items():
            register_scheme(kind, pattern)
        subscribe("core.company_created", _install_defaults)
        register_demo_step("inventory", load_inventory, order=50)
        from kern.inventory.views import register_ui

        register_ui()


def _install_defaults(event) -> None:
    from kern.core.models import Company
    from kern.inventory.services import install_defaults

    install_defaults(Company.objects.get(pk=event.company_id))
