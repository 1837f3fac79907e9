"""A generator of plausible practices: the bundled demo, and practices of any size.

Everything is drawn from `random.Random` with a fixed seed per client, so the same arguments
always give byte-identical ledgers. Four kinds of client are modelled, one per demo client:
a retail shop paid through Alipay and WeChat, a wholesaler with receivables and payables, a
consultancy whose staff visit customers, and a cross-border seller in CNY and USD. Every
bank and payment account gets a balance assertion after each month, dated the day after the
month ends (Beancount checks balances at the start of the day).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import yaml

from beanfirm.charts import skeleton_files
from beanfirm.journal import Posting, Txn, balance_text, month_path, quote, txn_text
from beanfirm.newpractice import GITIGNORE
from beanfirm.onboarding import client_yaml
from beanfirm.registry import Classification, Client, FundingAccount, Staff

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

DEMO_START = datetime.date(2025, 10, 1)
DEMO_MONTHS = 13
DEMO_SEED = 20251001
KINDS = ("retail", "wholesale", "consulting", "crossborder")

FIRM_NAME = "明账财务咨询有限公司 (Mingzhang Accounting)"
STAFF = (
    Staff("chen", "陈静 Chen Jing", "chen@mingzhang.example", "partner"),
    Staff("wang", "王芳 Wang Fang", "wang@mingzhang.example", "reviewer"),
    Staff("li", "李娜 Li Na", "li@mingzhang.example", "preparer"),
    Staff("zhao", "赵磊 Zhao Lei", "zhao@mingzhang.example", "preparer"),
)

ICBC = "Assets:1002-银行存款:工商银行"
CMB = "Assets:1002-银行存款:招商银行"
BOC_USD = "Assets:1002-银行存款:中国银行美元户"
ALIPAY = "Assets:1012-其他货币资金:支付宝"
WECHAT = "Assets:1012-其他货币资金:微信支付"
EN_BANK = "Assets:Bank:CMB"
EN_CARD = "Liabilities:CreditCard:CMB"
SALES = "Income:5001-主营业务收入"
COGS = "Expenses:5401-主营业务成本"
VAT = "Liabilities:2221-应交税费:应交增值税"
FEES = "Expenses:5603-财务费用:手续费"
RENT = "Expenses:5602-管理费用:房租"
UTILITIES = "Expenses:5602-管理费用:水电费"
SALARIES = "Expenses:5602-管理费用:职工薪酬"
OFFICE = "Expenses:5602-管理费用:办公费"
FREIGHT = "Expenses:5601-销售费用:运输费"
ADVERTISING = "Expenses:5601-销售费用:广告费"
FX = "Expenses:5603-财务费用:汇兑损益"
RECEIVABLE_CN = "Assets:1122-应收账款"
PAYABLE_CN = "Liabilities:2202-应付账款"


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    """Return a random amount between low and high (in currency units), to the cent."""
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _day(rng: random.Random, month: datetime.date) -> datetime.date:
    return month.replace(day=rng.randint(1, 28))


def _months(start: datetime.date, count: int) -> list[datetime.date]:
    months = []
    year, month = start.year, start.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)  # noqa: PLR2004
    return months


@dataclass
class Book:
    """The entries of one client being generated."""

    client: Client
    rng: random.Random
    txns: list[Txn] = field(default_factory=list)
    opens: list[str] = field(default_factory=list)
    serial: int = 0

    def add(self, txn: Txn) -> None:
        """Add a transaction to the book."""
        self.txns.append(txn)

    def next_id(self, prefix: str, date: datetime.date) -> str:
        """Return the next document number, like INV-2025-0001."""
        self.serial += 1
        return f"{prefix}-{date.year}-{self.serial:04d}"


def _sale(book: Book, date: datetime.date, account: str, payee: str, low: int, high: int) -> None:
    gross = _cents(book.rng, low, high)
    tax = (gross * Decimal("0.03") / Decimal("1.03")).quantize(Decimal("0.01"))
    book.add(
        Txn(
            date,
            payee,
            "门店销售收款",
            (
                Posting(account, gross, "CNY"),
                Posting(SALES, -(gross - tax), "CNY"),
                Posting(VAT, -tax, "CNY"),
            ),
        )
    )


def _expense(
    book: Book,
    date: datetime.date,
    payee: str,
    narration: str,
    expense: str,
    paid_from: str,
    amount: Decimal,
    currency: str = "CNY",
    *,
    tags: tuple[str, ...] = (),
    meta: tuple[tuple[str, str], ...] = (),
) -> None:
    book.add(
        Txn(
            date,
            payee,
            narration,
            (
                Posting(expense, amount, currency),
                Posting(paid_from, -amount, currency),
            ),
            tags=tags,
            meta=meta,
        )
    )


def _monthly_overheads(
    book: Book, month: datetime.date, bank: str, accounts: dict[str, str], scale: int
) -> None:
    rng = book.rng
    _expense(
        book,
        month.replace(day=5),
        "上海恒基物业",
        "房租",
        accounts["rent"],
        bank,
        Decimal(3000 * scale),
    )
    _expense(
        book,
        month.replace(day=10),
        "国家电网",
        "电费",
        accounts["utilities"],
        bank,
        _cents(rng, 200 * scale, 600 * scale),
    )
    _expense(
        book,
        month.replace(day=15),
        "员工工资",
        "发放工资",
        accounts["salaries"],
        bank,
        Decimal(8000 * scale),
    )


# --- the four kinds of client ---------------------------------------------------------------

RETAIL_PAYEES = ("顾客扫码", "美团外卖", "饿了么", "顾客付款")
RETAIL_SUPPLIERS = ("上海光明乳业", "农夫山泉经销商", "统一企业", "康师傅饮品")


def _retail(book: Book, month: datetime.date, per_month: int) -> None:
    rng = book.rng
    _monthly_overheads(book, month, ICBC, _CN_OVERHEADS, 1)
    fixed = 3 + 2 + 2
    for index in range(max(per_month - fixed, 1)):
        date = _day(rng, month)
        if index % 10 == 9:  # noqa: PLR2004 - about one purchase in ten
            supplier = rng.choice(RETAIL_SUPPLIERS)
            _expense(book, date, supplier, "进货", COGS, ICBC, _cents(rng, 500, 3000))
        else:
            wallet = ALIPAY if rng.random() < 0.5 else WECHAT  # noqa: PLR2004
            _sale(book, date, wallet, rng.choice(RETAIL_PAYEES), 10, 300)
    for wallet, name in ((ALIPAY, "支付宝"), (WECHAT, "微信支付")):
        fee = _cents(rng, 5, 30)
        _expense(book, month.replace(day=27), name, "服务费", FEES, wallet, fee)
        # Sweep most of the wallet into the bank; the bank leg is what the bank shows.
        amount = _cents(rng, 1000, 3000)
        book.add(
            Txn(
                month.replace(day=28),
                name,
                f"{name}提现到工商银行",
                (
                    Posting(ICBC, amount, "CNY"),
                    Posting(wallet, -amount, "CNY"),
                ),
            )
        )


def _awaiting_categorization(book: Book, month: datetime.date) -> None:
    """Leave a few of the latest month's payments uncategorized, as an import does."""
    unknown = (("中国移动", "话费充值", 100), ("拼多多", "商品", 86), ("滴滴出行", "快车", 43))
    for day, (payee, narration, amount) in zip((24, 25, 26), unknown, strict=True):
        book.add(
            Txn(
                month.replace(day=day),
                payee,
                narration,
                (
                    Posting("Expenses:Uncategorized", Decimal(amount), "CNY"),
                    Posting(ALIPAY, -Decimal(amount), "CNY"),
                ),
                flag="!",
            )
        )


