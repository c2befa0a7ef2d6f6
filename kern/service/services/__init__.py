"""Every write of the service desk (public). A package of topic modules; import from here."""

from kern.service.services.config import *  # noqa: F403
from kern.service.services.config import __all__ as _config
from kern.service.services.inbound import *  # noqa: F403
from kern.service.services.inbound import __all__ as _inbound
from kern.service.services.tickets import *  # noqa: F403
from kern.service.services.tickets import __all__ as _tickets

__all__ = [*_config, *_inbound, *_tickets]
