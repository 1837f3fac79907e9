"""The one module that encrypts and decrypts with age (through pyrage): backups' envelope.

A backup is encrypted to the public keys of the firm's key holders (age `age1...` recipients
or SSH `ssh-ed25519`/`ssh-rsa` public keys) and decrypted with one holder's identity file.
age authenticates what it decrypts: a flipped, missing or added byte fails decryption, so
nothing damaged is ever handed on. It does not say who encrypted: anyone with the public
keys can make a file that decrypts, which is why a backup also carries its manifest and
chain inside (see `beanfirm.store.backupset`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyrage

from beanfirm.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

IDENTITY_ENV = "BEANFIRM_BACKUP_IDENTITY"
SSH_PREFIXES = ("ssh-ed25519 ", "ssh-rsa ")
AGE_SECRET_PREFIX = "AGE-SECRET-KEY-1"  # noqa: S105 - how a key looks, not a key

Recipient = pyrage.x25519.Recipient | pyrage.ssh.Recipient
Identity = pyrage.x25519.Identity | pyrage.ssh.Identity


@dataclass(frozen=True)
class Recipients:
    """The public keys a backup is encrypted to, parsed."""

    keys: tuple[Recipient, ...]


def parse_recipient(text: str) -> Recipient | None:
    """Return the recipient a public key's text names, or None if it is not one."""
    text = text.strip()
    try:
        if text.startswith("age1"):
            return pyrage.x25519.Recipient.from_str(text)
        if text.startswith(SSH_PREFIXES):
            return pyrage.ssh.Recipient.from_str(text)
    except pyrage.RecipientError:
        return None
    return None


def new_identity() -> tuple[str, str]:
    """Return a new age identity's secret text and its public recipient (for key holders)."""
    identity = pyrage.x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def read_identities(path: Path) -> tuple[Identity, ...]:
    """Read an identity file: age secret keys (one a line, # comments) or an SSH private key."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = (
            f"Cannot read the identity file {path}: {exc.strerror}. Pass --identity FILE (or "
            f"set {IDENTITY_ENV}) naming the file that holds a key holder's private age key."
        )
        raise ConfigError(msg) from None
    text = data.decode("utf-8", errors="replace")
    if "PRIVATE KEY-----" in text:
        try:
            return (pyrage.ssh.Identity.from_buffer(data),)
        except pyrage.IdentityError as exc:
            msg = (
                f"The SSH key in {path} cannot be used to decrypt ({exc}); an encrypted SSH "
                "key is not supported: use an unencrypted copy kept offline, or an age key."
            )
            raise ConfigError(msg) from None
    identities: list[Identity] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            msg = (
                f"{path}:{number}: this line is not an age secret key ({AGE_SECRET_PREFIX}...). "
                "The identity file holds a key holder's private key as `age-keygen` writes it."
            )
            raise ConfigError(msg) from None
    if not identities:
        msg = f"{path} holds no age secret key ({AGE_SECRET_PREFIX}...) and no SSH private key."
        raise ConfigError(msg)
    return tuple(identities)


def seal(data: bytes, recipients: Recipients) -> bytes:
    """Encrypt `data` to every recipient."""
    return pyrage.encrypt(data, list(recipients.keys))


class UndecryptableError(Exception):
    """age refused to decrypt: with `no_key`, no identity given opens the header."""

    def __init__(self, detail: str, *, no_key: bool) -> None:
        super().__init__(detail)
        self.no_key = no_key


def unseal(data: bytes, identities: Sequence[Identity]) -> bytes:
    """Decrypt bytes; raise UndecryptableError when that fails (damage or the wrong key).

    age cannot tell a header damaged in its recipients' stanzas from one made for other keys:
    both are "no matching keys".
    """
    try:
        return pyrage.decrypt(data, list(identities))
    except pyrage.DecryptError as exc:
        raise UndecryptableError(str(exc), no_key="no matching keys" in str(exc).lower()) from None


def recipients_of(texts: Iterable[str]) -> Recipients:
    """Parse public keys known to be valid (checked when clients.yaml was read)."""
    keys = tuple(key for key in map(parse_recipient, texts) if key is not None)
    return Recipients(keys)
