"""Mainland China motor-vehicle license plates (GA 36-2018)."""

import re
import string
import unicodedata

from odoo.tools import LazyTranslate

from .errors import InvalidInput

# en_US when no language is known (plain str() outside a request), instead of
# Odoo logging a warning; env._(message) still translates to the user's language
_lt = LazyTranslate(__name__, default_lang="en_US")

DEFAULT_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# GA 36-2018: D, A, B, C, E mark battery-electric cars, F, G, H, J, K the
# other new-energy ones (plug-in hybrid, fuel cell)
DEFAULT_NEV_LETTERS = "DABCEFGHJK"
# learner, trailer, police, Hong Kong, Macao, consulate, test, oversize
DEFAULT_SUFFIXES = "学挂警港澳领试超"

DIGITS = frozenset(string.digits)
# I and O would be read as 1 and 0
SERIAL_LETTERS = frozenset(string.ascii_uppercase) - {"I", "O"}
SERIAL = DIGITS | SERIAL_LETTERS
ISSUER_LETTERS = frozenset(string.ascii_uppercase) - {"I"}

EXPECT_ISSUER = _lt("a capital letter (the issuing office)")
EXPECT_SERIAL = _lt("a digit or a capital letter")
EXPECT_DIGIT = _lt("a digit")

_SEPARATORS = re.compile(r"[\s·•・.\-]+")


def normalize_plate(raw):
    """Return ``raw`` without separators, full-width characters folded to
    ASCII, uppercase. The result is not validated; see :func:`check_plate`."""
    if not raw:
        return ""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def _charset(allowed):
    """The characters of a setting a manager typed, in order, without the
    spaces and commas he may have put between them."""
    compact = "".join(
        unicodedata.normalize("NFKC", allowed).upper().replace(",", " ").split()
    )
    return "".join(dict.fromkeys(compact))


def check_plate(
    raw,
    provinces=DEFAULT_PROVINCES,
    nev_letters=DEFAULT_NEV_LETTERS,
    suffixes=DEFAULT_SUFFIXES,
):
    """Validate a plate: ordinary (川A12345), special with a suffix (川A1234学),
    small new-energy (川AD12345) or large new-energy (川A12345D).

    :param provinces: allowed province abbreviations, as one string
    :param nev_letters: allowed new-energy letters, as one string
    :param suffixes: allowed special-plate suffixes, as one string
    :return: the normalised plate
    :raise InvalidInput: with a message saying what is wrong
    """
    plate = normalize_plate(raw)
    if not plate:
        raise InvalidInput(
            _lt("The license plate is empty; enter it as printed, e.g. 川A12345.")
        )
    allowed_provinces = _charset(provinces)
    if plate[0] not in allowed_provinces:
        raise InvalidInput(
            _lt(
                "The license plate %(plate)s starts with %(char)s, which is not a "
                "province abbreviation; a plate starts with one of %(provinces)s.",
                plate=plate,
                char=plate[0],
                provinces=allowed_provinces,
            )
        )
    if len(plate) not in (7, 8):
        raise InvalidInput(
            _lt(
                "The license plate %(plate)s has %(count)s characters; a plate has 7 "
                "(8 on a new-energy vehicle).",
                plate=plate,
                count=len(plate),
            )
        )
    allowed_nev = _charset(nev_letters)
    allowed_suffixes = _charset(suffixes)
    issuer, serial, digit, nev = (
        (ISSUER_LETTERS, EXPECT_ISSUER),
        (SERIAL, EXPECT_SERIAL),
        (DIGITS, EXPECT_DIGIT),
        (allowed_nev, None),
    )
    body, last = plate[1:], plate[-1]
    if len(plate) == 8:
        if last in string.ascii_uppercase:
            layout = [issuer] + [digit] * 5 + [nev]
        else:
            layout = [issuer, nev, serial] + [digit] * 4
    elif last in allowed_suffixes:
        body, layout = plate[1:-1], [issuer] + [serial] * 4
    elif not last.isascii():
        raise InvalidInput(
            _lt(
                "The license plate %(plate)s ends with %(char)s, which is not a "
                "special-plate suffix; a special plate ends with one of %(suffixes)s.",
                plate=plate,
                char=last,
                suffixes=allowed_suffixes,
            )
        )
    else:
        layout = [issuer] + [serial] * 5
    for position, (char, (allowed, expected)) in enumerate(
        zip(body, layout, strict=True), start=2
    ):
        if char in allowed:
            continue
        if expected is None:
            raise InvalidInput(
                _lt(
                    "The new-energy license plate %(plate)s has %(char)s at position "
                    "%(position)s; a new-energy plate has one of the letters "
                    "%(letters)s there.",
                    plate=plate,
                    char=char,
                    position=position,
                    letters=", ".join(allowed_nev),
                )
            )
        if char in "IO":
            raise InvalidInput(
                _lt(
                    "The license plate %(plate)s has the letter %(letter)s at position "
                    "%(position)s; plates do not use the letter %(letter)s there "
                    "(did you mean 1 or 0?).",
                    plate=plate,
                    letter=char,
                    position=position,
                )
            )
        raise InvalidInput(
            _lt(
                "The license plate %(plate)s has %(char)s at position %(position)s, "
                "where %(expected)s is expected.",
                plate=plate,
                char=char,
                position=position,
                expected=expected,
            )
        )
    return plate
