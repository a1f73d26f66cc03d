"""Customer value class A / B / C from visits and spend over a trailing window.

The rule is written twice, once in Python and once in SQL, and only here:
A needs many visits AND a high spend, B either enough visits OR enough
spend, C the rest. A missing count or amount counts as 0.
"""

from collections import namedtuple

from odoo.tools import SQL

# minimum visits and spend (company currency) for classes A and B
Thresholds = namedtuple("Thresholds", "a_visits a_spend b_visits b_spend")


def classify(visits, spend, thresholds):
    """Return 'A', 'B' or 'C'."""
    visits, spend = visits or 0, spend or 0
    if visits >= thresholds.a_visits and spend >= thresholds.a_spend:
        return "A"
    if visits >= thresholds.b_visits or spend >= thresholds.b_spend:
        return "B"
    return "C"


def sql_case(visits_sql, spend_sql, thresholds):
    """Return a SQL expression giving 'A', 'B' or 'C' like :func:`classify`.

    :param visits_sql: SQL expression of the visit count
    :param spend_sql: SQL expression of the spend
    """
    return SQL(
        """CASE
            WHEN COALESCE(%(visits)s, 0) >= %(a_visits)s
                AND COALESCE(%(spend)s, 0) >= %(a_spend)s THEN 'A'
            WHEN COALESCE(%(visits)s, 0) >= %(b_visits)s
                OR COALESCE(%(spend)s, 0) >= %(b_spend)s THEN 'B'
            ELSE 'C'
        END""",
        visits=visits_sql,
        spend=spend_sql,
        a_visits=thresholds.a_visits,
        a_spend=thresholds.a_spend,
        b_visits=thresholds.b_visits,
        b_spend=thresholds.b_spend,
    )
