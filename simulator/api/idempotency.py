"""Idempotency tokens (Lookout for Vision's ClientToken, SageMaker's ClientRequestToken).

Within a token's lifetime, a request with the same token and the same parameters replays
the first response and does nothing again; the same token with other parameters is a
conflict. After the lifetime the token is new again. AWS documents the 8-hour lifetime for
Lookout for Vision only and says just that "an error occurs" on a mismatch: the conflict
error is the calling service's choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class _Entry:
    params: tuple[tuple[str, Any], ...]
    response: Mapping[str, Any]
    expires_at: float


class TokenStore:
    """The live tokens of one operation and account. Tokens expire in the order they were
    first used (one lifetime for all), so the oldest are forgotten first, as new ones come:
    a long run keeps only the tokens of the last lifetime."""

    def __init__(self, lifetime_s: float) -> None:
        self.lifetime_s = lifetime_s
        self._entries: dict[str, _Entry] = {}  # in the order of first use

    @staticmethod
    def _fingerprint(params: Mapping[str, Any], token_field: str) -> tuple[tuple[str, Any], ...]:
        return tuple(sorted((k, v) for k, v in params.items() if k != token_field))

    def replay(
        self, token: str, params: Mapping[str, Any], token_field: str, now: float
    ) -> Mapping[str, Any] | None:
        """The first response for this token, None if it is new (or expired).

        Raises ValueError if the token was used with other parameters: the caller turns it
        into its service's conflict error.
        """
        entry = self._entries.get(token)
        if entry is None or entry.expires_at <= now:
            return None
        if entry.params != self._fingerprint(params, token_field):
            raise ValueError(f"token {token!r} was used with other parameters")
        return entry.response

    def remember(
        self,
        token: str,
        params: Mapping[str, Any],
        token_field: str,
        response: Mapping[str, Any],
        now: float,
    ) -> None:
        entries = self._entries
        while entries:  # the expired come first: drop them up to the first live one
            oldest = next(iter(entries))
            if entries[oldest].expires_at > now:
                break
            del entries[oldest]
        fingerprint = self._fingerprint(params, token_field)
        entries.pop(token, None)  # an expired token used anew goes to the end
        entries[token] = _Entry(fingerprint, response, now + self.lifetime_s)
