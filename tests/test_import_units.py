"""The import's domain parts on inline ledgers: month files, the index, dedup, transfers."""

from __future__ import annotations

import datetime
import textwrap
from decimal import Decimal

import pytest
from beancount.core import data
from beancount.parser import parser
from hypothesis import given, settings
from hypothesis import strategies as st

from beanfirm.core.beans import Directive, amount_of
from beanfirm.core.monthfiles import (
    AddMeta,
    NewEntry,
    Relocate,
    ReplaceLine,
    SetFlag,
    apply_edits,
    merge_entries,
)
from beanfirm.ingest import dedup
from beanfirm.ingest.dedup import Candidate, known_rows, match_open_slots
from beanfirm.ingest.ledgerindex import build_index, with_amounts
from beanfirm.ingest.numbers import holds_number
from beanfirm.ingest.transfers import names_account, transfer_date, transfer_target
from beanfirm.store.registry import FundingAccount

BANK = "Assets:Bank:CMB"
WALLET = "Assets:Alipay"
D = datetime.date


def parse(text: str) -> list[Directive]:
    entries, errors, _ = parser.parse_string(textwrap.dedent(text))
    assert not errors, errors
    return list(entries)


def row(
    key: int, day: int, number: str, text: str = "", account: str = BANK, rid: str = ""
) -> Candidate:
    return Candidate(key, account, Decimal(number), "CNY", D(2024, 3, day), text, rid or f"r{key}")


# --- month files ------------------------------------------------------------------------

MONTH = textwrap.dedent(
    """\
    ; 2024-03: entries of this month, in date order.

    2024-03-01 * "a"
      Assets:Bank:CMB  -1.00 CNY
      Expenses:X

    2024-03-05 * "b"
      Assets:Bank:CMB  -2.00 CNY
      Expenses:X
    """
)


def entry(day: int, name: str, *, balance: bool = False) -> NewEntry:
    text = f'2024-03-{day:02d} * "{name}"\n  Assets:Bank:CMB  -9.00 CNY\n  Expenses:X\n'
    if balance:
        text = f"2024-03-{day:02d} balance Assets:Bank:CMB  0.00 CNY\n"
    return NewEntry(D(2024, 3, day), balance, text)


def test_new_entries_go_in_date_order_and_only_add_lines() -> None:
    merged = merge_entries(MONTH, D(2024, 3, 1), [entry(3, "new"), entry(9, "last")])
    dates = [line[:10] for line in merged.splitlines() if line[:2] == "20"]
    assert dates == ["2024-03-01", "2024-03-03", "2024-03-05", "2024-03-09"]
    old = MONTH.splitlines()
    kept = iter(merged.splitlines())
    assert all(any(line == other for other in kept) for line in old)  # old lines, in order
    assert "\n\n\n" not in merged


def test_a_balance_goes_before_the_transactions_of_its_day() -> None:
    merged = merge_entries(MONTH, D(2024, 3, 1), [entry(5, "", balance=True), entry(5, "same day")])
    heads = [line for line in merged.splitlines() if line[:2] == "20"]
    assert heads[1].startswith("2024-03-05 balance")
    assert heads[2] == '2024-03-05 * "b"'
    assert heads[3] == '2024-03-05 * "same day"'


def test_a_new_month_file_gets_the_header() -> None:
    merged = merge_entries(None, D(2024, 4, 1), [entry(2, "x")])
    assert merged.startswith("; 2024-04: entries of this month, in date order.\n\n2024-03-02")


def test_an_entry_before_all_others_goes_after_the_header() -> None:
    merged = merge_entries(
        MONTH.replace("2024-03-01", "2024-03-02"), D(2024, 3, 1), [entry(1, "x")]
    )
    assert merged.splitlines()[2] == '2024-03-01 * "x"'


def test_edits_add_metadata_replace_a_posting_set_the_flag() -> None:
    text = MONTH.replace('2024-03-05 * "b"', '2024-03-05 ! "b"\n  import-id: "x1"')
    edited, moved = apply_edits(
        text,
        [
            AddMeta(7, "import-id-2", '"y2"'),
            SetFlag(7, "*"),
            ReplaceLine(10, "  Assets:Alipay  2.00 CNY"),
        ],
    )
    assert not moved
    assert edited.splitlines()[6:10] == [
        '2024-03-05 * "b"',
        '  import-id: "x1"',
        '  import-id-2: "y2"',
        "  Assets:Bank:CMB  -2.00 CNY",
    ]
    assert "  Assets:Alipay  2.00 CNY" in edited


def test_relocate_takes_an_entry_out_with_its_edits() -> None:
    edited, moved = apply_edits(
        MONTH, [AddMeta(7, "import-id-2", '"y"'), Relocate(7, D(2024, 2, 29))]
    )
    assert '"b"' not in edited
    assert edited.endswith("Expenses:X\n")
    assert [entry.text.splitlines()[:2] for entry in moved] == [
        ['2024-02-29 * "b"', '  import-id-2: "y"']
    ]


# --- the index ------------------------------------------------------------------------


