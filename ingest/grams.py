"""Character bigrams: how loosely a Chinese name or phrase is matched against other text."""

from __future__ import annotations


def bigrams(s: str) -> set[str]:
    """The string's adjacent character pairs; a string under two characters has none."""
    return {s[i : i + 2] for i in range(len(s) - 1)}
