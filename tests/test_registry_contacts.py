"""Letterhead keys and dunning stages in `clients.yaml`: parsed, defaulted, checked by line."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from beanfirm.errors import Problem
from beanfirm.jobs.onboarding import client_yaml
from beanfirm.store.contacts import DEFAULT_STAGES, Contact, DunningStages
from beanfirm.store.registry import Registry, parse_registry

HEAD = """\
firm:
  name: Test Firm
  address: 上海市静安区南京西路1266号
  phone: 021-6288 1200
  email: service@firm.example
  tax-id: 91310106MA1FY0AB2C
  dunning:
    before-due: 5
    after-due: [10, 30]
  staff:
    - {id: ana, name: Ana, email: ana@firm.example, role: partner}
    - {id: bo, name: Bo, email: bo@firm.example, role: preparer}
clients:
"""
CLIENT = """\
  - id: huamei
    name: 华美便利店
    classification: {industry: retail, frequency: high, region: shanghai, size: micro}
    preparer: bo
    reviewer: ana
    currency: CNY
"""


def parse(text: str) -> tuple[Registry | None, list[Problem]]:
    return parse_registry(Path("clients.yaml"), dedent(text), check_ledgers=False)


def test_letterhead_and_stages_of_the_firm_and_a_client() -> None:
    registry, problems = parse(
        HEAD + CLIENT + "    address: 上海市浦东新区张杨路1501号\n    tax-id: 91310115MA1K3A7B8D\n"
        "    dunning: {before-due: 0, after-due: [15]}\n" + CLIENT.replace("huamei", "jinma")
    )
    assert problems == []
    assert registry is not None
    firm = registry.firm
    assert firm.contact == Contact(
        "上海市静安区南京西路1266号", "021-6288 1200", "service@firm.example", "91310106MA1FY0AB2C"
    )
    assert (firm.dunning, firm.line) == (DunningStages(5, (10, 30)), 2)
    huamei, jinma = registry.clients
    assert huamei.contact == Contact("上海市浦东新区张杨路1501号", None, None, "91310115MA1K3A7B8D")
    assert registry.dunning_stages(huamei) == DunningStages(0, (15,))
    assert registry.dunning_stages(jinma) == DunningStages(5, (10, 30))
    assert jinma.contact == Contact()
    record = client_yaml(huamei)
    assert record["address"] == "上海市浦东新区张杨路1501号"
    assert record["dunning"] == {"before-due": 0, "after-due": [15]}
    assert "phone" not in record


def test_without_stages_the_defaults_apply() -> None:
    text = HEAD.replace("  dunning:\n    before-due: 5\n    after-due: [10, 30]\n", "")
    registry, problems = parse(text + CLIENT)
    assert problems == []
    assert registry is not None
    assert (
        registry.dunning_stages(registry.clients[0])
        == DEFAULT_STAGES
        == DunningStages(3, (7, 14, 30))
    )


def test_bad_letterhead_and_stages_are_reported_by_line() -> None:
    text = (
        HEAD.replace("after-due: [10, 30]", "after-due: [10, 10, -1]").replace(
            "email: service@firm.example", "email: service-at-firm"
        )
        + CLIENT
        + "    dunning: {before-due: soon, after-dew: [7]}\n"
        + "    phone: [021, 5830]\n"
    )
    _, problems = parse(text)
    assert [str(p) for p in problems] == [
        "clients.yaml:5: 'service-at-firm' is not an email address.",
        "clients.yaml:9: the after-due stages of the firm must grow: 10 comes after 10; list them like [7, 14, 30].",
        "clients.yaml:9: an after-due stage of the firm is -1; it must be a whole number of days from 1 to 3650.",
        "clients.yaml:21: the phone of client 'huamei' must be a single value, not a list or mapping.",
        "clients.yaml:20: unknown key 'after-dew' in `dunning:` of client 'huamei'. Did you mean 'after-due'? Allowed keys: before-due, after-due.",
        "clients.yaml:20: `dunning:` of client 'huamei' is missing the required key 'after-due'.",
        "clients.yaml:20: before-due of client 'huamei' is 'soon'; it must be a whole number of days from 0 to 3650.",
    ]
