"""beanfirm's Fava extensions.

A ledger turns one on with a line such as
`2025-01-01 custom "fava-extension" "beanfirm.fava.reconciliation"`.
"""
