"""Customer accounts: open items, aging, credit, forecasts, statements and dunning."""
