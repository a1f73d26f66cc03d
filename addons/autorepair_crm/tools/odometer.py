"""Odometer readings: plausibility of a new reading, daily distance, and the
date a car will reach a mileage (for maintenance due by km)."""

import datetime
import math
from collections import namedtuple

from odoo.tools import LazyTranslate

from .errors import InvalidInput

# en_US when no language is known (plain str() outside a request), instead of
# Odoo logging a warning; env._(message) still translates to the user's language
_lt = LazyTranslate(__name__, default_lang="en_US")

# is_meter_change: the meter (instrument cluster) was replaced or reset before
# this reading, so its value starts a new series
Reading = namedtuple("Reading", "date value is_meter_change")


def _km(value):
    return f"{value:,.1f}".removesuffix(".0")


def check_new_reading(
    previous, following, new, max_km_per_day=1500.0, max_value=2_000_000
):
    """Check ``new`` against its neighbours by date.

    :param previous: the latest reading before ``new`` (or None)
    :param following: the earliest reading after ``new`` (or None)
    :param max_km_per_day: above this daily distance since ``previous`` the
        value is taken for a typo (an extra digit)
    :param max_value: highest value a meter shows
    :raise InvalidInput: negative, too high, lower than before, higher than
        after, or an implausible distance for the time elapsed
    """
    if new.value < 0:
        raise InvalidInput(
            _lt("The odometer value %(value)s km is negative.", value=_km(new.value))
        )
    if new.value > max_value:
        raise InvalidInput(
            _lt(
                "The odometer value %(value)s km is above %(max)s km, the most a "
                "meter shows; check for an extra digit.",
                value=_km(new.value),
                max=_km(max_value),
            )
        )
    if previous is not None and not new.is_meter_change:
        if new.value < previous.value:
            raise InvalidInput(
                _lt(
                    "The odometer value %(value)s km on %(date)s is lower than the "
                    "%(previous)s km read on %(previous_date)s; if the meter was "
                    "replaced or reset, mark the reading as a meter change.",
                    value=_km(new.value),
                    date=new.date,
                    previous=_km(previous.value),
                    previous_date=previous.date,
                )
            )
        days = (new.date - previous.date).days
        if days and (new.value - previous.value) / days > max_km_per_day:
            raise InvalidInput(
                _lt(
                    "The odometer value %(value)s km on %(date)s means %(km_per_day)s "
                    "km a day since the %(previous)s km read on %(previous_date)s, "
                    "more than %(max)s km a day; check for a mistyped digit.",
                    value=_km(new.value),
                    date=new.date,
                    km_per_day=_km((new.value - previous.value) / days),
                    previous=_km(previous.value),
                    previous_date=previous.date,
                    max=_km(max_km_per_day),
                )
            )
    if (
        following is not None
        and not following.is_meter_change
        and new.value > following.value
    ):
        raise InvalidInput(
            _lt(
                "The odometer value %(value)s km on %(date)s is higher than the "
                "%(next)s km read later, on %(next_date)s.",
                value=_km(new.value),
                date=new.date,
                next=_km(following.value),
                next_date=following.date,
            )
        )


def estimate_km_per_day(
    readings,
    delivery_date=None,
    today=None,
    min_days=30,
    lookback_days=730,
    fallback=35.0,
):
    """Average daily distance of a car.

    Uses the readings since the last meter change and within ``lookback_days``
    of ``today``; the delivery date counts as a reading of 0 km when no reading
    is that old. The readings used must span ``min_days`` at least.

    :return: ``(km_per_day, estimated)``; ``estimated`` is False when the
        history is too short and ``fallback`` is returned
    """
    today = today or datetime.date.today()
    # fleet does not require a reading's date; an undated one cannot be placed
    points = [reading for reading in readings if reading.date]
    if delivery_date and not any(reading.date <= delivery_date for reading in points):
        points.append(Reading(delivery_date, 0.0, False))
    # on one day, the old meter's last reading comes before the new meter's first
    points.sort(
        key=lambda reading: (reading.date, bool(reading.is_meter_change), reading.value)
    )
    last_change = max(
        (i for i, reading in enumerate(points) if reading.is_meter_change), default=0
    )
    start = today - datetime.timedelta(days=lookback_days)
    points = [
        reading for reading in points[last_change:] if start <= reading.date <= today
    ]
    if len(points) < 2:
        return fallback, False
    first, last = points[0], points[-1]
    days = (last.date - first.date).days
    if days < min_days or last.value < first.value:
        return fallback, False
    return (last.value - first.value) / days, True


def project_date_for_km(last_date, last_value, target_km, km_per_day):
    """Date the car reaches ``target_km`` driving ``km_per_day`` from
    ``last_value`` read on ``last_date``: ``last_date`` when it is already
    there, None when it never will (a car that does not move, or a date past
    the calendar)."""
    if target_km <= last_value:
        return last_date
    if km_per_day <= 0:
        return None
    days = math.ceil((target_km - last_value) / km_per_day)
    if days > (datetime.date.max - last_date).days:
        return None
    return last_date + datetime.timedelta(days=days)
