"""A small document model that exists only in the test database, to test core.workflow."""

from __future__ import annotations

from django.db import models

from kern.core.models import Audited


class TicketStatus(models.TextChoices):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Ticket(Audited):
    company_id = models.BigIntegerField(null=True)
    number = models.CharField(max_length=20, default="T-1")
    status = models.CharField(max_length=12, choices=TicketStatus.choices, default=TicketStatus.DRAFT)
    closed_note = models.CharField(max_length=80, blank=True)

    TRANSITIONS = {
        (TicketStatus.DRAFT, TicketStatus.OPEN),
        (TicketStatus.OPEN, TicketStatus.CLOSED),
        (TicketStatus.DRAFT, TicketStatus.CANCELLED),
        (TicketStatus.OPEN, TicketStatus.CANCELLED),
    }

    class Meta:
        app_label = "kern_tests"
        verbose_name = "ticket"

    def __str__(self) -> str:
        return self.number
