"""Kept answers: the same as the function's, 1, 1.0 and True apart, and no long text kept."""
from __future__ import annotations

from plandocs.caching import kept_when_short


def test_answers_are_kept_for_short_values_only_and_told_apart_by_type():
    calls = []

    @kept_when_short(5, maxsize=8)
    def described(value):
        calls.append(value)
        return f"{type(value).__name__}:{value}"

    assert [described(v) for v in (1, 1.0, True, 1, "abc", "abc")] == [
        "int:1", "float:1.0", "bool:True", "int:1", "str:abc", "str:abc"]
    assert described("x" * 6) == described("x" * 6) == "str:xxxxxx"
    assert calls == [1, 1.0, True, "abc", "x" * 6, "x" * 6]  # the long text was worked out each time
    assert described.cache_info().currsize == 4

