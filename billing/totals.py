"""Per-month totals of what each customer was charged and paid (``PeriodTotal``), so the
balance and the chart cost the same however long the history.

Totals are recomputed from the charges and payments themselves for every (customer, month) a
batch of the import touched, before and after the change (a charge moved to another month or
customer leaves its old month right), in the batch's transaction. Recomputing cannot count a
row twice, and a lock per schema makes two batches touching the same month (a charges and a
payments import at once, or two writer threads) take turns, each seeing the other's rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.db import connection

Key = tuple[int, date]  # (customer id, first day of the month)

# The (customer, month) pairs arrive as two arrays.
_REMOVE = """
DELETE FROM billing_periodtotal t
USING unnest(%(customers)s::bigint[], %(periods)s::date[]) AS k(customer_id, period)
WHERE t.customer_id = k.customer_id AND t.period = k.period
"""

_REFRESH = """
WITH keys AS (
    SELECT customer_id, period
    FROM unnest(%(customers)s::bigint[], %(periods)s::date[]) AS k(customer_id, period)
)
INSERT INTO billing_periodtotal (customer_id, premises_id, period, charged, paid)
SELECT customer_id, premises_id, period, SUM(charged), SUM(paid)
FROM (
    SELECT c.customer_id, c.premises_id, c.period, c.amount AS charged, 0 AS paid
    FROM billing_charge c JOIN keys k ON c.customer_id = k.customer_id AND c.period = k.period
    UNION ALL
    SELECT p.customer_id, p.premises_id, k.period, 0, p.amount
    FROM billing_paymentreceived p
    JOIN keys k ON p.customer_id = k.customer_id
        AND p.paid_on >= k.period AND p.paid_on < k.period + INTERVAL '1 month'
) AS rows
GROUP BY customer_id, premises_id, period
"""

_EVERYTHING = """
DELETE FROM billing_periodtotal;
INSERT INTO billing_periodtotal (customer_id, premises_id, period, charged, paid)
SELECT customer_id, premises_id, period, SUM(charged), SUM(paid)
FROM (
    SELECT customer_id, premises_id, period, amount AS charged, 0 AS paid FROM billing_charge
    UNION ALL
    SELECT customer_id, premises_id, date_trunc('month', paid_on)::date, 0, amount
    FROM billing_paymentreceived
) AS rows
GROUP BY customer_id, premises_id, period;
"""


def _lock(cursor) -> None:
    # One refresh at a time per schema, until the batch commits: the next one's statement
    # starts after it and so sees its rows.
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':period-totals'))")


def refresh(keys: Iterable[Key]) -> None:
    """Recompute the totals of these (customer, month) pairs from the rows."""
    keys = set(keys)
    if not keys:
        return
    customers, periods = zip(*sorted(keys), strict=True)
    with connection.cursor() as cursor:
        _lock(cursor)
        params = {"customers": list(customers), "periods": list(periods)}
        cursor.execute(_REMOVE, params)
        cursor.execute(_REFRESH, params)


def rebuild() -> None:
    """Every total of the current schema recomputed (a migration, or a repair)."""
    with connection.cursor() as cursor:
        _lock(cursor)
        cursor.execute(_EVERYTHING)


def _month(day: date) -> date:
    return day.replace(day=1)


def _keys_before(table: str, column: str, erp_ids: list[str]) -> set[Key]:
    """The months rows with these ERP ids count in now (before the batch changes them)."""
    truncated = column if column == "period" else f"date_trunc('month', {column})::date"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT customer_id, {truncated} FROM {table} "  # noqa: S608 - our own names
            "WHERE erp_id = ANY(%s)",
            [erp_ids],
        )
        return {(row[0], row[1]) for row in cursor.fetchall()}


def _keeper(table: str, column: str) -> Callable[[list[dict]], Callable[[], None]]:
    def before(rows: list[dict]) -> Callable[[], None]:
        keys = _keys_before(table, column, [row["erp_id"] for row in rows])
        keys |= {(row["customer_id"], _month(row[column])) for row in rows}
        return lambda: refresh(keys)

    return before


# The import's hooks (``EntitySpec.before``) for charges and payments received.
charges_before = _keeper("billing_charge", "period")
payments_before = _keeper("billing_paymentreceived", "paid_on")
