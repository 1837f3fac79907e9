"""Password hashes: scrypt (memory-hard), with the parameters stored in each hash."""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import hmac
import secrets

# 16 MiB and ~50 ms per hash on a 2-core machine: slow enough to make guessing dear.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_LENGTH = 10


class WeakPasswordError(ValueError):
    """A password too short to protect a client's books."""

    def __init__(self) -> None:
        super().__init__(
            f"the password is too short: use at least {MIN_LENGTH} characters "
            "(or let beanfirm generate one)."
        )


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=KEY_BYTES
    )


def hash_password(password: str) -> str:
    """Return `scrypt$n$r$p$salt$key` for a password (base64 salt and key)."""
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    encoded = [base64.b64encode(part).decode("ascii") for part in (salt, key)]
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encoded[0]}${encoded[1]}"


# Each check takes 16 MiB for ~50 ms. A burst of logins must not take the server's memory:
# checks run on four threads of their own, so that at most four malloc arenas ever hold
# scrypt's buffers (one per request thread kept hundreds of MiB resident).
_checkers = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="scrypt")


def verify_password(password: str, stored: str) -> bool:
    """Check a password against a stored hash in constant time (four checks at a time)."""
    return _checkers.submit(_verify, password, stored).result()


def _verify(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(expected, actual)


# Compared against when the email is unknown, so that a miss costs as much as a hit.
DUMMY_HASH = "scrypt$16384$8$1$" + "A" * 22 + "==$" + "A" * 43 + "="


def generate_password() -> str:
    """Return a random password that is easy to type (for demo users and resets)."""
    return secrets.token_urlsafe(12)
