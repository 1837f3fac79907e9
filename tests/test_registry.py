"""`clients.yaml` parses into frozen records, and every mistake is reported with its line.

Each test holds its registry text inline. The firm block is the same six lines in most of
them, so `clients:` is line 7 and the first client's `- id:` line 8.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from textwrap import dedent

import pytest

from beanfirm.errors import ConfigError, Problem
from beanfirm.store.registry import (
    Classification,
    Client,
    FundingAccount,
    Registry,
    Staff,
    load_registry,
    parse_registry,
)

REGISTRY = Path("clients.yaml")


def parse(text: str) -> tuple[Registry | None, list[Problem]]:
    return parse_registry(REGISTRY, dedent(text), check_ledgers=False)


def only_problem(text: str) -> Problem:
    """Parse text that has exactly one mistake and return it."""
    _registry, problems = parse(text)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_valid_registry_parses_into_frozen_records() -> None:
    registry, problems = parse("""\
        # The practice of Test Firm.
        firm:
          name: Test Firm
          staff:
            - id: ana
              name: Ana Partner
              email: ana@firm.example
              role: partner
            - id: bo
              name: Bo Preparer
              email: bo@firm.example
              role: preparer
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
        clients:
          - id: huamei
            name: 华美便利店
            classification:
              industry: retail
              frequency: high
              region: shanghai
              size: micro
            preparer: bo
            reviewer: ana
            currency: CNY
            accounts:
              - account: Assets:1002-银行存款:工商银行
                kind: bank
                importer: icbc-debit
                number: "6222001"
              - account: Assets:1012-其他货币资金:支付宝
                kind: payment
                importer: alipay
                reconcile: weekly
          - id: brightpath
            name: Brightpath Consulting
            classification: {industry: consulting, frequency: low, region: beijing, size: small}
            preparer: ana
            reviewer: wang
            currency: USD
            fiscal-year-start: "04-01"
            language: en
            reconcile: quarterly
        """)
    assert problems == []
    assert registry is not None
    assert registry.path == REGISTRY
    assert registry.firm.name == "Test Firm"
    assert registry.firm.staff == (
        Staff("ana", "Ana Partner", "ana@firm.example", "partner"),
        Staff("bo", "Bo Preparer", "bo@firm.example", "preparer"),
        Staff("wang", "Wang Reviewer", "wang@firm.example", "reviewer"),
    )
    huamei, brightpath = registry.clients
    assert huamei == Client(
        id="huamei",
        name="华美便利店",
        classification=Classification("retail", "high", "shanghai", "micro"),
        preparer="bo",
        reviewer="ana",
        currency="CNY",
        fiscal_year_start="01-01",
        language="zh",
        reconcile="monthly",
        accounts=(
            FundingAccount(
                "Assets:1002-银行存款:工商银行", "bank", "icbc-debit", "6222001", None, None
            ),
            FundingAccount(
                "Assets:1012-其他货币资金:支付宝", "payment", "alipay", None, None, "weekly"
            ),
        ),
        line=15,
    )
    assert huamei.reconcile_cadence(huamei.accounts[0]) == "monthly"
    assert huamei.reconcile_cadence(huamei.accounts[1]) == "weekly"
    assert (brightpath.id, brightpath.preparer, brightpath.reviewer) == (
        "brightpath",
        "ana",
        "wang",
    )
    assert brightpath.classification == Classification("consulting", "low", "beijing", "small")
    assert brightpath.currency == "USD"
    assert brightpath.fiscal_year_start == "04-01"
    assert brightpath.language == "en"
    assert brightpath.reconcile == "quarterly"
    assert brightpath.accounts == ()
    assert brightpath.line == 34
    assert registry.client("brightpath") is brightpath
    assert registry.staff_member("bo").role == "preparer"
    with pytest.raises(dataclasses.FrozenInstanceError):
        huamei.name = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        registry.clients = ()  # type: ignore[misc]


def test_unknown_client_id_lists_the_known_ones() -> None:
    registry, problems = parse("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {industry: retail, frequency: high, region: shanghai, size: micro}
            preparer: bo
            reviewer: wang
            currency: CNY
        """)
    assert problems == []
    assert registry is not None
    with pytest.raises(ConfigError) as caught:
        registry.client("dongsheng")
    assert str(caught.value).startswith(
        "No client 'dongsheng' in clients.yaml. Known clients: huamei."
    )


