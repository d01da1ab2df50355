"""Outcomes: engagement collected from the platforms, and reports per campaign and per trend."""
