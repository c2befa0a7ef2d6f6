from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "kern.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from kern.core.registry import register_demo_step
        from kern.portal.demo import load_portal
        from kern.portal.views import register_ui

        register_ui()
        register_demo_step("portal", load_portal, order=96)
