"""Transfers between a client's own accounts: one transaction with both legs, never two.

Money moved from the bank to Alipay, a credit card repaid from the bank, a WeChat balance
withdrawn to the bank: each appears once in each account's export. beanfirm books it once,
whichever export is imported first:

- **A row names the other account**: a rule books its other leg to one of the client's own
  accounts (clients.yaml `accounts`), or its payee, narration or counterparty holds that
  account's number (as a whole token, an IBAN in full, or its last four digits after `*`,
  `尾号` or `ending in`: `beanfirm.ingest.numbers`), or names its institution (支付宝, 微信,
  招商银行, Chase, … or the account's own last name) together with a transfer word (充值, 提现,
  转账, 还款, transfer, top-up, …) and states no other number for it. The row is booked as a
  transfer: its leg and the other account's leg, with its `import-id`; flagged `!` when only
  a name, or a card's last four digits, tied it.
- **The other side arrives later**: its row finds the transfer's open slot (same account,
  exact amount, within the date window; `beanfirm.ingest.dedup`) and is absorbed; the transaction
  records its id as `import-id-2`. A transfer booked `!` (a name or a card's tail tied it) is
  completed only by a row that itself names the first side's account (`row_names`: a rule,
  its number, its bank's or app's name) or the client: the two statements then name each
  other, and the transaction gets the flag `*`. A row of the same amount that names neither
  (a customer's receipt two days after a supplier was paid "转账到工商银行") is no evidence:
  it is booked on its own, and the output names the transfer it did not complete.
- **The first row did not name the other account**: it was booked uncategorized. The second
  row, if it names the first one's account (or the first names the second's, or either names
  the client itself), turns that entry into the transfer: an uncategorized entry imported from
  another own account, of the opposite amount within the window, and the only one. A rule
  that gave either row a category of its own keeps them apart. The transfer is `*` when a
  rule or a whole number confirmed it, or when each row names the other's account (or the
  client); resting on one side's name, it stays `!`.

Two unrelated uncategorized movements of the same amount (a customer paying 500 into Alipay,
a supplier paid 500 from the bank, both "转账") are never merged: a transfer word alone does
not tie two rows, a name does.

**Paid with a card.** A payment app's row says what paid it (`method` metadata: Alipay's
收/付款方式, WeChat's 支付方式): the app's balance (余额, 零钱), or a bank card
(`交通银行信用卡(7449)`), which the app charged for that payment alone; the app's balance did
not move, and the card's bank lists the same payment. Such a row stays on the app's account
(its import id, its category), and a second transaction moves the same money from the card's
account into the app's (`top_up`): a transfer like any other, with its own import id
(`<row's id>/paid-with`), whose card leg is the open slot that the bank's row finds when the
bank's export is imported (or that merges with the bank's row already imported). The app's
balance nets to nothing, the expense is booked once, and the card's payment once. The card is
confirmed by its number, or its last four digits with its bank (`招商银行(5678)` and the
招商银行 account registered as `…5678`); a number that is not the registered one, or the last
four digits of another bank's card (`建设银行储蓄卡(3334)` and the 工商银行 account `…3334`),
mean another card, none of the client's; the last four digits without a bank (`储蓄卡(5678)`)
or a name alone (`招商银行储蓄卡`, or an account registered without a number) make the
top-up `!`, for the preparer to check, and the card's statement confirms it when its row,
naming the app, completes the top-up.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from beancount.core import data
from beancount.core.amount import Amount

from beanfirm.core.beans import amount_of
from beanfirm.core.textmatch import folded
from beanfirm.ingest.dedup import Candidate
from beanfirm.ingest.ledgerindex import (
    UNCATEGORIZED,
    BookedEntry,
    Convertible,
    LedgerIndex,
    Slot,
)
from beanfirm.ingest.numbers import number_held, stated_numbers
from beanfirm.rules.categorize import Decision
from beanfirm.store.registry import FundingAccount

PAID_WITH = "paid-with"  # the import id of a card payment's top-up: `<row's id>/paid-with`
# What a payment method that is a card or a bank (not the app's own balance) says.
CARD_WORDS = ("卡", "银行", "card", "bank")

TRANSFER_WORDS = (
    "充值",
    "提现",
    "转账",
    "转入",
    "转出",
    "转存",
    "还款",
    "划转",
    "调拨",
    "top-up",
    "top up",
    "topup",
    "transfer",
    "xfer",
    "withdrawal",
    "repayment",
    "payment to",
    "payment thank you",
    "autopay",
)
# Names a bank or payment app goes by in the other side's export, by importer name prefix.
INSTITUTIONS: dict[str, tuple[str, ...]] = {
    "alipay": ("支付宝", "alipay"),
    "wechat": ("微信", "财付通", "wechat", "tenpay"),
    "jd": ("京东", "jd.com"),
    "icbc": ("工商银行", "工行", "icbc"),
    "cmb": ("招商银行", "招行", "cmb"),
    "ccb": ("建设银行", "建行", "ccb"),
    "boc": ("中国银行", "中行"),
    "bocom": ("交通银行", "交行", "bocom"),
    "abc": ("农业银行", "农行"),
    "chase": ("chase",),
}
CODE_PREFIX = re.compile(r"^\d+-")
# A bank's name as a payment method writes it: 招商银行, 中国建设银行, 浦发银行 (not 银行卡).
BANK_NAME = re.compile(r"[\u4e00-\u9fff]{2,}?银行")


@dataclass(frozen=True)
class Target:
    """The own account a row moved money to or from, and why beanfirm thinks so."""

    account: str
    evidence: str
    confirmed: bool


def row_texts(txn: data.Transaction) -> list[str]:
    """Return the texts of an imported transaction that may name the other account."""
    texts = [txn.payee or "", txn.narration or ""]
    counterparty = (txn.meta or {}).get("counterparty")
    if isinstance(counterparty, str):
        texts.append(counterparty)
    return [folded(text) for text in texts if text]


def has_transfer_word(texts: Sequence[str]) -> bool:
    """Tell whether any text holds a transfer word."""
    return any(word in text for text in texts for word in TRANSFER_WORDS)


def account_names(funding: FundingAccount) -> tuple[str, ...]:
    """Return the names an account goes by: its institution's, and its own last name."""
    prefix = funding.importer.split("-", 1)[0]
    names = list(INSTITUTIONS.get(prefix, ()))
    last = CODE_PREFIX.sub("", funding.account.rsplit(":", 1)[-1])
    if (len(last) >= 2 and not last.isascii()) or len(last) >= 4:  # noqa: PLR2004
        names.append(folded(last))
    return tuple(dict.fromkeys(names))