def test_yaml_syntax_error_names_its_line() -> None:
    registry, problems = parse("""\
        firm:
          name: Test Firm
           staff: oops
        clients: []
        """)
    assert registry is None
    assert [(p.filename, p.line) for p in problems] == [("clients.yaml", 3)]
    assert "YAML syntax error: mapping values are not allowed here" in problems[0].message


def test_unclosed_quote_points_at_where_it_opened() -> None:
    registry, problems = parse("""\
        firm:
          name: 'Test Firm
          staff: []
        clients: []
        """)
    assert registry is None
    assert [p.line for p in problems] == [2]
    assert "while scanning a quoted scalar" in problems[0].message


def test_unknown_top_level_key() -> None:
    problem = only_problem("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
        clients: []
        settings:
          theme: dark
        """)
    assert problem.line == 8
    assert "unknown key 'settings' in the registry" in problem.message
    assert "Allowed keys: firm, clients, backup." in problem.message


def test_unknown_client_key_suggests_the_right_one() -> None:
    _registry, problems = parse("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {industry: retail, frequency: high, region: shanghai, size: micro}
            prepaer: bo
            reviewer: wang
            currency: CNY
        """)
    assert [(p.line, p.message.split(".")[0]) for p in problems] == [
        (11, "unknown key 'prepaer' in a client"),
        (8, "a client is missing the required key 'preparer'"),
    ]
    assert "Did you mean 'preparer'?" in problems[0].message


def test_unknown_classification_key() -> None:
    _registry, problems = parse("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
        clients:
          - id: huamei
            name: 华美便利店
            classification:
              industry: retail
              frequency: high
              regoin: shanghai
              size: micro
            preparer: bo
            reviewer: wang
            currency: CNY
        """)
    assert [p.line for p in problems] == [13, 11]
    assert "unknown key 'regoin' in the classification of client 'huamei'." in problems[0].message
    assert "Did you mean 'region'?" in problems[0].message
    assert "missing the required key 'region'" in problems[1].message


def test_missing_required_key() -> None:
    problem = only_problem("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {industry: retail, frequency: high, region: shanghai, size: micro}
            preparer: bo
            reviewer: wang
        """)
    assert problem.line == 8
    assert problem.message == "a client is missing the required key 'currency'."


def test_duplicate_client_ids_name_both_lines() -> None:
    registry, problems = parse("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {industry: retail, frequency: high, region: shanghai, size: micro}
            preparer: bo
            reviewer: wang
            currency: CNY
          - id: huamei
            name: 华美超市
            classification: {industry: retail, frequency: low, region: shanghai, size: micro}
            preparer: bo
            reviewer: ana
            currency: CNY
        """)
    assert len(problems) == 1
    assert problems[0].line == 14
    assert "duplicate client id 'huamei' (first on line 8)" in problems[0].message
    assert registry is not None
    assert [c.name for c in registry.clients] == ["华美便利店"]


def test_duplicate_staff_ids() -> None:
    problem = only_problem("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
            - {id: ana, name: Ana Other, email: ana2@firm.example, role: reviewer}
        clients: []
        """)
    assert problem.line == 6
    assert "duplicate staff id 'ana' (first on line 4)" in problem.message


def test_unknown_staff_as_preparer() -> None:
    problem = only_problem("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {industry: retail, frequency: high, region: shanghai, size: micro}
            preparer: zed
            reviewer: wang
            currency: CNY
        """)
    assert problem.line == 11
    assert "names unknown staff 'zed' as preparer" in problem.message
    assert "use one of: ana, wang, bo." in problem.message


def test_preparer_only_staff_cannot_review() -> None:
    problem = only_problem("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {industry: retail, frequency: high, region: shanghai, size: micro}
            preparer: wang
            reviewer: bo
            currency: CNY
        """)
    assert problem.line == 12
    assert "has 'bo' as reviewer, but their role is preparer" in problem.message
    assert "roles: reviewer, partner." in problem.message


