"""Answers kept for values that recur in every return (such as their cells' references), keeping
no long value: a hostile file's megabyte texts would otherwise stay in memory for as long as the process lives."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

Answer = TypeVar("Answer")


def kept_when_short(longest: int, maxsize: int) -> Callable[[Callable[[object], Answer]], Callable[[object], Answer]]:
    """Keep `function`'s answers (1, 1.0 and True apart) for up to `maxsize` values, but none for a text longer
    than `longest`: that one is worked out each time."""
    def decorate(function: Callable[[object], Answer]) -> Callable[[object], Answer]:
        kept = functools.lru_cache(maxsize=maxsize, typed=True)(function)

        @functools.wraps(function)
        def answer(value):
            return function(value) if isinstance(value, str) and len(value) > longest else kept(value)

        answer.cache_info, answer.cache_clear = kept.cache_info, kept.cache_clear
        return answer
    return decorate