def names_account(texts: Sequence[str], funding: FundingAccount) -> bool:
    """Tell whether the texts name an account (ASCII names as whole words)."""
    return any(holds_name(text, name) for name in account_names(funding) for text in texts)


def holds_name(text: str, name: str) -> bool:
    """Tell whether a folded text holds a name (an ASCII name as a whole word)."""
    if name.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", text) is not None
    return name in text


def names_another_bank(texts: Sequence[str], funding: FundingAccount) -> bool:
    """Tell whether the texts name a bank or app, and it is not the account's.

    A bank is named as `INSTITUTIONS` knows it (建设银行, 建行, ccb, …), or as `…银行` (浦发银行).
    Only an account whose bank is known (by its importer, or a last name such as 工商银行)
    can be told apart: for another one this says no.
    """
    if names_account(texts, funding):
        return False
    prefix = funding.importer.split("-", 1)[0]
    if prefix not in INSTITUTIONS and not BANK_NAME.search(funding.account.rsplit(":", 1)[-1]):
        return False
    return any(
        holds_name(text, name)
        for names in INSTITUTIONS.values()
        for name in names
        for text in texts
    ) or any(BANK_NAME.search(text) for text in texts)


def transfer_target(
    txn: data.Transaction,
    statement_account: str,
    own: Sequence[FundingAccount],
    decision: Decision | None,
) -> Target | None:
    """Return the own account a categorized row moved money to or from, if it names one."""
    other = txn.postings[1].account if len(txn.postings) > 1 else None
    others = [funding for funding in own if funding.account != statement_account]
    if other is not None and other in {funding.account for funding in others}:
        reason = decision.reason if decision is not None else None
        return Target(other, reason or "a rule books it there", confirmed=True)
    if other is not None and other not in UNCATEGORIZED:
        return None
    texts = row_texts(txn)
    held = {funding.account: number_held(texts, funding.number) for funding in others}
    numbered = [funding for funding in others if held[funding.account] is not None]
    if len(numbered) == 1:
        if held[numbered[0].account] == "whole":
            return Target(numbered[0].account, "the row holds its account number", confirmed=True)
        # Four digits after a mask: another party's card may end so too. Named, not confirmed
        # (`!`) until the other account's statement shows the transfer.
        return Target(
            numbered[0].account, "the row holds its number's last four digits", confirmed=False
        )
    if not has_transfer_word(texts):
        return None
    named = named_accounts(texts, others)
    if len(named) == 1:
        return Target(named[0].account, "the row names it and says transfer", confirmed=False)
    return None


