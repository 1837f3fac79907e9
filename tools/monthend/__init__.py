"""Month end: the statement forms, their mapping to accounts, accruals and closing entries."""
