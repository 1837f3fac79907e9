"""`beanfirm categorize CLIENT [-i]`: book what the ledger still holds on Uncategorized."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from typing import Any

import click

from beanfirm.cli.categorizequeue import run_queue
from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo, echo_json, echo_table, json_option
from beanfirm.errors import UsageError
from beanfirm.jobs.categorizing import Choices, Survey, rules_text, run_categorize, survey
from beanfirm.rules.waiting import Booking, Left, Waiting, suggestion_of
from beanfirm.store.writes import Stopped, Written

DATE = click.DateTime(["%Y-%m-%d"])
ROWS_SHOWN = 40  # more rows than this are shown in groups: a table of 20,000 rows helps no one
GROUPS_SHOWN = 30


@click.command()
@click.argument("client_id", metavar="CLIENT")
@click.option(
    "--since", type=DATE, default=None, help="Only entries dated on or after this day (YYYY-MM-DD)."
)
@click.option("-i", "--interactive", is_flag=True, help="Then ask about each row left, one by one.")
@click.option("-n", "--dry-run", is_flag=True, help="Check everything and show it; write nothing.")
@json_option()
@click.pass_context
def categorize(
    ctx: click.Context,
    client_id: str,
    since: datetime.datetime | None,
    interactive: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Book the entries of CLIENT still on Uncategorized, by its rules and the firm's.

    Applies the client's rules, then the firm's, then the suggestions of the client's history
    above its threshold (booked with the flag ! kept for a reviewer) to entries already in the
    ledger, as `beanfirm import` applies them to new rows; with -i, asks about each row left.
    Everything is one commit; entries in a locked period are left as they are.
    """
    if as_json and interactive:
        msg = "--json and -i do not go together: the questions would mix with the JSON."
        raise UsageError(msg)
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    repo = repo_of(practice)
    staff = staff_of(ctx, practice, repo)
    day = since.date() if since else None
    choices = None
    if interactive:
        found = survey(practice, client, since=day)
        _print_booked(found, found.booked, "booked by the rules and suggestions")
        _print_locked(found)
        if found.left:
            echo(f"{len(found.left)} row(s) to decide.")
        choices = run_queue(found, staff.id, rules_text(practice, client))
        if choices is None:
            return
    written = run_categorize(
        practice, repo, client, author=author_of(staff), since=day, choices=choices, dry_run=dry_run
    )
    result = written.value
    if as_json:
        echo_json(_as_json(written, result))
        return
    _print_result(written, choices, interactive=interactive)


def _print_result(
    written: Written[Survey] | Stopped[Survey], choices: Choices | None, *, interactive: bool
) -> None:
    """Print what was booked, what is left and what was written (or would be, in a dry run)."""
    result = written.value
    client_id = result.client_id
    if isinstance(written, Stopped):
        if not interactive:
            _print_left(result)
            _print_locked(result)
        echo(f"Nothing to categorize in {client_id}: no rule or suggestion books a row left.")
        _print_passed_over(result.left)
        return
    bookings = [*result.booked, *(choices.bookings if choices else ())]
    if not interactive:
        _print_booked(result, bookings, "booked")
        _print_left(result)
        _print_locked(result)
    by = {how: sum(1 for b in bookings if b.how == how) for how in ("rule", "suggestion", "person")}
    decided = {b.waiting.key for b in bookings}
    left = sum(1 for item in result.left if item.waiting.key not in decided)
    counts = (
        f"{by['rule']} by a rule, {by['suggestion']} by a suggestion, "
        f"{by['person']} by hand; {left} left"
    )
    if choices is not None and choices.rules_made:
        counts += f"; {choices.rules_made} rule(s) added to the client's rules file"
    if written.commit is None:
        what = f"{_entries(len(bookings))} of {client_id} ({counts})"
        echo(f"Dry run: would categorize {what}, writing:")
    else:
        commit = written.commit[:10]
        echo(f"Categorized {_entries(len(bookings))} of {client_id} ({counts}) in commit {commit}:")
    for path in written.paths:
        echo(f"  {path}")
    _print_passed_over([item for item in result.left if item.waiting.key not in decided])
    if left and not interactive:
        echo(f"Decide the rows left with `beanfirm categorize {client_id} -i`.")


def _print_passed_over(left: Sequence[Left]) -> None:
    """Say how many rows left passed over a rule whose account is not open on their day."""
    passed = [item for item in left if item.decision.passed_over]
    if passed:
        echo(
            f"{_entries(len(passed))} left passed over a rule whose account is not open on "
            "the entry's day (closed, or opened later in the chart), as the why column says: "
            "open the account by that day in the chart, or book them by hand (-i)."
        )


