"""Kill every write command at random moments, and run writes at once, then prove nothing broke.

For each write command (`import`, `clients add`, `reconcile`, `statement --all-customers`,
`dunning`, `opening`, `clients adopt`), `--trials` times: start it on a small generated
practice (`opening` on a new client it adds first), wait a random time within what the
command takes, and `kill -9` it (on even trials its whole process group, so a
`git add` or `git commit` it runs dies too; on odd trials the beanfirm process only, so its
git runs on as an orphan). Then run the same command again with new input (the next write),
and assert: the killed write made exactly one commit or none; the next write succeeds; nothing
is staged, nothing uncommitted, no lock file of git's and no write intent is left;
`beanfirm check` is clean; a killed statement or dunning run left the files of a whole run or
none, and no scratch folder. Then `--concurrent` imports into as many clients at once:
each must succeed, one commit each, nothing staged, `beanfirm check` clean.

    .venv/bin/python benchmarks/bench_crashes.py [--trials 50] [--concurrent 40]
        [--commands import,add,reconcile,statement,dunning,opening,adopt] [--seed 14] [--json]

It prints one row per command and exits 1 if any trial failed (tests/test_crashes.py runs a
short version). The figures are in docs/writes.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
BEANFIRM = str(BIN / "beanfirm")
ALIPAY = "Assets:Alipay"
ALIPAY_HEADER = (
    "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,"
    "商家订单号,备注,\n"
)
STATEMENT_DAY = "2025-10-31"
# The books are opened at the end of last month, so that the bank account is reconciled to
# date (`beanfirm check` is clean) whenever the benchmark runs.
OPENING_DAY = str(
    datetime.datetime.now(datetime.UTC).date().replace(day=1) - datetime.timedelta(days=1)
)
# The customers and vendor of docs/examples/qinghe-open-items.csv, as docs/opening.md opens them.
OPENING_PARTIES = f"""
{OPENING_DAY} open Assets:1122-应收账款:西湖酒店 CNY
  name: "杭州西湖酒店有限公司"
  terms-days: 30
{OPENING_DAY} open Assets:1122-应收账款:龙井茶庄 CNY
  name: "龙井茶庄"
  terms-days: 30
{OPENING_DAY} open Liabilities:2202-应付账款:茶农合作社 CNY
  name: "梅家坞茶农合作社"