WHOLESALE_CUSTOMERS = (
    ("华联超市", "上海华联超市有限公司", 30, 200000, "ar@hualian.example"),
    ("永辉超市", "永辉超市股份有限公司", 45, 300000, "finance@yonghui.example"),
    ("全家便利", "全家便利店(中国)有限公司", 30, 100000, "ap@familymart.example"),
    ("罗森便利", "罗森(中国)投资有限公司", 60, 150000, "ap@lawson.example"),
)
WHOLESALE_VENDORS = (
    ("义乌小商品", "义乌小商品城批发部", 30),
    ("宁波食品厂", "宁波海天食品有限公司", 45),
)


def _wholesale_opens(book: Book, opened: datetime.date) -> None:
    for key, name, terms, limit, email in WHOLESALE_CUSTOMERS:
        book.opens.append(
            f"{opened} open {RECEIVABLE_CN}:{key} CNY\n"
            f"  name: {quote(name)}\n  terms-days: {terms}\n"
            f'  credit-limit: {limit}.00 CNY\n  email: {quote(email)}\n  language: "zh"\n'
        )
    for key, name, terms in WHOLESALE_VENDORS:
        book.opens.append(
            f"{opened} open {PAYABLE_CN}:{key} CNY\n  name: {quote(name)}\n  terms-days: {terms}\n"
        )


