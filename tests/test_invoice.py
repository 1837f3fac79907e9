"""`beanfirm invoice new|print`, `bill new` and `payment`, end to end on a temporary practice."""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import realization
from cli_support import ADD_EN, assert_user_error, commit_all, new_practice, snapshot
from conftest import ADD_ZH, BEANFIRM, STAFF_ENV, git, run_beanfirm, without_plugins

CUSTOMER = "Assets:1122-应收账款:华联超市"
OUTPUT_VAT = "Liabilities:2221-应交税费:应交增值税:销项税额"
INPUT_VAT = "Liabilities:2221-应交税费:应交增值税:进项税额"
SUPPLIER = "Liabilities:2202-应付账款:宁波食品厂"
BANK = "Assets:1002-银行存款:工商银行"
MARCH = "ledgers/huamei/journal/2025/03.beancount"


def _vat_payer(practice: Path, client: str, rate: str) -> None:
    """Register a client as a VAT payer by hand, as docs/registry.md says, and commit."""
    registry = practice / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    head = f"  - id: {client}\n"
    assert head in text
    registry.write_text(text.replace(head, f"{head}    vat-rate: {rate}\n"), encoding="utf-8")
    commit_all(practice, f"{client} is a VAT payer")


def _customer(practice: Path, *args: str) -> None:
    result = run_beanfirm(
        "customers", "add", "huamei", "华联超市", "--full-name", "上海华联超市有限公司",
        "--terms-days", "30", *args, cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err


def _invoice(practice: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BEANFIRM), "invoice", "new", "huamei", "--customer", "华联超市", *args],
        cwd=practice,
        env={**STAFF_ENV, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def _balances(practice: Path, client: str) -> dict[str, Decimal]:
    """Each account's balance in the ledger, by Beancount's own realization."""
    entries, errors, _options = loader.load_file(str(practice / f"ledgers/{client}/main.beancount"))
    assert not errors, errors
    real = realization.realize(entries)  # type: ignore[no-untyped-call]
    found: dict[str, Decimal] = {}
    for account in realization.iter_children(real):  # type: ignore[no-untyped-call]
        units = account.balance.reduce(lambda position: position.units)
        for position in units:
            found[account.account] = position.units.number
    return found


def _letterheads(practice: Path) -> None:
    """Give the firm and huamei the letterhead data that statements and invoices print."""
    registry = practice / "clients.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "    vat-rate: 13%\n",
            "    vat-rate: 13%\n    address: 上海市浦东新区张杨路1501号\n"
            "    phone: 021-5830 6688\n    tax-id: 91310115MA1K3A7B8D\n",
        ),
        encoding="utf-8",
    )
    text = registry.read_text(encoding="utf-8").replace(
        "firm:\n", "firm:\n  address: 上海市静安区\n  phone: 021-1\n  email: f@firm.example\n"
        "  tax-id: 913101\n", 1,
    )  # fmt: skip
    registry.write_text(text, encoding="utf-8")
    commit_all(practice, "Letterheads")


@pytest.fixture(scope="module")
def vat_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `practice_with_client` practice, huamei made a VAT payer with one customer; made once."""
    practice = new_practice(tmp_path_factory.mktemp("template") / "practice")
    assert run_beanfirm(*ADD_ZH, cwd=practice, env=STAFF_ENV).code == 0
    without_plugins(practice, "huamei")
    _vat_payer(practice, "huamei", "13%")
    _letterheads(practice)
    _customer(practice)
    return practice


@pytest.fixture
def vat_client(vat_template: Path, tmp_path: Path) -> Path:
    """huamei, a VAT payer at 13%, with one customer on 30 days' terms: a copy for one test."""
    practice = tmp_path / "practice"
    shutil.copytree(vat_template, practice, symlinks=True)
    return practice


