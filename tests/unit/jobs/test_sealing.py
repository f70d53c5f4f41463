"""``SecretBox``: configs sealed with Fernet, opened only by the right key, never shown."""

from __future__ import annotations

import pytest

from shopsync.logs import redact
from shopsync.tenants import KEY_ENV, SecretBox, SecretKeyError, generate_key


def test_a_sealed_mapping_opens_with_the_same_key_and_hides_its_content() -> None:
    """Round trip; the token does not contain the plain text."""
    box = SecretBox([generate_key()])
    token = box.seal({"tripletex": {"employee_token": "abc-secret-123"}})
    assert "abc-secret-123" not in token
    assert box.open(token) == {"tripletex": {"employee_token": "abc-secret-123"}}


def test_another_key_is_refused_with_a_plain_reason() -> None:
    """A token sealed with one key cannot be opened with another (Fernet authenticates)."""
    token = SecretBox([generate_key()]).seal({"a": 1})
    with pytest.raises(SecretKeyError, match="cannot decrypt tenant 'x'"):
        SecretBox([generate_key()]).open(token, what="tenant 'x'")


def test_rotation_seals_with_the_first_key_and_opens_with_any() -> None:
    """``new,old``: old tokens still open, new ones are sealed with the new key."""
    old, new = generate_key(), generate_key()
    legacy = SecretBox([old]).seal({"v": 1})
    rotated = SecretBox([new, old])
    assert rotated.open(legacy) == {"v": 1}
    assert SecretBox([new]).open(rotated.seal({"v": 2})) == {"v": 2}


@pytest.mark.parametrize(
    ("environ", "message"),
    [({}, "is not set"), ({KEY_ENV: "  "}, "is not set"), ({KEY_ENV: "short"}, "is not a valid key")],
)
def test_a_missing_or_malformed_key_is_a_clear_error(environ: dict[str, str], message: str) -> None:
    """The error names the variable and never repeats the value."""
    with pytest.raises(SecretKeyError, match=message) as caught:
        SecretBox.from_env(environ)
    assert "short" not in str(caught.value)


def test_the_key_never_shows_in_a_repr_or_a_log() -> None:
    """The repr counts keys; log redaction knows the key once it was read."""
    key = generate_key()
    box = SecretBox.from_env({KEY_ENV: key})
    assert key not in repr(box)
    assert key not in redact(f"loaded {key}")
