from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "kern.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from kern.core.events import subscribe
        from kern.core.numbering import register_scheme
        from kern.core.registry import register_demo_step, register_periodic_task
        from kern.service.demo import load_service
        from kern.service.services.config import on_company_created
        from kern.service.services.notifications import register_handlers

        register_scheme("service.ticket", "TCK-{year}-{seq:05d}")
        subscribe("core.company_created", on_company_created)
        register_handlers()
        register_demo_step("service", load_service, order=95)
        from kern.service import tasks

        register_periodic_task("service.escalate", tasks.escalate_tickets, every=tasks.ESCALATE_EVERY)
        register_periodic_task("service.poll_mail", tasks.poll_mail, every=tasks.POLL_MAIL_EVERY)
        from kern.service.views import register_ui

        register_ui()
