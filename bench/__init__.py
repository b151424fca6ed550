"""Bench scripts and the stress set; figures, not tests."""
