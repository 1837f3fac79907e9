"""Selecting clients by classification and staff, for `clients list` and `status`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from beanfirm.store.registry import Client


@dataclass(frozen=True)
class ClientFilter:
    """Which clients to show; each field lists accepted values (empty accepts all).

    Values within a field are alternatives; fields combine with AND. `staff` matches a
    client whose preparer or reviewer is one of the given staff ids.
    """

    industry: tuple[str, ...] = ()
    frequency: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    size: tuple[str, ...] = ()
    preparer: tuple[str, ...] = ()
    reviewer: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    currency: tuple[str, ...] = ()

    def matches(self, client: Client) -> bool:
        """Return whether a client passes every field of the filter."""
        kind = client.classification
        checks = (
            (self.industry, kind.industry),
            (self.frequency, kind.frequency),
            (self.region, kind.region),
            (self.size, kind.size),
            (self.preparer, client.preparer),
            (self.reviewer, client.reviewer),
            (self.language, client.language),
            (self.currency, client.currency),
        )
        if any(wanted and value not in wanted for wanted, value in checks):
            return False
        return not self.staff or bool({client.preparer, client.reviewer} & set(self.staff))

    def unknown_staff(self, staff_ids: Iterable[str]) -> list[str]:
        """Return the staff ids the filter names that are not staff of the firm (typos)."""
        known = set(staff_ids)
        named = (*self.preparer, *self.reviewer, *self.staff)
        return sorted({staff_id for staff_id in named if staff_id not in known})

    def select(self, clients: Iterable[Client]) -> list[Client]:
        """Return the clients that match, in registry order."""
        return [client for client in clients if self.matches(client)]
