"""The two letterheads of a statement or reminder: the client's, and the firm's that prepared it.

The data comes from `clients.yaml` (docs/registry.md, "Letterhead data"). A letterhead with a
gap is refused before anything is rendered, with the key to add and the registry line where it
goes, so that no customer receives a statement without the sender's address or tax id.
"""

from __future__ import annotations

from dataclasses import dataclass

from beanfirm.errors import ConfigError, Problem
from beanfirm.store.contacts import Contact
from beanfirm.store.registry import REGISTRY_FILENAME, Client, Firm

FIRM_REQUIRES = ("address", "phone", "email", "tax-id")
CLIENT_REQUIRES = ("address", "phone", "tax-id")


@dataclass(frozen=True)
class Letterhead:
    """A name and its contact details, as printed at the head or foot of a document."""

    name: str
    contact: Contact


def letterheads(firm: Firm, client: Client) -> tuple[Letterhead, Letterhead]:
    """Return the firm's and the client's letterheads, or raise ConfigError listing gaps."""
    problems = [
        Problem(
            REGISTRY_FILENAME,
            firm.line or None,
            f"add `{key}:` to `firm:` (the firm's {_what(key)}).",
        )
        for key in FIRM_REQUIRES
        if firm.contact.get(key) is None
    ]
    problems += [
        Problem(
            REGISTRY_FILENAME,
            client.line or None,
            f"add `{key}:` to client '{client.id}' (its {_what(key)}).",
        )
        for key in CLIENT_REQUIRES
        if client.contact.get(key) is None
    ]
    if problems:
        msg = (
            f"The letterheads of {client.id}'s statements and reminders are incomplete: "
            f'{REGISTRY_FILENAME} needs the keys below (docs/registry.md, "Letterhead data"). '
            "Add them, commit, and run the command again."
        )
        raise ConfigError(msg, tuple(problems))
    return Letterhead(firm.name, firm.contact), Letterhead(client.name, client.contact)


def _what(key: str) -> str:
    return {
        "address": "postal address, one line",
        "phone": "telephone number",
        "email": "email address",
        "tax-id": "tax id, 统一社会信用代码",
    }[key]
