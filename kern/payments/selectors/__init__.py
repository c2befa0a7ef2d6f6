"""Payments reads (public). Topic modules are re-exported here; import from `kern.payments.selectors`."""

from kern.payments.selectors.matching import Match, match_for_line, reference_tokens
from kern.payments.selectors.reports import (
    BUCKETS,
    AgedRow,
    AgeingReport,
    DunningProposal,
    PartyStatement,
    StatementRow,
    aged_payables,
    aged_receivables,
    ageing,
    credit_used,
    due_payables,
    dunning_proposal,
    open_items_of,
    party_statement,
)

__all__ = [
    "BUCKETS",
    "AgedRow",
    "AgeingReport",
    "DunningProposal",
    "Match",
    "PartyStatement",
    "StatementRow",
    "aged_payables",
    "aged_receivables",
    "ageing",
    "credit_used",
    "due_payables",
    "dunning_proposal",
    "match_for_line",
    "open_items_of",
    "party_statement",
    "reference_tokens",
]
