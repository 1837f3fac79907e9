r"""A rule made from one row while categorizing: its YAML, added to the client's rules file.

`add_rule` returns the client's `rules.yaml` with a new rule after the client's last one (so
that the rules it has keep their precedence), parsed back and validated as `beanfirm import`
would read it. The rule matches the row's payee (its narration when it has no payee) as a
substring (one that starts and ends with `/` is written as the regular expression that finds
it literally, `/\/杂货\//`, since `/杂货/` would be read as a regex), in the row's direction,
and books to the account a person chose:

    - name: 中国石化
      when:
        payee: 中国石化
        direction: out
      account: Expenses:5602-管理费用:差旅费
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from beanfirm.core.textmatch import written_substring
from beanfirm.errors import Problem
from beanfirm.rules.rulesfile import Rule, RulesFile, parse_rules

EMPTY_FILE = "rules: []\n"


class RuleError(ValueError):
    """A rule that cannot be added; the message says why and what to do."""


@dataclass(frozen=True)
class NewRule:
    """What a person asks for: a rule for rows like this one."""

    name: str
    field: str  # `payee` or `narration`
    pattern: str
    direction: str  # `in` or `out`
    account: str

    def yaml(self, indent: int) -> str:
        """Return the rule as an item of the `rules:` list, indented by `indent` spaces."""
        pad = " " * indent

        def scalar(value: str) -> str:
            dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000)
            return dumped.removesuffix("\n...\n").strip()

        return (
            f"{pad}- name: {scalar(self.name)}\n"
            f"{pad}  when:\n"
            f"{pad}    {self.field}: {scalar(written_substring(self.pattern))}\n"
            f"{pad}    direction: {self.direction}\n"
            f"{pad}  account: {scalar(self.account)}\n"
        )


def add_rule(text: str | None, filename: str, new: NewRule) -> tuple[str, Rule, RulesFile]:
    """Return the file's text with the rule added, the rule as parsed, and the parsed file.

    Raises RuleError when the file does not parse, or when the rule read back is not the one
    asked for (a pattern YAML would read otherwise).
    """
    text = text if text and text.strip() else EMPTY_FILE
    before, problems = parse_rules(text, filename)
    if problems:
        raise RuleError(_problems(filename, problems))
    node = yaml.compose(text)
    rules = _rules_node(node)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if rules is None:  # no `rules:` key: add one at the end
        updated = "".join(lines) + "rules:\n" + new.yaml(2)
    elif isinstance(rules, yaml.SequenceNode) and rules.value and not rules.flow_style:
        last = rules.value[-1]
        end = last.end_mark.line if last.end_mark.column == 0 else last.end_mark.line + 1
        while end > 0 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1  # comments and blank lines after the last rule belong to what follows
        indent = rules.value[0].start_mark.column - 2
        lines.insert(end, new.yaml(max(indent, 0)))
        updated = "".join(lines)
    elif isinstance(rules, yaml.SequenceNode) and not rules.value:  # `rules: []`
        start, stop = rules.start_mark, rules.end_mark
        if start.line != stop.line:
            raise RuleError(f"{filename}:{start.line + 1}: write `rules: []` on one line.")
        line = lines[start.line]
        lines[start.line] = (
            line[: start.column].rstrip() + "\n" + new.yaml(2) + line[stop.column :].lstrip()
        )
        updated = "".join(lines)
    else:
        msg = (
            f"{filename}:{rules.start_mark.line + 1}: the rules are not a list this command can "
            "add to (write them one per line, as in docs/rules.md), or add the rule by hand."
        )
        raise RuleError(msg)
    after, problems = parse_rules(updated, filename)
    if problems:
        raise RuleError(_problems(filename, problems))
    known = {rule.source for rule in before.rules}
    added = [rule for rule in after.rules if rule.source not in known]
    if (
        len(after.rules) != len(before.rules) + 1
        or len(added) != 1
        or added[0].account != new.account
    ):
        msg = f"{filename}: the new rule did not read back as written; add it by hand."
        raise RuleError(msg)
    return updated, added[0], after


def _rules_node(node: yaml.Node | None) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "rules":
            found: yaml.Node = value
            return found
    return None


def _problems(filename: str, problems: list[Problem]) -> str:
    listed = "; ".join(str(problem) for problem in problems)
    return f"{filename} has mistakes, so no rule can be added to it: {listed}. Fix them first."
