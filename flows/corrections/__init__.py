"""Corrections a person makes, kept apart from the generated release and applied on every publish."""
