"""Month end: the financial statement forms, their mapping to accounts, and closing entries."""
