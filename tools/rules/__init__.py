"""Categorization: the rules file, its index, and how rules and history pick accounts."""
