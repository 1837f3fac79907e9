"""The client portal: a login gateway in front of one read-only Fava worker per client."""
