"""beanfirm: plain-text accounting for accounting firms, on Beancount v3 and Fava."""

__version__ = "0.1.0"