def test_same_person_cannot_prepare_and_review() -> None:
    problem = only_problem("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {industry: retail, frequency: high, region: shanghai, size: micro}
            preparer: ana
            reviewer: ana
            currency: CNY
        """)
    assert problem.line == 12
    assert "has 'ana' as both preparer and reviewer" in problem.message


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ('"../x"', "client id '../x' is not allowed"),
        ("a/b", "client id 'a/b' is not allowed"),
        ("A-Upper", "client id 'A-Upper' is not allowed"),
        ("x.y", "client id 'x.y' is not allowed"),
        ("-x", "client id '-x' is not allowed"),
        ('""', "a client id must not be empty."),
        ("", "a client id must not be empty."),
    ],
)
def test_client_id_must_be_a_plain_folder_name(written: str, message: str) -> None:
    problem = only_problem(f"""\
        firm:
          name: Test Firm
          staff:
            - {{id: ana, name: Ana Partner, email: ana@firm.example, role: partner}}
            - {{id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}}
            - {{id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}}
        clients:
          - id: {written}
            name: 华美便利店
            classification: {{industry: retail, frequency: high, region: shanghai, size: micro}}
            preparer: bo
            reviewer: wang
            currency: CNY
        """)
    assert problem.line == 8
    assert message in problem.message


@pytest.mark.parametrize("currency", ["cny", "yuan", "1CNY"])
def test_bad_currency(currency: str) -> None:
    problem = only_problem(f"""\
        firm:
          name: Test Firm
          staff:
            - {{id: ana, name: Ana Partner, email: ana@firm.example, role: partner}}
            - {{id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}}
            - {{id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {{industry: retail, frequency: high, region: shanghai, size: micro}}
            preparer: bo
            reviewer: wang
            currency: {currency}
        """)
    assert problem.line == 13
    assert problem.message == f"'{currency}' is not a currency code; write it like CNY or USD."


@pytest.mark.parametrize("start", ['"13-01"', '"1-1"', '"02-30"', "April"])
def test_bad_fiscal_year_start(start: str) -> None:
    problem = only_problem(f"""\
        firm:
          name: Test Firm
          staff:
            - {{id: ana, name: Ana Partner, email: ana@firm.example, role: partner}}
            - {{id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}}
            - {{id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {{industry: retail, frequency: high, region: shanghai, size: micro}}
            preparer: bo
            reviewer: wang
            currency: CNY
            fiscal-year-start: {start}
        """)
    assert problem.line == 14
    shown = start.strip('"')
    assert problem.message.startswith(f"fiscal-year start '{shown}' must be")


@pytest.mark.parametrize(
    ("account", "valid"),
    [
        ("Assets:1002-银行存款:工商银行", True),
        ("Liabilities:2241-信用卡:招商银行", True),
        ("Assets:Bank:ICBC", True),
        ("Assets:银行", False),
        ("Expenses:Bank", False),
        ("Assets:bank", False),
        ("Assets:Bank Account", False),
    ],
)
def test_account_names_as_beancount_reads_them(account: str, *, valid: bool) -> None:
    registry, problems = parse(f"""\
        firm:
          name: Test Firm
          staff:
            - {{id: ana, name: Ana Partner, email: ana@firm.example, role: partner}}
            - {{id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}}
            - {{id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {{industry: retail, frequency: high, region: shanghai, size: micro}}
            preparer: bo
            reviewer: wang
            currency: CNY
            accounts:
              - account: "{account}"
                kind: bank
                importer: icbc-debit
        """)
    if valid:
        assert problems == []
        assert registry is not None
        assert [a.account for a in registry.clients[0].accounts] == [account]
    else:
        assert [p.line for p in problems] == [15]
        assert f"'{account}' is not a valid Beancount account name" in problems[0].message


def test_unknown_importer() -> None:
    problem = only_problem("""\
        firm:
          name: Test Firm
          staff:
            - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
            - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
            - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
        clients:
          - id: huamei
            name: 华美便利店
            classification: {industry: retail, frequency: high, region: shanghai, size: micro}
            preparer: bo
            reviewer: wang
            currency: CNY
            accounts:
              - account: Assets:1002-银行存款:工商银行
                kind: bank
                importer: icbc
        """)
    assert problem.line == 17
    assert problem.message.startswith("an importer is 'icbc'; it must be one of: csv, alipay,")
    assert "icbc-debit" in problem.message


CARD_REGISTRY = """\
    firm:
      name: Test Firm
      staff:
        - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
        - {id: wang, name: Wang Reviewer, email: wang@firm.example, role: reviewer}
    clients:
      - id: huamei
        name: 华美便利店
        classification: {industry: retail, frequency: high, region: shanghai, size: micro}
        preparer: ana
        reviewer: wang
        currency: CNY
        accounts:
          - account: Liabilities:2241-信用卡:招商银行
            kind: credit-card
            importer: csv
            reconcile: CADENCE
    """


def test_an_account_is_reconciled_by_its_statement_cycle() -> None:
    registry, problems = parse(CARD_REGISTRY.replace("CADENCE", "monthly@25"))
    assert problems == []
    assert registry is not None
    [card] = registry.clients[0].accounts
    assert registry.clients[0].reconcile_cadence(card) == "monthly@25"
    problem = only_problem(CARD_REGISTRY.replace("CADENCE", "monthly@32"))
    assert (problem.line, problem.message) == (
        17,
        (
            "a reconcile cadence is 'monthly@32'; it must be one of: weekly, monthly, quarterly, "
            "or a statement cycle, monthly@DAY or quarterly@DAY (monthly@25: statements that "
            "close on the 25th)."
        ),
    )


HUAMEI = """\
firm:
  name: Test Firm
  staff:
    - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
    - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
clients:
  - id: huamei
    name: 华美便利店
    classification: {industry: retail, frequency: high, region: shanghai, size: micro}
    preparer: bo
    reviewer: ana
    currency: CNY
"""


def test_missing_ledger_folder(tmp_path: Path) -> None:
    registry, problems = parse_registry(tmp_path / "clients.yaml", HUAMEI, check_ledgers=True)
    assert registry is not None
    assert [(p.filename, p.line) for p in problems] == [("clients.yaml", 7)]
    assert problems[0].message.startswith(
        "client 'huamei' has no ledger: ledgers/huamei/main.beancount is missing."
    )


def test_existing_ledger_folder_passes(tmp_path: Path) -> None:
    main = tmp_path / "ledgers" / "huamei" / "main.beancount"
    main.parent.mkdir(parents=True)
    main.write_text('option "title" "华美便利店"\n', encoding="utf-8")
    registry, problems = parse_registry(tmp_path / "clients.yaml", HUAMEI, check_ledgers=True)
    assert problems == []
    assert registry is not None
    assert [c.id for c in registry.clients] == ["huamei"]


THREE_MISTAKES = """\
firm:
  name: Test Firm
  staff:
    - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
    - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
clients:
  - id: huamei
    name: 华美便利店
    classification: {industry: retail, frequency: hourly, region: shanghai, size: micro}
    preparer: bo
    reviewer: ana
    currency: CNY
  - id: Dongsheng
    name: 东升商贸
    classification: {industry: wholesale, frequency: medium, region: zhejiang, size: small}
    preparer: bo
    reviewer: ana
    currency: CNY
    language: fr
"""


def test_every_problem_is_reported_at_once() -> None:
    registry, problems = parse(THREE_MISTAKES)
    assert registry is not None
    assert registry.clients == ()
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [
        (9, "the transaction frequency of client 'huamei' is 'hourly'"),
        (
            13,
            "client id 'Dongsheng' is not allowed: it is also the ledger's folder name, so it may hold only lowercase letters, digits and hyphens (like 'huamei-retail'), with no '/', '.', spaces or other path characters.",
        ),
        (19, "the language of client 'Dongsheng' is 'fr'"),
    ]


def test_load_registry_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "clients.yaml"
    path.write_text(THREE_MISTAKES, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_registry(path)
    error = caught.value
    assert error.message.startswith(f"The client registry {path} has 3 problems;")
    lines = str(error).splitlines()
    assert len(lines) == 4
    assert [line.split(": ", 1)[0] for line in lines[1:]] == [
        "  clients.yaml:9",
        "  clients.yaml:13",
        "  clients.yaml:19",
    ]


def test_load_registry_returns_a_good_registry(tmp_path: Path) -> None:
    path = tmp_path / "clients.yaml"
    path.write_text(HUAMEI, encoding="utf-8")
    (tmp_path / "ledgers" / "huamei").mkdir(parents=True)
    (tmp_path / "ledgers" / "huamei" / "main.beancount").write_text("", encoding="utf-8")
    registry = load_registry(path)
    assert [c.id for c in registry.clients] == ["huamei"]


def test_missing_registry_file(tmp_path: Path) -> None:
    registry, problems = parse_registry(tmp_path / "clients.yaml")
    assert registry is None
    assert problems == [Problem(str(tmp_path / "clients.yaml"), None, "registry file not found.")]