LEDGER = """
2024-03-10 * "Coffee" "typed by hand"
  Expenses:Coffee   35.00 CNY
  Assets:Bank:CMB

2024-03-11 ! "Shop" "imported"
  import-id: "fp:1#1"
  Assets:Bank:CMB  -20.00 CNY
  Expenses:Uncategorized  20.00 CNY

2024-03-12 ! "Top-up" "imported transfer"
  import-id: "T9"
  Assets:Alipay   500.00 CNY
  Assets:Bank:CMB  -500.00 CNY

2024-03-13 balance Assets:Bank:CMB  100.00 CNY
"""


def test_the_index_knows_ids_per_account_and_open_slots() -> None:
    index = build_index(parse(LEDGER), [BANK, WALLET])
    assert index.known(BANK, "fp:1#1") is not None
    assert index.known(WALLET, "fp:1#1") is None  # an id is known for its own account
    assert index.known(WALLET, "T9") is not None
    # The elided amount of the entry typed by hand is filled in.
    assert [
        s.entry.payee for s in index.open_slots(BANK, "CNY", Decimal("-35.00"), D(2024, 3, 10))
    ] == ["Coffee"]
    # The transfer awaits the bank's side; its Alipay side is claimed.
    assert len(index.open_slots(BANK, "CNY", Decimal("-500.00"), D(2024, 3, 12))) == 1
    assert not index.open_slots(WALLET, "CNY", Decimal("500.00"), D(2024, 3, 12))
    assert (BANK, "CNY", D(2024, 3, 13)) in index.balances
    assert {key: list(days) for key, days in index.convertibles.items()} == {
        ("CNY", Decimal("-20.00")): [D(2024, 3, 11).toordinal()]
    }


def test_with_amounts_fills_in_elided_postings() -> None:
    completed = with_amounts(parse(LEDGER))
    coffee = completed[0]
    assert isinstance(coffee, data.Transaction)
    assert amount_of(coffee.postings[1])[0] == Decimal("-35.00")


# --- dedup ------------------------------------------------------------------------------


def test_an_amount_a_cent_apart_is_not_a_duplicate() -> None:
    index = build_index(parse(LEDGER), [BANK])
    matched = match_open_slots([row(0, 10, "-36.50", "Supermarket")], index)
    assert matched == {}


def test_one_entry_absorbs_one_row_the_closest() -> None:
    index = build_index(parse(LEDGER), [BANK])
    rows = [row(0, 11, "-35.00", "Coffee"), row(1, 10, "-35.00", "Coffee")]
    matched = match_open_slots(rows, index)
    assert list(matched) == [1]  # the row on the entry's own day, not the first in the file
    assert matched[1].claimed_by == "r1"


def test_rows_known_by_id_are_found() -> None:
    index = build_index(parse(LEDGER), [BANK])
    rows = [row(0, 11, "-20.00", rid="fp:1#1"), row(1, 11, "-20.00", rid="fp:1#2")]
    assert list(known_rows(rows, index)) == [0]


def test_the_closest_text_wins_between_two_entries_of_one_day() -> None:
    ledger = """
    2024-03-10 * "Bakery" ""
      Assets:Bank:CMB  -5.00 CNY
      Expenses:Food
    2024-03-10 * "Taxi" ""
      Assets:Bank:CMB  -5.00 CNY
      Expenses:Transport
    """
    index = build_index(parse(ledger), [BANK])
    matched = match_open_slots(
        [row(0, 10, "-5.00", "TAXI 123"), row(1, 10, "-5.00", "bakery")], index
    )
    assert matched[0].entry.payee == "Taxi"
    assert matched[1].entry.payee == "Bakery"


def test_matching_looks_up_days_never_scans_the_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = 0
    original = dedup.similarity

    def counting(left: str, right: str) -> float:
        nonlocal compared
        compared += 1
        return original(left, right)

    monkeypatch.setattr(dedup, "similarity", counting)
    counts = []
    for size in (1000, 4000):
        # Every entry of the ledger has the amount of every row, one entry a day.
        ledger = "".join(
            f'{D(2020, 1, 1) + datetime.timedelta(days=n)} * "x"\n'
            "  Assets:Bank:CMB  -5.00 CNY\n  Expenses:X\n\n"
            for n in range(size)
        )
        index = build_index(parse(ledger), [BANK])
        rows = [
            Candidate(
                n,
                BANK,
                Decimal("-5.00"),
                "CNY",
                D(2020, 1, 2) + datetime.timedelta(days=n),
                "y",
                f"r{n}",
            )
            for n in range(0, 900, 3)
        ]
        compared = 0
        assert len(match_open_slots(rows, index)) == len(rows)
        counts.append(compared)
    assert counts[0] == counts[1] == len(rows)  # each row meets the entry of its own day


# --- transfers ----------------------------------------------------------------------------

OWN = (
    FundingAccount(BANK, "bank", "cmb-debit", "6214830012345678", None, None),
    FundingAccount(WALLET, "payment", "alipay", None, None, None),
)