"""
COMMANDS = ("import", "add", "reconcile", "statement", "dunning", "opening", "adopt")
ENV = {"BEANFIRM_STAFF": "chen", "GIT_CONFIG_NOSYSTEM": "1", "TZ": "UTC"}


@dataclass
class Figures:
    """What the trials of one command saw."""

    command: str
    trials: int = 0
    killed: int = 0  # still running when killed (the others had finished)
    commits_after_kill: dict[int, int] = field(default_factory=dict)  # new commits -> trials
    git_lock_left: int = 0  # a git lock file was there after the kill
    intent_left: int = 0  # a write intent was there after the kill (settled by the next write)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command with the benchmark's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEANFIRM_", "GIT_"))}
    proc = subprocess.run(
        list(args), cwd=cwd, env={**env, **ENV}, capture_output=True, text=True, check=False
    )
    if check and proc.returncode != 0:
        msg = f"{' '.join(args)} exited {proc.returncode}: {proc.stderr}"
        raise RuntimeError(msg)
    return proc


def git(folder: Path, *args: str) -> str:
    """Run git in the practice."""
    return run("git", *args, cwd=folder).stdout


def commit_all(folder: Path, message: str) -> None:
    """Commit everything in the practice, as someone working by hand."""
    git(folder, "add", "--all")
    git(
        folder,
        "-c",
        "user.name=Bench",
        "-c",
        "user.email=bench@example.invalid",
        "commit",
        "-qm",
        message,
    )


def make_practice(folder: Path, clients: int) -> list[str]:
    """Generate a small practice and give each client an Alipay account; return the ids."""
    run(
        BEANFIRM,
        "generate",
        str(folder),
        "--clients",
        str(clients),
        "--transactions",
        "50",
        "--months",
        "1",
        "--start",
        "2025-10-01",
        cwd=folder.parent,
    )
    registry = folder / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    entry = f"  accounts:\n  - account: {ALIPAY}\n    kind: payment\n    importer: alipay\n"
    registry.write_text(text.replace("  accounts:\n", entry), encoding="utf-8")
    ids = re.findall(r"^- id: (\S+)$", text, re.MULTILINE)
    for client in ids:
        with (folder / "ledgers" / client / "accounts.beancount").open("a", encoding="utf-8") as f:
            f.write(f"\n2025-10-01 open {ALIPAY} CNY\n")
    commit_all(folder, "An Alipay account for each client")
    return ids


def alipay_export(folder: Path, number: int) -> Path:
    """An Alipay export of two rows no other export has (its order numbers are `number`'s)."""
    day = f"2025-10-{10 + number % 15:02d}"
    rows = [
        (
            f"{day} 10:{number % 60:02d}:00,其他,供应商{number},/,货款,支出,"
            f"{number % 900 + 1}.{number % 100:02d},余额,交易成功,BENCH{number:06d}A\t,,,\n"
        ),
        (
            f"{day} 11:{number % 60:02d}:00,其他,客户{number},/,货款,收入,"
            f"{number % 700 + 2}.{number % 97:02d},余额,交易成功,BENCH{number:06d}B\t,,,\n"
        ),
    ]
    path = folder / f"alipay-{number}.csv"
    trailer = "-" * 60 + f"\n共{len(rows)}笔记录\n"
    text = "支付宝交易记录明细查询\n" + ALIPAY_HEADER + "".join(rows) + trailer
    path.write_text(text, encoding="utf-8")
    return path


def alipay_balance(practice: Path, client: str) -> str:
    """The balance of a client's Alipay account, from its ledger as committed."""
    from beancount import loader  # noqa: PLC0415 - only the reconcile trials need it
    from beancount.core.data import Transaction  # noqa: PLC0415

    main = practice / "ledgers" / client / "main.beancount"
    entries, _errors, _options = loader.load_file(str(main))
    total = sum(
        (
            posting.units.number
            for entry in entries
            if isinstance(entry, Transaction)
            for posting in entry.postings
            if posting.account == ALIPAY and posting.units and posting.units.number is not None
        ),
        start=0,
    )
    return f"{total:.2f}"


class Commands:
    """The argument lists of each command's n-th run, on one practice."""

    def __init__(self, practice: Path, clients: list[str], scratch: Path) -> None:
        self.practice = practice
        self.clients = clients
        self.scratch = scratch

    def argv(self, command: str, number: int) -> list[str]:
        """Return the command line of the `number`-th run of `command` (new input each time).

        `opening` first adds a new client, committed, to open the books of.
        """
        client = self.clients[number % len(self.clients)]
        if command == "import":
            export = alipay_export(self.scratch, number)
            return [BEANFIRM, "import", client, str(export), "--account", ALIPAY]
        if command == "add":
            return [
                BEANFIRM,
                "clients",
                "add",
                f"new-{number}",
                "--name",
                f"新客户{number}",
                "--industry",
                "retail",
                "--frequency",
                "low",
                "--region",
                "shanghai",
                "--size",
                "micro",
                "--preparer",
                "li",
                "--reviewer",
                "wang",
                "--opened",
                "2025-01-01",
            ]
        if command == "reconcile":
            client = self.clients[0]
            month = 11 + (number // 28) % 2  # November or December: after every import
            day = f"2025-{month}-{1 + number % 28:02d}"
            return [
                BEANFIRM,
                "reconcile",
                client,
                "--account",
                ALIPAY,
                "--balance",
                alipay_balance(self.practice, client),
                "--date",
                day,
            ]
        if command == "opening":
            return [
                BEANFIRM,
                "opening",
                self.new_client_to_open(number),
                str(EXAMPLES / "qinghe-tb.csv"),
                "--date",
                OPENING_DAY,
                "--column",
                "closing",
                "--open-items",
                str(EXAMPLES / "qinghe-open-items.csv"),
            ]
        if command == "adopt":
            return [
                BEANFIRM,
                "clients",
                "adopt",
                f"adopted-{number}",
                str(EXAMPLES / "lanting" / "lanting.beancount"),
                "--industry",
                "design",
                "--frequency",
                "low",
                "--region",
                "zhejiang",
                "--size",
                "micro",
                "--preparer",
                "li",
                "--reviewer",
                "wang",
            ]
        if command == "statement":
            return [
                BEANFIRM,
                "statement",
                self.clients[1],
                "--all-customers",
                "--format",
                "csv",
                "--to",
                STATEMENT_DAY,
                "-o",
                str(self.scratch / "statements"),
            ]
        return [BEANFIRM, "dunning", self.clients[1], "-o", str(self.scratch / "dunning")]

    def new_client_to_open(self, number: int) -> str:
        """Add a client opened on `OPENING_DAY`, with the parties of the open items; its id."""
        client = f"opened-{number}"
        run(
            BEANFIRM,
            "clients",
            "add",
            client,
            "--name",
            f"青禾{number}",
            "--industry",
            "food",
            "--frequency",
            "low",
            "--region",
            "zhejiang",
            "--size",
            "micro",
            "--preparer",
            "li",
            "--reviewer",
            "wang",
            "--opened",
            OPENING_DAY,
            "--account",
            "Assets:1002-银行存款:工商银行,bank,icbc-debit,6222020200005678",
            cwd=self.practice,
        )
        with (self.practice / "ledgers" / client / "accounts.beancount").open(
            "a", encoding="utf-8"
        ) as f:
            f.write(OPENING_PARTIES)
        commit_all(self.practice, f"{client}: its customers and vendor")
        return client

    def output(self, command: str) -> Path | None:
        """Return the folder a file-writing command writes (None for one that commits)."""
        if command in {"statement", "dunning"}:
            return self.scratch / command
        return None


def files_of(folder: Path) -> dict[str, int]:
    """Every file under a folder, by relative path: its inode (a file moved in is a new one)."""
    if not folder.exists():
        return {}
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): p.stat().st_ino for p in files}


