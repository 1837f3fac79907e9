"""The queue of `beanfirm categorize -i`: each row left, its suggestion, and a person's decision.

Keys: Enter or `a` accepts the suggestion (Enter chooses an account when there is none), `c`
chooses an account of the client's chart, `r` makes a rule from the row (added to the client's
rules file; it books this row and the rows below it that it matches), `s` skips, `q` quits
(asking whether to save what was decided). Choosing an account: type its full name, or any
part of it (`通讯`, `telecom`): one match is taken, several are listed and a number picks one;
`?` lists the whole chart. On a terminal, Tab completes account names (readline).
Nothing is written here: the decisions go back to the command, which writes them in one commit.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal

import click

from beanfirm.cli.output import echo
from beanfirm.core import paths
from beanfirm.jobs.categorizing import Choices, Survey
from beanfirm.rules.categorize import RuleSet
from beanfirm.rules.newrule import NewRule, RuleError, add_rule
from beanfirm.rules.rulesfile import CATEGORIZED_BY
from beanfirm.rules.waiting import (
    Booking,
    Left,
    booked_by_person,
    with_client_rules,
)

KEYS = "Enter/a accept · c choose an account · r make a rule · s skip · q quit"
LISTED = 30  # accounts listed at most when a fragment matches many


class Quit(Exception):  # noqa: N818 - quitting is no error
    """The person quit the queue."""


@dataclass
class Session:
    """The decisions of one queue: bookings, and the client's rules file as it grows."""

    survey: Survey
    staff: str
    rules_before: str | None
    rules_text: str | None
    ruleset: RuleSet
    bookings: list[Booking] = field(default_factory=list)
    rules_made: int = 0
    listed: list[str] = field(default_factory=list)

    def choices(self) -> Choices:
        """Return what was decided, for the write."""
        changed = self.rules_made > 0
        return Choices(
            tuple(self.bookings),
            rules_before=self.rules_before,
            rules_after=self.rules_text if changed else None,
            rules_made=self.rules_made,
        )


def run_queue(survey: Survey, staff: str, rules_text: str | None) -> Choices | None:
    """Ask about each row left; return the decisions to save, or None to save nothing.

    Ctrl-C or the end of input saves nothing (click.Abort goes up to the command).
    """
    session = Session(survey, staff, rules_text, rules_text, survey.ruleset)
    queue = list(survey.left)
    _complete_with(survey.chart)
    total = len(queue)
    position = 0
    try:
        while queue:
            left = queue.pop(0)
            position += 1
            _ask(session, left, f"[{position}/{total}]", queue)
    except Quit:
        if not session.bookings and not survey.booked:
            echo("Nothing decided; nothing to save.")
            return None
        count = len(session.bookings) + len(survey.booked)
        if not click.confirm(
            f"Save the {count} booking(s) decided so far in one commit?", default=True
        ):
            echo("Nothing was saved.")
            return None
    return session.choices()


def _ask(session: Session, left: Left, counter: str, queue: list[Left]) -> None:
    item = left.waiting
    txn = item.txn
    number, currency = item.amount
    amount = f"{number} {currency}" if number is not None else "(amount left out)"
    echo("")
    echo(f"{counter} {txn.date} {txn.payee or ''} | {txn.narration} | {amount}")
    echo(f"    {session.survey.where(item)}: on {item.account}; {left.decision.reason}")
    suggestion = left.decision.suggestion or left.hint
    suggested = suggestion.account if suggestion else None
    if suggestion is not None:
        evidence = f"{suggestion.describe()} went there"
        echo(f"    suggestion: {suggested} (confidence {suggestion.confidence}: {evidence})")
    else:
        echo("    suggestion: none")
    while not _answer(session, left, suggested, queue):
        pass


def _answer(session: Session, left: Left, suggested: str | None, queue: list[Left]) -> bool:
    """Ask once; tell whether the row is decided (booked or skipped)."""
    item = left.waiting
    answer = _prompt(KEYS).strip().lower()
    if answer == "a" and suggested is None:
        echo("There is no suggestion to accept: choose an account (c) or skip (s).")
        return False
    if answer in ("", "a") and suggested is not None:
        _book(session, booked_by_person(item, suggested, session.staff))
        return True
    if answer in ("", "c"):
        account = _choose_account(session, suggested)
        if account is None:
            return False
        _book(session, booked_by_person(item, account, session.staff))
        return True
    if answer == "r":
        return _make_rule(session, left, suggested, queue)
    if answer == "s":
        echo("    skipped: left on " + item.account)
        return True
    if answer == "q":
        raise Quit
    echo(f"'{answer}' is not a key here. {KEYS}.")
    return False