def imported(text: str) -> data.Transaction:
    (txn,) = parse(text)
    assert isinstance(txn, data.Transaction)
    return txn


def test_a_row_naming_the_other_account_with_a_transfer_word_is_a_transfer() -> None:
    txn = imported(
        '2024-03-05 ! "支付宝（中国）网络技术有限公司" "支付宝充值"\n'  # noqa: RUF001 - as Alipay writes it
        "  Assets:Bank:CMB  -500.00 CNY\n  Expenses:Uncategorized  500.00 CNY\n"
    )
    target = transfer_target(txn, BANK, OWN, None)
    assert target is not None
    assert target.account == WALLET
    assert not target.confirmed


def test_a_name_without_a_transfer_word_is_not_a_transfer() -> None:
    txn = imported(
        '2024-03-05 ! "支付宝-某超市" "快捷支付"\n'
        "  Assets:Bank:CMB  -50.00 CNY\n  Expenses:Uncategorized  50.00 CNY\n"
    )
    assert transfer_target(txn, BANK, OWN, None) is None


def test_a_categorized_row_is_never_a_transfer_by_text() -> None:
    txn = imported(
        '2024-03-05 * "支付宝" "充值"\n  Assets:Bank:CMB  -50.00 CNY\n  Expenses:Phone  50.00 CNY\n'
    )
    assert transfer_target(txn, BANK, OWN, None) is None


def test_account_numbers_in_full_or_as_a_marked_tail() -> None:
    assert holds_number(["转入 6214 8300 1234 5678"], "6214830012345678")
    assert holds_number(["招商银行储蓄卡(5678)"], "6214830012345678")
    assert holds_number(["card ending in 5678"], "6214830012345678")
    assert not holds_number(["order 15678"], "6214830012345678")
    assert not holds_number(["5678"], None)


def test_ascii_names_match_whole_words_only() -> None:
    chase = FundingAccount("Assets:Bank:Chase", "bank", "chase", None, None, None)
    assert names_account(["payment to chase card"], chase)
    assert not names_account(["purchase at chasefield"], chase)


def test_a_transfer_is_dated_where_both_balances_hold() -> None:
    sides = {BANK: D(2024, 3, 5), WALLET: D(2024, 3, 6)}
    assert transfer_date(sides, D(2024, 3, 6), {BANK: {D(2024, 3, 6)}}) == D(2024, 3, 5)
    assert transfer_date(sides, D(2024, 3, 6), {WALLET: {D(2024, 3, 6)}}) == D(2024, 3, 6)
    assert transfer_date(sides, D(2024, 3, 6), {}) == D(2024, 3, 6)


def test_a_wechat_withdrawal_to_the_bank_is_a_transfer() -> None:
    own = (*OWN, FundingAccount("Assets:WeChat", "payment", "wechat", None, None, None))
    txn = imported(
        '2024-03-05 ! "财付通支付科技有限公司" "微信零钱提现"\n'
        "  Assets:Bank:CMB  800.00 CNY\n  Income:Uncategorized  -800.00 CNY\n"
    )
    target = transfer_target(txn, BANK, own, None)
    assert target is not None
    assert target.account == "Assets:WeChat"


# --- dedup, as a property ----------------------------------------------------------------

# Few days and amounts, so that many entries share a day and an amount (more than the 8
# compared by text at once).
entries_st = st.lists(
    st.tuples(st.integers(1, 6), st.sampled_from(["-5.00", "-7.50"]), st.sampled_from(["a", "b"])),
    max_size=40,
)
rows_st = st.lists(
    st.tuples(
        st.integers(1, 6), st.sampled_from(["-5.00", "-7.50", "-5.01"]), st.sampled_from(["a", "b"])
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(entries=entries_st, rows=rows_st, window=st.integers(0, 3))
def test_matching_is_one_to_one_exact_within_the_window_and_misses_nothing(
    entries: list[tuple[int, str, str]], rows: list[tuple[int, str, str]], window: int
) -> None:
    ledger = "".join(
        f'2024-03-{day:02d} * "{payee}"\n  Assets:Bank:CMB  {amount} CNY\n  Expenses:X\n\n'
        for day, amount, payee in entries
    )
    index = build_index(parse(ledger), [BANK]) if entries else build_index([], [BANK])
    candidates = [row(key, day, amount, payee) for key, (day, amount, payee) in enumerate(rows)]
    matched = match_open_slots(candidates, index, window)
    slots = [id(slot) for slot in matched.values()]
    assert len(slots) == len(set(slots))  # one row per entry
    for key, slot in matched.items():
        candidate = candidates[key]
        assert slot.leg.number == candidate.number  # the exact amount
        assert abs((slot.entry.date - candidate.date).days) <= window
        assert slot.claimed_by == candidate.import_id
    # No row is left unmatched while an entry it could match is left free.
    for candidate in candidates:
        if candidate.key in matched:
            continue
        for shift in range(-window, window + 1):
            day = candidate.date + datetime.timedelta(days=shift)
            assert not index.open_slots(BANK, "CNY", candidate.number, day)