def named_accounts(texts: Sequence[str], others: Sequence[FundingAccount]) -> list[FundingAccount]:
    """Return the accounts the texts name, less those whose number the texts contradict.

    Texts that state an account number (an IBAN, a card's tail) and not this account's are
    about another account of the same bank: its name alone does not make it this one.
    """
    stated = stated_numbers(texts)
    return [
        funding
        for funding in others
        if names_account(texts, funding) and not (stated and funding.number)
    ]


def paying_account(
    txn: data.Transaction, statement_account: str, own: Sequence[FundingAccount]
) -> Target | None:
    """Return the client's own account that paid a payment app's row (or got its refund).

    The row's `method` names it: by its whole number, or by the last four digits together
    with the account's bank (`交通银行信用卡(7449)` for the 交通银行 account `…7449`), confirmed;
    by the last four digits of a method that names no bank, unconfirmed (`!`); or else by
    name (its bank's or app's, or its own last name) if exactly one of the client's other
    accounts fits and the method states no number that contradicts the account's,
    unconfirmed until the card's statement shows the payment. The last four digits of a card
    of another bank (`建设银行储蓄卡(3334)` and the 工商银行 account `…3334`) are not the
    account's. None for the app's own balance, or a card that is none of the client's.
    """
    method = (txn.meta or {}).get("method")
    if not isinstance(method, str) or not method:
        return None
    texts = [folded(method)]
    others = [funding for funding in own if funding.account != statement_account]
    numbered: list[Target] = []
    for funding in others:
        held = number_held(texts, funding.number)
        if held == "whole":
            numbered.append(Target(funding.account, "the card's number", confirmed=True))
        elif held == "tail" and names_account(texts, funding):
            evidence = "the card's last four digits and its bank"
            numbered.append(Target(funding.account, evidence, confirmed=True))
        elif held == "tail" and not names_another_bank(texts, funding):
            evidence = "the card's last four digits alone"
            numbered.append(Target(funding.account, evidence, confirmed=False))
    if numbered:
        return numbered[0] if len(numbered) == 1 else None
    named = named_accounts(texts, others)
    if len(named) != 1:
        return None
    return Target(named[0].account, "the card's name alone", confirmed=False)


def names_a_card(txn: data.Transaction) -> bool:
    """Tell whether a row's payment method is a card or a bank (not the app's balance)."""
    method = (txn.meta or {}).get("method")
    return isinstance(method, str) and any(word in folded(method) for word in CARD_WORDS)


def top_up(txn: data.Transaction, card: Target) -> data.Transaction:
    """Return the transfer that moves a card-paid row's money from the card into the app.

    It is dated and described as the row, with the import id `<row's id>/paid-with`; its legs
    are the opposite of the row's on the app's account, and the same amount on the card's. It
    is flagged `!` when only the card's name tied it to the account.
    """
    statement = txn.postings[0]
    number, currency = amount_of(statement)
    meta = dict(txn.meta)
    meta["import-id"] = f"{meta['import-id']}/{PAID_WITH}"
    postings = [
        statement._replace(units=Amount(-number, currency)),
        data.Posting(card.account, Amount(number, currency), None, None, None, None),
    ]
    return txn._replace(
        meta=meta,
        flag="*" if card.confirmed else "!",
        narration=str(txn.meta.get("method")),
        tags=frozenset(),
        links=frozenset(),
        postings=postings,
    )


def names_client(texts: Sequence[str], client_name: str) -> bool:
    """Tell whether the texts name the client itself (money between its own accounts)."""
    own_name = folded(client_name)
    return len(own_name) >= 2 and any(own_name in text for text in texts)  # noqa: PLR2004


def texts_name(texts: Sequence[str], funding: FundingAccount, client_name: str) -> bool:
    """Tell whether texts name one of the client's accounts, or the client itself.

    By the account's number (whole, or its tail after a marker), by its bank's or app's name
    or its own last name (unless the texts state another number), or by the client's name.
    """
    return (
        number_held(texts, funding.number) is not None
        or bool(named_accounts(texts, [funding]))
        or names_client(texts, client_name)
    )


def row_names(txn: data.Transaction, funding: FundingAccount, client_name: str) -> bool:
    """Tell whether a row is itself evidence of money moved to or from an own account.

    A rule (or a card payment's top-up) books it there, or its texts name it (`texts_name`).
    """
    if len(txn.postings) > 1 and txn.postings[1].account == funding.account:
        return True
    return texts_name(row_texts(txn), funding, client_name)