def test_invoice_new_books_an_open_item_with_its_vat_terms_and_lines_in_one_commit(
    vat_client: Path,
) -> None:
    practice = vat_client
    before = int(git(practice, "rev-list", "--count", "HEAD"))
    result = run_beanfirm(
        "invoice", "new", "huamei", "--customer", "华联超市", "--date", "2025-03-05",
        "--item", "咨询服务:2:5000.00", "--item", "差旅: 报销:1:333.33", cwd=practice,
        env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "Recorded Invoice INV-2025-0001: 11676.66 CNY due 2025-04-04" in result.out
    assert int(git(practice, "rev-list", "--count", "HEAD")) == before + 1
    changed = git(practice, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == ["ledgers/huamei/accounts.beancount", MARCH]
    chart = (practice / "ledgers/huamei/accounts.beancount").read_text(encoding="utf-8")
    assert chart.endswith(f"\n2025-01-01 open {OUTPUT_VAT} CNY\n")
    month = (practice / MARCH).read_text(encoding="utf-8")
    entry = month.split("\n\n", 1)[1]
    lines = [" ".join(line.split()) for line in entry.splitlines()]
    assert lines == [
        '2025-03-05 * "华联超市" "销售 INV-2025-0001" ^INV-2025-0001',
        "due: 2025-04-04",
        'vat-rate: "13%"',
        'item-1: "咨询服务:2:5000.00"',
        'item-2: "差旅: 报销:1:333.33"',
        f"{CUSTOMER} 11676.66 CNY",
        "Income:5001-主营业务收入 -10333.33 CNY",
        f"{OUTPUT_VAT} -1343.33 CNY",
    ]
    balances = _balances(practice, "huamei")
    assert balances[CUSTOMER] == Decimal("11676.66")
    assert balances[OUTPUT_VAT] == Decimal("-1343.33")
    message = git(practice, "log", "-1", "--format=%s%n%b")
    assert message.startswith("Record invoice INV-2025-0001 of huamei: 上海华联超市有限公司")
    assert "10333.33 before VAT and 1343.33 VAT at 13%" in message


def test_a_rule_that_books_to_the_new_vat_accounts_parent_is_pointed_out(vat_client: Path) -> None:
    practice = vat_client
    (practice / "rules.yaml").write_text(
        "rules:\n  - name: 缴税\n    when:\n      text: [税务局]\n"
        "    account: Liabilities:2221-应交税费:应交增值税\n",
        encoding="utf-8",
    )
    commit_all(practice, "The firm's rule for tax payments")
    result = _invoice(practice, "--date", "2025-03-05", "--amount", "113")
    assert result.returncode == 0, result.stderr
    assert (
        "Note: rule rules.yaml:2 (缴税) books to Liabilities:2221-应交税费:应交增值税, which is now "
        f"a heading (it has {OUTPUT_VAT} under it)"
    ) in result.stdout


def test_the_invoice_is_an_open_item_of_aging_statements_and_dunning(vat_client: Path) -> None:
    practice = vat_client
    assert _invoice(practice, "--date", "2025-03-05", "--amount", "11300").returncode == 0
    aging = run_beanfirm("aging", "huamei", "--as-of", "2025-05-10", "--json", cwd=practice)
    assert aging.code == 0, aging.err
    report = json.loads(aging.out)
    text = json.dumps(report, ensure_ascii=False)
    assert "INV-2025-0001" in text
    assert "2025-04-04" in text  # the due date from the customer's terms
    statement = run_beanfirm(
        "statement", "huamei", "--customer", "华联超市", "--type", "open-item", "--to",
        "2025-05-10", "--format", "csv", "--lang", "en", "-o", "-", cwd=practice,
    )  # fmt: skip
    assert statement.code == 0, statement.err
    assert "2025-03-05,INV-2025-0001,销售 INV-2025-0001,2025-04-04,11300.00,11300.00,36" in (
        statement.out
    )
    dunning = run_beanfirm(
        "dunning", "huamei", "--as-of", "2025-05-10", "-n", "--json", cwd=practice
    )
    assert "INV-2025-0001" in dunning.out, (dunning.out, dunning.err)


def test_numbers_run_on_in_one_series_per_client_and_kind(vat_client: Path) -> None:
    practice = vat_client
    for day in ("2025-03-05", "2025-03-01", "2026-01-02"):
        assert _invoice(practice, "--date", day, "--amount", "100").returncode == 0
    month = (practice / MARCH).read_text(encoding="utf-8")
    assert month.index("^INV-2025-0002") < month.index("^INV-2025-0001")  # in date order
    january = (practice / "ledgers/huamei/journal/2026/01.beancount").read_text(encoding="utf-8")
    assert "^INV-2026-0003" in january


def test_two_invoices_at_once_get_two_numbers(vat_client: Path) -> None:
    practice = vat_client
    procs = [
        subprocess.Popen(
            [
                str(BEANFIRM),
                "invoice",
                "new",
                "huamei",
                "--customer",
                "华联超市",
                "--date",
                "2025-03-05",
                "--amount",
                str(100 + n),
                "--json",
            ],
            cwd=practice,
            env={**STAFF_ENV, "PATH": "/usr/bin:/bin"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    numbers = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        numbers.append(json.loads(out)["number"])
    assert sorted(numbers) == ["INV-2025-0001", "INV-2025-0002", "INV-2025-0003"]
    assert git(practice, "status", "--porcelain") == ""


def _lock(practice: Path, through: str) -> None:
    """Write a standing lock into huamei's locks file (the test ledger runs no plugins)."""
    main = practice / "ledgers/huamei/main.beancount"
    if 'include "locks.beancount"' not in main.read_text(encoding="utf-8"):
        main.write_text(
            main.read_text(encoding="utf-8") + 'include "locks.beancount"\n', encoding="utf-8"
        )
    (practice / "ledgers/huamei/locks.beancount").write_text(
        f'{through} custom "beanfirm-lock" "sha256:{"0" * 64}"\n  by: "ana"\n', encoding="utf-8"
    )
    commit_all(practice, "Lock by hand")


BAD_INVOICES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (
        ("--customer", "华联超市", "--amount", "100", "--date", "2024-12-01"),
        ("opens on 2025-01-01", "accounts.beancount:"),
    ),
    (
        ("--customer", "罗森便利", "--amount", "100"),
        ("no customer '罗森便利'", "customers add"),
    ),
    (("--customer", "华联超市", "--amount", "12x"), ("--amount '12x' is not an amount",)),
    # were read as 1000 and 49767.23: half-parsed, never guessed
    (("--customer", "华联超市", "--amount", "1e3"), ("--amount '1e3' is not an amount",)),
    (
        ("--customer", "华联超市", "--amount", "4,9767.23"),
        ("--amount '4,9767.23' is not an amount",),
    ),
    (
        ("--customer", "华联超市", "--item", "咨询:two:5"),
        ("--item '咨询:two:5' cannot be read",),
    ),
    (
        ("--customer", "华联超市", "--amount", "100", "--item", "咨询:1:100"),
        ("--amount 100.00 does not agree with the line items", "113.00 with 13% VAT"),
    ),
    (("--customer", "华联超市", "--amount", "100", "--vat-rate", "abc"), ("not a rate",)),
    (
        ("--customer", "华联超市", "--amount", "100", "--due", "2025-03-01"),
        ("before its date",),
    ),
    (
        ("--customer", "华联超市", "--amount", "100", "--account", "Income:Nowhere"),
        ("Income:Nowhere is not an open account",),
    ),
    # were booked: the bank account credited, or an expense, instead of revenue
    (
        ("--customer", "华联超市", "--amount", "100", "--account", "Assets:1002-银行存款:招商银行"),
        ("--account Assets:1002-银行存款:招商银行 is not where revenue is booked",),
    ),
    (
        ("--customer", "华联超市", "--amount", "100", "--account", "Expenses:5401-主营业务成本"),
        ("Give an Income: account",),
    ),
    (("--customer", "华联超市", "--amount", "0"), ("must be for more than 0",)),
    (
        (
            "--customer",
            "华联超市",
        ),
        ("Give the invoice's total with --amount",),
    ),
]


def test_invoice_new_refuses_bad_input_and_writes_nothing(vat_client: Path) -> None:
    practice = vat_client
    before = snapshot(practice)
    for args, needles in BAD_INVOICES:  # one practice for all: each refusal writes nothing
        result = run_beanfirm(
            "invoice", "new", "huamei", "--date", "2025-03-05", *args, cwd=practice,
            env=STAFF_ENV,
        )  # fmt: skip
        assert_user_error(result, 2, *needles)
        assert snapshot(practice) == before, args


def test_invoice_new_refuses_a_locked_period_and_writes_nothing(vat_client: Path) -> None:
    practice = vat_client
    _lock(practice, "2025-03-31")
    before = snapshot(practice)
    result = run_beanfirm(
        "invoice", "new", "huamei", "--customer", "华联超市", "--date", "2025-03-05",
        "--amount", "100", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert_user_error(result, 2, "the books through 2025-03-31 are locked", "beanfirm reopen")
    assert snapshot(practice) == before
    later = _invoice(practice, "--date", "2025-04-01", "--amount", "100")
    assert later.returncode == 0, later.stderr


def test_vat_rate_needs_a_vat_payer_and_without_one_nothing_is_split(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    _customer(practice)
    before = snapshot(practice)
    refused = run_beanfirm(
        "invoice", "new", "huamei", "--customer", "华联超市", "--amount", "113",
        "--vat-rate", "13%", "--date", "2025-03-05", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert_user_error(refused, 2, "not registered as a VAT payer", "vat-rate:")
    assert snapshot(practice) == before
    plain = _invoice(practice, "--date", "2025-03-05", "--amount", "113", "--due", "2025-03-20")
    assert plain.returncode == 0, plain.stderr
    month = " ".join((practice / MARCH).read_text(encoding="utf-8").split())
    assert "due: 2025-03-20" in month
    assert "Income:5001-主营业务收入 -113.00 CNY" in month
    assert "应交税费" not in month


def test_dry_run_checks_everything_and_writes_nothing(vat_client: Path) -> None:
    practice = vat_client
    before = snapshot(practice)
    result = run_beanfirm(
        "invoice", "new", "huamei", "--customer", "华联超市", "--amount", "113",
        "--date", "2025-03-05", "-n", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.startswith("Dry run: would record Invoice INV-2025-0001: 113.00 CNY")
    assert snapshot(practice) == before


def test_payments_settle_the_invoice_in_part_then_in_full(vat_client: Path) -> None:
    practice = vat_client
    assert _invoice(practice, "--date", "2025-03-05", "--amount", "11300").returncode == 0
    part = run_beanfirm(
        "payment", "huamei", "INV-2025-0001", "--amount", "5,000.00", "--date", "2025-03-20",
        "--account", BANK, cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert part.code == 0, part.err
    assert "payment of 5000.00 CNY on INV-2025-0001 (6300.00 still open)" in part.out
    month = " ".join((practice / MARCH).read_text(encoding="utf-8").split())
    assert (
        '2025-03-20 * "华联超市" "收到货款 INV-2025-0001" ^INV-2025-0001 '
        f"{BANK} 5000.00 CNY {CUSTOMER} -5000.00 CNY"
    ) in month
    aging = json.loads(
        run_beanfirm("aging", "huamei", "--as-of", "2025-03-31", "--json", cwd=practice).out
    )
    assert "6300.00" in json.dumps(aging)
    before = snapshot(practice)
    dry = run_beanfirm(
        "payment", "huamei", "INV-2025-0001", "--amount", "100", "--date", "2025-03-22",
        "--account", BANK, "-n", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert dry.code == 0, dry.err
    assert dry.out.startswith("Dry run: would record payment of 100.00 CNY on INV-2025-0001")
    assert snapshot(practice) == before
    over = run_beanfirm(
        "payment", "huamei", "INV-2025-0001", "--amount", "6300.01", "--date", "2025-03-25",
        "--account", BANK, cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert_user_error(over, 2, "more than the 6300.00 still open", "Record at most 6300.00")
    assert snapshot(practice) == before
    rest = run_beanfirm(
        "payment", "huamei", "INV-2025-0001", "--amount", "6300", "--date", "2025-03-25",
        "--account", BANK, "--json", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert rest.code == 0, rest.err
    assert json.loads(rest.out)["outstanding"] == "0.00"
    assert _balances(practice, "huamei").get(CUSTOMER, Decimal(0)) == 0
    # paying it again said "more than the 0.00 still open … Record at most 0.00"
    before = snapshot(practice)
    again = run_beanfirm(
        "payment", "huamei", "INV-2025-0001", "--amount", "10", "--date", "2025-03-26",
        "--account", BANK, cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert_user_error(again, 2, "INV-2025-0001 is paid in full already", "预收账款")
    assert "Record at most" not in again.err
    assert snapshot(practice) == before


def test_a_receipt_split_between_invoices_by_its_postings_settles_each_in_every_report(
    vat_client: Path,
) -> None:
    # One receipt for two invoices, its postings naming each (`invoice:`): aging, statements
    # and the credit rating applied it oldest first, all of it to INV-2025-0001.
    practice = vat_client
    for day, amount in (("2025-03-01", "1000"), ("2025-03-05", "500")):
        assert _invoice(practice, "--date", day, "--amount", amount).returncode == 0
    with (practice / MARCH).open("a", encoding="utf-8") as month:
        month.write(
            '\n2025-03-10 * "华联超市" "收到货款" ^INV-2025-0001 ^INV-2025-0002\n'
            f"  {BANK}  500.00 CNY\n"
            f'  {CUSTOMER}  -300.00 CNY\n    invoice: "INV-2025-0002"\n'
            f'  {CUSTOMER}  -200.00 CNY\n    invoice: "INV-2025-0001"\n'
        )
    commit_all(practice, "A receipt for two invoices")
    aging = run_beanfirm("aging", "huamei", "--as-of", "2025-03-15", "--json", cwd=practice)
    assert aging.code == 0, aging.err
    lines = json.loads(aging.out)["parties"][0]["lines"]
    assert [(line["number"], line["open"]) for line in lines] == [
        ("INV-2025-0001", "800.00"),
        ("INV-2025-0002", "200.00"),
    ]
    statement = run_beanfirm(
        "statement", "huamei", "--customer", "华联超市", "--type", "open-item", "--format",
        "csv", "--to", "2025-03-15", "-o", "-", cwd=practice,
    )  # fmt: skip
    assert statement.code == 0, statement.err
    rows = [row.split(",") for row in statement.out.splitlines()]
    opened = {row[1]: row[5] for row in rows if len(row) > 1 and row[1].startswith("INV-")}
    assert opened == {"INV-2025-0001": "800.00", "INV-2025-0002": "200.00"}, statement.out


BAD_PAYMENTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("INV-2025-0099", BANK, ("no invoice INV-2025-0099", "INV-2025-0001 to INV-2025-0001")),
    ("X-1", BANK, ("'X-1' is not an invoice or bill number",)),
    ("INV-2025-0001", "Income:5001-主营业务收入", ("give --account with the client's bank",)),
    ("INV-2025-0001", "Assets:1002-银行存款:Nowhere", ("is not an account open",)),
]


def test_payment_refuses_an_unknown_invoice_or_account_and_writes_nothing(
    vat_client: Path,
) -> None:
    practice = vat_client
    assert _invoice(practice, "--date", "2025-03-05", "--amount", "100").returncode == 0
    before = snapshot(practice)
    for number, account, needles in BAD_PAYMENTS:
        result = run_beanfirm(
            "payment", "huamei", number, "--amount", "10", "--date", "2025-03-20", "--account",
            account, cwd=practice, env=STAFF_ENV,
        )  # fmt: skip
        assert_user_error(result, 2, *needles)
        assert snapshot(practice) == before, number
    # money that has not moved yet, and an invoice not issued yet: were recorded
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()  # noqa: DTZ011
    for args in (
        ("payment", "huamei", "INV-2025-0001", "--amount", "10", "--account", BANK),
        ("invoice", "new", "huamei", "--customer", "华联超市", "--amount", "100"),
    ):
        result = run_beanfirm(*args, "--date", future, cwd=practice, env=STAFF_ENV)
        assert_user_error(result, 2, f"it is dated {future}, after today")
        assert snapshot(practice) == before, args


def test_bill_new_books_the_payable_and_input_vat_and_is_paid(vat_client: Path) -> None:
    practice = vat_client
    chart = practice / "ledgers/huamei/accounts.beancount"
    chart.write_text(
        chart.read_text(encoding="utf-8")
        + f'\n2025-01-01 open {SUPPLIER} CNY\n  name: "宁波食品厂"\n'
        "  terms-days: 45\n",
        encoding="utf-8",
    )
    commit_all(practice, "A supplier")
    result = run_beanfirm(
        "bill", "new", "huamei", "--supplier", "宁波食品厂", "--date", "2025-03-03", "--amount",
        "1130", "--account", "Assets:1405-库存商品", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    month = " ".join((practice / MARCH).read_text(encoding="utf-8").split())
    assert (
        '2025-03-03 * "宁波食品厂" "采购 BILL-2025-0001" ^BILL-2025-0001 due: 2025-04-17 '
        f'vat-rate: "13%" Assets:1405-库存商品 1000.00 CNY {INPUT_VAT} 130.00 CNY '
        f"{SUPPLIER} -1130.00 CNY"
    ) in month
    paid = run_beanfirm(
        "payment", "huamei", "BILL-2025-0001", "--amount", "1130", "--date", "2025-04-10",
        "--account", BANK, cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert paid.code == 0, paid.err
    balances = _balances(practice, "huamei")
    assert balances.get(SUPPLIER, Decimal(0)) == 0
    assert balances[INPUT_VAT] == Decimal("130.00")
    assert balances[BANK] == Decimal("-1130.00")
    wrong = run_beanfirm(
        "bill", "new", "huamei", "--supplier", "华联超市", "--amount", "1", cwd=practice,
        env=STAFF_ENV,
    )  # fmt: skip
    assert_user_error(wrong, 2, "'华联超市' is a customer, not a supplier", "invoice new")


def test_an_english_chart_books_vat_on_its_sales_tax_accounts(practice: Path) -> None:
    assert run_beanfirm(*ADD_EN, cwd=practice, env=STAFF_ENV).code == 0
    _vat_payer(practice, "northwind", "0.2")
    added = run_beanfirm(
        "customers", "add", "northwind", "Acme-Robotics", "--terms-days", "14", cwd=practice,
        env=STAFF_ENV,
    )  # fmt: skip
    assert added.code == 0, added.err
    result = run_beanfirm(
        "invoice", "new", "northwind", "--customer", "Acme-Robotics", "--date", "2025-02-10",
        "--item", "Audit:1:1000", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    month = " ".join(
        (practice / "ledgers/northwind/journal/2025/02.beancount")
        .read_text(encoding="utf-8")
        .split()
    )
    assert (
        '"Acme-Robotics" "Invoice INV-2025-0001" ^INV-2025-0001 due: 2025-02-24 '
        'vat-rate: "20%" item-1: "Audit:1:1000" Assets:Receivable:Acme-Robotics 1200.00 USD '
        "Income:Sales -1000.00 USD Liabilities:Tax:Sales:Output -200.00 USD"
    ) in month
    check = run_beanfirm("check", "northwind", "--json", cwd=practice)
    assert '"ok": true' in check.out, check.out


def test_a_new_clients_plugins_accept_the_invoice_and_its_payment(practice: Path) -> None:
    assert run_beanfirm(*ADD_ZH, cwd=practice, env=STAFF_ENV).code == 0
    _vat_payer(practice, "huamei", "13%")
    _customer(practice)
    assert _invoice(practice, "--date", "2025-03-05", "--amount", "113").returncode == 0
    paid = run_beanfirm(
        "payment", "huamei", "INV-2025-0001", "--amount", "113", "--date", "2025-03-09",
        "--account", BANK, cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert paid.code == 0, paid.err
    check = run_beanfirm("check", "huamei", "--json", cwd=practice)
    errors = json.loads(check.out)[0]["errors"]
    # The only error is the bank's reconciliation backlog, on its `open` directive: the
    # receivables and categorized plugins find nothing in the month file.
    assert [error["filename"] for error in errors] == ["ledgers/huamei/accounts.beancount"]
    assert "has no passing balance assertion" in errors[0]["message"]


def test_an_over_payment_refunded_against_its_invoice_is_a_credit_until_the_refund(
    practice: Path,
) -> None:
    # The refund was "Invoice INV-2025-0001 is booked twice", and aging showed it as a charge
    # without a number beside the credit it paid back.
    assert run_beanfirm(*ADD_ZH, cwd=practice, env=STAFF_ENV).code == 0
    _vat_payer(practice, "huamei", "13%")
    _letterheads(practice)
    _customer(practice)
    assert _invoice(practice, "--date", "2025-03-05", "--amount", "1000").returncode == 0
    with (practice / MARCH).open("a", encoding="utf-8") as month:
        month.write(
            '\n2025-03-09 * "华联超市" "收到货款 INV-2025-0001" ^INV-2025-0001\n'
            f"  {BANK}  1100.00 CNY\n  {CUSTOMER}  -1100.00 CNY\n"
            '\n2025-03-20 * "华联超市" "退还多收货款 INV-2025-0001" ^INV-2025-0001\n'
            f"  {CUSTOMER}  100.00 CNY\n  {BANK}  -100.00 CNY\n"
        )
    commit_all(practice, "Paid 100.00 too much, refunded")
    check = run_beanfirm("check", "huamei", "--json", cwd=practice)
    errors = json.loads(check.out)[0]["errors"]
    assert [error["filename"] for error in errors] == ["ledgers/huamei/accounts.beancount"]
    for day, credit in (("2025-03-15", "-100.00"), ("2025-03-20", "0")):
        aging = run_beanfirm("aging", "huamei", "--as-of", day, "--json", cwd=practice)
        assert aging.code == 0, aging.err
        parties = json.loads(aging.out)["parties"]
        lines = [(line["kind"], line["open"]) for party in parties for line in party["lines"]]
        assert lines == ([("credit", credit)] if credit != "0" else []), (day, lines)
    statement = run_beanfirm(
        "statement", "huamei", "--customer", "华联超市", "--format", "csv", "--from",
        "2025-03-01", "--to", "2025-03-31", "-o", "-", cwd=practice,
    )  # fmt: skip
    assert statement.code == 0, statement.err
    assert "2025-03-20,退款,INV-2025-0001,退还多收货款 INV-2025-0001,100.00," in statement.out


def test_a_chart_that_posts_vat_to_its_parent_account_keeps_it_a_leaf(practice: Path) -> None:
    assert run_beanfirm(*ADD_ZH, cwd=practice, env=STAFF_ENV).code == 0
    _vat_payer(practice, "huamei", "13%")
    _customer(practice)
    february = practice / "ledgers/huamei/journal/2025/02.beancount"
    february.parent.mkdir(parents=True, exist_ok=True)
    february.write_text(
        '2025-02-03 * "税务局" "增值税"\n  Liabilities:2221-应交税费:应交增值税  10.00 CNY\n'
        f"  {BANK}  -10.00 CNY\n",
        encoding="utf-8",
    )
    commit_all(practice, "VAT paid, booked to the parent account")
    chart = (practice / "ledgers/huamei/accounts.beancount").read_text(encoding="utf-8")
    assert _invoice(practice, "--date", "2025-03-05", "--amount", "113").returncode == 0
    assert (practice / "ledgers/huamei/accounts.beancount").read_text(encoding="utf-8") == chart
    month = " ".join((practice / MARCH).read_text(encoding="utf-8").split())
    assert "Liabilities:2221-应交税费:应交增值税 -13.00 CNY" in month
    check = run_beanfirm("check", "huamei", "--json", cwd=practice)
    assert "heading" not in check.out, check.out


def test_invoice_print_writes_the_invoice_in_the_customers_language(vat_client: Path) -> None:
    practice = vat_client
    assert (
        _invoice(
            practice, "--date", "2025-03-05", "--item", "咨询服务:2:5000", "--item", "<b>x</b>:1:1"
        ).returncode
        == 0
    )
    paid = run_beanfirm(
        "payment", "huamei", "INV-2025-0001", "--amount", "5000", "--date", "2025-03-20",
        "--account", BANK, cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert paid.code == 0, paid.err
    html = run_beanfirm(
        "invoice", "huamei", "INV-2025-0001", "--format", "html", "-o", "-", cwd=practice
    )
    assert html.code == 0, html.err
    page = " ".join(html.out.split())
    vat = "增值税（13%）"  # noqa: RUF001 - the catalogue's Chinese brackets
    for needle in (
        "<h1>账单</h1>", "INV-2025-0001", "上海华联超市有限公司", "咨询服务", "10,000.00", vat,
        "1,300.13", "11,301.13", "收款 2025-03-20", "-5,000.00",
        '未收金额 (CNY)</td><td class="num">6,301.13', "2025-04-04", "&lt;b&gt;x&lt;/b&gt;",
    ):  # fmt: skip
        assert needle in page, needle
    assert "Invoice" not in page.replace("INV-", "")
    english = run_beanfirm(
        "invoice", "print", "huamei", "INV-2025-0001", "--lang", "en", "--format", "html",
        "--as-of", "2025-03-10", "-o", "-", cwd=practice,
    )  # fmt: skip
    assert 'Outstanding (CNY)</td><td class="num">11,301.13' in " ".join(english.out.split())
    pdf = run_beanfirm("invoice", "huamei", "INV-2025-0001", cwd=practice)
    assert pdf.code == 0, pdf.err
    path = practice / ".beanfirm/invoices/huamei/INV-2025-0001.pdf"
    assert path.read_bytes().startswith(b"%PDF")
    words = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "账单" in words
    assert "未收金额" in words
    described = run_beanfirm(
        "invoice", "huamei", "INV-2025-0001", "--format", "html", "-o", "inv.html", "--json",
        cwd=practice,
    )  # fmt: skip
    shown = json.loads(described.out)
    assert (shown["net"], shown["vat"], shown["total"]) == ("10001.00", "1300.13", "11301.13")
    assert (shown["paid"], shown["outstanding"]) == ("5000.00", "6301.13")
    assert [line["amount"] for line in shown["lines"]] == ["10000.00", "1.00"]
    balances = _balances(practice, "huamei")  # the document ties to the ledger to the cent
    assert balances[CUSTOMER] == Decimal(shown["outstanding"])
    assert -balances[OUTPUT_VAT] == Decimal(shown["vat"])
    assert -balances["Income:5001-主营业务收入"] == Decimal(shown["net"])
    assert (practice / "inv.html").is_file()
    unknown = run_beanfirm("invoice", "huamei", "INV-2025-0009", cwd=practice)
    assert_user_error(unknown, 2, "no invoice INV-2025-0009")


def test_payments_at_once_cannot_together_pay_more_than_is_open(vat_client: Path) -> None:
    practice = vat_client
    assert _invoice(practice, "--date", "2025-03-05", "--amount", "100").returncode == 0
    procs = [
        subprocess.Popen(
            [
                str(BEANFIRM),
                "payment",
                "huamei",
                "INV-2025-0001",
                "--amount",
                "60",
                "--date",
                "2025-03-20",
                "--account",
                BANK,
            ],
            cwd=practice,
            env={**STAFF_ENV, "PATH": "/usr/bin:/bin"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = sorted(
        (proc.wait(timeout=120), proc.stderr.read() if proc.stderr else "") for proc in procs
    )
    assert [code for code, _ in outcomes] == [0, 2], outcomes
    assert "more than the 40.00 still open" in outcomes[1][1]
    assert _balances(practice, "huamei")[CUSTOMER] == Decimal("40.00")


def test_a_payment_in_a_locked_period_is_refused(vat_client: Path) -> None:
    practice = vat_client
    assert _invoice(practice, "--date", "2025-03-05", "--amount", "100").returncode == 0
    _lock(practice, "2025-03-31")
    before = snapshot(practice)
    result = run_beanfirm(
        "payment", "huamei", "INV-2025-0001", "--amount", "100", "--date", "2025-03-31",
        "--account", BANK, cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert_user_error(result, 2, "the books through 2025-03-31 are locked")
    assert snapshot(practice) == before