def whole_or_none(before: dict[str, int], after: dict[str, int]) -> bool:
    """Whether a folder holds the batch it held, or a whole new one (every file replaced).

    Reminders carry a random MIME boundary, so a new batch differs from the old in bytes:
    what tells is whether each file was moved in by the same run.
    """
    replaced = [name for name in after if after[name] != before.get(name)]
    return not replaced or (sorted(after) == sorted(before) and len(replaced) == len(after))


def leftovers(practice: Path) -> list[str]:
    """What must not be there between writes: git's lock files, intents, uncommitted files."""
    found = [f"git lock {p.relative_to(practice)}" for p in git_locks(practice)]
    intents = practice / ".git/beanfirm/intents"
    if intents.is_dir():
        found += [f"intent {p.name}" for p in intents.iterdir() if not p.name.startswith(".")]
    staged = git(practice, "diff", "--cached", "--name-only")
    found += [f"staged {line}" for line in staged.splitlines()]
    status = git(practice, "status", "--porcelain", "--untracked-files=all")
    found += [f"uncommitted {line}" for line in status.splitlines()]
    return found


def git_locks(practice: Path) -> list[Path]:
    """Git's lock files in the practice: the index's, HEAD's, the refs'."""
    return [*(practice / ".git").glob("*.lock"), *(practice / ".git/refs").rglob("*.lock")]


def commits(practice: Path) -> int:
    """The number of commits on HEAD."""
    return int(git(practice, "rev-list", "--count", "HEAD"))


