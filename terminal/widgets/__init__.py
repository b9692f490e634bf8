"""Reusable booth widgets."""
