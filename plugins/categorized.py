"""Every entry categorized in time, on a leaf account of the chart, with the metadata it needs.

What it checks, in the transactions of a ledger:

1. No posting stays in a suspense account (`Expenses:Uncategorized`, `Income:Uncategorized`
   or their sub-accounts, or the accounts configured) and no transaction or posting stays
   flagged `!` beyond a grace period after its date. Within the grace period the entry is a
   `CategorizedWarning` (work in progress); after it, a `CategorizedError`.
2. Postings go to leaf accounts: an account the chart opens sub-accounts under is a heading,
   not a place for entries. (Accounts the chart does not open at all are already Beancount's
   own errors.)
3. Required metadata by account pattern or tag: by default a posting to a receivable needs an
   `^INV-…` link, a posting to a payable a `^BILL-…` link, and a `#visit` transaction needs
   `customer:` and `visit:` metadata. Receivables and payables are the accounts under the roots
   of the ledger's `receivables` plugin line (its defaults when there is none), so that a
   ledger sets its roots once. The month-end revaluation (`#revaluation`, docs/close.md)
   restates a foreign balance in the client's currency and needs no link or metadata.

Why: an import books what it cannot recognize to a suspense account with flag `!`; the books
are not finished until a preparer has categorized it, and reports built on them (aging,
statements, visits per customer) rely on the links and metadata.

Configuration (a Python dict literal; every key optional, see docs/plugins/categorized.md):
`grace-days` (45), `today` ('YYYY-MM-DD', default the current date), `suspense` (a list of
accounts), `within-grace` ('warning' or 'ignore'), `leaf-only` (True), `require` (a list of
rules `{'account': REGEX or 'tag': TAG, 'link': PREFIX and/or 'meta': [KEYS], 'hint': TEXT}`,
replacing the default rules).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from beancount.core import data

from beanfirm.core.beans import Entries, Options
from beanfirm.plugins import receivables
from beanfirm.plugins.config import ConfigReader, plugin
from beanfirm.plugins.postings import is_revaluation
from beanfirm.plugins.severity import CategorizedError, CategorizedWarning, Finding, source_of

__plugins__ = ("categorized",)

MODULE = "beanfirm.plugins.categorized"
KEYS = ("grace-days", "today", "suspense", "within-grace", "leaf-only", "require")
RULE_KEYS = ("account", "tag", "link", "meta", "hint")
DEFAULT_GRACE_DAYS = 45
DEFAULT_SUSPENSE = ("Expenses:Uncategorized", "Income:Uncategorized")
VISIT_RULE: dict[str, str | list[str]] = {
    "tag": "visit",
    "meta": ["customer", "visit"],
    "hint": "customer: the customer visited, visit: an id shared by all expenses of one visit",
}
MAX_CHILDREN_SHOWN = 3


@dataclass(frozen=True)
class Requirement:
    """A rule: postings to matching accounts, or transactions with a tag, need links or keys."""

    account: re.Pattern[str] | None
    tag: str | None
    link: str | None
    meta: tuple[str, ...]
    hint: str


@dataclass(frozen=True)
class Settings:
    """The validated configuration."""

    grace_days: int
    today: datetime.date
    suspense: tuple[str, ...]
    within_grace: str
    leaf_only: bool
    require: tuple[Requirement, ...] | None  # None: the default rules, on the ledger's roots


@dataclass(frozen=True)
class _AccountRules:
    """What applies to postings to one account (computed once per account)."""

    suspense: bool
    children: tuple[str, ...]
    require: tuple[Requirement, ...]


_NOTHING = _AccountRules(suspense=False, children=(), require=())


def read_settings(config: str | None) -> tuple[Settings, list[str]]:
    """Validate the configuration string; return the settings and every problem."""
    reader = ConfigReader(config, KEYS)
    settings = Settings(
        grace_days=reader.integer("grace-days", DEFAULT_GRACE_DAYS),
        today=reader.date("today", datetime.date.today()),  # noqa: DTZ011 - the books' local day
        suspense=reader.strings("suspense", DEFAULT_SUSPENSE),
        within_grace=reader.choice("within-grace", "warning", ("warning", "ignore")),
        leaf_only=reader.boolean("leaf-only", default=True),
        require=_requirements(reader, reader.raw["require"]) if "require" in reader.raw else None,
    )
    return settings, reader.problems


def default_rules(options_map: Options) -> tuple[Requirement, ...]:
    """Return the default rules, on the receivable and payable roots of the ledger.

    The roots are those of the ledger's `receivables` plugin line (its defaults when there is
    none, or when its configuration is wrong, which that plugin reports).
    """
    found = receivables.settings_of(options_map)
    return (
        Requirement(
            _under(found.receivable),
            None,
            found.invoice_prefix,
            (),
            "the link of the invoice it belongs to; a payment carries the link of the invoice "
            "it settles",
        ),
        Requirement(
            _under(found.payable),
            None,
            found.bill_prefix,
            (),
            "the link of the bill it belongs to; a payment carries the link of the bill it settles",
        ),
        Requirement(None, "visit", None, ("customer", "visit"), str(VISIT_RULE["hint"])),
    )


def _under(roots: tuple[str, ...]) -> re.Pattern[str]:
    """Match the accounts that start with one of the roots (prefixes, as the plugin has them)."""
    return re.compile("|".join(re.escape(root) for root in roots) or "(?!)")


def _requirements(reader: ConfigReader, rules: object) -> tuple[Requirement, ...]:
    if not isinstance(rules, list | tuple):
        reader.problems.append(f"'require' must be a list of rules (dicts); got {rules!r}")
        return ()
    found = []
    for number, rule in enumerate(rules, 1):
        what = f"rule {number} of 'require'"
        if not isinstance(rule, dict) or any(key not in RULE_KEYS for key in rule):
            reader.problems.append(
                f"{what} must be a dict with the keys {', '.join(RULE_KEYS)}; got {rule!r}"
            )
            continue
        if ("account" in rule) == ("tag" in rule):
            reader.problems.append(f"{what} needs exactly one of 'account' (a regex) or 'tag'")
            continue
        if "link" not in rule and "meta" not in rule:
            reader.problems.append(f"{what} requires nothing: give it 'link' and/or 'meta'")
            continue
        account = reader.pattern(str(rule["account"]), what) if "account" in rule else None
        link, tag, hint = rule.get("link"), rule.get("tag"), rule.get("hint", "")
        if not all(isinstance(v, str) for v in (link or "", tag or "", hint)):
            reader.problems.append(f"{what}: 'link', 'tag' and 'hint' must be strings")
            continue
        meta = reader.string_list(rule.get("meta", []), f"{what} 'meta'")
        if "account" in rule and account is None:
            continue
        found.append(Requirement(account, tag, link, meta, hint))
    return tuple(found)


@plugin(MODULE, read_settings)
def categorized(
    entries: Entries, options_map: Options, settings: Settings
) -> tuple[Entries, list[Finding]]:
    """Check categorization, leaf accounts and required metadata (see the module docstring)."""
    require = settings.require if settings.require is not None else default_rules(options_map)
    checker = _Checker(settings, require, _opened_children(entries) if settings.leaf_only else {})
    findings: list[Finding] = []
    for entry in entries:
        if isinstance(entry, data.Transaction):
            checker.check(entry, findings)
    return entries, findings


class _Checker:
    """Checks one transaction at a time, with what applies to each account worked out once."""

    def __init__(
        self,
        settings: Settings,
        require: tuple[Requirement, ...],
        children: dict[str, list[str]],
    ) -> None:
        self.settings = settings
        self.require = require
        self.children = children
        self.rules: dict[str, _AccountRules] = {}
        self.tag_rules = [rule for rule in require if rule.tag is not None]

    def check(self, entry: data.Transaction, findings: list[Finding]) -> None:
        """Append the findings of one transaction."""
        unmet: list[tuple[Requirement, data.Posting | None]] = []
        suspense_posting, flagged = self._postings(entry, findings, unmet)
        if suspense_posting is not None or flagged:
            finding = _uncategorized(entry, suspense_posting, self.settings)
            if finding is not None:
                findings.append(finding)
        if self.tag_rules and entry.tags:
            unmet.extend(
                (rule, None)
                for rule in self.tag_rules
                if rule.tag in entry.tags and not _satisfied(rule, entry, None)
            )
        if unmet and not is_revaluation(entry):  # no one's invoice or bill: no link to need
            findings.extend(_missing(entry, unmet))

    def _postings(
        self,
        entry: data.Transaction,
        findings: list[Finding],
        unmet: list[tuple[Requirement, data.Posting | None]],
    ) -> tuple[data.Posting | None, bool]:
        """Check each posting; return the first suspense posting and whether any is flagged."""
        suspense_posting = None
        flagged = entry.flag == "!"
        for posting in entry.postings:
            account = posting.account
            applies = self.rules.get(account)
            if applies is None:
                applies = self.rules[account] = _account_rules(
                    account, self.settings, self.require, self.children
                )
            if posting.flag == "!":
                flagged = True
            if applies is _NOTHING:
                continue
            if applies.suspense and suspense_posting is None:
                suspense_posting = posting
            if applies.children:
                findings.append(_not_a_leaf(entry, posting, applies.children))
            unmet.extend(
                (rule, posting) for rule in applies.require if not _satisfied(rule, entry, posting)
            )
        return suspense_posting, flagged


def _opened_children(entries: Entries) -> dict[str, list[str]]:
    """Map each opened account to the opened accounts directly or further below it."""
    opened = {entry.account for entry in entries if isinstance(entry, data.Open)}
    below: dict[str, list[str]] = {}
    for account in sorted(opened):
        parts = account.split(":")
        for depth in range(1, len(parts)):
            parent = ":".join(parts[:depth])
            if parent in opened:
                below.setdefault(parent, []).append(account)
    return below


def _account_rules(
    account: str,
    settings: Settings,
    rules: tuple[Requirement, ...],
    children: dict[str, list[str]],
) -> _AccountRules:
    suspense = any(account == s or account.startswith(s + ":") for s in settings.suspense)
    require = tuple(rule for rule in rules if rule.account and rule.account.match(account))
    below = tuple(children.get(account, ()))
    if not (suspense or require or below):
        return _NOTHING
    return _AccountRules(suspense, below, require)


def _uncategorized(
    entry: data.Transaction, posting: data.Posting | None, settings: Settings
) -> Finding | None:
    deadline = entry.date + datetime.timedelta(days=settings.grace_days)
    grace = f"the grace period of {settings.grace_days} days"
    source = source_of(entry.meta)
    if posting is not None:
        what = f"{posting.account} {posting.units}"
        fix = "book it to its real account and flag the transaction '*'"
        late, waiting = f"{what} is still uncategorized", f"{what} awaits categorization"
    else:
        fix = "review it, correct it if needed and flag it '*'"
        late = "This transaction is still flagged '!'"
        waiting = "This transaction is flagged '!' for review"
    if settings.today > deadline:
        age = (settings.today - entry.date).days
        message = f"{late} {age} days after its date, beyond {grace} (it ended {deadline}); {fix}."
        return CategorizedError(source, message, entry, backlog=True)
    if settings.within_grace == "ignore":
        return None
    return CategorizedWarning(source, f"{waiting}; {fix} by {deadline} ({grace}).", entry)


def _not_a_leaf(
    entry: data.Transaction, posting: data.Posting, children: tuple[str, ...]
) -> Finding:
    shown = ", ".join(children[:MAX_CHILDREN_SHOWN])
    extra = len(children) - MAX_CHILDREN_SHOWN
    more = f" and {extra} more" if extra > 0 else ""
    return CategorizedError(
        source_of(posting.meta),
        f"Posting to {posting.account}, which is a heading, not a leaf: the chart opens "
        f"{shown}{more} under it; post to the sub-account that fits.",
        entry,
    )


def _missing(
    entry: data.Transaction, required: list[tuple[Requirement, data.Posting | None]]
) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[int] = set()
    for rule, posting in required:
        if id(rule) in seen:
            continue
        lacking = []
        if rule.link and not any(link.startswith(rule.link) for link in entry.links):
            lacking.append(f"a ^{rule.link}… link")
        keys = [key for key in rule.meta if not _has_meta(entry, posting, key)]
        if keys:
            lacking.append("metadata " + " and ".join(f"{key}:" for key in keys))
        if not lacking:
            continue
        seen.add(id(rule))
        subject = (
            f"A transaction tagged #{rule.tag}"
            if posting is None
            else f"A transaction posting to {posting.account}"
        )
        hint = f" ({rule.hint})" if rule.hint else ""
        findings.append(
            CategorizedError(
                source_of(entry.meta),
                f"{subject} needs {' and '.join(lacking)}; add it to the transaction{hint}.",
                entry,
            )
        )
    return findings


def _satisfied(rule: Requirement, entry: data.Transaction, posting: data.Posting | None) -> bool:
    prefix = rule.link
    if prefix:
        for link in entry.links:  # a loop, not any(): this runs for most postings
            if link.startswith(prefix):
                break
        else:
            return False
    return not rule.meta or all(_has_meta(entry, posting, key) for key in rule.meta)


def _has_meta(entry: data.Transaction, posting: data.Posting | None, key: str) -> bool:
    if entry.meta and key in entry.meta:
        return True
    postings = entry.postings if posting is None else [posting]
    return any(p.meta and key in p.meta for p in postings)
