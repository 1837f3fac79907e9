"""Data reaches a staff terminal as data: no markup rendered, no escape sequence passed through.

A customer, a narration, a client's name or a portal login can hold text that means something
to rich (`[/bold]`, `[link=...]`) or to the terminal (ANSI colours, OSC 8 links, BEL). Every
table-printing command shows such text literally, and no ESC byte reaches the terminal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import append_entry, commit_all, new_practice
from conftest import ADD_ZH, STAFF_ENV, Run, run_beanfirm, without_plugins
from statement_support import add_customers

from beanfirm.cli.output import echo_json, echo_table
from beanfirm.core.terminal import plain
from beanfirm.portal import audit
from beanfirm.portal.store import PortalStore

BOLD = "x[/bold]@x"
LINK = "[link=http://evil]x[/link]"
OSC = "\x1b]8;;http://evil\x07"
CSI = "\x1b[31;1m"
AS_OF = ("--as-of", "2026-04-10")


def test_plain_replaces_every_control_character() -> None:
    assert (
        plain(f"a{OSC}b{CSI}c\x9b1m\u202ed")
        == "a\ufffd]8;;http://evil\ufffdb\ufffd[31;1mc\ufffd1m\ufffdd"
    )
    assert plain(None) == ""
    assert plain(LINK) == LINK  # markup is escaped where it is rendered, not changed here


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """huamei with customers, one named with markup, an invoice whose texts carry escapes."""
    folder = new_practice(tmp_path_factory.mktemp("asdata") / "practice")
    registry = folder / "clients.yaml"
    result = run_beanfirm(*ADD_ZH[:4], f"华美 {LINK}", *ADD_ZH[5:], cwd=folder, env=STAFF_ENV)
    assert result.code == 0, result.err
    without_plugins(folder, "huamei")
    add_customers(folder)
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("  name: Test Firm\n", f"  name: Firm {LINK}\n"), "utf-8")
    accounts = folder / "ledgers" / "huamei" / "accounts.beancount"
    with accounts.open("a", encoding="utf-8") as handle:
        handle.write(
            f'2026-01-01 open Assets:Receivable:Evil CNY\n  name: "{LINK}{OSC}"\n'
            '  email: "evil@example.com"\n  language: "en"\n'
            "  terms-days: 10\n"
        )
    append_entry(
        folder,
        "ledgers/huamei/journal/2026/02.beancount",
        f'2026-02-06 * "{BOLD}" "{CSI}{LINK} INV-666{OSC}" ^INV-666\n'
        "  due: 2026-02-16\n"
        "  Assets:Receivable:Evil      66.00 CNY\n"
        "  Income:Sales\n",
    )
    commit_all(folder, "A customer whose texts are markup and escapes")
    store = PortalStore.in_folder(folder / ".beanfirm")
    audit.record(store, "login-failed", email=BOLD, status=401, address=f"{OSC}10.0.0.1")
    audit.record(store, "page", email=f"{LINK}@x", client_id="huamei", path=f"/x{CSI}", status=200)
    store.close()
    return folder


def _shown(result: Run) -> str:
    """Assert the command ran without a crash or an escape byte; return what it printed."""
    assert result.code in {0, 1}, (result.code, result.err)
    assert "Traceback" not in result.err, result.err
    for stream in (result.out, result.err):
        assert "\x1b" not in stream
        assert "\x07" not in stream
    return result.out


COMMANDS = [
    pytest.param(("audit", "--portal"), (BOLD, f"{LINK}@x"), id="audit"),
    pytest.param(("status",), (f"Firm {LINK}",), id="status"),
    pytest.param(("clients", "list"), (f"华美 {LINK}",), id="clients-list"),
    pytest.param(("clients", "show", "huamei"), (f"华美 {LINK}",), id="clients-show"),
    pytest.param(("check",), ("huamei",), id="check"),
    pytest.param(("aging", "huamei", *AS_OF), (LINK, "INV-666"), id="aging"),
    pytest.param(("credit", "huamei", *AS_OF), (LINK,), id="credit"),
    pytest.param(("forecast", "huamei", *AS_OF), (f"华美 {LINK}",), id="forecast"),
    pytest.param(("dunning", "huamei", *AS_OF, "--dry-run"), ("Evil", "INV-666"), id="dunning"),
]


@pytest.mark.parametrize(("args", "literal"), COMMANDS)
def test_every_table_prints_data_as_data(
    shop: Path, args: tuple[str, ...], literal: tuple[str, ...]
) -> None:
    out = _shown(run_beanfirm(*args, cwd=shop, env=STAFF_ENV))
    for text in literal:
        assert text in out, (text, out)


def test_piped_tables_keep_every_cell_whole(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Piped output was cut at 200 columns whatever COLUMNS said; now it is never cut.
    monkeypatch.setenv("COLUMNS", "400")
    wide = ("Expenses:5602-管理费用:" + "差旅费" * 30, "x" * 150)
    echo_table("wide", ("account", "note"), [wide])
    out = capsys.readouterr().out
    assert "\N{HORIZONTAL ELLIPSIS}" not in out
    for text in wide:
        assert text in out


def test_json_writes_chinese_as_itself(capsys: pytest.CaptureFixture[str]) -> None:
    echo_json({"name": "上海华美便利店有限公司"})
    assert capsys.readouterr().out == '{\n  "name": "上海华美便利店有限公司"\n}\n'


def test_json_escapes_what_a_terminal_would_act_on(capsys: pytest.CaptureFixture[str]) -> None:
    name = "华美\x9b31m red\x7f\u202eevil\u2028"
    echo_json({"name": name})
    out = capsys.readouterr().out
    assert out == '{\n  "name": "华美\\u009b31m red\\u007f\\u202eevil\\u2028"\n}\n'
    assert json.loads(out) == {"name": name}


@pytest.mark.parametrize("output", [(), ("--json",), ("--format", "csv")])
def test_output_is_utf8_whatever_the_locale_says(shop: Path, output: tuple[str, ...]) -> None:
    # A stdout in latin-1 (an old locale, a Windows code page) crashed on the first Chinese name.
    env = {**STAFF_ENV, "PYTHONIOENCODING": "latin-1"}
    result = run_beanfirm("clients", "list", *output, cwd=shop, env=env)
    assert result.code == 0, result.err
    assert "华美" in result.out
