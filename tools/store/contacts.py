"""Contact details and dunning stages in `clients.yaml`: the records and how they are read.

The firm (`firm:`) and each client may give an `address`, `phone`, `email` and `tax-id`: the
letterheads of statements of account and reminders. Both may give `dunning:` stages, the days
before and after an invoice's due date at which its customer is reminded; a client's stages
replace the firm's, and the firm's replace `DEFAULT_STAGES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml

    from beanfirm.core.yamlnodes import NodeReader

CONTACT_KEYS = ("address", "phone", "email", "tax-id")
DUNNING_KEYS = ("before-due", "after-due")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_DAYS = 3650


@dataclass(frozen=True)
class Contact:
    """How the firm or a client is reached and identified on letters (every field optional)."""

    address: str | None = None
    phone: str | None = None
    email: str | None = None
    tax_id: str | None = None

    def get(self, key: str) -> str | None:
        """Return a field by its clients.yaml key (`tax-id` for `tax_id`)."""
        value: str | None = getattr(self, key.replace("-", "_"))
        return value


@dataclass(frozen=True)
class DunningStages:
    """When customers are reminded: days before the due date, and days past it."""

    before_due: int  # 0: no reminder before the due date
    after_due: tuple[int, ...]  # ascending; each is one more reminder stage


DEFAULT_STAGES = DunningStages(3, (7, 14, 30))
NO_CONTACT = Contact()


def read_contact(reader: NodeReader, keys: dict[str, yaml.Node], what: str) -> Contact:
    """Read the contact keys present in a mapping (the caller allows CONTACT_KEYS)."""
    values: dict[str, str | None] = {}
    for key in CONTACT_KEYS:
        node = keys.get(key)
        value = reader.string(node, f"the {key} of {what}") if node is not None else None
        if key == "email" and value is not None and not EMAIL_RE.match(value):
            reader.problem(node, f"'{value}' is not an email address.")
            value = None
        values[key.replace("-", "_")] = value
    return Contact(**values)


def read_dunning(reader: NodeReader, node: yaml.Node, what: str) -> DunningStages | None:
    """Read a `dunning:` mapping: `before-due: 3`, `after-due: [7, 14, 30]`."""
    before = len(reader.problems)
    keys = reader.mapping(
        node, f"`dunning:` of {what}", allowed=DUNNING_KEYS, required=DUNNING_KEYS
    )
    before_due = _days(reader, keys["before-due"], f"before-due of {what}", 0) if keys else None
    after_due: list[int] = []
    if "after-due" in keys:
        for item in reader.sequence(keys["after-due"], f"after-due of {what}"):
            days = _days(reader, item, f"an after-due stage of {what}", 1)
            if days is not None and after_due and days <= after_due[-1]:
                reader.problem(
                    item,
                    f"the after-due stages of {what} must grow: {days} comes after "
                    f"{after_due[-1]}; list them like [7, 14, 30].",
                )
            elif days is not None:
                after_due.append(days)
        if not after_due and len(reader.problems) == before:
            reader.problem(keys["after-due"], f"after-due of {what} needs at least one stage.")
    if len(reader.problems) != before or before_due is None:
        return None
    return DunningStages(before_due, tuple(after_due))


def _days(reader: NodeReader, node: yaml.Node, what: str, least: int) -> int | None:
    value = reader.scalar(node, what)
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= MAX_DAYS:
        reader.problem(
            node,
            f"{what} is {value!r}; it must be a whole number of days from {least} to {MAX_DAYS}.",
        )
        return None
    return value
