"""Norwegian organisation numbers: nine digits, the last a MOD11 check digit (weights 3,2,7,6,5,4,3,2).

One implementation for the whole project: the mapping validates with it, the simulators generate and
validate with it.
"""

from __future__ import annotations

import random

__all__ = ["check_digit", "generate_orgnr", "is_valid_orgnr"]

_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(first8: str) -> int | None:
    """The check digit for eight digits, or None when none exists (remainder 1: number unusable)."""
    if len(first8) != 8 or not first8.isdigit():
        raise ValueError(f"need eight digits, got {first8!r}")
    remainder = sum(int(d) * w for d, w in zip(first8, _WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    digit = 11 - remainder
    return None if digit == 10 else digit


def is_valid_orgnr(value: str) -> bool:
    """Whether ``value`` is a well-formed organisation number (nine digits, correct check digit)."""
    if len(value) != 9 or not value.isdigit():
        return False
    return check_digit(value[:8]) == int(value[8])


def generate_orgnr(rng: random.Random) -> str:
    """A random valid organisation number starting with 8 or 9, as Brønnøysund assigns them."""
    while True:
        first8 = rng.choice("89") + "".join(rng.choice("0123456789") for _ in range(7))
        digit = check_digit(first8)
        if digit is not None:
            return f"{first8}{digit}"
