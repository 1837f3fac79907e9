"""From a bank or payment export to an import plan: reading, de-duplication, transfers."""
