"""The order life cycle: which status may follow which (the table is `models.lifecycle`)."""

from __future__ import annotations

from chalicelib.errors import Conflict
from chalicelib.models.lifecycle import TRANSITIONS
from chalicelib.models.orders import OrderStatus as S


class InvalidTransition(Conflict):
    """The requested status cannot follow the current one."""

    def __init__(self, current: S, target: S) -> None:
        allowed = sorted(s.value for s in TRANSITIONS[current])
        hint = (
            f"allowed next states: {', '.join(allowed)}" if allowed else f"{current.value} is final"
        )
        super().__init__(f"An order cannot go from {current.value} to {target.value}; {hint}")
        self.current = current
        self.target = target
        self.allowed = allowed


def predecessors(target: S) -> frozenset[S]:
    """Every status from which `target` may be reached."""
    return frozenset(source for source, targets in TRANSITIONS.items() if target in targets)


def check(current: S, target: S) -> None:
    """Raise `InvalidTransition` unless `current → target` is allowed."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(current, target)
