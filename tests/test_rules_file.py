"""`rules.yaml` parses into frozen rules, and every mistake is reported with its exact line."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest

from beanfirm.errors import ConfigError, Problem
from beanfirm.ingest.ledgerindex import ID_KEYS
from beanfirm.rules.categorize import load_ruleset
from beanfirm.rules.rulesfile import RESERVED_META, Rule, RulesFile, Scope, parse_rules

CLIENT_FILE = "ledgers/huamei/rules.yaml"


def parse(text: str, scope: Scope = "client") -> tuple[RulesFile, list[Problem]]:
    return parse_rules(dedent(text), CLIENT_FILE, scope=scope)


def problems_of(text: str, scope: Scope = "client") -> list[str]:
    _rules, problems = parse(text, scope)
    return [str(p) for p in problems]


def only_problem(text: str, scope: Scope = "client") -> str:
    found = problems_of(text, scope)
    assert len(found) == 1, found
    return found[0]


def test_a_rule_parses_into_a_frozen_record_with_its_source() -> None:
    rules_file, problems = parse("""\
        # The client's own rules.
        rules:
          - name: 电费
            when:
              payee: [国家电网, /国网.*电力/]
              narration: 电费
              counterparty: sgcc
              text: 供电
              meta: {category: 生活缴费}
              statement-account: Assets:1002-银行存款
              currency: [CNY, USD]
              min: 0.10
              max: "5000"
              direction: out
            account: Expenses:5602-管理费用:水电费
            payee: 国家电网
            narration: 电费
            tags: [utilities, 2026-q1]
            links: [BILL-2026-001]
            meta: {vat-invoice: 专票, rate: 0.13}
            review: true
        suggestions:
          min-count: 5
          min-share: 0.9
          apply: true
        """)
    assert problems == []
    (rule,) = rules_file.rules
    assert isinstance(rule, Rule)
    assert rule.source == f"{CLIENT_FILE}:3"
    assert rule.name == "电费"
    assert rule.account == "Expenses:5602-管理费用:水电费"
    assert (rule.payee, rule.narration, rule.review) == ("国家电网", "电费", True)
    assert rule.tags == frozenset({"utilities", "2026-q1"})
    assert rule.links == frozenset({"BILL-2026-001"})
    # Metadata values are kept as written, never read through YAML's float.
    assert rule.meta == (("vat-invoice", "专票"), ("rate", "0.13"))
    when = rule.when
    assert when.minimum == Decimal("0.10")
    assert when.maximum == Decimal(5000)
    assert when.direction == "out"
    assert when.statement_accounts == ("Assets:1002-银行存款",)
    assert when.currencies == ("CNY", "USD")
    assert when.describe() == (
        'payee "国家电网" or /国网.*电力/, narration "电费", counterparty "sgcc", text "供电", '
        'meta category "生活缴费", statement-account Assets:1002-银行存款, currency CNY or USD, '
        "min 0.10, max 5000, direction out"
    )
    assert dict(rules_file.suggestions) == {
        "min_count": 5,
        "min_share": Decimal("0.9"),
        "apply": True,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.account = "Expenses:Other"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "rules: []\n", "rules:\n"])
def test_an_empty_file_has_no_rules_and_no_problems(text: str) -> None:
    assert parse(text) == (RulesFile(CLIENT_FILE), [])


def test_yaml_syntax_error_names_its_line() -> None:
    assert only_problem("""\
        rules:
          - when: {payee: 中国移动}
            account: Expenses:5602-管理费用:通讯费
           review: true
        """).startswith(f"{CLIENT_FILE}:4: YAML syntax error")


def test_unknown_keys_are_reported_with_a_suggestion() -> None:
    assert problems_of("""\
        rules:
          - when:
              paye: 中国移动
            acount: Expenses:5602-管理费用:通讯费
        rulez: []
        """) == [
        (
            f"{CLIENT_FILE}:3: unknown key 'paye' in `when`. Did you mean 'payee'? Allowed keys: "
            "payee, narration, counterparty, text, meta, statement-account, currency, min, max, "
            "direction."
        ),
        (
            f"{CLIENT_FILE}:4: unknown key 'acount' in a rule. Did you mean 'account'? Allowed "
            "keys: name, when, account, payee, narration, tags, links, meta, review."
        ),
        (
            f"{CLIENT_FILE}:5: unknown key 'rulez' in the rules file. Did you mean 'rules'? "
            "Allowed keys: rules, suggestions."
        ),
    ]


def test_a_condition_beside_account_is_told_to_move_under_when() -> None:
    assert only_problem("""\
        rules:
          - when: {payee: 滴滴}
            direction: out
            account: Expenses:5602-管理费用:差旅费
        """).startswith(f"{CLIENT_FILE}:3: `direction` is a condition: move it under `when:`")


def test_missing_account_and_missing_when() -> None:
    assert problems_of("""\
        rules:
          - when: {payee: 滴滴}
          - account: Expenses:5602-管理费用:差旅费
          - when: {}
            account: Expenses:5602-管理费用:差旅费
        """) == [
        f"{CLIENT_FILE}:2: a rule needs `account:`, the account the rule books the row to.",
        f"{CLIENT_FILE}:3: a rule needs `when:`, the conditions under which it applies.",
        (
            f"{CLIENT_FILE}:4: `when:` needs at least one condition; a rule that matches every "
            "row would hide the rows a person has to look at."
        ),
    ]


@pytest.mark.parametrize(
    "account",
    ["Expenses:差旅费", "Travel:Taxi", "Expenses:taxi", "Expenses", "Expenses:Taxi Fares"],
)
def test_an_account_beancount_would_reject(account: str) -> None:
    problem = only_problem(f"""\
        rules:
          - when: {{payee: 滴滴}}
            account: {account}
        """)
    assert problem.startswith(
        f"{CLIENT_FILE}:3: '{account}' is not an account name Beancount accepts"
    )
    assert "Expenses:5602-管理费用:差旅费" in problem


def test_a_bad_regular_expression() -> None:
    assert only_problem("""\
        rules:
          - when:
              narration: [话费, "/(充值/"]
            account: Expenses:5602-管理费用:通讯费
        """) == (
        f"{CLIENT_FILE}:3: `when: narration`: the regular expression /(充值/ is invalid: "
        "missing ), unterminated subpattern at position 1. A pattern between slashes is a "
        "regular expression; write it without the slashes to match it as plain text."
    )


def test_an_unknown_direction() -> None:
    assert (
        only_problem("""\
        rules:
          - when:
              payee: 滴滴
              direction: 支出
            account: Expenses:5602-管理费用:差旅费
        """)
        == f"{CLIENT_FILE}:4: `when: direction` is '支出'; it must be one of: in, out."
    )


@pytest.mark.parametrize("bound", ["1,000", "100 CNY", "-5", "abc", "nan", "[1, 2]"])
def test_amount_bounds_must_be_plain_decimals(bound: str) -> None:
    assert only_problem(f"""\
        rules:
          - when:
              payee: 滴滴
              max: {bound}
            account: Expenses:5602-管理费用:差旅费
        """).startswith(f"{CLIENT_FILE}:4: `max` is ")


def test_min_above_max() -> None:
    assert (
        only_problem("""\
        rules:
          - when:
              min: 500
              max: 50
            account: Expenses:5602-管理费用:办公费
        """)
        == f"{CLIENT_FILE}:4: `max` (50) is below `min` (500); no amount could match."
    )


def test_bad_statement_account_currency_tags_and_meta() -> None:
    assert problems_of("""\
        rules:
          - when:
              statement-account: Expenses:Bank
              currency: 人民币
            account: Expenses:5603-财务费用:手续费
            tags: ["#fees"]
            links: [has space]
            meta:
              import-id: x
              Vat: y
        """) == [
        (
            f"{CLIENT_FILE}:3: 'Expenses:Bank' is not a bank, card or payment account Beancount "
            "accepts; it must start with Assets: or Liabilities: (a parent such as "
            "Assets:1012-其他货币资金 also holds its sub-accounts)."
        ),
        f"{CLIENT_FILE}:4: '人民币' is not a currency code; write it like CNY or USD.",
        (
            f"{CLIENT_FILE}:6: '#fees' cannot be one of the tags: write it without '#', using only "
            "letters, digits and - _ / . (YAML reads an unquoted # as a comment)."
        ),
        (
            f"{CLIENT_FILE}:7: 'has space' cannot be one of the links: write it without '^', "
            "using only letters, digits and - _ / . (YAML reads an unquoted # as a comment)."
        ),
        (
            f"{CLIENT_FILE}:9: `import-id` is written by the importers or the suggestions; a rule "
            "may not set it."
        ),
        (
            f"{CLIENT_FILE}:10: 'Vat' is not a metadata key Beancount accepts; start it with a "
            "lowercase letter and use letters, digits, - and _."
        ),
    ]


@pytest.mark.parametrize(
    "key",
    [
        "import-id",
        "import-id-2",
        "time",
        "counterparty",
        "filename",
        "lineno",
        "suggested-account",
        "suggestion-confidence",
    ],
)
def test_metadata_the_import_writes_is_reserved(key: str) -> None:
    assert set(ID_KEYS) <= set(RESERVED_META)
    # `import-id-2` names the row a transfer's second leg came from: a rule setting it would
    # make dedup skip a row that was never imported.
    assert only_problem(f"""\
        rules:
          - when: {{payee: 支付宝}}
            account: Assets:1012-其他货币资金:支付宝
            meta:
              {key}: x
        """) == (
        f"{CLIENT_FILE}:5: `{key}` is written by the importers or the suggestions; a rule may "
        "not set it."
    )


def test_review_must_be_a_boolean_and_lists_must_not_be_empty() -> None:
    assert problems_of("""\
        rules:
          - when:
              payee: []
            account: Expenses:5602-管理费用:办公费
            review: 是
        """) == [
        f"{CLIENT_FILE}:3: `when: payee` is an empty list; give at least one value.",
        f"{CLIENT_FILE}:5: `review` must be true or false.",
    ]


def test_suggestion_settings() -> None:
    assert problems_of("""\
        suggestions:
          min-count: 0
          min-share: 0.5
          enabled: sometimes
          aply: true
        """) == [
        f"{CLIENT_FILE}:2: `min-count` must be a whole number, 1 or more.",
        (
            f"{CLIENT_FILE}:3: `min-share` is '0.5'; write a fraction above 0.5 and at most 1, "
            "like 0.8 (one account must hold that share of the past entries)."
        ),
        f"{CLIENT_FILE}:4: `suggestions: enabled` must be true or false.",
        (
            f"{CLIENT_FILE}:5: unknown key 'aply' in `suggestions`. Did you mean 'apply'? Allowed "
            "keys: enabled, min-count, min-share, apply."
        ),
    ]


def test_only_a_client_may_apply_suggestions() -> None:
    assert only_problem("suggestions: {apply: true}\n", scope="firm").startswith(
        f"{CLIENT_FILE}:1: `apply` books suggestions without a rule, so each client decides it"
    )


def test_a_rule_with_a_problem_is_left_out_and_the_others_kept() -> None:
    rules_file, problems = parse("""\
        rules:
          - when: {payee: 中国移动}
            account: Expenses:5602-管理费用:通讯费
          - when: {payee: 滴滴, direction: sideways}
            account: Expenses:5602-管理费用:差旅费
        """)
    assert [r.source for r in rules_file.rules] == [f"{CLIENT_FILE}:2"]
    assert len(problems) == 1


def _practice(tmp_path: Path, firm: str | None, client: str | None) -> Path:
    folder = tmp_path / "ledgers" / "huamei"
    folder.mkdir(parents=True)
    if firm is not None:
        (tmp_path / "rules.yaml").write_text(dedent(firm), encoding="utf-8")
    if client is not None:
        (folder / "rules.yaml").write_text(dedent(client), encoding="utf-8")
    return tmp_path


def test_load_ruleset_reports_every_problem_of_both_files(tmp_path: Path) -> None:
    root = _practice(
        tmp_path,
        firm="""\
            rules:
              - when: {payee: 滴滴}
                account: Expenses:差旅费
            """,
        client="""\
            rules:
              - when: {payee: 中国移动, direction: up}
                account: Expenses:5602-管理费用:通讯费
            """,
    )
    with pytest.raises(ConfigError) as caught:
        load_ruleset(root, "huamei")
    message = str(caught.value)
    assert message.startswith("The categorization rules of huamei have 2 problems;")
    assert f"  {CLIENT_FILE}:2: `when: direction` is 'up'" in message
    assert "  rules.yaml:3: 'Expenses:差旅费' is not an account name" in message


def test_load_ruleset_puts_the_client_first_and_merges_settings(tmp_path: Path) -> None:
    root = _practice(
        tmp_path,
        firm="""\
            rules:
              - when: {payee: 滴滴}
                account: Expenses:5602-管理费用:差旅费
            suggestions: {min-count: 5, min-share: 0.9}
            """,
        client="""\
            rules:
              - when: {payee: 滴滴}
                account: Expenses:5601-销售费用:差旅费
            suggestions: {min-count: 4, apply: true}
            """,
    )
    ruleset = load_ruleset(root, "huamei")
    assert [r.source for r in ruleset.rules] == [f"{CLIENT_FILE}:2", "rules.yaml:2"]
    assert ruleset.suggestions.min_count == 4
    assert ruleset.suggestions.min_share == Decimal("0.9")
    assert ruleset.suggestions.apply is True


def test_load_ruleset_without_any_rules_file(tmp_path: Path) -> None:
    ruleset = load_ruleset(_practice(tmp_path, None, None), "huamei")
    assert ruleset.rules == ()


def test_load_ruleset_refuses_an_unknown_client_and_a_non_utf8_file(tmp_path: Path) -> None:
    root = _practice(tmp_path, None, None)
    with pytest.raises(ConfigError, match=r"No ledger folder ledgers/\.\./"):
        load_ruleset(root, "..")
    (root / "rules.yaml").write_bytes("rules: []  # 规则\n".encode("gbk"))
    with pytest.raises(ConfigError) as caught:
        load_ruleset(root, "huamei")
    assert "rules.yaml: not valid UTF-8" in str(caught.value)
