"""`kern ledger verify`: recompute the entry hash chain, the numbering and the balances.

Detects an entry or line altered by hand (its content no longer matches its hash), an entry
removed from the middle (the next one's `prev_hash` no longer matches), the newest entries
removed (the chain head and length in `Books` no longer match), a gap in a journal's numbering,
and a balance row that no longer equals the sum over its lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from kern.core.models import Sequence
from kern.ledger.models import GENESIS_HASH, AccountBalance, Books, JournalEntry, JournalLine
from kern.ledger.selectors.chain import chain_hash, content_hash, line_fingerprint
from kern.ledger.selectors.reports import cents

__all__ = ["BooksCheck", "verify_books"]

_BATCH = 5000


@dataclass
class BooksCheck:
    company_id: int
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    first_broken_entry: str = ""
    first_broken_entry_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "company_id": self.company_id,
            "ok": self.ok,
            "entries": self.entries,
            "first_broken_entry": self.first_broken_entry or None,
            "first_broken_entry_id": self.first_broken_entry_id,
            "problems": self.problems,
        }


def _lines_of(entry_ids: list[int]) -> dict[int, list[list[Any]]]:
    grouped: dict[int, list[list[Any]]] = defaultdict(list)
    rows = (
        JournalLine.objects.filter(entry_id__in=entry_ids)
        .order_by("entry_id", "line_no")
        .values_list(
            "entry_id",
            "line_no",
            "account_id",
            "party_id",
            "debit",
            "credit",
            "amount_currency",
            "currency",
            "tax_code_id",
            "vat_box",
            "description",
            "due_date",
        )
    )
    for (
        entry_id,
        line_no,
        account_id,
        party_id,
        debit,
        credit,
        amount_currency,
        currency,
        tax_code_id,
        vat_box,
        description,
        due_date,
    ) in rows:
        grouped[entry_id].append(
            line_fingerprint(
                line_no=line_no,
                account_id=account_id,
                party_id=party_id,
                debit=debit,
                credit=credit,
                amount_currency=amount_currency,
                currency=currency,
                tax_code_id=tax_code_id,
                vat_box=vat_box,
                description=description,
                due_date=due_date,
            )
        )
    return grouped


def _check_chain(check: BooksCheck, books: Books) -> None:
    prev = GENESIS_HASH
    expected_seq = 0
    last_seq = 0
    fields = (
        "id",
        "number",
        "journal_id",
        "date",
        "kind",
        "memo",
        "source_type",
        "source_id",
        "source_number",
        "reversal_of_id",
        "chain_seq",
        "prev_hash",
        "hash",
    )
    while True:
        batch = list(
            JournalEntry.objects.filter(company_id=books.company_id, chain_seq__gt=last_seq)
            .order_by("chain_seq")
            .values(*fields)[:_BATCH]
        )
        if not batch:
            break
        lines = _lines_of([row["id"] for row in batch])
        for row in batch:
            expected_seq += 1
            label = f"entry {row['number']} (id {row['id']}, position {row['chain_seq']})"
            problem = ""
            if row["chain_seq"] != expected_seq:
                problem = f"{label}: position {expected_seq} is missing: an entry was removed"
            elif row["prev_hash"] != prev:
                problem = (
                    f"{label}: the previous hash does not match: an entry before it was removed or altered"
                )
            else:
                content = content_hash(
                    company_id=books.company_id,
                    journal_id=row["journal_id"],
                    date=row["date"],
                    kind=row["kind"],
                    memo=row["memo"],
                    source_type=row["source_type"],
                    source_id=row["source_id"],
                    source_number=row["source_number"],
                    reversal_of_id=row["reversal_of_id"],
                    lines=lines.get(row["id"], []),
                )
                if chain_hash(prev, row["chain_seq"], content) != row["hash"]:
                    problem = f"{label}: its content does not match its hash: the entry or one of its lines was altered"
            if problem:
                check.problems.append(problem)
                check.first_broken_entry = row["number"]
                check.first_broken_entry_id = row["id"]
                return
            prev = row["hash"]
            last_seq = row["chain_seq"]
            check.entries += 1
    if books.chain_length != check.entries or books.chain_head != prev:
        check.problems.append(
            f"the chain head says {books.chain_length} entries but {check.entries} were found: "
            "the newest entries were removed or the head was altered"
        )


def _check_numbering(check: BooksCheck, books: Books) -> None:
    from kern.core.models import Company

    company = Company.objects.get(pk=books.company_id)
    counts: dict[tuple[str, int], int] = defaultdict(int)
    rows = (
        JournalEntry.objects.filter(company_id=books.company_id)
        .exclude(number="")
        .values("journal__code", "date")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[(f"ledger.journal.{row['journal__code']}", company.fiscal_year_of(row["date"]))] += row["n"]
    sequences = {
        (kind, key): last
        for kind, key, last in Sequence.objects.filter(
            company_id=books.company_id, kind__startswith="ledger.journal."
        ).values_list("kind", "period_key", "last_value")
    }
    for key in sorted(set(counts) | set(sequences)):
        issued, found = sequences.get(key, 0), counts.get(key, 0)
        if issued != found:
            journal = key[0].rsplit(".", 1)[-1]
            check.problems.append(
                f"journal {journal} {key[1]}: {issued} numbers were issued but {found} entries exist"
            )


def _check_balances(check: BooksCheck, books: Books) -> None:
    zero = Decimal("0")
    sums = {
        (row["account_id"], row["period_id"]): (cents(row["d"]), cents(row["c"]))
        for row in JournalLine.objects.filter(company_id=books.company_id)
        .values("account_id", "period_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    }
    stored = {
        (row["account_id"], row["period_id"]): (row["debit"], row["credit"])
        for row in AccountBalance.objects.filter(company_id=books.company_id).values(
            "account_id", "period_id", "debit", "credit"
        )
    }
    for key in sorted(set(sums) | set(stored)):
        if sums.get(key, (zero, zero)) != stored.get(key, (zero, zero)):
            check.problems.append(
                f"balance of account id {key[0]} in period id {key[1]} is {stored.get(key)} "
                f"but its lines sum to {sums.get(key)}"
            )


def verify_books(company: Any = None) -> list[BooksCheck]:
    """Check the books of one company (or of all); each result names the first broken entry."""
    books_rows = Books.objects.order_by("company_id")
    if company is not None:
        books_rows = books_rows.filter(company_id=getattr(company, "pk", company))
    results = []
    for books in books_rows:
        check = BooksCheck(company_id=books.company_id)
        _check_chain(check, books)
        _check_numbering(check, books)
        _check_balances(check, books)
        results.append(check)
    return results
