"""Transfers between a client's own accounts: one transaction, whichever side comes first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_support import commit_all
from conftest import run_beanfirm, without_plugins
from import_support import (
    ALIPAY,
    BANK,
    add_client,
    alipay,
    cmb,
    import_files,
    transactions_with,
    write,
)

CARD = "Liabilities:2241-其他应付款:招行信用卡"
CARD_NUMBER = "4392250012349876"


@pytest.fixture
def shop(practice: Path) -> Path:
    """The client `acme` with a CMB bank account, Alipay and a CMB credit card."""
    add_client(
        practice,
        accounts=(
            f"{BANK},bank,cmb-debit,6214830012345678",
            f"{ALIPAY},payment,alipay",
            f"{CARD},credit-card,cmb-credit,{CARD_NUMBER}",
        ),
    )
    # Exports from 2024 would be years past the categorized plugin's grace period today;
    # these tests are about transfers, the plugins have their own.
    without_plugins(practice, "acme")
    return practice


def bank_export(shop: Path, top_up: tuple[str, str, str, str, str]) -> Path:
    rows = [("2024-03-01", "10000.00", "代发工资", "上海某某公司", "工资"), top_up]
    return write(shop.parent, "cmb.csv", cmb(rows))


TOP_UP_BANK = ("2024-03-05", "-500.00", "快捷支付", "支付宝（中国）网络技术有限公司", "支付宝充值")  # noqa: RUF001
TOP_UP_ALIPAY = ("2024-03-06 10:00:00", "招商银行储蓄卡(5678)", "余额充值", "收入", "500.00", "T1")


def alipay_export(shop: Path) -> Path:
    rows = [TOP_UP_ALIPAY, ("2024-03-08 12:00:00", "星巴克", "咖啡", "支出", "35.00", "T2")]
    return write(shop.parent, "alipay.csv", alipay(rows))


def the_transfer(shop: Path) -> str:
    """Return the one transaction that moves 500.00 between the bank and Alipay."""
    check = run_beanfirm("check", "acme", "--json", cwd=shop)
    assert '"errors": []' in check.out, check.out
    found = [
        block
        for block in transactions_with(shop, "500.00 CNY")
        if BANK in block and ALIPAY in block
    ]
    assert len(found) == 1, found
    assert len(transactions_with(shop, "500.00 CNY")) == 1
    return found[0]


def test_bank_first_then_alipay_gives_one_transaction(shop: Path) -> None:
    first = import_files(shop, "acme", str(bank_export(shop, TOP_UP_BANK)))
    assert first.code == 0, first.err
    assert "added as a transfer" in first.out
    transfer = the_transfer(shop)
    assert transfer.startswith("2024-03-05 ! ")  # named from one side only: to review
    second = import_files(shop, "acme", str(alipay_export(shop)))
    assert second.code == 0, second.err
    assert "1 row added" in second.out
    assert "1 row merged into transfers" in second.out
    assert "completes a transfer booked from the other side" in second.out
    transfer = the_transfer(shop)
    assert transfer.startswith("2024-03-05 * ")  # both statements show it
    assert '  import-id: "fp:' in transfer
    assert '  import-id-2: "T1"' in transfer
    assert f"  {BANK}" in transfer
    assert f"  {ALIPAY}" in transfer


def test_alipay_first_then_bank_gives_one_transaction(shop: Path) -> None:
    first = import_files(shop, "acme", str(alipay_export(shop)))
    assert first.code == 0, first.err
    assert "added as a transfer" in first.out
    # the card's last four digits name the bank, unconfirmed (another card may end so too)
    assert the_transfer(shop).startswith("2024-03-06 ! ")
    second = import_files(shop, "acme", str(bank_export(shop, TOP_UP_BANK)))
    assert second.code == 0, second.err
    assert "1 row merged into transfers" in second.out
    transfer = the_transfer(shop)
    # Booked on Alipay's day first; the bank's statement closes on the 5th with the money
    # gone, so the transfer moves to the 5th, where both balances hold.
    assert transfer.startswith("2024-03-05 * ")
    assert '  import-id: "T1"' in transfer
    assert '  import-id-2: "fp:' in transfer
    # Importing both again adds nothing.
    assert "Nothing new" in import_files(shop, "acme", str(alipay_export(shop))).out
    again = import_files(shop, "acme", str(bank_export(shop, TOP_UP_BANK)))
    assert "Nothing new" in again.out, again.err


def test_an_uncategorized_first_side_is_turned_into_the_transfer(shop: Path) -> None:
    # The bank row names neither the transfer nor Alipay as such: booked uncategorized.
    plain = ("2024-03-05", "-500.00", "快捷支付", "网银在线", "")
    first = import_files(shop, "acme", str(bank_export(shop, plain)))
    assert first.code == 0, first.err
    assert "2 rows added (2 uncategorized)" in first.out
    second = import_files(shop, "acme", str(alipay_export(shop)))
    assert second.code == 0, second.err
    assert "turned an uncategorized entry into a transfer" in second.out
    assert "only one side names the other: left ! to check" in second.out
    transfer = the_transfer(shop)
    assert "Uncategorized" not in transfer
    # Only the Alipay row names the other side, by a card's last four digits: to review.
    assert transfer.startswith("2024-03-05 ! ")


def test_unrelated_movements_of_the_same_amount_stay_two_transactions(shop: Path) -> None:
    supplier = ("2024-03-05", "-500.00", "转账汇款", "上海某某供应商", "货款")
    assert import_files(shop, "acme", str(bank_export(shop, supplier))).code == 0
    customer = write(
        shop.parent,
        "alipay.csv",
        alipay([("2024-03-05 10:00:00", "张三", "转账", "收入", "500.00", "C1")]),
    )
    result = import_files(shop, "acme", str(customer))
    assert result.code == 0, result.err
    assert "1 row added (1 uncategorized)" in result.out
    assert len(transactions_with(shop, "500.00 CNY")) == 2
    assert not [b for b in transactions_with(shop, "500.00 CNY") if BANK in b and ALIPAY in b]


# A supplier paid "转账到…银行" names the supplier's bank, not the client's account: the row is
# booked as a transfer on that name, `!`. A row of the same amount in the other account's
# export that names nothing of the transfer (a customer's receipt) is no other side of it.
PAID_TO_SUPPLIER = ("2024-03-05 10:00:00", "张三", "转账到招商银行", "支出", "500.00", "S1")
CUSTOMER_RECEIPT = ("2024-03-07", "500.00", "转账", "李四", "")


@pytest.fixture
def pair(practice: Path) -> Path:
    """The client `acme` with a CMB bank account and Alipay: 招商银行 names one account."""
    add_client(
        practice, accounts=(f"{BANK},bank,cmb-debit,6214830012345678", f"{ALIPAY},payment,alipay")
    )
    without_plugins(practice, "acme")
    return practice


def test_a_row_that_names_nothing_does_not_complete_a_transfer_booked_on_a_name(
    pair: Path,
) -> None:
    shop = pair
    wallet = write(shop.parent, "alipay.csv", alipay([PAID_TO_SUPPLIER]))
    first = import_files(shop, "acme", str(wallet))
    assert first.code == 0, first.err
    assert "added as a transfer" in first.out
    # The bank's statement shows the customer's 500 and not the supplier's: the open leg of
    # the transfer is too much, and the refusal names the row and the transfer to check.
    bank = write(shop.parent, "cmb.csv", cmb([CUSTOMER_RECEIPT]))
    second = import_files(shop, "acme", str(bank))
    assert second.code == 1, second.out
    assert "Balance failed" in second.err
    assert "cmb.csv:2: 2024-03-07 500.00 CNY 李四 转账 -> added:" in second.err
    assert "not taken as the other side of the transfer in ledgers/acme/journal/2024/03" in (
        second.err
    )
    (transfer,) = transactions_with(shop, "张三")
    assert transfer.startswith('2024-03-05 ! "张三"')
    assert "import-id-2" not in transfer
    assert not transactions_with(shop, "李四")


def test_an_export_without_balances_adds_the_row_and_says_what_to_check(shop: Path) -> None:
    paid = ("2024-03-05", "-500.00", "转账", "张三", "转账到支付宝")
    assert import_files(shop, "acme", str(bank_export(shop, paid))).code == 0
    (transfer,) = transactions_with(shop, "张三")
    assert transfer.startswith('2024-03-05 ! "张三"')
    receipt = ("2024-03-06 10:00:00", "李四", "转账", "收入", "500.00", "C1")
    wallet = write(shop.parent, "alipay.csv", alipay([receipt]))
    result = import_files(shop, "acme", str(wallet))
    assert result.code == 0, result.err
    assert "1 row added (1 uncategorized)" in result.out
    assert "C1" not in transactions_with(shop, "张三")[0]
    assert transactions_with(shop, "张三")[0].startswith('2024-03-05 ! "张三"')
    (receipt_entry,) = transactions_with(shop, "李四")
    assert "Income:Uncategorized" in receipt_entry
    # Said after the import, though the row was only added.
    assert "line 4: 2024-03-06 500.00 CNY 李四 转账 -> added:" in result.out
    assert "that transfer rests on a name, and this row names neither" in result.out


def test_a_name_on_one_side_turns_an_uncategorized_entry_into_a_transfer_to_check(
    shop: Path,
) -> None:
    assert import_files(shop, "acme", str(bank_export(shop, CUSTOMER_RECEIPT))).code == 0
    wallet = write(
        shop.parent, "alipay.csv", alipay([("2024-03-07 10:00:00", *PAID_TO_SUPPLIER[1:])])
    )
    result = import_files(shop, "acme", str(wallet))
    assert result.code == 0, result.err
    assert "turned an uncategorized entry into a transfer" in result.out
    assert "only one side names the other: left ! to check" in result.out
    (merged,) = transactions_with(shop, "李四")
    assert merged.startswith('2024-03-07 ! "李四"')


def test_a_rule_to_an_own_account_books_a_card_repayment_once(shop: Path) -> None:
    rules = shop / "ledgers" / "acme" / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - name: card repayment\n"
        "    when:\n"
        "      narration: 信用卡还款\n"
        "      statement-account: " + BANK + "\n"
        f"    account: {CARD}\n",
        encoding="utf-8",
    )
    commit_all(shop, "Rules")
    repayment = ("2024-03-20", "-2000.00", "信用卡还款", "招商银行信用卡中心", "")
    first = import_files(shop, "acme", str(bank_export(shop, repayment)))
    assert first.code == 0, first.err
    assert "rule ledgers/acme/rules.yaml:2 (card repayment)" in first.out
    card = write(
        shop.parent,
        "card.csv",
        "招商银行信用卡对账单 2024年3月\n"
        "交易日,记账日,交易摘要,人民币金额,卡号末四位\n"
        "03/21,03/21,还款,-2000.00,9876\n"
        "03/22,03/22,餐饮 星巴克,35.00,9876\n",
    )
    second = import_files(shop, "acme", str(card))
    assert second.code == 0, second.err
    assert "1 row merged into transfers" in second.out
    found = [b for b in transactions_with(shop, "2000.00 CNY") if BANK in b and CARD in b]
    assert len(found) == 1
    assert len(transactions_with(shop, "2000.00 CNY")) == 1
    assert found[0].startswith("2024-03-20 * ")


def test_the_account_number_in_the_text_names_the_other_account(shop: Path) -> None:
    repayment = ("2024-03-20", "-2000.00", "转账", "信用卡 尾号9876", "")
    result = import_files(shop, "acme", str(bank_export(shop, repayment)), "--json")
    assert result.code == 0, result.err
    found = [b for b in transactions_with(shop, "2000.00 CNY") if BANK in b and CARD in b]
    assert len(found) == 1
    # four digits name the card, and do not confirm it: the card's statement will
    assert found[0].startswith("2024-03-20 ! ")


def test_the_whole_account_number_confirms_the_other_account(shop: Path) -> None:
    repayment = ("2024-03-20", "-2000.00", "转账", f"信用卡 {CARD_NUMBER}", "")
    assert import_files(shop, "acme", str(bank_export(shop, repayment))).code == 0
    found = [b for b in transactions_with(shop, "2000.00 CNY") if BANK in b and CARD in b]
    assert [b[:13] for b in found] == ["2024-03-20 * "]


def test_a_transfer_across_a_month_end_moves_to_where_both_balances_hold(shop: Path) -> None:
    # Alipay shows the top-up on 1 April; the bank's March statement shows it leaving on 31
    # March and closes with a balance assertion on 1 April.
    wallet = write(
        shop.parent,
        "alipay.csv",
        alipay(
            [("2024-04-01 09:00:00", "招商银行储蓄卡(5678)", "余额充值", "收入", "500.00", "T7")]
        ),
    )
    assert import_files(shop, "acme", str(wallet)).code == 0
    assert "import-id" in (shop / "ledgers/acme/journal/2024/04.beancount").read_text()
    bank = write(
        shop.parent,
        "cmb.csv",
        cmb(
            [
                ("2024-03-01", "1000.00", "代发工资", "上海某某公司", "工资"),
                (
                    "2024-03-31",
                    "-500.00",
                    "快捷支付",
                    "支付宝（中国）网络技术有限公司",  # noqa: RUF001 - as the bank writes it
                    "支付宝充值",
                ),
            ]
        ),
    )
    result = import_files(shop, "acme", str(bank))
    assert result.code == 0, result.err
    assert "1 row merged into transfers" in result.out
    transfer = the_transfer(shop)
    assert transfer.startswith("2024-03-31 * ")
    march = (shop / "ledgers/acme/journal/2024/03.beancount").read_text()
    april = (shop / "ledgers/acme/journal/2024/04.beancount").read_text()
    assert "T7" in march
    assert "T7" not in april


# --- a payment app's row paid with one of the client's cards ---------------------------------


def card_paid(shop: Path, method: str = "招商银行储蓄卡(5678)") -> Path:
    """An Alipay export: a coffee paid with a card (收/付款方式), and one from the balance."""
    text = alipay(
        [
            ("2024-03-08 12:00:00", "星巴克", "咖啡", "支出", "35.00", "P1"),
            ("2024-03-09 09:00:00", "全家", "早餐", "支出", "12.00", "P2"),
        ]
    ).replace("支出,35.00,余额", f"支出,35.00,{method}")
    return write(shop.parent, "alipay-card.csv", text)


CARD_ROW = ("2024-03-08", "-35.00", "快捷支付", "支付宝-星巴克", "消费")


def posts(block: str, account: str, amount: str) -> bool:
    """Tell whether a transaction has a posting of the amount on the account."""
    return (
        re.search(rf"^  {re.escape(account)} +{re.escape(amount)} CNY$", block, re.MULTILINE)
        is not None
    )


def test_a_card_paid_row_is_booked_once_with_a_top_up_from_the_card(shop: Path) -> None:
    first = import_files(shop, "acme", str(card_paid(shop)))
    assert first.code == 0, first.err
    assert "paid with 招商银行储蓄卡(5678): moved from" in first.out
    coffee = transactions_with(shop, "星巴克")
    assert len(coffee) == 2  # the purchase, on Alipay; the top-up, from the card
    purchase = next(block for block in coffee if "Expenses:Uncategorized" in block)
    top_up = next(block for block in coffee if block is not purchase)
    assert posts(purchase, ALIPAY, "-35.00")
    assert top_up.startswith('2024-03-08 * "星巴克" "招商银行储蓄卡(5678)"')
    assert '  import-id: "P1/paid-with"' in top_up
    assert posts(top_up, ALIPAY, "35.00")
    assert posts(top_up, BANK, "-35.00")
    # The bank's export lists the same payment: it completes the top-up, nothing is added.
    second = import_files(shop, "acme", str(bank_export(shop, CARD_ROW)))
    assert second.code == 0, second.err
    assert "1 row added" in second.out  # the salary; the coffee is the top-up's other side
    assert "completes a transfer booked from the other side" in second.out
    assert len(transactions_with(shop, "35.00 CNY")) == 2
    assert '"errors": []' in run_beanfirm("check", "acme", "--json", cwd=shop).out
    # Both exports again: nothing new.
    assert "Nothing new" in import_files(shop, "acme", str(card_paid(shop))).out
    assert "Nothing new" in import_files(shop, "acme", str(bank_export(shop, CARD_ROW))).out


def test_a_card_paid_row_after_the_bank_turns_the_bank_row_into_the_top_up(shop: Path) -> None:
    first = import_files(shop, "acme", str(bank_export(shop, CARD_ROW)))
    assert first.code == 0, first.err
    assert "2 rows added (2 uncategorized)" in first.out
    second = import_files(shop, "acme", str(card_paid(shop)))
    assert second.code == 0, second.err
    assert "turned an uncategorized entry into a transfer" in second.out
    moved = [block for block in transactions_with(shop, "35.00 CNY") if BANK in block]
    assert len(moved) == 1
    assert ALIPAY in moved[0]
    assert "Uncategorized" not in moved[0]
    assert '  import-id-2: "P1/paid-with"' in moved[0]
    assert '"errors": []' in run_beanfirm("check", "acme", "--json", cwd=shop).out


def test_a_card_the_client_does_not_have_is_said_and_the_row_stays_on_the_app(
    shop: Path,
) -> None:
    export = str(card_paid(shop, "交通银行信用卡(7449)"))
    shown = import_files(shop, "acme", export, "--dry-run")
    assert shown.code == 0, shown.err
    assert "paid with 交通银行信用卡(7449), which is none of the client's accounts" in shown.out
    assert import_files(shop, "acme", export).code == 0
    assert len(transactions_with(shop, "星巴克")) == 1


def test_a_row_imported_before_gets_no_top_up_when_its_export_comes_again(shop: Path) -> None:
    # First imported when its card was none of the client's (or before top-ups were made).
    assert import_files(shop, "acme", str(card_paid(shop, "交通银行信用卡(7449)"))).code == 0
    # The same rows, now naming a card of the client: both known, no top-up is made for one.
    again = import_files(shop, "acme", str(card_paid(shop)))
    assert again.code == 0, again.err
    assert "0 rows added (0 uncategorized), 2 rows already imported" in again.out
    assert len(transactions_with(shop, "星巴克")) == 1
