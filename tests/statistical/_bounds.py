"""Confidence bounds shared by the statistical tests."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def z(confidence: float) -> float:
    """Two-sided standard normal quantile: z(0.99) = 2.576."""
    return float(stats.norm.ppf(0.5 + confidence / 2))


def binomial_half_width(p: float, n: int, confidence: float) -> float:
    """Normal-approximation half width of a binomial proportion with success chance p."""
    return z(confidence) * math.sqrt(p * (1 - p) / n)


def batch_means(
    values: np.ndarray, batches: int, confidence: float, warmup: float = 0.05
) -> tuple[float, float]:
    """Mean of an autocorrelated series and its half width by batch means.

    The first `warmup` share is dropped; the rest is cut into `batches` equal batches whose
    means are treated as independent normals (Student t with batches - 1 df).
    """
    kept = values[int(len(values) * warmup) :]
    size = len(kept) // batches
    means = kept[: size * batches].reshape(batches, size).mean(axis=1)
    t = float(stats.t.ppf(0.5 + confidence / 2, batches - 1))
    return float(means.mean()), t * float(means.std(ddof=1)) / math.sqrt(batches)
