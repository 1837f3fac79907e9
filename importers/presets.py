"""The importer table (`IMPORTERS`), and the CSV/XLSX engine's presets for bank exports.

`IMPORTERS` is the one list of the importer names a client's account may give in clients.yaml,
each with its description, the kinds of file it reads and what reads them: a preset config of
the CSV/XLSX engine, the account's own config (`csv`), or a statement format's importer class.
`beanfirm.importers.IMPORTER_NAMES`, `PRESETS` and the import command's choice of importer
(`beanfirm.ingest.exports.importer_for`) are derived from it, so a new importer is one row.

The presets are configs for the exports of Chinese, US and European banks and payment apps.
Each was written against a real sample export (tests/importers/samples/, with its golden
output). Choices that matter for the books:

- Dates are posting dates (记账日) where an export has both, because the bank's balance and
  statement follow posting dates.
- Payment platforms (Alipay, WeChat Pay, JD) import every row that moved money: payments,
  income and refunds (a refund is money back, even when the platform files it as 不计收支).
  Rows that moved no money (closed unpaid orders, JD 先享后付 "pay later") and transfers
  between the user's own accounts (WeChat's neutral `/` rows: top-ups, withdrawals, card
  repayments; Alipay's 不计收支 fund moves) are skipped and listed in `BankStatement.skipped`,
  for the transfer step to pair with the other side.
- Only serials known to be unique per transaction are used as `import-id` (Alipay, JD and
  Meituan order numbers, WeChat's 交易单号); bank journal numbers that repeat (ABC 日志号,
  BOCOM's row 序号, SPDB's 顺序号) go to metadata or are left out, and the row's fingerprint
  is the id.
- Credit-card statements that show spending as positive (CMB, CGB, CITIC, BMO) have
  `invert-sign`, so that on the card's `Liabilities:` account spending is negative and
  repayments and refunds positive, as on every other account.
- Where the preamble states the account or card number (ICBC, CCB, SPDB), `account-number`
  finds it, for the import command to compare with clients.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

from beanfirm.importers.csvconfig import CsvConfig, DirectionRule

PLATFORM_OUT_IN = DirectionRule("收/支", inflow=("收入",), outflow=("支出",))
# `卡号: 1234****9876`, `账　　号\uff1axxxx`, `账号,6200000000001230` (cells joined by spaces;
# the colon may be full-width).
CN_ACCOUNT_NUMBER = r"(?:卡|账)\s*号\s*[:\uff1a]?\s*(?P<number>[0-9Xx*]{4,})"

ALIPAY = CsvConfig(
    name="alipay",
    date="交易时间",
    payee="交易对方",
    narration=("商品说明",),
    counterparty="对方账号",
    amount="金额",
    direction=(PLATFORM_OUT_IN, DirectionRule("交易状态", inflow=("退款成功",), skip=("*",))),
    serial="交易订单号",
    currency="CNY",
    meta=(("category", "交易分类"), ("method", "收/付款方式"), ("status", "交易状态")),
    order="newest-first",
)

# The PC/web export (支付宝交易记录明细查询, a .txt or .csv in GBK): a different header from the
# app's, cells padded with spaces, a trailer that states the number of records. 资金状态 says
# whether money moved: 已支出/已收入 did; 资金转移 moved it between the user's own accounts
# (余额宝, a top-up), for the transfer step; an unpaid or closed order moved none. A refund is
# a row of its own (已收入), so 成功退款 is not read. 服务费 is a fee the account paid.
ALIPAY_PC = CsvConfig(
    name="alipay-pc",
    date="交易创建时间",
    payee="交易对方",
    narration=("商品名称",),
    amount="金额\uff08元\uff09",  # in full-width parentheses
    fee="服务费\uff08元\uff09",
    direction=(
        DirectionRule("资金状态", inflow=("已收入",), outflow=("已支出",), skip=("资金转移",)),
        DirectionRule("交易状态", skip=("交易关闭", "等待付款", "付款失败")),
    ),
    serial="交易号",
    currency="CNY",
    meta=(("type", "类型"), ("status", "交易状态"), ("order", "商家订单号"), ("note", "备注")),
    record_count=r"共\s*(?P<count>\d+)\s*条记录",
)

WECHAT = CsvConfig(
    name="wechat",
    date="交易时间",
    payee="交易对方",
    narration=("交易类型", "商品"),
    amount="金额(元)",
    direction=(DirectionRule("收/支", inflow=("收入",), outflow=("支出",), skip=("/",)),),
    serial="交易单号",
    currency="CNY",
    meta=(("method", "支付方式"), ("status", "当前状态"), ("note", "备注")),
    order="newest-first",
)

ICBC_DEBIT = CsvConfig(
    name="icbc-debit",
    date="交易日期",
    payee="对方户名",
    narration=("摘要", "交易场所"),
    amount_in="记账金额(收入)",
    amount_out="记账金额(支出)",
    balance="余额",
    currency_column="记账币种",
    order="newest-first",
    identify=("钞/汇",),
    account_number=CN_ACCOUNT_NUMBER,
)

ICBC_CREDIT = CsvConfig(
    name="icbc-credit",
    date="记账日期",
    payee="交易场所",
    narration=("摘要",),
    amount_in="记账金额(收入)",
    amount_out="记账金额(支出)",
    balance="余额",
    currency_column="记账币种",
    order="newest-first",
    identify=("交易日期",),
    account_number=CN_ACCOUNT_NUMBER,
)

CMB_DEBIT = CsvConfig(
    name="cmb-debit",
    date="记账日期",
    payee="对手信息",
    narration=("交易摘要", "客户摘要"),
    amount="交易金额",
    balance="联机余额",
    currency_column="货币",
)

CMB_CREDIT = CsvConfig(
    name="cmb-credit",
    date="记账日",
    date_formats=("%m/%d",),
    narration=("交易摘要",),
    amount="人民币金额",
    invert_sign=True,  # the statement shows spending as positive
    currency="CNY",
    meta=(("card", "卡号末四位"),),
    period=r"(?P<year>\d{4})年(?P<month>\d{1,2})月",
)

CCB_DEBIT = CsvConfig(
    name="ccb-debit",
    date="记账日",
    time="交易时间",
    payee="对方户名",
    narration=("摘要", "交易地点"),
    counterparty="对方账号",
    amount_in="收入",
    amount_out="支出",
    balance="账户余额",
    currency_column="币种",
    account_number=CN_ACCOUNT_NUMBER,
)

BOC_DEBIT = CsvConfig(
    name="boc-debit",
    date="记账日期",
    time="记账时间",
    payee="对方账户名",
    narration=("交易名称", "附言"),
    counterparty="对方卡号/账号",
    amount="金额",
    balance="余额",
    currency_column="币别",
    meta=(("channel", "渠道"),),
    order="newest-first",
)

BOC_CREDIT = CsvConfig(
    name="boc-credit",
    date="银行记账日",
    narration=("交易描述",),
    amount_in="存入",
    amount_out="支出",
    currency_column="币种",
    meta=(("card", "卡号后四位"),),
)

BOCOM_DEBIT = CsvConfig(
    name="bocom-debit",
    date="交易日期",
    time="交易时间",
    payee="对方户名",
    narration=("交易类型", "摘要"),
    counterparty="对方账号",
    amount="交易金额",
    direction=(DirectionRule("借贷", inflow=("贷",), outflow=("借",)),),
    balance="余额",
    currency="CNY",
)

BOCOM_CREDIT = CsvConfig(
    name="bocom-credit",
    date="记账日期",
    narration=("交易说明",),
    amount="入账币种/金额",
    direction=(DirectionRule("交易说明", inflow=("退货", "信用卡还款"), outflow=("消费",)),),
    currency="CNY",
    meta=(("original-amount", "交易币种/金额"),),
    identify_not=("卡末四位",),  # the 买单吧 statement (`bocom-maidanba`)
)

# The 买单吧 statement (账单) of a BOCOM credit card: the card's last four digits on every
# row, dates without a year (the statement cycle in the preamble gives it), amounts with their
# currency (`CNY1.00`), unsigned: the description's first word says which way money went.
BOCOM_MAIDANBA = CsvConfig(
    name="bocom-maidanba",
    date="记账日期",
    date_formats=("%m/%d", "%Y-%m-%d", "%Y/%m/%d"),
    narration=("交易说明",),
    amount="入账币种/金额",
    direction=(
        DirectionRule(
            "交易说明",
            inflow=("退货", "退款", "信用卡还款", "红包还款", "费用返还", "还款*"),
            outflow=("消费", "取现", "年费", "利息", "手续费", "滞纳金", "分期*"),
        ),
    ),
    currency="CNY",
    meta=(("card", "卡末四位"), ("original-amount", "交易币种/金额")),
    period=r"账单周期\D*\d{4}[/-]\d{1,2}[/-]\d{1,2}\s*[-~至]\s*(?P<end>\d{4}[/-]\d{1,2}[/-]\d{1,2})",
    account_number=CN_ACCOUNT_NUMBER,
)

ABC_DEBIT = CsvConfig(
    name="abc-debit",
    date="交易日期",
    time="交易时间",
    payee="对手信息",
    narration=("交易摘要", "交易附言"),
    amount="交易金额",
    balance="本次余额",
    currency="CNY",
    meta=(("log-number", "日 志 号"), ("channel", "交易渠道")),
)

JD = CsvConfig(
    name="jd",
    date="交易时间",
    payee="商户名称",
    narration=("交易说明",),
    amount="金额",
    direction=(
        DirectionRule("收/付款方式", skip=("先享后付",)),
        PLATFORM_OUT_IN,
        # 不计收支 rows: refunds are money back; the rest are fully refunded payments.
        DirectionRule("交易状态", inflow=("退款成功",), outflow=("交易成功",)),
    ),
    serial="交易订单号",
    currency="CNY",
    meta=(("category", "交易分类"), ("method", "收/付款方式"), ("status", "交易状态")),
    order="newest-first",
)

CHASE = CsvConfig(
    name="chase",
    date="Posting Date",
    date_formats=("%m/%d/%Y",),
    narration=("Description",),
    amount="Amount",
    balance="Balance",
    currency="USD",
    meta=(("type", "Type"), ("check", "Check or Slip #")),
)

EU_SEMICOLON = CsvConfig(
    name="eu-semicolon",
    date="Datum",
    date_formats=("%Y%m%d", "%d-%m-%Y", "%d.%m.%Y"),
    payee="Naam / Omschrijving",
    narration=("Mededelingen",),
    counterparty="Tegenrekening",
    amount="Bedrag (EUR)",
    direction=(DirectionRule("Af Bij", inflow=("Bij", "Credit"), outflow=("Af", "Debet")),),
    currency="EUR",
    decimal_mark=",",
    delimiter=";",
)

CSB43 = CsvConfig(
    name="csb43",
    date="transaction_date",
    narration=("item1", "item2"),
    amount="amount",
    balance="final_balance",
    running_balance=False,  # every row states the statement's closing balance
    currency_column="currency",
    meta=(("reference", "reference1"),),
)

CGB_CREDIT = CsvConfig(
    name="cgb-credit",
    date="入账日期",
    date_formats=("%Y/%m/%d", "%Y-%m-%d"),
    narration=("交易摘要",),
    amount="入账金额",
    invert_sign=True,  # spending is positive, refunds and repayments negative
    currency_column="入账货币",
)

CITIC_CREDIT = CsvConfig(
    name="citic-credit",
    date="入账日期",
    narration=("交易描述",),
    amount="结算金额",
    invert_sign=True,  # spending is positive, rewards and repayments negative
    currency_column="结算币种",
    meta=(("card", "卡末四位"),),
)

SPDB_DEBIT = CsvConfig(
    name="spdb-debit",
    date="交易日期",
    payee="交易对手名称",
    narration=("交易类型", "附言"),
    counterparty="交易对手账号",
    amount_in="存入金额",
    amount_out="取出金额",
    balance="余额",
    currency="CNY",
    account_number=CN_ACCOUNT_NUMBER,
)

MEITUAN = CsvConfig(
    name="meituan",
    date="交易成功时间",
    narration=("订单标题",),
    amount="实付金额",  # what was paid after discounts; 订单金额 is the list price
    direction=(
        # Repaying 美团月付 (Meituan's credit line) from a bank card moves money between the
        # user's own accounts; Meituan's own 支出 total leaves it out too.
        DirectionRule("交易类型", skip=("还款",)),
        DirectionRule("收/支", inflow=("收入",), outflow=("支出",), skip=("不计收支",)),
    ),
    serial="交易单号",
    currency="CNY",
    meta=(("type", "交易类型"), ("method", "支付方式")),
    order="newest-first",
)

TD_DEBIT = CsvConfig(
    name="td-debit",
    fields=("Date", "Description", "Withdrawal", "Deposit", "Balance"),
    date="Date",
    date_formats=("%m/%d/%Y",),
    narration=("Description",),
    amount_in="Deposit",
    amount_out="Withdrawal",
    balance="Balance",
    currency="CAD",
)

BMO_CREDIT = CsvConfig(
    name="bmo-credit",
    date="Posting Date",
    narration=("Description",),
    amount="Transaction Amount",
    invert_sign=True,  # purchases are positive, payments and refunds negative
    currency="CAD",
)

BMO_DEBIT = CsvConfig(
    name="bmo-debit",
    date="Date Posted",
    narration=("Description",),
    amount="Transaction Amount",
    currency="CAD",
    meta=(("type", "Transaction Type"),),
)

HSBC_HK_CREDIT = CsvConfig(
    name="hsbc-hk-credit",
    date="Post date",
    date_formats=("%d/%m/%Y",),
    payee="Merchant name",
    narration=("Description",),
    amount="Billing amount",
    currency_column="Billing currency",
    meta=(("status", "Transaction status"),),
)

HSBC_HK_DEBIT = CsvConfig(
    name="hsbc-hk-debit",
    date="Date",
    date_formats=("%d/%m/%Y",),
    narration=("Description",),
    amount="Billing amount",
    balance="Balance",
    currency_column="Billing currency",
)


# The kinds of file the CSV/XLSX engine reads, told apart by their content, not their name.
SHEETS = ("csv", "xlsx", "xls")


@dataclass(frozen=True)
class OwnConfig:
    """The account's own config of the CSV/XLSX engine: ledgers/<id>/importers/<Account>.yaml."""


