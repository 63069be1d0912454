"""The resource ids as the tables hold them: one categorical dtype, its categories in order.

The recorder numbers resources by key, in the order they were registered; the tables name
them by id. A run's tables are unified with their categories in order (`runner.concat`),
so the ids are put in order once, when the recorder hands its columns over, and each key
is given its code among them: recoding every table's resource column afterwards held a
second million ids beside the first (measured: 430 MB at a million stops). The ids are
kept as Arrow text alone (`unindexed`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd


class ResourceIds(NamedTuple):
    dtype: pd.CategoricalDtype
    """The ids in order, as text (`str`): what a run's unified tables hold."""
    codes: np.ndarray
    """Each key's code in `dtype` (int32, indexed by key)."""
    order: np.ndarray
    """The keys in the order of their ids: row `i` of the registry is code `i`."""

    @classmethod
    def of(cls, ids: list[str]) -> ResourceIds:
        """The dtype, codes and order of `ids`, the id of each key in turn."""
        given = np.array(ids, dtype=object)  # the strings themselves: no copy of their text
        order = np.argsort(given, kind="stable").astype(np.int32)
        codes = np.empty(len(ids), dtype=np.int32)
        codes[order] = np.arange(len(ids), dtype=np.int32)
        dtype = pd.CategoricalDtype(pd.Index(given[order], dtype="str"))
        unindexed(dtype.categories)
        return cls(dtype, codes, order)

    def named(self, keys: np.ndarray) -> pd.Categorical:
        """The resources of `keys` (recorder keys), as ids."""
        return pd.Categorical.from_codes(self.codes[keys], dtype=self.dtype)


def unindexed(categories: pd.Index) -> None:
    """Drop the hash table pandas keeps on `categories` once it has looked one up or checked
    them unique (as a categorical dtype's are, when it is made): for text it holds every
    value again as a Python string, 152 MB beside a million ids' 77 MB of Arrow text
    (measured), for as long as a table holds the ids. The tables are made and read by
    codes; pandas makes the hash table again if anything looks an id up."""
    getattr(categories, "_cache", {}).pop("_engine", None)


def in_order(categories: pd.Index) -> bool:
    """Whether `categories` are in increasing order, compared pair by pair (in Arrow for
    text) rather than by `is_monotonic_increasing`, which would leave the hash table
    `unindexed` drops."""
    return bool((categories[1:] > categories[:-1]).all())
