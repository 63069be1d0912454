"""IAM as far as a stop is concerned: does this caller hold the operation's action?

Callers hold a list of action patterns ("rekognition:*", "*"); the default is all actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase


class Permissions:
    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        self._decided: dict[str, bool] = {}  # asked on every attempt; a caller asks a few

    def allows(self, action: str) -> bool:
        decided = self._decided.get(action)
        if decided is None:
            decided = any(fnmatchcase(action, pattern) for pattern in self.patterns)
            self._decided[action] = decided
        return decided
