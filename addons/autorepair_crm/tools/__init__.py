"""Domain rules that need no ORM: VIN, plate, phone and resident ID checks,
odometer plausibility and projection, A/B/C value classes.

Every check raises :class:`InvalidInput` whose ``message`` is a lazy
translation; models turn it into a ValidationError in the user's language
with ``self.env._(exc.message)``.
"""


from .consent import UNSUBSCRIBE_LINE, is_unsubscribe_reply, with_unsubscribe_line
from .errors import InvalidInput
from .odometer import (
    Reading,
    check_new_reading,
    estimate_km_per_day,
    project_date_for_km,
)
from .phone import mask_phone, mask_phones_in_text, normalize_phone
from .plate import (
    DEFAULT_NEV_LETTERS,
    DEFAULT_PROVINCES,
    DEFAULT_SUFFIXES,
    check_plate,
    normalize_plate,
)
from .resident_id import (
    check_resident_id,
    normalize_resident_id,
    resident_id_check_character,
)
from .value_class import Thresholds, classify
from .vin import check_vin, normalize_vin, vin_check_digit

__all__ = [
    "DEFAULT_NEV_LETTERS",
    "DEFAULT_PROVINCES",
    "DEFAULT_SUFFIXES",
    "UNSUBSCRIBE_LINE",
    "InvalidInput",
    "Reading",
    "Thresholds",
    "check_new_reading",
    "check_plate",
    "check_resident_id",
    "check_vin",
    "classify",
    "estimate_km_per_day",
    "is_unsubscribe_reply",
    "mask_phone",
    "mask_phones_in_text",
    "normalize_phone",
    "normalize_plate",
    "normalize_resident_id",
    "normalize_vin",
    "project_date_for_km",
    "resident_id_check_character",
    "vin_check_digit",
    "with_unsubscribe_line",
]
