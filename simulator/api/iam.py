"""IAM as far as a stop is concerned: does this caller hold the operation's action?

Callers hold a list of action patterns ("rekognition:*", "*"); the default is all actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from functools import lru_cache


class Permissions:
    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)

    @lru_cache(maxsize=256)  # noqa: B019 - a few callers, each living one replication
    def allows(self, action: str) -> bool:
        return any(fnmatchcase(action, pattern) for pattern in self.patterns)
