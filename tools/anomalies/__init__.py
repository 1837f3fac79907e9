"""Anomaly warnings: unusual entries in a client's books, with their evidence and dismissals."""
