"""Hyperparameter checks for the optimisers and the schedules; each message names the value."""

from __future__ import annotations

import math
import numbers


def check_number(name: str, value: object) -> float:
    """Return ``value`` as a float; TypeError unless it is a real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    return float(value)


def check_positive(name: str, value: object) -> float:
    """ValueError unless ``0 < value < inf`` (a learning rate, say)."""
    number = check_number(name, value)
    if not (number > 0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return number


def check_non_negative(name: str, value: object) -> float:
    """ValueError unless ``0 ≤ value < inf`` (an ε or a decay rate)."""
    number = check_number(name, value)
    if not (number >= 0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a non-negative finite number, got {value}")
    return number


def check_beta(name: str, value: object) -> float:
    """ValueError unless ``0 ≤ β < 1``: the weight a running average gives the past."""
    number = check_number(name, value)
    if not 0 <= number < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return number


def check_integer(name: str, value: object, minimum: int) -> int:
    """TypeError unless ``value`` is an integer, ValueError unless it is at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)
