"""Problems found while loading a file or batch: counted in full, the first few kept for the
answer ({"line 17": {"amount": ["not a number"]}}), so a huge bad file costs no memory."""

from __future__ import annotations

from collections.abc import Mapping

from backend.errors import Invalid

#: How many records with problems an answer lists.
LISTED = 20


class LoadRejected(Invalid):
    """The data has problems; nothing was loaded. `errors` maps record label → field → messages."""

    def __init__(self, message: str, errors: dict[str, dict[str, list[str]]]) -> None:
        super().__init__(message)
        self.errors = errors


class Problems:
    def __init__(self, label: str = "line") -> None:
        self.label = label
        self.count = 0
        self.listed: dict[str, dict[str, list[str]]] = {}

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def full(self) -> bool:
        return len(self.listed) >= LISTED

    def add(self, number: int | str, fields: Mapping[str, list[str]]) -> None:
        """Record the problems of one record (a line or item number, or a label like 'file')."""
        self.count += 1
        key = f"{self.label} {number}" if isinstance(number, int) else number
        if key in self.listed or not self.full:
            entry = self.listed.setdefault(key, {})
            for field, messages in fields.items():
                entry.setdefault(field, []).extend(messages)

    def rejection(self, what: str) -> LoadRejected:
        shown = len(self.listed)
        more = f"; the first {shown} are listed" if self.count > shown else ""
        plural = "s" if self.count != 1 else ""
        message = f"{what} not loaded: {self.count} problem{plural}{more}; nothing was loaded"
        return LoadRejected(message, dict(sorted(self.listed.items(), key=_order)))


def _order(item: tuple[str, object]) -> tuple[int, str]:
    label = item[0]
    number = label.rsplit(" ", 1)[-1]
    return (int(number) if number.isdigit() else -1, label)
