"""Summaries across domains: the App Home tab and the weekly digest."""
