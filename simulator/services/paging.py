"""Pages of a listing: `NextToken` and `MaxResults` as the services answer them.

A list operation answers at most a page of items and, when more are left, a `NextToken`:
an opaque string the service made for that request. The next request carries it back with
the same other members (its page size may change, as AWS allows); a token the service did
not give, or one it gave for another request (other members, another operation), is the
service's bad-token error.

A token stands for the request and the offset of the next page; the same request at the
same offset is given the same token, numbered in the order first given, so a run's tokens
are the same on every rerun and a service keeps one per distinct page asked for, however
often it is asked. Tokens never expire (ASSUMED: no service documents a lifetime), and a
page is read from the listing as it stands when it is asked: a resource listed between two
pages shifts what the next one holds (ASSUMED; AWS calls these listings eventually
consistent).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from simulator.api.errors import ErrorSpec

T = TypeVar("T")

NEXT_TOKEN = "NextToken"
PAGING = frozenset({NEXT_TOKEN, "MaxResults", "maxItems"})
"""The members that choose a page rather than what is listed."""


def _request(operation: str, params: Mapping[str, Any]) -> str:
    """What a token is bound to: the operation and every member but the paging ones."""
    listed = {name: value for name, value in params.items() if name not in PAGING}
    return json.dumps([operation, listed], sort_keys=True, default=str)


class Pages:
    """The tokens one service has given, and the pages they stand for."""

    def __init__(self, service: str, bad_token: ErrorSpec) -> None:
        self._service = service
        self._bad_token = bad_token
        self._given: dict[str, tuple[str, int]] = {}  # token -> (request, offset)
        self._tokens: dict[tuple[str, int], str] = {}  # (request, offset) -> token

    def page(
        self, operation: str, params: Mapping[str, Any], items: Sequence[T], size: int
    ) -> tuple[Sequence[T], str | None]:
        """The page of `items` (the whole listing, in its order) that `params` asks for,
        at most `size` long, and the token of the next page (None: this is the last)."""
        request = _request(operation, params)
        first = 0
        token = params.get(NEXT_TOKEN)
        if token is not None:
            given = self._given.get(token)
            if given is None or given[0] != request:
                raise self._bad_token(
                    f"Invalid {NEXT_TOKEN}: {token!r} was not given for this {operation} request"
                )
            first = given[1]
        last = first + size
        if last >= len(items):
            return items[first:], None
        return items[first:last], self._token(request, last)

    def listing(
        self,
        operation: str,
        params: Mapping[str, Any],
        items: Sequence[T],
        member: str,
        summary: Callable[[T], dict[str, Any]],
        page_size: int,
    ) -> dict[str, Any]:
        """A listing's answer: the page of `items` the request asks for (`MaxResults`, by
        default `page_size`), each summarised, under the output's list `member`, and the
        next page's token where there is one."""
        size = params.get("MaxResults", page_size)
        page, token = self.page(operation, params, items, size)
        response: dict[str, Any] = {member: [summary(item) for item in page]}
        if token is not None:
            response[NEXT_TOKEN] = token
        return response

    def _token(self, request: str, offset: int) -> str:
        token = self._tokens.get((request, offset))
        if token is None:
            number = f"{self._service}/{len(self._tokens) + 1}".encode()
            token = self._tokens[request, offset] = base64.b64encode(number).decode()
            self._given[token] = (request, offset)
        return token
