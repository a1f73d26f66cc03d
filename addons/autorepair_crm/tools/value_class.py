"""Customer value class A / B / C from visits and spend over a trailing window.

A needs many visits AND a high spend, B either enough visits OR enough
spend, C the rest. A missing count or amount counts as 0.
"""

from collections import namedtuple

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

