"""The indexes of the busiest document tables: each one an order-to-cash cycle writes to must
earn its upkeep (every index costs every insert a B-tree update and, on SQLite, a page in the
write-ahead log at commit).

- No index on company alone where (company, …) indexes serve that look-up.
- No index on reference data every row shares (currency, unit) or on who created a row, nor on
  set-up rows a few of which carry nearly all rows (warehouse, location, journal, bank account).
- Document lines have no index on company alone: a line is reached through its document.
- References that are mostly empty (the lot of a move, the credit note's original) are indexed
  only where set: looking a row up by them still uses an index.
"""

import pytest
from django.db import connection

from kern.inventory.models import Move, Operation
from kern.ledger.models import JournalEntry, JournalLine
from kern.payments.models import Allocation, OpenItem, Payment
from kern.sales.models import Invoice, InvoiceLine, Quote, QuoteLine, SalesOrder, SalesOrderLine

pytestmark = pytest.mark.django_db

COMPANY_ALONE_UNINDEXED = [Move, Operation, Invoice, SalesOrder, Quote, OpenItem, Payment, Allocation]

NOT_INDEXED = {
    SalesOrder: ["currency_id", "payment_term_id", "created_by_id"],
    SalesOrderLine: ["uom_id", "company_id"],
    QuoteLine: ["company_id"],
    Invoice: ["currency_id", "payment_term_id", "created_by_id", "posted_by_id"],
    InvoiceLine: ["uom_id", "company_id"],
    Move: ["uom_id", "location_from_id", "location_to_id"],
    Operation: ["created_by_id", "done_by_id", "warehouse_id", "location_from_id", "location_to_id"],
    OpenItem: ["currency_id"],
    Payment: ["currency_id", "created_by_id", "bank_journal_id"],
}

# Columns that lead no index of their own (they may follow in a composite or unique one).
NOT_INDEXED_ALONE = {JournalEntry: ["journal_id"]}

INDEXED_WHERE_SET = [
    (Move, "lot", "move_lot_idx"),
    (Move, "origin_move", "move_origin_idx"),
    (Operation, "backorder_of", "operation_backorder_idx"),
    (Invoice, "original", "invoice_original_idx"),
    (Invoice, "sales_rep", "invoice_sales_rep_idx"),
    (SalesOrder, "quote", "salesorder_quote_idx"),
    (Payment, "payment_run", "payment_run_idx"),
    (Allocation, "counterpart", "allocation_counterpart_idx"),
    (JournalEntry, "reversal_of", "entry_reversal_idx"),
]


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: c["columns"] for name, c in constraints.items() if c["index"] and not c["primary_key"]}


@pytest.mark.parametrize("model", COMPANY_ALONE_UNINDEXED, ids=lambda m: m.__name__)
def test_company_is_not_indexed_alone_but_leads_a_composite_index(model):
    indexes = _indexes(model).values()
    assert ["company_id"] not in indexes
    assert any(columns[0] == "company_id" and len(columns) > 1 for columns in indexes)


@pytest.mark.parametrize("model", list(NOT_INDEXED), ids=lambda m: m.__name__)
def test_shared_reference_data_and_row_authors_are_not_indexed(model):
    indexed = {column for columns in _indexes(model).values() for column in columns}
    assert not indexed & set(NOT_INDEXED[model])


@pytest.mark.parametrize("model", list(NOT_INDEXED_ALONE), ids=lambda m: m.__name__)
def test_set_up_rows_shared_by_most_rows_have_no_index_of_their_own(model):
    indexes = _indexes(model).values()
    for column in NOT_INDEXED_ALONE[model]:
        assert [column] not in indexes


@pytest.mark.parametrize(
    ("model", "field", "index"), INDEXED_WHERE_SET, ids=lambda v: getattr(v, "__name__", v)
)
def test_a_mostly_empty_reference_is_indexed_where_set_and_the_index_serves_a_look_up(model, field, index):
    assert index in _indexes(model)
    sql, params = model.objects.filter(**{f"{field}_id": 1}).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
    assert index in plan


@pytest.mark.parametrize(
    ("model", "parent"),
    [
        (SalesOrderLine, "order_id"),
        (InvoiceLine, "invoice_id"),
        (JournalLine, "entry_id"),
        (QuoteLine, "quote_id"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_a_lines_document_is_found_through_the_unique_line_number_index_alone(model, parent):
    """(order, line_no) unique already finds an order's lines: an index on the order alone would
    only cost every line inserted another B-tree update."""
    assert [parent] not in list(_indexes(model).values())
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table).values()
    assert any(c["unique"] and c["columns"] == [parent, "line_no"] for c in constraints)
