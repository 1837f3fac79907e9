"""A registry client for tests that need one but no clients.yaml: the usual values, some changed."""

from __future__ import annotations

from beanfirm.store.registry import Classification, Client


def a_client(client_id: str = "alpha", name: str = "Alpha", **changes: object) -> Client:
    """Return a retail client prepared by bo and reviewed by ana, with `changes` applied."""
    values: dict[str, object] = {
        "id": client_id,
        "name": name,
        "classification": Classification("retail", "high", "shanghai", "micro"),
        "preparer": "bo",
        "reviewer": "ana",
        "currency": "CNY",
        "fiscal_year_start": "01-01",
        "language": "zh",
        "reconcile": "monthly",
        "accounts": (),
        "line": 1,
    }
    values.update(changes)
    return Client(**values)  # type: ignore[arg-type]
