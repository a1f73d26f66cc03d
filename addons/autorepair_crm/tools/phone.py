"""Phone numbers, stored in E.164 (+8613800138000) so that one customer
typed three ways is still one customer."""

import re
import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from odoo.tools import LazyTranslate

from .errors import InvalidInput

# en_US when no language is known (plain str() outside a request), instead of
# Odoo logging a warning; env._(message) still translates to the user's language
_lt = LazyTranslate(__name__, default_lang="en_US")

CHINA_CALLING_CODE = 86
# MIIT numbering plan: mainland mobiles are 11 digits in the 13x-19x ranges
# (11x and 12x are service and test ranges)
MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _invalid_message(text):
    return _lt(
        "The phone number %(phone)s is not valid; enter a mobile number such as "
        "138 0013 8000, a landline with its area code such as 028-8888 8888, or a "
        "foreign number starting with + and the country code.",
        phone=text,
    )


def normalize_phone(raw, region="CN", mobile_only=False):
    """Return ``raw`` in E.164 form, '' when it is empty.

    Numbers without a country code are read as dialled in ``region``; a
    number with +, 00 or 86 in front keeps its country.

    :param mobile_only: refuse landlines and service numbers
    :raise InvalidInput: unparsable, impossible or not allowed number
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(_invalid_message(text)) from None
    national = phonenumbers.national_significant_number(number)
    if (
        number.country_code == CHINA_CALLING_CODE
        and len(national) == 11
        and national.startswith("1")
        and not MAINLAND_MOBILE.fullmatch(national)
    ):
        raise InvalidInput(
            _lt(
                "The mobile number %(phone)s does not exist; a mainland China mobile "
                "number has 11 digits and starts with 13 to 19.",
                phone=text,
            )
        )
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(_invalid_message(text))
    if mobile_only and phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise InvalidInput(
            _lt(
                "The phone number %(phone)s is a landline or service number; a mobile "
                "number is expected here.",
                phone=text,
            )
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def mask_phone(e164):
    """Hide the middle of a stored number for staff who may not see it:
    mainland mobiles as 138****8000, other numbers as +44 ****0958."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        # a legacy value that was never normalised
        return "****" + e164[-4:]
    national = phonenumbers.national_significant_number(number)
    if number.country_code == CHINA_CALLING_CODE and MAINLAND_MOBILE.fullmatch(
        national
    ):
        return f"{national[:3]}****{national[-4:]}"
    return f"+{number.country_code} ****{national[-4:]}"


# Phone numbers as people write them in free text (message bodies, notes):
# mainland mobiles with an optional +86 and spaces or hyphens (138 0013 8000),
# landlines with their area code (028-8888 8888) and international numbers
# written from their +. Dates, amounts, VINs and order numbers do not match.
PHONE_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9+])(?:"
    r"(?:\+|00)?(?:86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}"
    r"|0\d{2,3}[\s-]?\d{3,4}[\s-]?\d{4}"
    r"|\+\d(?:[\s-]?\d){6,14}"
    r")(?!\d)"
)


def mask_phones_in_text(text):
    """``text`` with every phone number in it masked as :func:`mask_phone`
    masks a stored one (138****8000, ****8888); other digits are kept."""
    if not text:
        return text

    def mask(match):
        digits = "".join(ch for ch in match.group(0) if ch.isdigit())
        mobile = MAINLAND_MOBILE.search(digits)
        if mobile and mobile.end() == len(digits):
            national = mobile.group(0)
            return f"{national[:3]}****{national[-4:]}"
        return "****" + digits[-4:]

    return PHONE_IN_TEXT.sub(mask, text)