def _as_json(written: Written[Survey] | Stopped[Survey], found: Survey) -> dict[str, Any]:
    """Return what was booked and left, each entry with its file:line."""

    def entry(item: Waiting) -> dict[str, Any]:
        number, currency = item.amount
        return {
            "entry": found.where(item),
            "date": item.date.isoformat(),
            "amount": None if number is None else str(number),
            "currency": currency,
            "payee": item.txn.payee,
            "narration": item.txn.narration,
        }

    booked = [
        {
            **entry(b.waiting),
            "by": b.how,
            "source": _by(b),
            "flag": b.booked.flag,
            "account": b.account,
        }
        for b in found.booked
    ]
    left = []
    for item in found.left:
        suggested, confidence = suggestion_of(item)
        left.append(
            {
                **entry(item.waiting),
                "reason": item.decision.reason,
                "passed_over": list(item.decision.passed_over),
                "suggested_account": suggested,
                "suggestion_confidence": None if confidence is None else str(confidence),
            }
        )
    done = written if isinstance(written, Written) else None
    return {
        "client": found.client_id,
        "commit": done.commit if done else None,
        "dry_run": done is not None and done.commit is None,
        "paths": list(done.paths) if done else [],
        "summary": {
            "by_rule": sum(1 for b in found.booked if b.how == "rule"),
            "by_suggestion": sum(1 for b in found.booked if b.how == "suggestion"),
            "left": len(found.left),
            "passed_over": sum(1 for item in found.left if item.decision.passed_over),
            "locked": len(found.locked),
        },
        "locked_through": None if found.locked_through is None else str(found.locked_through),
        "booked": booked,
        "left": left,
    }


def _entries(count: int) -> str:
    return f"{count} entr{'ies' if count != 1 else 'y'}"


def _row(found: Survey, item: Waiting) -> list[str]:
    number, currency = item.amount
    amount = f"{number} {currency}" if number is not None else ""
    txn = item.txn
    return [found.where(item), str(item.date), amount, txn.payee or "", txn.narration or ""]


def _print_booked(found: Survey, bookings: Sequence[Booking], what: str) -> None:
    if not bookings:
        return
    rows = [[*_row(found, b.waiting), _by(b), b.booked.flag or "", b.account] for b in bookings]
    title = f"{found.client_id}: {len(bookings)} {what}"
    if len(rows) <= ROWS_SHOWN:
        columns = ("entry", "date", "amount", "payee", "narration", "by", "flag", "account")
        echo_table(title, columns, rows)
        return
    groups: Counter[tuple[str, ...]] = Counter((row[5], row[6], row[7]) for row in rows)
    _print_groups(f"{title}, by rule and account", ("by", "flag", "account"), groups)


def _by(booking: Booking) -> str:
    meta = booking.booked.meta or {}
    if booking.how == "suggestion":
        return f"suggestion {meta.get('suggestion-confidence', '')}"
    if booking.how == "person":
        return booking.why
    return str(meta.get("categorized-by", ""))


def _print_left(found: Survey) -> None:
    if not found.left:
        return
    title = f"{found.client_id}: {len(found.left)} left for the interactive mode"
    if len(found.left) <= ROWS_SHOWN:
        echo_table(
            title,
            ("entry", "date", "amount", "payee", "narration", "why"),
            [[*_row(found, left.waiting), _why(left)] for left in found.left],
            styles=["yellow"] * len(found.left),
        )
        return
    groups: Counter[tuple[str, ...]] = Counter((_why(left),) for left in found.left)
    _print_groups(f"{title}, by reason", ("why",), groups)


def _print_groups(title: str, columns: tuple[str, ...], groups: Counter[tuple[str, ...]]) -> None:
    """Print the largest groups of many rows, with how many each holds."""
    shown = groups.most_common(GROUPS_SHOWN)
    echo_table(title, (*columns, "entries"), [[*key, str(count)] for key, count in shown])
    rest = len(groups) - len(shown)
    if rest > 0:
        others = sum(groups.values()) - sum(count for _, count in shown)
        echo(f"... and {rest} more group(s) of {_entries(others)}.")


def _why(left: Left) -> str:
    return left.decision.reason.removeprefix("no rule matched; ")


def _print_locked(found: Survey) -> None:
    if found.locked:
        echo(
            f"{len(found.locked)} uncategorized entr{'ies' if len(found.locked) != 1 else 'y'} "
            f"dated in the period locked through {found.locked_through} left as they are; a "
            "partner can reopen the period (`beanfirm reopen`) to categorize them."
        )
