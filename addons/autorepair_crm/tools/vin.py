"""Vehicle identification number (ISO 3779, GB 16735)."""

import re
import unicodedata

from odoo.tools import LazyTranslate

from .errors import InvalidInput

# en_US when no language is known (plain str() outside a request), instead of
# Odoo logging a warning; env._(message) still translates to the user's language
_lt = LazyTranslate(__name__, default_lang="en_US")

VIN_LENGTH = 17
CHECK_DIGIT_POSITION = 9  # 1-based, as printed on a VIN plate
# GB 16735 makes the check digit mandatory for vehicles made in mainland China,
# whose world manufacturer identifiers start with L; elsewhere (Europe, Japan)
# position 9 may be a plain manufacturer character.
CHECK_DIGIT_MANDATORY_PREFIXES = ("L",)

TRANSLITERATION = {
    **{str(digit): digit for digit in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}  # fmt: skip
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

_SEPARATORS = re.compile(r"[\s\-.]+")


def normalize_vin(raw):
    """Return ``raw`` as a canonical VIN: ASCII (full-width characters typed
    with a Chinese input method are folded), without separators, uppercase.
    The result is not validated; see :func:`check_vin`."""
    if not raw:
        return ""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def vin_check_digit(vin):
    """Return the check digit ('0'-'9' or 'X') that position 9 of the
    17-character normalised ``vin`` must hold."""
    total = sum(
        TRANSLITERATION[char] * weight
        for char, weight in zip(vin, WEIGHTS, strict=True)
    )
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def check_vin(raw):
    """Validate a VIN.

    :return: ``(vin, check_digit_ok)``: the normalised VIN, and whether its
        check digit is right (False is accepted for imports, where position 9
        need not be a check digit)
    :raise InvalidInput: empty, wrong length, forbidden or illegal character,
        or wrong check digit on a VIN made in mainland China
    """
    vin = normalize_vin(raw)
    if not vin:
        raise InvalidInput(_lt("The VIN is empty; a VIN has 17 characters."))
    if len(vin) != VIN_LENGTH:
        raise InvalidInput(
            _lt(
                "The VIN %(vin)s has %(count)s characters; a VIN has 17.",
                vin=vin,
                count=len(vin),
            )
        )
    for position, char in enumerate(vin, start=1):
        if char in "IOQ":
            raise InvalidInput(
                _lt(
                    "The VIN %(vin)s has the letter %(letter)s at position "
                    "%(position)s; VINs never use the letters I, O and Q (did you "
                    "mean 1 or 0?).",
                    vin=vin,
                    letter=char,
                    position=position,
                )
            )
        if char not in TRANSLITERATION:
            raise InvalidInput(
                _lt(
                    "The VIN %(vin)s has the character %(char)s at position "
                    "%(position)s; a VIN has only digits and the capital letters A to "
                    "Z except I, O and Q.",
                    vin=vin,
                    char=char,
                    position=position,
                )
            )
    expected = vin_check_digit(vin)
    found = vin[CHECK_DIGIT_POSITION - 1]
    if found == expected:
        return vin, True
    if vin.startswith(CHECK_DIGIT_MANDATORY_PREFIXES):
        raise InvalidInput(
            _lt(
                "The VIN %(vin)s has %(found)s at position 9, but the check digit "
                "computed from the other characters is %(expected)s; a VIN made in "
                "China always carries its check digit, so a character is mistyped.",
                vin=vin,
                found=found,
                expected=expected,
            )
        )
    return vin, False
