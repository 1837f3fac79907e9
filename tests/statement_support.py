"""A small ledger of two customers, and the letterheads, for the statement and dunning tests.

Worked by hand (CNY). Hualian (zh):
  2026-01-15 INV-001  1000.00, due 02-14          paid 02-10
  2026-02-03 INV-002  2500.00, due 03-05          credit note 100.00 (02-20), paid 1400.00 (02-25)
  2026-02-27 payment   300.00 with no invoice: an unapplied credit
  2026-03-01 INV-003   800.00, due 03-31
February: opening 1000.00, +2500 -1000 -100 -1400 -300, closing 700.00.
On 2026-04-10: INV-002 open 1000.00 (36 days overdue), INV-003 800.00 (10 days), credit -300.00;
the balance 1500.00.
Acme (en): INV-101 4000.00 on 2026-02-05 due 03-07, nothing paid (34 days overdue on 04-10).
"""

from __future__ import annotations

from pathlib import Path

from accounts_support import ledger_text
from cli_support import commit_all

from beanfirm.accounts.letterhead import Letterhead
from beanfirm.store.contacts import Contact
from beanfirm.store.registry import Classification, Client, Firm, Staff

HUALIAN = "Assets:Receivable:Hualian"
ACME = "Assets:Receivable:Acme"

OPENS = ledger_text("""
    option "operating_currency" "CNY"
    2026-01-01 open Assets:Bank CNY
    2026-01-01 open Income:Sales CNY
    2026-01-01 open Assets:Receivable:Hualian CNY
      name: "上海华联超市有限公司"
      terms-days: 30
      email: "ar@hualian.example"
      language: "zh"
      address: "上海市黄浦区南京东路800号"
    2026-01-01 open Assets:Receivable:Acme CNY
      name: "Acme Robotics Ltd."
      email: "ap@acme.example"
      language: "en"
      address: "88 Xinghu Street, Suzhou"
""")

ENTRIES = ledger_text("""
    2026-01-15 * "Hualian" "销售货物 INV-001" ^INV-001
      due: 2026-02-14
      Assets:Receivable:Hualian      1000.00 CNY
      Income:Sales
    2026-02-03 * "Hualian" "销售货物 INV-002" ^INV-002
      due: 2026-03-05
      Assets:Receivable:Hualian      2500.00 CNY
      Income:Sales
    2026-02-05 * "Acme" "Robot parts INV-101" ^INV-101
      due: 2026-03-07
      Assets:Receivable:Acme         4000.00 CNY
      Income:Sales
    2026-02-10 * "Hualian" "收到货款 INV-001" ^INV-001
      Assets:Bank                    1000.00 CNY
      Assets:Receivable:Hualian
    2026-02-20 * "Hualian" "销售折让 INV-002" ^INV-002
      Income:Sales                    100.00 CNY
      Assets:Receivable:Hualian
    2026-02-25 * "Hualian" "部分收款 INV-002" ^INV-002
      Assets:Bank                    1400.00 CNY
      Assets:Receivable:Hualian
    2026-02-27 * "Hualian" "预付货款"
      Assets:Bank                     300.00 CNY
      Assets:Receivable:Hualian
    2026-03-01 * "Hualian" "销售货物 INV-003" ^INV-003
      due: 2026-03-31
      Assets:Receivable:Hualian       800.00 CNY
      Income:Sales
""")

LEDGER = 'plugin "beanfirm.plugins.receivables"\n' + OPENS + ENTRIES

FIRM = Firm(
    "明账财务咨询有限公司 (Mingzhang Accounting)",
    (Staff("zhao", "赵磊 Zhao Lei", "zhao@mingzhang.example", "preparer"),),
    Contact(
        "上海市静安区南京西路1266号",
        "021-6288 1200",
        "service@mingzhang.example",
        "91310106MA1FY0AB2C",
    ),
    None,
    3,
)
CLIENT = Client(
    "dongsheng",
    "杭州东升商贸有限公司",
    Classification("wholesale", "medium", "zhejiang", "small"),
    "zhao",
    "wang",
    "CNY",
    "01-01",
    "zh",
    "monthly",
    (),
    20,
    Contact(
        "杭州市上城区解放路138号",
        "0571-8702 3456",
        "finance@dongsheng.example",
        "91330102MA2H3K4L5M",
    ),
)
FIRM_HEAD = Letterhead(FIRM.name, FIRM.contact)
CLIENT_HEAD = Letterhead(CLIENT.name, CLIENT.contact)

FIRM_LETTERHEAD = (
    "  address: 上海市静安区南京西路1266号\n"
    "  phone: 021-6288 1200\n"
    "  email: service@firm.example\n"
    "  tax-id: 91310106MA1FY0AB2C\n"
)
CLIENT_LETTERHEAD = (  # `clients add` indents a client's keys by four spaces
    "    address: 上海市浦东新区张杨路1501号\n"
    "    phone: 021-5830 6688\n"
    "    tax-id: 91310115MA1K3A7B8D\n"
)


def add_customers(practice: Path, client_id: str = "huamei", *, letterhead: bool = True) -> Path:
    """Give a Chinese-chart client (`practice_with_client`'s huamei) the two customers above.

    With `letterhead`, the firm and every client registered so far get the letterhead keys in
    clients.yaml. Commits.
    """
    ledger = practice / "ledgers" / client_id
    opens = OPENS.split("\n", 1)[1]  # without the option line: main.beancount has it
    with (ledger / "accounts.beancount").open("a", encoding="utf-8") as accounts:
        accounts.write("\n; Customers\n" + opens)
    journal = ledger / "journal" / "2026" / "02.beancount"
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text(ENTRIES, encoding="utf-8")
    if letterhead:
        registry = practice / "clients.yaml"
        text = registry.read_text(encoding="utf-8")
        text = text.replace("  name: Test Firm\n", "  name: Test Firm\n" + FIRM_LETTERHEAD, 1)
        text = text.replace(
            "    reconcile: monthly\n", "    reconcile: monthly\n" + CLIENT_LETTERHEAD
        )
        registry.write_text(text, encoding="utf-8")
    commit_all(practice, f"Customers of {client_id}")
    return practice
