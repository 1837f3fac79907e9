"""The categorization rules of generated practices: firm-wide defaults and the retail client's.

`rules_files` adds them to what `beanfirm.demo.generate` writes: `rules.yaml` at the practice
root, with the defaults a Chinese bookkeeping firm would expect (payment-platform and bank
fees, electricity, water, telephone, ride-hailing, couriers, social insurance, taxes), plus a
few for clients that keep the English chart; and the own rules of each retail client. The
format is in docs/rules.md.
"""

from __future__ import annotations

from beanfirm.core import paths
from beanfirm.store.registry import Client

FIRM_RULES = """\
# Firm-wide categorization defaults of the practice, tried after each client's own
# ledgers/<id>/rules.yaml. The first rule that matches wins. Format: docs/rules.md.
# Test them on an export with `beanfirm rules test CLIENT FILE`.
#
# Rules for the Chinese chart (cn-small) come first; a rule whose account a client's chart
# does not open is passed over, so the English ones further down serve en-simple clients.
rules:
  # --- 财务费用 ---------------------------------------------------------------------------
  - name: 支付宝/微信支付 服务费
    when:
      payee: [支付宝, 微信支付, 财付通]
      narration: [服务费, 手续费]
      direction: out
    account: Expenses:5603-财务费用:手续费

  - name: 银行手续费
    when:
      narration: [手续费, 工本费, 年费, 短信服务费, 账户管理费, 汇款费]
      direction: out
    account: Expenses:5603-财务费用:手续费

  # 存款结息冲减财务费用, 贷款利息计入财务费用: either way the same account.
  - name: 利息
    when:
      narration: [结息, 利息]
    account: Expenses:5603-财务费用:利息

  # --- 管理费用 ---------------------------------------------------------------------------
  - name: 电费
    when:
      text: [国家电网, /^国网/, 网上国网, 供电局, 电力公司, 电费]  # not 中国网通
      direction: out
    account: Expenses:5602-管理费用:水电费

  - name: 水费 燃气费
    when:
      text: [自来水, 水务, 水费, 燃气]
      direction: out
    account: Expenses:5602-管理费用:水电费

  - name: 电话费 宽带
    when:
      text: [中国移动, 中国联通, 中国电信, 话费, 宽带]
      direction: out
    account: Expenses:5602-管理费用:通讯费

  - name: 打车 火车
    when:
      text: [滴滴, 高德打车, 曹操出行, 12306, 中国铁路]
      direction: out
    account: Expenses:5602-管理费用:差旅费

  - name: 支付宝 交通出行
    when:
      meta: {category: 交通出行}
      direction: out
    account: Expenses:5602-管理费用:差旅费

  # Small Alipay purchases of daily goods are mostly office supplies: booked, flagged for review.
  - name: 支付宝 日用百货小额
    when:
      meta: {category: 日用百货}
      max: 500
      direction: out
    account: Expenses:5602-管理费用:办公费
    review: true

  # --- 销售费用 ---------------------------------------------------------------------------
  - name: 快递 物流
    when:
      text: [顺丰, 中通快递, 圆通速递, 韵达, 申通快递, 京东物流, 德邦]
      direction: out
    account: Expenses:5601-销售费用:运输费

  # --- 往来 -------------------------------------------------------------------------------
  # Paying social insurance and housing fund clears what was accrued under 应付职工薪酬.
  - name: 社保 公积金
    when:
      text: [社会保险, 社保, 住房公积金]
      direction: out
    account: Liabilities:2211-应付职工薪酬

  # Which tax it was shows on the tax receipt (完税证明): flagged for review.
  - name: 缴税
    when:
      text: [税务局, 国家金库, 国库, 电子缴税]
      direction: out
    account: Liabilities:2221-应交税费:应交增值税
    review: true

  # --- English chart (en-simple) ------------------------------------------------------------
  - name: Bank fees
    when:
      text: [/\\bfee\\b/, /service charge/, 手续费]
      direction: out
    account: Expenses:Bank-Fees

  - name: Utilities
    when:
      text: [State Grid, 国家电网, /^国网/, 网上国网, /water|electric|gas co/]
      direction: out
    account: Expenses:Utilities

  - name: Telephone and internet
    when:
      text: [China Mobile, China Unicom, China Telecom, 中国移动, 中国联通, 中国电信]
      direction: out
    account: Expenses:Telecom

  - name: Ride-hailing and rail
    when:
      text: [Didi, 滴滴, China Railway, 12306]
      direction: out
    account: Expenses:Travel:Transport
"""

RETAIL_RULES = """\
# Categorization rules of this client, applied before the firm-wide defaults in the
# practice's rules.yaml. The first rule that matches wins. Format: docs/rules.md.
rules:
  - name: 房租
    when:
      payee: 恒基物业
      direction: out
    account: Expenses:5602-管理费用:房租
    payee: 上海恒基物业
    narration: 房租

  # Platform payouts include VAT: the reviewer splits it out (flag ! until then).
  - name: 外卖平台结算
    when:
      payee: [美团, 饿了么]
      direction: in
    account: Income:5001-主营业务收入
    tags: [platform-sales]
    review: true

  # Transit-card top-ups and their refunds, for staff commuting: both directions.
  - name: 一卡通 充值与退款
    when:
      counterparty: jieyisoft.com
    account: Expenses:5602-管理费用:差旅费
    payee: 一卡通
    meta: {purpose: 员工通勤}

  # The owner buys for himself and for the shop on 拼多多: decide each row by hand, and keep
  # the firm's 日用百货 rule from booking them (a rule to Uncategorized stops the search).
  - name: 拼多多 逐笔判断
    when:
      text: 拼多多
    account: Expenses:Uncategorized
"""

RULES_BY_KIND = {"retail": RETAIL_RULES}


def rules_files(kinds: list[tuple[Client, str]]) -> dict[str, bytes]:
    """Return the firm's rules.yaml and each client's own rules, by practice-relative path."""
    files = {"rules.yaml": FIRM_RULES.encode()}
    for client, kind in kinds:
        if kind in RULES_BY_KIND:
            files[paths.rules_file(client.id)] = RULES_BY_KIND[kind].encode()
    return files
