"""The practice on disk: its folders, registry, contacts, git, locks and atomic writes."""
