"""Consent purposes and the SMS unsubscribe line: what a marketing SMS must
carry and which inbound replies mean "stop sending me marketing"."""

import re
import unicodedata

# every marketing SMS ends with it (MIIT rules on commercial SMS: a way to
# refuse by reply); a reply of one of UNSUBSCRIBE_REPLIES opts out
UNSUBSCRIBE_LINE = "回T退订"
UNSUBSCRIBE_REPLIES = frozenset({"T", "TD", "退订"})
_SPACES = re.compile(r"\s+")


def _squeeze(text):
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


def with_unsubscribe_line(body):
    """``body`` with the unsubscribe line at its end, once: a body that
    already carries it (however spaced) is returned unchanged."""
    body = (body or "").rstrip()
    if UNSUBSCRIBE_LINE in _squeeze(body):
        return body
    return f"{body}\n{UNSUBSCRIBE_LINE}" if body else UNSUBSCRIBE_LINE


def is_unsubscribe_reply(body):
    """An inbound SMS asking to stop: T, TD or 退订, in any case, width or spacing."""
    return _squeeze(body).upper() in UNSUBSCRIBE_REPLIES
