"""The resource ids as the tables hold them: one categorical dtype, its categories in order.

The recorder numbers resources by key, in the order they were registered; the tables name
them by id. A run's tables are unified with their categories in order (`runner.concat`),
so the ids are put in order once, when the recorder hands its columns over, and each key
is given its code among them: recoding every table's resource column afterwards held a
second million ids beside the first (measured: 430 MB at a million stops).
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
        return cls(pd.CategoricalDtype(pd.Index(given[order], dtype="str")), codes, order)

    def named(self, keys: np.ndarray) -> pd.Categorical:
        """The resources of `keys` (recorder keys), as ids."""
        return pd.Categorical.from_codes(self.codes[keys], dtype=self.dtype)
