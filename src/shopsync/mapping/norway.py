"""Norwegian rules the default mapping relies on: organisation numbers, mobile numbers, names, dates.

* Organisation numbers (organisasjonsnummer) are nine digits with a MOD11 check digit (weights
  3 2 7 6 5 4 3 2); people write them with spaces (``923 609 016``), Tripletex wants the digits.
* Mobile numbers are eight digits starting with 4 or 9, optionally after +47 / 0047.
* Accounting dates are calendar dates in Europe/Oslo: an order placed 00:30 Oslo time belongs to that
  day, even though it is still the previous day in UTC; ``zoneinfo`` handles summer time.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

from shopsync.orgnr import is_valid_orgnr

__all__ = [
    "OSLO",
    "full_name",
    "is_mobile",
    "is_valid_org_number",
    "local_date",
    "normalize_org_number",
    "split_name",
]

OSLO = "Europe/Oslo"
_PHONE_NOISE = re.compile(r"[\s\-().]")


def is_valid_org_number(digits: str) -> bool:
    """True when ``digits`` is nine digits whose last one is the MOD11 check digit of the first eight."""
    return digits.isascii() and is_valid_orgnr(digits)


def normalize_org_number(value: str | None) -> str | None:
    """Whitespace removed and validated; ValueError names what is wrong. None and blank give None."""
    if value is None:
        return None
    digits = "".join(value.split())
    if not digits:
        return None
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"organisation number {value!r} is not nine digits")
    if not is_valid_org_number(digits):
        raise ValueError(f"organisation number {value!r} fails the MOD11 check")
    return digits


def is_mobile(phone: str | None) -> bool:
    """True for a Norwegian mobile number (8 digits starting with 4 or 9, optional +47/0047 prefix)."""
    if not phone:
        return False
    number = _PHONE_NOISE.sub("", phone)
    for prefix in ("+47", "0047"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
            break
    else:
        if number.startswith(("+", "00")):
            return False  # another country: keep it in the general phone field
    return len(number) == 8 and number.isdigit() and number[0] in "49"


def full_name(first: str | None, last: str | None) -> str | None:
    """``first last`` with blanks left out; None when both are blank."""
    parts = [p.strip() for p in (first, last) if p and p.strip()]
    return " ".join(parts) or None


def split_name(name: str | None) -> tuple[str | None, str | None]:
    """Split a full name at its last space: ``Anne Marie Hansen`` → (``Anne Marie``, ``Hansen``)."""
    if not name or not name.strip():
        return None, None
    words = name.split()
    if len(words) == 1:
        return words[0], None
    return " ".join(words[:-1]), words[-1]


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(timestamp: str | dt.datetime | None, zone: str = OSLO) -> str | None:
    """The calendar date (``YYYY-MM-DD``) of an offset-aware timestamp in time zone ``zone``."""
    if timestamp is None:
        return None
    moment = dt.datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {timestamp!s} has no UTC offset; cannot place it in {zone}")
    return moment.astimezone(_zone(zone)).date().isoformat()
