"""Payments reads (public). Topic modules are re-exported here; import from `kern.payments.selectors`."""

from kern.payments.selectors.credit import (
    CreditAllocation,
    CreditParty,
    CreditPosition,
    credit_allocation,
    credit_position,
    parties_with_credit,
)
from kern.payments.selectors.dunning import DunningRow, OverdueItem, dunning_overview, letters_of
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
    "CreditAllocation",
    "CreditParty",
    "CreditPosition",
    "DunningProposal",
    "DunningRow",
    "Match",
    "OverdueItem",
    "PartyStatement",
    "StatementRow",
    "aged_payables",
    "aged_receivables",
    "ageing",
    "credit_allocation",
    "credit_position",
    "credit_used",
    "due_payables",
    "dunning_overview",
    "dunning_proposal",
    "letters_of",
    "match_for_line",
    "open_items_of",
    "parties_with_credit",
    "party_statement",
    "reference_tokens",
]
