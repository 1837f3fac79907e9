"""Beancount plugins of beanfirm."""
