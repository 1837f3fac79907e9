"""Whole jobs over a practice: import, reconcile, statements, dunning, onboarding."""
