"""Bank reconciliation: statement periods, matching, differences and the report."""
