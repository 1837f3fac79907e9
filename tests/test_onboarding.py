"""`registry_with_client`: a new client lands in clients.yaml with everything else kept."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from beanfirm.errors import ConfigError
from beanfirm.jobs.onboarding import registry_with_client
from beanfirm.store.registry import Classification, Client, FundingAccount, parse_registry

NEWCO = Client(
    id="newco",
    name="新公司",
    classification=Classification("retail", "low", "beijing", "micro"),
    preparer="bo",
    reviewer="ana",
    currency="CNY",
    fiscal_year_start="04-01",
    language="zh",
    reconcile="monthly",
    accounts=(
        FundingAccount("Assets:1002-银行存款:工商银行", "bank", "icbc-debit", "6222", None, None),
    ),
    line=0,
)

# NEWCO as a block list item whose dash is in column 0.
NEWCO_ITEM = """\
- id: newco
  name: 新公司
  classification:
    industry: retail
    frequency: low
    region: beijing
    size: micro
  preparer: bo
  reviewer: ana
  currency: CNY
  fiscal-year-start: 04-01
  language: zh
  reconcile: monthly
  accounts:
  - account: Assets:1002-银行存款:工商银行
    kind: bank
    importer: icbc-debit
    number: '6222'
"""

FIRM = """\
# The client registry of Test Firm.
firm:
  name: Test Firm  # as on the licence
  staff:
    - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
    - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
"""

OLD_CLIENT = """\
  # Our first client.
  - id: old
    name: Old Shop
    classification: {industry: retail, frequency: high, region: shanghai, size: micro}
    preparer: bo
    reviewer: ana
    currency: CNY   # yuan
"""


def indented(text: str, columns: int) -> str:
    return "".join(" " * columns + line for line in text.splitlines(keepends=True))


def client_ids(text: str) -> list[str]:
    registry, problems = parse_registry(Path("clients.yaml"), text, check_ledgers=False)
    assert problems == [], [str(p) for p in problems]
    assert registry is not None
    return [c.id for c in registry.clients]


def test_appends_to_a_block_list_keeping_everything_else() -> None:
    text = FIRM + "clients:\n" + OLD_CLIENT + "# End of the registry.\n"
    new = registry_with_client(text, NEWCO)
    assert new == (
        FIRM + "clients:\n" + OLD_CLIENT + indented(NEWCO_ITEM, 2) + "# End of the registry.\n"
    )
    assert client_ids(new) == ["old", "newco"]
    added = parse_registry(Path("clients.yaml"), new, check_ledgers=False)[0]
    assert added is not None
    assert added.clients[1] == dataclasses.replace(NEWCO, line=15)


def test_replaces_an_empty_list() -> None:
    text = FIRM + "clients: []\n"
    new = registry_with_client(text, NEWCO)
    assert new == FIRM + "clients:\n" + indented(NEWCO_ITEM, 2)
    assert client_ids(new) == ["newco"]


def test_fills_a_bare_clients_key() -> None:
    text = FIRM + "clients:\n"
    new = registry_with_client(text, NEWCO)
    assert new == FIRM + "clients:\n" + indented(NEWCO_ITEM, 2)
    assert client_ids(new) == ["newco"]


def test_clients_before_firm() -> None:
    text = "clients:\n" + OLD_CLIENT + "\n" + FIRM
    new = registry_with_client(text, NEWCO)
    # The new client goes right after the last one: the firm's comment stays with the firm.
    assert new == "clients:\n" + OLD_CLIENT + indented(NEWCO_ITEM, 2) + "\n" + FIRM
    assert client_ids(new) == ["old", "newco"]


def test_empty_list_before_firm() -> None:
    text = "clients: []\n" + FIRM
    new = registry_with_client(text, NEWCO)
    assert new == "clients:\n" + indented(NEWCO_ITEM, 2) + FIRM
    assert client_ids(new) == ["newco"]


def test_dashes_in_column_zero_with_wide_items() -> None:
    old = (
        "clients:\n"
        "-   id: old\n"
        "    name: Old Shop\n"
        "    classification: {industry: retail, frequency: high, region: shanghai, size: micro}\n"
        "    preparer: bo\n"
        "    reviewer: ana\n"
        "    currency: CNY\n"
    )
    new = registry_with_client(FIRM + old, NEWCO)
    assert new == FIRM + old + NEWCO_ITEM
    assert client_ids(new) == ["old", "newco"]


def test_last_client_ending_in_a_block_scalar() -> None:
    old = (
        "clients:\n"
        "  - id: old\n"
        "    name: >\n"
        "      Old Shop\n"
        "      (Pudong branch)\n"
        "    classification: {industry: retail, frequency: high, region: shanghai, size: micro}\n"
        "    preparer: bo\n"
        "    reviewer: ana\n"
        "    currency: CNY\n"
        "    accounts:\n"
        "      - account: Assets:Bank:ICBC\n"
        "        kind: bank\n"
        "        importer: icbc-debit\n"
        "        number: >\n"
        "          6222\n"
    )
    new = registry_with_client(old + FIRM, NEWCO)
    assert new == old + indented(NEWCO_ITEM, 2) + FIRM
    assert client_ids(new) == ["old", "newco"]


def test_no_newline_at_end_of_file() -> None:
    text = FIRM + "clients:\n" + OLD_CLIENT.rstrip("\n")
    new = registry_with_client(text, NEWCO)
    assert new == FIRM + "clients:\n" + OLD_CLIENT + indented(NEWCO_ITEM, 2)
    assert client_ids(new) == ["old", "newco"]


def test_refuses_a_flow_list_rather_than_dropping_its_clients() -> None:
    text = FIRM + (
        "clients: [{id: old, name: Old Shop, preparer: bo, reviewer: ana, currency: CNY,\n"
        "  classification: {industry: retail, frequency: high, region: shanghai, size: micro}}]\n"
    )
    assert client_ids(text) == ["old"]
    with pytest.raises(ConfigError) as caught:
        registry_with_client(text, NEWCO)
    assert "is a [flow, list]" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "clients.yaml has no top-level mapping"),
        (FIRM, "clients.yaml has no 'clients:' key; add `clients: []` at the end."),
        (FIRM + "clients: none\n", "'clients:' in clients.yaml is not a list"),
    ],
)
def test_registry_without_a_clients_list(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        registry_with_client(text, NEWCO)
    assert message in str(caught.value)
