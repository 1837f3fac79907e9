"""beangulp importers of beanfirm, installed as `beanfirm.importers`.

`IMPORTER_NAMES` lists the importer names a client's account may name in clients.yaml
(`accounts: - importer: NAME`). Each name is a preset on the configurable CSV/XLSX engine
(`presets.PRESETS[name]`, read by `csvengine.StatementImporter(config, account)`), `csv` (a
YAML config of the account's own), or a statement format: `ofx` (`ofx.OfxImporter(account)`),
`camt053` (`camt053.Camt053Importer(account)`), `mt940` (`mt940.Mt940Importer(account)`). The
registry rejects any other name so that a typo never passes.

The importer API (docs/importers.md), the same for every importer (`importer.BeanfirmImporter`,
a beangulp `Importer`):

- `identify(path) -> bool` never raises; `read(path) -> statement.BankStatement` raises
  `beanfirm.errors.StatementError(filename, line, message)` for anything it cannot read, and
  reads a file whole or not at all; `extract(path, existing)` gives the entries
  (`entries.statement_entries(statement, account)`): one `!` transaction per row with
  `import-id` metadata, and balance assertions.
- `BankStatement` holds `rows` (with `import_id`), `skipped` (line and reason), `balances`
  (closing balances: a `balance` assertion is dated the day after `ClosingBalance.date`),
  `openings` (opening balances of OFX/CAMT/MT940 statements, asserted at the start of
  `OpeningBalance.date`) and `account_number`.
- Account-number hook: `BankStatement.account_number` (also `importer.account_number(path)`) is
  the account, card or IBAN the file states, as written and possibly masked
  (`1234****9876`), or None when the file states none. Compare it with the account's
  `number:` in clients.yaml with `accountnumber.account_number_matches(found, expected)`,
  which ignores spaces and separators, honours masks and accepts a registry that keeps only
  the last digits. CSV presets find it in the preamble (`account-number:` in the config),
  OFX from `ACCTID`, CAMT.053 from `Acct/Id/IBAN`, MT940 from `:25:`.
"""

IMPORTER_NAMES: dict[str, str] = {
    "csv": "configurable CSV/XLSX export (a YAML config per account)",
    "alipay": "Alipay (支付宝) transaction export",
    "wechat": "WeChat Pay (微信支付) bill export, CSV or XLSX",
    "icbc-debit": "ICBC (工商银行) debit card",
    "icbc-credit": "ICBC (工商银行) credit card",
    "cmb-debit": "China Merchants Bank (招商银行) debit card",
    "cmb-credit": "China Merchants Bank (招商银行) credit card",
    "ccb-debit": "China Construction Bank (建设银行) XLS",
    "boc-debit": "Bank of China (中国银行) debit card",
    "boc-credit": "Bank of China (中国银行) credit card",
    "bocom-debit": "Bank of Communications (交通银行) debit card",
    "bocom-credit": "Bank of Communications (交通银行) credit card",
    "abc-debit": "Agricultural Bank of China (农业银行) debit card",
    "jd": "JD.com (京东) payment records",
    "chase": "Chase-style US checking export",
    "eu-semicolon": "European semicolon / decimal-comma export",
    "csb43": "Spanish CSB43 statement converted to CSV",
    "cgb-credit": "China Guangfa Bank (广发银行) credit card",
    "citic-credit": "China CITIC Bank (中信银行) credit card, XLS",
    "spdb-debit": "Shanghai Pudong Development Bank (浦发银行) debit card, XLS",
    "meituan": "Meituan (美团) payment records",
    "td-debit": "TD Canada Trust chequing export (no header row)",
    "bmo-credit": "BMO (Bank of Montreal) credit card",
    "bmo-debit": "BMO (Bank of Montreal) debit card / chequing",
    "hsbc-hk-credit": "HSBC Hong Kong credit card",
    "hsbc-hk-debit": "HSBC Hong Kong savings / current account",
    "ofx": "OFX/QFX statement (1.x SGML or 2.x XML)",
    "camt053": "ISO 20022 CAMT.053 bank statement",
    "mt940": "SWIFT MT940 bank statement",
}