def kill_trial(
    commands: Commands,
    command: str,
    number: int,
    duration: float,
    rng: random.Random,
    figures: Figures,
) -> None:
    """Kill one run of `command` at a random moment, write again, and check everything."""
    practice = commands.practice
    argv = commands.argv(command, number)  # first: it may commit what the command needs
    before = commits(practice)
    out = commands.output(command)
    whole = files_of(out) if out is not None else {}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEANFIRM_", "GIT_"))}
    proc = subprocess.Popen(
        argv,
        cwd=practice,
        env={**env, **ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(rng.uniform(0.0, duration))
    figures.trials += 1
    if proc.poll() is None:
        figures.killed += 1
        if number % 2 == 0:
            os.killpg(proc.pid, signal.SIGKILL)  # beanfirm and the git it runs
        else:
            proc.kill()  # beanfirm only: its git, if any, runs on
    proc.wait()
    with_orphans_gone(practice)
    made = commits(practice) - before
    figures.commits_after_kill[made] = figures.commits_after_kill.get(made, 0) + 1
    where = f"{command} trial {number}"
    if made not in {0, 1}:
        figures.failures.append(f"{where}: the killed write made {made} commits")
    if git_locks(practice):
        figures.git_lock_left += 1
    intents = practice / ".git/beanfirm/intents"
    if intents.is_dir() and any(not p.name.startswith(".") for p in intents.iterdir()):
        figures.intent_left += 1
    if out is not None and not whole_or_none(whole, files_of(out)):
        figures.failures.append(f"{where}: the output folder holds part of a run")
    write_again(commands, command, number, figures)


def write_again(commands: Commands, command: str, number: int, figures: Figures) -> None:
    """Run the command again, with new input, and check that the practice is whole."""
    practice, out, where = commands.practice, commands.output(command), f"{command} trial {number}"
    again = run(*commands.argv(command, number + 10_000), cwd=practice, check=False)
    if not succeeded(command, again):
        figures.failures.append(
            f"{where}: the next write failed ({again.returncode}): {again.stderr}"
        )
    if out is not None:
        scratch = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
        if scratch:
            figures.failures.append(f"{where}: a scratch folder is left: {scratch[:2]}")
    for item in leftovers(practice):
        figures.failures.append(f"{where}: after the next write: {item}")
    checked = run(BEANFIRM, "check", cwd=practice, check=False)
    if checked.returncode != 0:
        figures.failures.append(f"{where}: beanfirm check: {checked.stdout}{checked.stderr}")


def with_orphans_gone(practice: Path) -> None:
    """Wait (a little) for a killed beanfirm's orphaned git to finish, as a user would."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        busy = False
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if (entry / "comm").read_text().strip().startswith("git") and os.readlink(
                    entry / "cwd"
                ).startswith(str(practice)):
                    busy = True
            except OSError:
                continue
        if not busy:
            return
        time.sleep(0.05)


def succeeded(command: str, proc: subprocess.CompletedProcess[str]) -> bool:
    """Whether a run went through (`dunning` exits 1 when it lists overdue invoices)."""
    return "Traceback" not in proc.stderr and (
        proc.returncode == 0 or (proc.returncode == 1 and command == "dunning")
    )


def kill_trials(commands: Commands, command: str, trials: int, rng: random.Random) -> Figures:
    """Run `trials` kill trials of one command; the first, unkilled run times the command."""
    figures = Figures(command)
    argv = commands.argv(command, 0)  # not timed: `opening` adds its client here
    start = time.monotonic()
    first = run(*argv, cwd=commands.practice, check=False)
    duration = time.monotonic() - start
    if not succeeded(command, first):
        figures.failures.append(f"{command}: the first run failed: {first.stderr}")
        return figures
    start = time.monotonic()
    for number in range(1, trials + 1):
        kill_trial(commands, command, number, duration, rng, figures)
    figures.seconds = time.monotonic() - start
    return figures


def concurrent_imports(commands: Commands, count: int) -> Figures:
    """Import into `count` clients at once: all succeed, one commit each, all clean."""
    figures = Figures(f"{count} imports at once")
    practice = commands.practice
    before = commits(practice)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEANFIRM_", "GIT_"))}
    start = time.monotonic()
    procs = [
        subprocess.Popen(
            commands.argv("import", 50_000 + number),
            cwd=practice,
            env={**env, **ENV},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(count)
    ]
    for proc in procs:
        _out, err = proc.communicate()
        figures.trials += 1
        if proc.returncode != 0:
            figures.failures.append(f"an import exited {proc.returncode}: {err}")
    figures.seconds = time.monotonic() - start
    made = commits(practice) - before
    if made != count:
        figures.failures.append(f"{made} commits for {count} imports")
    figures.failures += [f"after the imports: {item}" for item in leftovers(practice)]
    checked = run(BEANFIRM, "check", cwd=practice, check=False)
    if checked.returncode != 0:
        figures.failures.append(f"beanfirm check: {checked.stdout}{checked.stderr}")
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the trials and print the figures; exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--concurrent", type=int, default=40)
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="bench-crashes-") as tmp:
        base = Path(tmp)
        practice = base / "practice"
        clients = make_practice(practice, max(8, args.concurrent))
        scratch = base / "scratch"
        scratch.mkdir()
        commands = Commands(practice, clients, scratch)
        if args.concurrent:
            results.append(concurrent_imports(commands, args.concurrent))
        results.extend(
            kill_trials(commands, command, args.trials, rng)
            for command in filter(None, args.commands.split(","))
        )
    report(results, as_json=args.json)
    return 1 if any(figures.failures for figures in results) else 0


def report(results: list[Figures], *, as_json: bool) -> None:
    """Print one row per command, and every failure."""
    if as_json:
        print(json.dumps([asdict(figures) for figures in results], ensure_ascii=False))
        return
    print(
        "| command | trials | killed while running | commits after the kill (0/1) "
        "| git lock left | intent left | failures | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for f in results:
        made = f"{f.commits_after_kill.get(0, 0)}/{f.commits_after_kill.get(1, 0)}"
        print(
            f"| {f.command} | {f.trials} | {f.killed} | {made} | {f.git_lock_left} "
            f"| {f.intent_left} | {len(f.failures)} | {f.seconds:.1f} |"
        )
    for f in results:
        for failure in f.failures:
            print(f"FAILED {failure}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
