"""beangulp importers of beanfirm, installed as `beanfirm.importers`.

`IMPORTER_NAMES` lists the importer names a client's account may name in clients.yaml
(`accounts: - importer: NAME`). Each name is a preset on the configurable CSV/XLSX engine or
a statement format; the registry rejects any other name so that a typo never passes.
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
    "ofx": "OFX/QFX statement (1.x SGML or 2.x XML)",
    "camt053": "ISO 20022 CAMT.053 bank statement",
    "mt940": "SWIFT MT940 bank statement",
}
