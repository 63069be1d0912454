"""The pages of a listing: tokens bound to their request, the same on every rerun."""

from __future__ import annotations

import re

import pytest

from simulator.api.errors import AwsError, ErrorSpec
from simulator.services.paging import Pages

BAD = ErrorSpec("InvalidPaginationTokenException", 400)
ITEMS = list(range(7))


def test_pages_cover_the_listing_once_each_in_order() -> None:
    pages, seen, token = Pages("svc", BAD), [], None
    while True:
        params = {"Filter": "x"} if token is None else {"Filter": "x", "NextToken": token}
        page, token = pages.page("List", params, ITEMS, 3)
        seen.append(list(page))
        if token is None:
            break
    assert seen == [[0, 1, 2], [3, 4, 5], [6]]


def test_tokens_are_the_same_for_the_same_place_and_on_a_rerun() -> None:
    first, second = Pages("svc", BAD), Pages("svc", BAD)
    tokens = [first.page("List", {}, ITEMS, 2)[1], first.page("List", {}, ITEMS, 2)[1]]
    assert tokens[0] == tokens[1]
    assert second.page("List", {}, ITEMS, 2)[1] == tokens[0]
    other = first.page("List", {}, ITEMS, 3)[1]  # another place: another token
    assert other != tokens[0]


def test_tokens_fit_every_services_token_pattern() -> None:
    pages = Pages("lookoutvision", BAD)
    tokens = [pages.page("List", {"n": n}, ITEMS, 1)[1] for n in range(200)]
    assert len(set(tokens)) == 200
    for token in tokens:
        assert token is not None
        assert re.fullmatch(r"[a-zA-Z0-9\/\+\=]{1,64}", token)


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("List", {"Filter": "y"}),  # another request
        ("Other", {"Filter": "x"}),  # another operation
    ],
)
def test_a_token_given_for_another_request_is_the_bad_token_error(
    operation: str, params: dict[str, str]
) -> None:
    pages = Pages("svc", BAD)
    token = pages.page("List", {"Filter": "x"}, ITEMS, 2)[1]
    with pytest.raises(AwsError) as raised:
        pages.page(operation, {**params, "NextToken": token}, ITEMS, 2)
    assert raised.value.spec is BAD
    assert token is not None
    assert repr(token) in raised.value.message


def test_the_page_size_may_change_between_pages() -> None:
    pages = Pages("svc", BAD)
    token = pages.page("List", {"MaxResults": 2}, ITEMS, 2)[1]
    assert pages.page("List", {"MaxResults": 4, "NextToken": token}, ITEMS, 4) == (
        [2, 3, 4, 5],
        pages.page("List", {}, ITEMS, 6)[1],  # the token of offset 6 for this request
    )


def test_a_listing_that_shrank_past_the_token_is_an_empty_last_page() -> None:
    pages = Pages("svc", BAD)
    token = pages.page("List", {}, ITEMS, 5)[1]
    assert pages.page("List", {"NextToken": token}, ITEMS[:3], 5) == ([], None)