def _prompt(text: str, default: str = "") -> str:
    """Ask; when the answers come from a pipe, show each, so that the output reads as a session."""
    answer = str(click.prompt(text, default=default, show_default=bool(default)))
    if not sys.stdin.isatty():
        click.echo(answer)
    return answer


def _book(session: Session, booking: Booking) -> None:
    session.bookings.append(booking)
    echo(f"    -> {booking.account}")


def _choose_account(session: Session, default: str | None) -> str | None:
    """Ask for an account of the chart; None when the person gives up (an empty answer)."""
    chart = session.survey.chart
    while True:
        prompt = "Account (part of its name, ? lists all, Enter goes back)"
        if default:
            prompt = f"Account (part of its name, ? lists all; Enter takes {default})"
        answer = _prompt(prompt).strip()
        if not answer:
            return default
        if answer == "?":
            _list(session, list(chart))
            continue
        if answer.isdigit() and session.listed:
            index = int(answer) - 1
            if 0 <= index < len(session.listed):
                return session.listed[index]
            echo(f"Give a number from 1 to {len(session.listed)}.")
            continue
        if answer in chart:
            return answer
        folded = answer.casefold()
        found = [account for account in chart if folded in account.casefold()]
        if len(found) == 1:
            return found[0]
        if not found:
            echo(f"No account of the chart contains '{answer}'; ? lists them all.")
            continue
        echo(f"{len(found)} accounts contain '{answer}':")
        _list(session, found)


def _list(session: Session, accounts: list[str]) -> None:
    session.listed = accounts[:LISTED] if len(accounts) > LISTED else accounts
    for number, account in enumerate(session.listed, start=1):
        echo(f"  {number:>3}  {account}")
    if len(accounts) > LISTED:
        echo(f"  ... and {len(accounts) - LISTED} more: type more of the name.")


def _make_rule(session: Session, left: Left, suggested: str | None, queue: list[Left]) -> bool:
    """Make a rule from the row, book the row and those below it that it matches."""
    item = left.waiting
    txn = item.txn
    field_name = "payee" if txn.payee else "narration"
    text = (txn.payee or txn.narration or "").strip()
    pattern = _prompt(f"Rule: {field_name} contains", text).strip()
    if not pattern:
        return False
    account = _choose_account(session, suggested)
    if account is None:
        return False
    number, _currency = item.amount
    direction = "out" if (number or Decimal(0)) > 0 else "in"
    new = NewRule(pattern, field_name, pattern, direction, account)
    filename = paths.rules_file(session.survey.client_id)
    try:
        text_after, rule, parsed = add_rule(session.rules_text, filename, new)
    except RuleError as exc:
        echo(str(exc))
        return False
    ruleset = with_client_rules(session.ruleset, parsed)
    booked, decision = ruleset.categorize(txn)
    if decision.rule != rule.source:
        echo(
            f"The rule would not book this row: {decision.reason}. Choose an account (c), "
            "or edit the rules file by hand."
        )
        return False
    session.rules_text = text_after
    session.ruleset = ruleset
    session.rules_made += 1
    meta = {**(booked.meta or {}), CATEGORIZED_BY: rule.source}
    _book(session, Booking(item, booked._replace(meta=meta), "rule", decision.reason))
    echo(f"    rule added at {rule.source}")
    also = 0
    for other in list(queue):
        booked, decision = ruleset.categorize(other.waiting.txn)
        if decision.rule == rule.source:
            meta = {**(booked.meta or {}), CATEGORIZED_BY: rule.source}
            session.bookings.append(
                Booking(other.waiting, booked._replace(meta=meta), "rule", decision.reason)
            )
            queue.remove(other)
            also += 1
    if also:
        echo(f"    the new rule also books {also} more row(s) of the queue")
    return True


def _complete_with(accounts: tuple[str, ...]) -> None:
    """On a terminal, let Tab complete account names in the prompts (readline)."""
    if not sys.stdin.isatty():
        return
    try:
        import readline  # noqa: PLC0415 - only on a terminal, and not on every platform
    except ImportError:
        return

    def complete(text: str, state: int) -> str | None:
        found = [account for account in accounts if account.startswith(text)]
        return found[state] if state < len(found) else None

    readline.set_completer_delims(" \t\n")
    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")
