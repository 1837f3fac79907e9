"""Account numbers decide which account an export or a row's other leg is, never by accident."""

from __future__ import annotations

from pathlib import Path

import pytest
from beancount.core import data
from beancount.parser import parser
from conftest import STAFF_ENV, run_beanfirm, without_plugins
from import_support import (
    ALIPAY,
    BANK,
    BANK_NUMBER,
    add_client,
    alipay,
    cmb,
    import_files,
    journal,
    transactions_with,
    write,
)

from beanfirm.ingest.numbers import holds_number, is_iban, stated_numbers
from beanfirm.ingest.transfers import paying_account
from beanfirm.store.registry import FundingAccount

ICBC = "Assets:1002-银行存款:工商银行"
ICBC_SHORT = "200001234"  # a nine-digit account number, as some banks give them
OTHER_IBAN = "DE12370400440200001234"  # someone else's account, whose digits hold it

# --- numbers in a row's texts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("转入 6214 8300 1234 5678", BANK_NUMBER),
        ("6214-8300-1234-5678 2024", BANK_NUMBER),
        ("招商银行储蓄卡(5678)", BANK_NUMBER),
        ("6214********5678", BANK_NUMBER),
        ("转入 621483******5678", BANK_NUMBER),
        ("(还款)6222****5678", "12345678"),  # only the last digits registered: start unknown
        ("card ending in 5678", BANK_NUMBER),
        ("账号:200001234", ICBC_SHORT),
        ("from de12 3704 0044 0200 0012 34", OTHER_IBAN),
    ],
)
def test_a_number_standing_as_itself_names_the_account(text: str, number: str) -> None:
    assert holds_number([text], number)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("订单编号1200001234567", ICBC_SHORT),  # inside an order number
        (f"汇款 {OTHER_IBAN.lower()}", ICBC_SHORT),  # inside another party's IBAN
        ("de12 3704 0044 0200 0012 34", "0200001234"),  # an IBAN matches in full only
        ("订单号20240314567", "4567"),  # a registered tail needs its marker
        ("order 15678", BANK_NUMBER),
        ("(还款)6222****5678转入", BANK_NUMBER),  # the same tail, another card's start
        ("5678", None),
    ],
)
def test_a_number_inside_another_names_nothing(text: str, number: str | None) -> None:
    assert not holds_number([text], number)


def test_ibans_are_told_by_their_check_digits() -> None:
    assert is_iban(OTHER_IBAN)
    assert not is_iban("DE13370400440200001234")
    assert stated_numbers(["招商银行(9876)"])
    assert stated_numbers([f"付款人 {OTHER_IBAN.lower()}"])
    assert not stated_numbers(["招商银行储蓄卡", "2024-03-05 订单 88", "充值(2024年3月)"])
    assert not stated_numbers(["pending 1234"])


def alipay_row(method: str) -> data.Transaction:
    (txn,) = parser.parse_string(
        f'2024-03-08 * "星巴克" "咖啡"\n  method: "{method}"\n  import-id: "P1"\n'
        f"  {ALIPAY}  -35.00 CNY\n  Expenses:Uncategorized  35.00 CNY\n"
    )[0]
    assert isinstance(txn, data.Transaction)
    return txn


@pytest.mark.parametrize(
    ("method", "number", "paid_by"),
    [
        ("招商银行储蓄卡(5678)", BANK_NUMBER, (BANK, True)),
        ("招商银行(9876)", BANK_NUMBER, None),  # another CMB card: the number says so
        ("招商银行储蓄卡", BANK_NUMBER, (BANK, False)),  # the bank's name alone
        ("招商银行(9876)", None, (BANK, False)),  # no registered number to contradict
        ("余额", BANK_NUMBER, None),
        # The same last four digits on another bank's card: not the client's CMB card.
        ("建设银行储蓄卡(5678)", BANK_NUMBER, None),
        ("中国建设银行信用卡(5678)", BANK_NUMBER, None),
        ("建行储蓄卡(5678)", BANK_NUMBER, None),
        ("浦发银行信用卡(5678)", BANK_NUMBER, None),  # a bank beanfirm has no importer for
        ("储蓄卡(5678)", BANK_NUMBER, (BANK, False)),  # four digits and no bank: to check
        ("招商银行信用卡 尾号5678", BANK_NUMBER, (BANK, True)),
    ],
)
def test_the_card_that_paid_an_app_row(
    method: str, number: str | None, paid_by: tuple[str, bool] | None
) -> None:
    own = (
        FundingAccount(BANK, "bank", "cmb-debit", number, None, None),
        FundingAccount(ALIPAY, "payment", "alipay", None, None, None),
    )
    card = paying_account(alipay_row(method), ALIPAY, own)
    assert ((card.account, card.confirmed) if card else None) == paid_by


