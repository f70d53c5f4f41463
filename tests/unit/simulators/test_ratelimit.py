"""The fixed-window rate limiter and its headers."""

from __future__ import annotations

from shopsync.simulators.tripletex.ratelimit import RateLimiter


class Clock:
    """A hand-driven monotonic clock."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_limit_then_429_until_the_period_ends() -> None:
    """After ``limit`` requests every request is refused until the window is over, then all is fresh."""
    clock = Clock()
    limiter = RateLimiter(3, 10, clock)
    decisions = [limiter.hit() for _ in range(3)]
    assert [d.remaining for d in decisions] == [2, 1, 0]
    assert all(d.allowed for d in decisions)
    clock.now += 9.5
    assert not limiter.hit().allowed
    clock.now += 0.5
    fresh = limiter.hit()
    assert fresh.allowed and fresh.remaining == 2 and fresh.reset == 10


def test_429_has_no_reset_header() -> None:
    """Allowed answers carry Limit, Remaining and Reset; a refusal leaves Reset out."""
    limiter = RateLimiter(1, 60, Clock())
    ok = dict(limiter.hit().headers())
    refused = dict(limiter.hit().headers())
    assert ok == {b"x-rate-limit-limit": b"1", b"x-rate-limit-remaining": b"0", b"x-rate-limit-reset": b"60"}
    assert refused == {b"x-rate-limit-limit": b"1", b"x-rate-limit-remaining": b"0"}


def test_forced_window_refuses_everything_for_its_length() -> None:
    """A forced 429 window ignores the counters and ends on time."""
    clock = Clock()
    limiter = RateLimiter(1000, 60, clock)
    limiter.force(5)
    assert not limiter.hit().allowed
    clock.now += 5
    assert limiter.hit().allowed
