"""Organisation numbers: the MOD11 check digit and the generator."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopsync.orgnr import check_digit, generate_orgnr, is_valid_orgnr


@pytest.mark.parametrize("orgnr", ["923609016", "974760673", "985399077"])
def test_known_real_numbers_are_valid(orgnr: str) -> None:
    """Published organisation numbers (Equinor, Brønnøysundregistrene, …) pass the check."""
    assert is_valid_orgnr(orgnr)


@pytest.mark.parametrize("orgnr", ["923609017", "92360901", "9236090160", "92360901a"])
def test_wrong_numbers_are_invalid(orgnr: str) -> None:
    """A wrong check digit or a wrong length is rejected."""
    assert not is_valid_orgnr(orgnr)


def test_remainder_one_has_no_check_digit() -> None:
    """Eight digits whose weighted sum leaves remainder 1 cannot become a number."""
    assert check_digit("10000001") == 6  # 3*1 + 2*1 = 5, 11 - 5 = 6
    first8 = next(f"{n:08d}" for n in range(10_000_000, 10_100_000) if check_digit(f"{n:08d}") is None)
    assert sum(int(d) * w for d, w in zip(first8, (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11 == 1


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_numbers_are_valid_and_start_with_8_or_9(seed: int) -> None:
    """Every generated number has nine digits, a valid check digit and a company prefix."""
    value = generate_orgnr(random.Random(seed))
    assert is_valid_orgnr(value)
    assert value[0] in "89"