def test_the_last_four_digits_of_an_account_of_unknown_bank_are_to_check() -> None:
    # A `csv` account named for no bank: which bank's card the method names cannot be told.
    own = (
        FundingAccount("Assets:1002-银行存款:基本户", "bank", "csv", BANK_NUMBER, None, None),
        FundingAccount(ALIPAY, "payment", "alipay", None, None, None),
    )
    card = paying_account(alipay_row("建设银行储蓄卡(5678)"), ALIPAY, own)
    assert card is not None
    assert (card.account, card.confirmed) == ("Assets:1002-银行存款:基本户", False)
    # A last name that is a bank's is the account's bank.
    named = (
        FundingAccount("Assets:1002-银行存款:浦发银行", "bank", "csv", BANK_NUMBER, None, None),
    )
    assert paying_account(alipay_row("建设银行储蓄卡(5678)"), ALIPAY, named) is None
    card = paying_account(alipay_row("浦发银行信用卡(5678)"), ALIPAY, named)
    assert card is not None
    assert card.confirmed


# --- the export's own account: an exact number beats a suffix ---------------------------------

CURRENT = "Assets:Bank:Current"
SAVINGS = "Assets:Bank:Savings"
DEPOSIT = "Assets:Bank:Deposit"


def add_euro_client(practice: Path, *accounts: str) -> None:
    """Add `acme`, keeping its books in EUR, with the given funding accounts."""
    args = [
        "clients",
        "add",
        "acme",
        "--name",
        "Acme BV",
        "--industry",
        "retail",
        "--frequency",
        "low",
        "--region",
        "nl",
        "--size",
        "small",
        "--preparer",
        "bo",
        "--reviewer",
        "ana",
        "--language",
        "en",
        "--currency",
        "EUR",
        "--opened",
        "2024-01-01",
    ]
    for spec in accounts:
        args += ["--account", spec]
    result = run_beanfirm(*args, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    without_plugins(practice, "acme")


def mt940(account: str) -> str:
    """A one-statement MT940 file (SWIFT field tags) for an account given as an IBAN."""
    return (
        ":20:STMT0001\n"
        f":25:{account}\n"
        ":28C:00042/001\n"
        ":60F:C240301EUR0,00\n"
        ":61:2403040304C150,00NTRFNONREF//REF0001\n"
        ":86:/NAME/CUSTOMER BV/REMI/INVOICE 7/\n"
        ":62F:C240304EUR150,00\n"
        "-\n"
    )


def test_the_account_registered_with_the_exact_number_takes_the_export(practice: Path) -> None:
    iban = "NL51ABNA0987654321"
    add_euro_client(
        practice,
        f"{CURRENT},bank,mt940,{iban}",
        f"{SAVINGS},bank,mt940,0987654321",
        f"{DEPOSIT},bank,mt940,987654321",
    )
    export = write(practice.parent, "statement.mt940", mt940(iban))
    result = import_files(practice, "acme", str(export))
    assert result.code == 0, result.err
    assert f"  {CURRENT}  " in journal(practice)
    assert SAVINGS not in journal(practice)
    # Stated as the domestic number, the export is the account registered with that number.
    domestic = write(practice.parent, "savings.mt940", mt940("0987654321").replace("0001", "0002"))
    result = import_files(practice, "acme", str(domestic))
    assert result.code == 0, result.err
    assert f"  {SAVINGS}  " in journal(practice)


def test_suffix_matches_alone_stay_ambiguous(practice: Path) -> None:
    add_euro_client(practice, f"{SAVINGS},bank,mt940,0987654321", f"{DEPOSIT},bank,mt940,987654321")
    export = write(practice.parent, "statement.mt940", mt940("NL51ABNA0987654321"))
    result = import_files(practice, "acme", str(export))
    assert result.code == 2
    assert "two importers claim this file" in result.err


# --- end to end: `beanfirm import` on a practice ---------------------------------------------


@pytest.fixture
def shop(practice: Path) -> Path:
    """The client `acme`: a CMB account, Alipay, and an ICBC account with a nine-digit number."""
    add_client(
        practice,
        accounts=(
            f"{BANK},bank,cmb-debit,{BANK_NUMBER}",
            f"{ALIPAY},payment,alipay",
            f"{ICBC},bank,icbc-debit,{ICBC_SHORT}",
        ),
    )
    without_plugins(practice, "acme")  # 2024 rows, years past the categorized plugin's grace
    return practice


def test_numbers_inside_an_order_or_an_iban_book_no_transfer(shop: Path) -> None:
    rows = [
        ("2024-03-07", "-1200.00", "网上支付", "某电商平台", "订单编号1200001234567"),
        ("2024-03-08", "-300.00", "跨境汇款", OTHER_IBAN, "货款"),
        ("2024-03-09", "-400.00", "转账", "本公司", "账号 200001234"),
    ]
    result = import_files(shop, "acme", str(write(shop.parent, "cmb.csv", cmb(rows))))
    assert result.code == 0, result.err
    assert "3 rows added (2 uncategorized)" in result.out
    assert "the row holds its account number" in result.out
    for amount in ("1200.00", "300.00"):
        (entry,) = transactions_with(shop, f"{amount} CNY")
        assert ICBC not in entry
    (transfer,) = transactions_with(shop, "400.00 CNY")
    assert transfer.startswith("2024-03-09 * ")
    assert f"  {ICBC}  " in transfer


def paid_with(shop: Path, method: str) -> Path:
    """An Alipay export with one coffee, paid with the given card (收/付款方式)."""
    text = alipay([("2024-03-08 12:00:00", "星巴克", "咖啡", "支出", "35.00", "P1")])
    return write(shop.parent, "alipay.csv", text.replace(",余额,", f",{method},"))


@pytest.mark.parametrize(
    "method",
    [
        "招商银行(9876)",  # a number that is not the registered one
        "建设银行储蓄卡(5678)",  # the registered number's last digits, on another bank's card
    ],
)
def test_a_card_that_is_not_the_registered_one_is_not_the_clients(shop: Path, method: str) -> None:
    export = str(paid_with(shop, method))
    shown = import_files(shop, "acme", export, "--dry-run")
    assert shown.code == 0, shown.err
    assert f"paid with {method}, which is none of the client's accounts" in shown.out
    assert import_files(shop, "acme", export).code == 0
    (purchase,) = transactions_with(shop, "星巴克")
    assert BANK not in purchase


@pytest.mark.parametrize(
    ("method", "evidence"),
    [
        ("招商银行储蓄卡", "the card's name alone"),
        ("储蓄卡(5678)", "the card's last four digits alone"),  # no bank to compare
    ],
)
def test_a_card_named_by_its_bank_or_digits_alone_is_a_top_up_to_check(
    shop: Path, method: str, evidence: str
) -> None:
    export = str(paid_with(shop, method))
    shown = import_files(shop, "acme", export, "--dry-run")
    assert f"by {evidence}: flagged ! to check" in shown.out
    assert import_files(shop, "acme", export).code == 0
    top_up = next(block for block in transactions_with(shop, "星巴克") if BANK in block)
    assert top_up.startswith(f'2024-03-08 ! "星巴克" "{method}"')
    # The card's statement shows the payment: it completes the top-up, which is now sure.
    bank = cmb([("2024-03-08", "-35.00", "快捷支付", "支付宝-星巴克", "消费")])
    result = import_files(shop, "acme", str(write(shop.parent, "cmb.csv", bank)))
    assert result.code == 0, result.err
    assert "completes a transfer booked from the other side" in result.out
    top_up = next(block for block in transactions_with(shop, "星巴克") if BANK in block)
    assert top_up.startswith(f'2024-03-08 * "星巴克" "{method}"')
    assert '"errors": []' in run_beanfirm("check", "acme", "--json", cwd=shop).out
