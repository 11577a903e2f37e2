"""Helpers shared by the hardening tests: comparing floats the IEEE way, sizing hypothesis runs."""

from __future__ import annotations

import math

from hypothesis import settings


def same(ours: float, theirs: float, rel: float = 0.0, signed: bool = True) -> bool:
    """Equal within ``rel`` (relative), both nan, and - unless ``signed=False`` - zeros of one sign.

    >>> same(0.0, -0.0), same(0.0, -0.0, signed=False), same(math.nan, math.nan)
    (False, True, True)
    """
    if ours != ours or theirs != theirs:
        return ours != ours and theirs != theirs
    if ours == theirs:
        return ours != 0.0 or not signed or math.copysign(1.0, ours) == math.copysign(1.0, theirs)
    return abs(ours - theirs) <= rel * max(abs(ours), abs(theirs))


def at_least(n: int) -> settings:
    """``n`` examples, or more when the loaded profile asks for more (``thorough``)."""
    return settings(max_examples=max(n, settings.default.max_examples))