def _wholesale(book: Book, month: datetime.date, per_month: int, end: datetime.date) -> None:
    rng = book.rng
    _monthly_overheads(book, month, CMB, _CN_OVERHEADS, 2)
    invoices = max((per_month - 3) // 2, 1)
    for index in range(invoices):
        date = _day(rng, month)
        if index % 4 == 3:  # noqa: PLR2004 - a purchase bill for every three sales invoices
            key, _name, terms = rng.choice(WHOLESALE_VENDORS)
            bill = book.next_id("BILL", date)
            amount = _cents(rng, 5000, 40000)
            due = date + datetime.timedelta(days=terms)
            book.add(
                Txn(
                    date,
                    key,
                    f"采购货物 {bill}",
                    (
                        Posting(COGS, amount, "CNY"),
                        Posting(f"{PAYABLE_CN}:{key}", -amount, "CNY"),
                    ),
                    links=(bill,),
                    meta=(("due", due.isoformat()),),
                )
            )
            paid = due + datetime.timedelta(days=rng.randint(-5, 5))
            if paid <= end:
                book.add(
                    Txn(
                        paid,
                        key,
                        f"支付货款 {bill}",
                        (
                            Posting(f"{PAYABLE_CN}:{key}", amount, "CNY"),
                            Posting(CMB, -amount, "CNY"),
                        ),
                        links=(bill,),
                    )
                )
            continue
        key, _name, terms, _limit, _email = rng.choice(WHOLESALE_CUSTOMERS)
        invoice = book.next_id("INV", date)
        net = _cents(rng, 5000, 50000)
        tax = (net * Decimal("0.13")).quantize(Decimal("0.01"))
        due = date + datetime.timedelta(days=terms)
        book.add(
            Txn(
                date,
                key,
                f"销售货物 {invoice}",
                (
                    Posting(f"{RECEIVABLE_CN}:{key}", net + tax, "CNY"),
                    Posting(SALES, -net, "CNY"),
                    Posting(VAT, -tax, "CNY"),
                ),
                links=(invoice,),
                meta=(("due", due.isoformat()),),
            )
        )
        paid = due + datetime.timedelta(days=rng.randint(-10, 25))
        if paid <= end and rng.random() < 0.9:  # noqa: PLR2004 - some invoices stay unpaid
            book.add(
                Txn(
                    paid,
                    key,
                    f"收到货款 {invoice}",
                    (
                        Posting(CMB, net + tax, "CNY"),
                        Posting(f"{RECEIVABLE_CN}:{key}", -(net + tax), "CNY"),
                    ),
                    links=(invoice,),
                )
            )
    _expense(
        book, month.replace(day=20), "顺丰速运", "物流费", FREIGHT, CMB, _cents(rng, 800, 2500)
    )


CONSULTING_CUSTOMERS = (
    ("Acme-Robotics", "Acme Robotics (Suzhou) Co., Ltd.", 30, 300000, "ap@acme.example"),
    ("Lotus-Pharma", "Lotus Pharmaceutical Ltd.", 45, 500000, "finance@lotus.example"),
    ("Harbor-Logistics", "Harbor Logistics Group", 30, 200000, "ap@harbor.example"),
)
VISIT_COSTS = (
    ("Expenses:Travel:Transport", "Didi", "Taxi to customer", 30, 180),
    ("Expenses:Travel:Transport", "China Railway", "High-speed rail", 150, 600),
    ("Expenses:Travel:Meals", "Haidilao", "Lunch with customer", 200, 900),
    ("Expenses:Travel:Lodging", "Hanting Hotel", "Hotel night", 300, 700),
)


def _consulting_opens(book: Book, opened: datetime.date) -> None:
    for key, name, terms, limit, email in CONSULTING_CUSTOMERS:
        book.opens.append(
            f"{opened} open Assets:Receivable:{key} CNY\n"
            f"  name: {quote(name)}\n  terms-days: {terms}\n"
            f'  credit-limit: {limit}.00 CNY\n  email: {quote(email)}\n  language: "en"\n'
        )


def _consulting(book: Book, month: datetime.date, per_month: int, end: datetime.date) -> None:
    rng = book.rng
    _monthly_overheads(book, month, EN_BANK, _EN_OVERHEADS, 2)
    remaining = max(per_month - 4, 2)
    invoices = max(remaining // 4, 1)
    for _ in range(invoices):
        key, _name, terms, _limit, _email = rng.choice(CONSULTING_CUSTOMERS)
        date = _day(rng, month)
        invoice = book.next_id("INV", date)
        amount = Decimal(rng.randint(20, 120) * 1000)
        due = date + datetime.timedelta(days=terms)
        book.add(
            Txn(
                date,
                key,
                f"Consulting services {invoice}",
                (
                    Posting(f"Assets:Receivable:{key}", amount, "CNY"),
                    Posting("Income:Services", -amount, "CNY"),
                ),
                links=(invoice,),
                meta=(("due", due.isoformat()),),
            )
        )
        paid = due + datetime.timedelta(days=rng.randint(-5, 20))
        if paid <= end and rng.random() < 0.9:  # noqa: PLR2004
            book.add(
                Txn(
                    paid,
                    key,
                    f"Payment {invoice}",
                    (
                        Posting(EN_BANK, amount, "CNY"),
                        Posting(f"Assets:Receivable:{key}", -amount, "CNY"),
                    ),
                    links=(invoice,),
                )
            )
    visits = max(remaining - 2 * invoices - 1, 1)
    charged = Decimal(0)
    for _ in range(visits):
        key = rng.choice(CONSULTING_CUSTOMERS)[0]
        date = _day(rng, month)
        visit = book.next_id("V", date)
        account, payee, narration, low, high = rng.choice(VISIT_COSTS)
        amount = _cents(rng, low, high)
        charged += amount
        _expense(
            book,
            date,
            payee,
            narration,
            account,
            EN_CARD,
            amount,
            tags=("visit",),
            meta=(("customer", quote(key)), ("visit", quote(visit))),
        )
    # The card is repaid in full from the bank at the end of the month.
    last_day = _months(month, 2)[1] - datetime.timedelta(days=1)
    book.add(
        Txn(
            last_day,
            "China Merchants Bank",
            "Credit card repayment",
            (
                Posting(EN_CARD, charged, "CNY"),
                Posting(EN_BANK, -charged, "CNY"),
            ),
        )
    )


def _crossborder(book: Book, month: datetime.date, per_month: int) -> None:
    rng = book.rng
    _monthly_overheads(book, month, CMB, _CN_OVERHEADS, 1)
    payouts = max(per_month - 5, 1)
    for index in range(payouts):
        date = _day(rng, month)
        if index % 5 == 4:  # noqa: PLR2004 - advertising in USD, one in five
            _expense(
                book,
                date,
                "Amazon Ads",
                "亚马逊广告费",
                ADVERTISING,
                BOC_USD,
                _cents(rng, 100, 800),
                "USD",
            )
            continue
        gross = _cents(rng, 500, 4000)
        book.add(
            Txn(
                date,
                "Amazon Payments",
                "亚马逊销售回款",
                (
                    Posting(BOC_USD, gross, "USD"),
                    Posting(SALES, -gross, "USD"),
                ),
            )
        )
    rate = Decimal("7.1") + Decimal(rng.randint(-800, 800)) / 10000
    usd = Decimal(rng.randint(20, 60) * 100)
    book.add(
        Txn(
            month.replace(day=26),
            "中国银行",
            "美元结汇",
            (
                Posting(BOC_USD, -usd, "USD", price=(rate, "CNY")),
                Posting(CMB, (usd * rate).quantize(Decimal("0.01")), "CNY"),
            ),
        )
    )
    _expense(
        book, month.replace(day=18), "义乌供应商", "采购商品", COGS, CMB, _cents(rng, 20000, 60000)
    )


_CN_OVERHEADS = {"rent": RENT, "utilities": UTILITIES, "salaries": SALARIES}
_EN_OVERHEADS = {
    "rent": "Expenses:Rent",
    "utilities": "Expenses:Utilities",
    "salaries": "Expenses:Salaries",
}


# --- clients and practices ------------------------------------------------------------------


def demo_clients() -> list[tuple[Client, str]]:
    """Return the four demo clients with their kinds."""
    return [
        (
            Client(
                "huamei-retail",
                "上海华美便利店有限公司",
                Classification("retail", "high", "shanghai", "micro"),
                "li",
                "wang",
                "CNY",
                "01-01",
                "zh",
                "monthly",
                (
                    FundingAccount(ICBC, "bank", "icbc-debit", "6222021001112223334", None, None),
                    FundingAccount(ALIPAY, "payment", "alipay", None, None, None),
                    FundingAccount(WECHAT, "payment", "wechat", None, None, None),
                ),
                0,
            ),
            "retail",
        ),
        (
            Client(
                "dongsheng-trading",
                "杭州东升商贸有限公司",
                Classification("wholesale", "medium", "zhejiang", "small"),
                "zhao",
                "wang",
                "CNY",
                "01-01",
                "zh",
                "monthly",
                (FundingAccount(CMB, "bank", "cmb-debit", "571908765432101", None, None),),
                0,
            ),
            "wholesale",
        ),
        (
            Client(
                "brightpath-consulting",
                "Brightpath Consulting (Shanghai) Co., Ltd.",
                Classification("consulting", "low", "shanghai", "small"),
                "li",
                "chen",
                "CNY",
                "01-01",
                "en",
                "monthly",
                (
                    FundingAccount(EN_BANK, "bank", "cmb-debit", "121909876543210", None, None),
                    FundingAccount(EN_CARD, "credit-card", "cmb-credit", None, None, None),
                ),
                0,
            ),
            "consulting",
        ),
        (
            Client(
                "silkroad-export",
                "深圳丝路跨境电商有限公司",
                Classification("ecommerce", "high", "guangdong", "small"),
                "zhao",
                "chen",
                "CNY",
                "01-01",
                "zh",
                "monthly",
                (
                    FundingAccount(BOC_USD, "bank", "boc-debit", "4563510800012345", "USD", None),
                    FundingAccount(CMB, "bank", "cmb-debit", "755912345678901", None, None),
                ),
                0,
            ),
            "crossborder",
        ),
    ]


def synthetic_clients(count: int, rng: random.Random) -> list[tuple[Client, str]]:
    """Return `count` clients of the four kinds in turn, for benchmarks."""
    templates = demo_clients()
    preparers = [s.id for s in STAFF if s.role == "preparer"]
    regions = ("shanghai", "beijing", "zhejiang", "guangdong", "jiangsu", "sichuan")
    result = []
    for index in range(count):
        base, kind = templates[index % len(templates)]
        result.append(
            (
                Client(
                    f"client-{index + 1:04d}",
                    f"{base.name} #{index + 1}",
                    Classification(
                        base.classification.industry,
                        base.classification.frequency,
                        rng.choice(regions),
                        base.classification.size,
                    ),
                    rng.choice(preparers),
                    "wang" if index % 2 else "chen",
                    base.currency,
                    base.fiscal_year_start,
                    base.language,
                    base.reconcile,
                    base.accounts,
                    0,
                ),
                kind,
            )
        )
    return result


def client_ledger(
    client: Client,
    kind: str,
    *,
    seed: int,
    start: datetime.date,
    months: int,
    transactions: int,
    firm_name: str,
) -> dict[str, bytes]:
    """Return every file of one generated client ledger, keyed by practice-relative path."""
    rng = random.Random(f"{seed}:{client.id}")
    book = Book(client, rng)
    month_list = _months(start, months)
    end = _months(month_list[-1], 2)[1] - datetime.timedelta(days=1)
    per_month = max(transactions // months, 8)
    if kind == "wholesale":
        _wholesale_opens(book, start)
    if kind == "consulting":
        _consulting_opens(book, start)
    steps: dict[str, Callable[[datetime.date], None]] = {
        "retail": lambda m: _retail(book, m, per_month),
        "wholesale": lambda m: _wholesale(book, m, per_month, end),
        "consulting": lambda m: _consulting(book, m, per_month, end),
        "crossborder": lambda m: _crossborder(book, m, per_month),
    }
    _opening_balances(book, start)
    for month in month_list:
        steps[kind](month)
    if kind == "retail":
        _awaiting_categorization(book, month_list[-1])
    template = "cn-small" if client.language == "zh" else "en-simple"
    files = skeleton_files(
        client, firm_name=firm_name, template=template, opened=start, currencies=_currencies(client)
    )
    accounts_file = f"ledgers/{client.id}/accounts.beancount"
    if book.opens:
        files[accounts_file] += ("\n; Customers and vendors\n" + "\n".join(book.opens)).encode()
    files.update(_month_files(client, book.txns, month_list))
    return files


def _currencies(client: Client) -> tuple[str, ...]:
    extra = sorted({a.currency for a in client.accounts if a.currency} - {client.currency})
    return (client.currency, *extra)


def _opening_balances(book: Book, start: datetime.date) -> None:
    for account in book.client.accounts:
        if account.kind == "credit-card":
            continue
        currency = account.currency or book.client.currency
        amount = Decimal(book.rng.randint(200, 800) * 1000)
        book.add(
            Txn(
                start,
                None,
                "期初余额 Opening balance",
                (
                    Posting(account.account, amount, currency),
                    Posting("Equity:Opening-Balances", -amount, currency),
                ),
            )
        )


def _month_files(client: Client, txns: list[Txn], months: list[datetime.date]) -> dict[str, bytes]:
    """Group transactions into month files with a balance assertion per account per month."""
    funding = {a.account: a.currency or client.currency for a in client.accounts}
    balances: dict[str, Decimal] = defaultdict(Decimal)
    by_month: dict[datetime.date, list[Txn]] = defaultdict(list)
    for txn in sorted(txns, key=lambda t: t.date):
        by_month[txn.date.replace(day=1)].append(txn)
    files: dict[str, bytes] = {}
    for month in months:
        chunks = [f"; {month:%Y-%m}: entries of this month, in date order.\n"]
        for txn in by_month.get(month, []):
            for posting in txn.postings:
                if posting.account in funding and posting.amount is not None:
                    balances[posting.account] += posting.amount
            chunks.append(txn_text(txn))
        next_month = _months(month, 2)[1]
        for account, currency in funding.items():
            chunks.append(
                balance_text(
                    next_month,
                    account,
                    balances[account],
                    currency,
                    meta=(("reconciled-by", quote(client.preparer)),),
                )
            )
        files[month_path(client.id, month)] = "\n".join(chunks).encode()
    return files


def registry_yaml(clients: list[Client]) -> str:
    """Return the clients.yaml text for generated clients."""
    firm = {
        "name": FIRM_NAME,
        "staff": [{"id": s.id, "name": s.name, "email": s.email, "role": s.role} for s in STAFF],
    }
    body = yaml.safe_dump(
        {"firm": firm, "clients": [client_yaml(c) for c in clients]},
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    return (
        "# The client registry of the demo practice (generated by `beanfirm generate --demo`).\n"
        "# Format: docs/registry.md.\n" + body
    )


def practice_files(
    kinds: list[tuple[Client, str]],
    *,
    seed: int,
    start: datetime.date,
    months: int,
    transactions: int,
) -> dict[str, bytes]:
    """Return every file of a generated practice."""
    files: dict[str, bytes] = {
        "clients.yaml": registry_yaml([c for c, _ in kinds]).encode(),
        "ledgers/.gitkeep": b"",
    }
    for client, kind in kinds:
        files.update(
            client_ledger(
                client,
                kind,
                seed=seed,
                start=start,
                months=months,
                transactions=transactions,
                firm_name=FIRM_NAME,
            )
        )
    return files


def write_practice(folder: Path, files: dict[str, bytes], *, with_gitignore: bool) -> None:
    """Write generated files into a folder (the caller commits them)."""
    if with_gitignore:
        files = {**files, ".gitignore": GITIGNORE.encode()}
    for relpath, content in files.items():
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
