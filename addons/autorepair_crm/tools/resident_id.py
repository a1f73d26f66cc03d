"""Chinese resident identity number (GB 11643-1999): 6-digit address code,
8-digit birth date, 3-digit sequence, ISO 7064 MOD 11-2 check character."""

import datetime
import string
import unicodedata

from dateutil.relativedelta import relativedelta

from odoo.tools import LazyTranslate

from .errors import InvalidInput

# en_US when no language is known (plain str() outside a request), instead of
# Odoo logging a warning; env._(message) still translates to the user's language
_lt = LazyTranslate(__name__, default_lang="en_US")

ID_LENGTH = 18
OLD_ID_LENGTH = 15
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
MAX_AGE_YEARS = 120


def normalize_resident_id(raw):
    """Return ``raw`` without spaces, full-width digits folded, x uppercased.
    The result is not validated; see :func:`check_resident_id`."""
    if not raw:
        return ""
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def resident_id_check_character(first17):
    """Return the check character ('0'-'9' or 'X') for 17 digits."""
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True)
    )
    return CHECK_CHARACTERS[total % 11]


def check_resident_id(raw, today=None):
    """Validate a resident identity number.

    :param today: the date birth dates are checked against (default: today)
    :return: ``(number, birth_date)``
    :raise InvalidInput: empty, wrong length, not digits, impossible or
        implausible birth date, wrong check character
    """
    number = normalize_resident_id(raw)
    if not number:
        raise InvalidInput(
            _lt("The resident ID number is empty; it has 18 characters.")
        )
    if len(number) == OLD_ID_LENGTH and number.isdigit():
        raise InvalidInput(
            _lt(
                "The resident ID number %(number)s is an old 15-digit number, which "
                "is no longer valid; enter the 18-digit number of the customer's "
                "current ID card.",
                number=number,
            )
        )
    if len(number) != ID_LENGTH:
        raise InvalidInput(
            _lt(
                "The resident ID number %(number)s has %(count)s characters; it has "
                "18.",
                number=number,
                count=len(number),
            )
        )
    for position, char in enumerate(number, start=1):
        if char not in string.digits and not (position == ID_LENGTH and char == "X"):
            raise InvalidInput(
                _lt(
                    "The resident ID number %(number)s has %(char)s at position "
                    "%(position)s; it has 17 digits followed by a digit or X.",
                    number=number,
                    char=char,
                    position=position,
                )
            )
    today = today or datetime.date.today()
    birth_text = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    try:
        birth_date = datetime.date.fromisoformat(birth_text)
    except ValueError:
        raise InvalidInput(
            _lt(
                "The resident ID number %(number)s holds the birth date %(date)s, "
                "which does not exist; check digits 7 to 14.",
                number=number,
                date=birth_text,
            )
        ) from None
    if birth_date > today:
        raise InvalidInput(
            _lt(
                "The resident ID number %(number)s holds the birth date %(date)s, "
                "which is in the future; check digits 7 to 14.",
                number=number,
                date=birth_text,
            )
        )
    if birth_date < today - relativedelta(years=MAX_AGE_YEARS):
        raise InvalidInput(
            _lt(
                "The resident ID number %(number)s holds the birth date %(date)s, "
                "more than %(years)s years ago; check digits 7 to 14.",
                number=number,
                date=birth_text,
                years=MAX_AGE_YEARS,
            )
        )
    expected = resident_id_check_character(number[:17])
    if number[17] != expected:
        raise InvalidInput(
            _lt(
                "The resident ID number %(number)s ends with %(found)s, but the check "
                "character computed from the first 17 digits is %(expected)s; a "
                "character is mistyped.",
                number=number,
                found=number[17],
                expected=expected,
            )
        )
    return number, birth_date