def completes(
    txn: data.Transaction, slot: Slot, own: Sequence[FundingAccount], client_name: str
) -> bool:
    """Tell whether a row may fill the open slot that its amount and day matched.

    Any row may fill an entry typed by hand, or a transfer confirmed from its first side
    (`*`). A transfer booked `!` from one side (its row named this account, or a card's last
    four digits did) is filled only by a row that names one of the transfer's other accounts
    itself: the same amount in the window is no evidence that it is the same movement.
    """
    entry = slot.entry
    if not entry.ids or entry.flag != "!":
        return True
    by_account = {funding.account: funding for funding in own}
    return any(
        other.leg.account in by_account
        and row_names(txn, by_account[other.leg.account], client_name)
        for other in entry.slots
        if other is not slot
    )


def convertible_for(
    row: Candidate,
    txn: data.Transaction,
    target: Target | None,
    index: LedgerIndex,
    own: Sequence[FundingAccount],
    taken: set[int],
    window: int,
    client_name: str,
) -> Convertible | None:
    """Return the uncategorized entry of another own account this row completes, if any.

    With a target, the closest such entry on that account; without one, only for a row still
    uncategorized, only an entry that a name ties to this row, and only if exactly one entry
    in the window qualifies.
    """
    if target is None and txn.postings[1].account not in UNCATEGORIZED:
        return None
    by_account = {funding.account: funding for funding in own}
    texts = row_texts(txn)
    found: list[tuple[int, Convertible]] = []
    days = index.convertibles.get((row.currency, -row.number))
    if not days:
        return None
    today = row.date.toordinal()
    for distance in range(window + 1):
        for day in (today,) if distance == 0 else (today - distance, today + distance):
            for item in days.get(day, []):
                account = item.own.account
                if id(item) in taken or account == row.account or account not in by_account:
                    continue
                if target is not None and account != target.account:
                    continue
                if target is None and not _tied(
                    texts, item, (by_account[account], by_account[row.account]), client_name
                ):
                    continue
                found.append((distance, item))
    if not found:
        return None
    if target is None and len(found) > 1:
        return None
    return min(found, key=lambda pair: pair[0])[1]


def _tied(
    texts: Sequence[str],
    item: Convertible,
    accounts: tuple[FundingAccount, FundingAccount],
    client_name: str,
) -> bool:
    """Tell whether a name ties a row to an entry of another own account.

    `accounts` are the entry's account and the row's: the row names the entry's, the entry
    names the row's, or either names the client itself.
    """
    entry_texts = booked_texts(item.entry)
    return (
        names_account(texts, accounts[0])
        or names_account(entry_texts, accounts[1])
        or names_client([*texts, *entry_texts], client_name)
    )


def booked_texts(entry: BookedEntry) -> list[str]:
    """Return the texts of a booked entry that may name another account, folded."""
    return [folded(text) for text in (entry.payee, entry.narration, entry.counterparty) if text]


def merge_confirmed(
    txn: data.Transaction,
    target: Target | None,
    item: Convertible,
    accounts: tuple[FundingAccount, FundingAccount],
    client_name: str,
) -> bool:
    """Tell whether a row merged with an uncategorized entry makes a confirmed transfer.

    `accounts` are the entry's account and the row's. Confirmed when a rule or the whole
    number gave the row its target, or when each side names the other's account (or the
    client): a pair that rests on one side's name stays `!`.
    """
    if target is not None and target.confirmed:
        return True
    return row_names(txn, accounts[0], client_name) and texts_name(
        booked_texts(item.entry), accounts[1], client_name
    )


def transfer_date(
    sides: dict[str, datetime.date],
    current: datetime.date,
    assertions: dict[str, set[datetime.date]],
) -> datetime.date:
    """Return the date of a transfer whose two sides' statements show different days.

    A transaction has one date; the balance assertions dated between the two days decide
    which (each account's balance must move on the right side of its own assertions). The
    current date is kept when both fit, or neither does (the check then reports the balance).
    """
    days = sorted(set(sides.values()))
    if len(days) == 1:
        return days[0]
    low, high = days[0], days[-1]

    def fits(candidate: datetime.date) -> bool:
        return all(
            (own < day) == (candidate < day)
            for account, own in sides.items()
            for day in assertions.get(account, ())
            if low < day <= high
        )

    for candidate in (current, *(day for day in days if day != current)):
        if fits(candidate):
            return candidate
    return current