@dataclass(frozen=True)
class StatementFormat:
    """An importer class of a statement format: `beanfirm.importers.<module>.<cls>(account)`.

    Named, not imported, so that reading the table does not load every importer.
    """

    module: str
    cls: str


@dataclass(frozen=True)
class ImporterKind:
    """An importer name a client's account may give in clients.yaml, and what reads its files."""

    name: str
    description: str
    files: tuple[str, ...]
    reader: CsvConfig | OwnConfig | StatementFormat


def preset(config: CsvConfig, description: str) -> ImporterKind:
    """Return the row of a preset config of the CSV/XLSX engine, named after the config."""
    return ImporterKind(config.name, description, SHEETS, config)


# The one table of importers: a new importer is one row. The order is the order of the names in
# messages that list them.
IMPORTERS: dict[str, ImporterKind] = {
    kind.name: kind
    for kind in (
        ImporterKind(
            "csv", "configurable CSV/XLSX export (a YAML config per account)", SHEETS, OwnConfig()
        ),
        preset(ALIPAY, "Alipay (支付宝) transaction export"),
        preset(ALIPAY_PC, "Alipay (支付宝) PC/web export (支付宝交易记录明细查询), GBK"),
        preset(WECHAT, "WeChat Pay (微信支付) bill export, CSV or XLSX"),
        preset(ICBC_DEBIT, "ICBC (工商银行) debit card"),
        preset(ICBC_CREDIT, "ICBC (工商银行) credit card"),
        preset(CMB_DEBIT, "China Merchants Bank (招商银行) debit card"),
        preset(CMB_CREDIT, "China Merchants Bank (招商银行) credit card"),
        preset(CCB_DEBIT, "China Construction Bank (建设银行) XLS"),
        preset(BOC_DEBIT, "Bank of China (中国银行) debit card"),
        preset(BOC_CREDIT, "Bank of China (中国银行) credit card"),
        preset(BOCOM_DEBIT, "Bank of Communications (交通银行) debit card"),
        preset(BOCOM_CREDIT, "Bank of Communications (交通银行) credit card"),
        preset(BOCOM_MAIDANBA, "Bank of Communications (交通银行) credit card, 买单吧 statement"),
        preset(ABC_DEBIT, "Agricultural Bank of China (农业银行) debit card"),
        preset(JD, "JD.com (京东) payment records"),
        preset(CHASE, "Chase-style US checking export"),
        preset(EU_SEMICOLON, "European semicolon / decimal-comma export"),
        preset(CSB43, "Spanish CSB43 statement converted to CSV"),
        preset(CGB_CREDIT, "China Guangfa Bank (广发银行) credit card"),
        preset(CITIC_CREDIT, "China CITIC Bank (中信银行) credit card, XLS"),
        preset(SPDB_DEBIT, "Shanghai Pudong Development Bank (浦发银行) debit card, XLS"),
        preset(MEITUAN, "Meituan (美团) payment records"),
        preset(TD_DEBIT, "TD Canada Trust chequing export (no header row)"),
        preset(BMO_CREDIT, "BMO (Bank of Montreal) credit card"),
        preset(BMO_DEBIT, "BMO (Bank of Montreal) debit card / chequing"),
        preset(HSBC_HK_CREDIT, "HSBC Hong Kong credit card"),
        preset(HSBC_HK_DEBIT, "HSBC Hong Kong savings / current account"),
        ImporterKind(
            "ofx",
            "OFX/QFX statement (1.x SGML or 2.x XML)",
            ("ofx", "qfx"),
            StatementFormat("ofx", "OfxImporter"),
        ),
        ImporterKind(
            "camt053",
            "ISO 20022 CAMT.053 bank statement",
            ("xml",),
            StatementFormat("camt053", "Camt053Importer"),
        ),
        ImporterKind(
            "mt940",
            "SWIFT MT940 bank statement",
            ("mt940",),
            StatementFormat("mt940", "Mt940Importer"),
        ),
    )
}

# The presets by name, for a `csv` config's `extends:` and the import command.
PRESETS: dict[str, CsvConfig] = {
    name: kind.reader for name, kind in IMPORTERS.items() if isinstance(kind.reader, CsvConfig)
}
