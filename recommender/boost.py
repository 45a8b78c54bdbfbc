"""The part of a request's score that is not its text: feature wishes, a named artist's own songs, a pull.

The ranker scores a candidate pool, which must hold the songs this part favours most, and needs the
most any song left out of the pool can get from it (its floor). ``DenseBoost`` has every song's value
at hand and takes the allowed songs above a threshold read off a sample of them. ``FitBoost`` never
scores every song: a wish's score is a monotone function of one feature (its percentile, the
complement, their square roots) or of its distance to a value ("around 128 bpm"), so each feature's
songs, kept sorted by value once, give the songs that fit a wish best as one run of that order (its
top, its bottom, or the run around the value). A song outside the run scores at most the run's edge
(the threshold of Fagin's algorithm), and a named artist's own songs are few enough to add whole.
Both compute a song's value with the same float32 operations, so they rank alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .intent import Wish
from .songs import FEATURE_NAMES
from .vocabulary import SCALES

# How far from an aimed-at value a song still fits a "near" wish at all, in the feature's units (BPM, or points
# of a 0-100 feature): "around 128 bpm", a night drive's middling energy.
NEAR_SPAN = 30.0
# Which way along its feature's order a wish's best songs lie; "near" aims at its value.
DIRECTION = {"high": "up", "not_low": "up", "low": "down", "not_high": "down"}
# The share of a word said outright that is the step onto its side of the scale (rank, or rank and value, the
# rest). On every eval file in one process, 0.15 and 0.3 against none: chat 0.851 -> 0.855 / 0.857, multi
# 0.926 -> 0.928 / 0.926, feature 1.000 either way; 0.15 changed fewer answers (47 against 70).
SIDE_SHARE = 0.15
# How many of a dense boost's values its threshold is read from.
SAMPLE = 16_384


def wish_terms(percentiles: np.ndarray, features: np.ndarray, wish: Wish, rows: np.ndarray | slice) -> np.ndarray:
    """How well the songs at ``rows`` fit one ranked wish, 0 to 1 (NaN where the song lacks the feature)."""
    column = FEATURE_NAMES.index(wish.feature)
    if wish.kind in ("high", "low"):
        values: np.ndarray = percentiles[rows, column]
        scale = SCALES.get(wish.feature)
        if not wish.outright or scale is None:
            return values if wish.kind == "high" else 1 - values
        if scale.piled:
            # Half rank, half value on the 0-100 scale: still one monotone function of the feature (see above).
            values = (values + features[rows, column] / np.float32(100)) / np.float32(2)
        fit = values if wish.kind == "high" else 1 - values
        # A word said outright also names a side of the scale ("sad" is the sad bands): a step there, monotone too.
        edge = np.float32(scale.edge(wish.kind))
        side = features[rows, column] > edge if wish.kind == "high" else features[rows, column] <= edge
        blended: np.ndarray = np.float32(1 - SIDE_SHARE) * fit + np.float32(SIDE_SHARE) * side
        return blended
    if wish.kind in ("not_low", "not_high"):
        # "Not sad" is not "as happy as can be": the score rises steeply out of the end ruled out,
        # then flattens (diminishing returns), so the request's other wishes choose among the rest.
        away = percentiles[rows, column] if wish.kind == "not_low" else 1 - percentiles[rows, column]
        rooted: np.ndarray = np.sqrt(away)
        return rooted
    return np.clip(1 - np.abs(features[rows, column] - wish.value) / NEAR_SPAN, 0, 1)


def wish_scores(
    percentiles: np.ndarray, features: np.ndarray, ranked: Sequence[Wish], rows: np.ndarray | slice
) -> np.ndarray:
    """The mean fit of the songs at ``rows`` to the ``ranked`` wishes; 0 for a song lacking one of their features."""
    count = len(percentiles) if isinstance(rows, slice) else len(rows)
    total = np.zeros(count, dtype=np.float32)
    if not ranked:
        return total
    for wish in ranked:
        total += np.float32(wish.weight) * wish_terms(percentiles, features, wish, rows)
    # In place, as nan_to_num would give (the terms are never infinite): a million songs are scored at once.
    total /= np.float32(sum(wish.weight for wish in ranked))
    np.copyto(total, 0, where=np.isnan(total))
    return total


class Boost(Protocol):
    def of(self, ids: np.ndarray) -> np.ndarray:
        """The boost of the songs at ``ids`` (float32)."""
        ...

    def best(self, mask: np.ndarray, count: int, size: int) -> tuple[np.ndarray, float]:
        """Songs ``mask`` allows (``count`` of them) that the boost favours most, about ``size`` of them,
        and the most any other allowed song gets."""
        ...


class DenseBoost:
    """Every song's boost, already computed (a member's 👍 pull, a seed's closeness in sound)."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def of(self, ids: np.ndarray) -> np.ndarray:
        chosen: np.ndarray = self.values[ids]
        return chosen

    def best(self, mask: np.ndarray, count: int, size: int) -> tuple[np.ndarray, float]:
        # The songs above a threshold read off an even sample, not a partition of every song: about ``size``
        # allowed songs pass it, and every song left out is at most the threshold, whatever the sample.
        stride = max(len(self.values) // SAMPLE, 1)
        sample = self.values[::stride]
        rank = math.ceil(size * len(mask) / max(count, 1) / stride)
        if rank >= len(sample):
            allowed = np.flatnonzero(mask)
            # Over the allowed songs only: a partition over many equal "excluded" values is very slow.
            values = self.values[allowed]
            top = np.argpartition(values, -size)[-size:]
            return allowed[top], float(values[top].min())
        threshold = np.partition(sample, -rank)[-rank]
        # Strictly above: songs tied at the threshold (every song, when a boost is flat) are not all taken.
        return np.flatnonzero((self.values > threshold) & mask), float(threshold)


class FeatureOrders:
    """Each feature's measured songs sorted by value, made once per catalog from its percentiles' sort."""

    def __init__(self, orders: Sequence[np.ndarray], features: np.ndarray) -> None:
        self.orders = list(orders)
        self.features = features
        self._values: dict[int, np.ndarray] = {}

    def values(self, column: int) -> np.ndarray:
        """The column's values in ``orders`` order, made the first time a value is aimed at ("around 128 bpm")."""
        if column not in self._values:
            self._values[column] = np.ascontiguousarray(self.features[self.orders[column], column])
        return self._values[column]

    def run(self, wish: Wish, length: int) -> tuple[np.ndarray, np.ndarray]:
        """(the ``length`` or so songs that fit ``wish`` best, the songs just outside that run: none when it
        holds them all). Every song outside the run fits no better than those edge songs."""
        column = FEATURE_NAMES.index(wish.feature)
        order = self.orders[column]
        total = len(order)
        length = min(length, total)
        if wish.kind in ("high", "not_low"):
            return order[total - length :], order[max(total - length - 1, 0) : total - length]
        if wish.kind in ("low", "not_high"):
            return order[:length], order[length : length + 1]
        middle = int(np.searchsorted(self.values(column), wish.value))
        low, high = max(middle - length, 0), min(middle + length, total)
        edges = order[[i for i in (low - 1, high) if 0 <= i < total]]
        return order[low:high], edges


class FitBoost:
    """``weight`` times the mean fit to the ranked wishes, plus ``artist_bonus`` on a named artist's own songs,
    without scoring every song (see the module's docstring)."""

    def __init__(
        self,
        orders: FeatureOrders,
        percentiles: np.ndarray,
        ranked: Sequence[Wish],
        weight: float,
        artist_rows: np.ndarray,
        artist_bonus: float,
    ) -> None:
        self.orders, self.percentiles = orders, percentiles
        self.ranked = list(ranked)
        self.weight = weight
        self.artist_rows, self.artist_bonus = artist_rows, artist_bonus

    @staticmethod
    def handles(ranked: Sequence[Wish]) -> bool:
        """Whether the wishes all favour one run of one feature's order. Over several features the runs'
        edges bound loosely (a song at the top of each run is rarely near the top of the others), and
        "energetic" with "calm" favours both ends of one: those are scored whole (``DenseBoost``)."""
        return len({(w.feature, DIRECTION.get(w.kind, w.value)) for w in ranked}) <= 1

    def of(self, ids: np.ndarray) -> np.ndarray:
        values: np.ndarray = self.weight * wish_scores(self.percentiles, self.orders.features, self.ranked, ids)
        if len(self.artist_rows):
            values = values + self.artist_bonus * np.isin(ids, self.artist_rows).astype(np.float32)
        return values

    def best(self, mask: np.ndarray, count: int, size: int) -> tuple[np.ndarray, float]:
        # A filter keeping a share of the songs keeps about that share of each run: runs grow in proportion.
        length = math.ceil(size * len(mask) / max(count, 1))
        found = [self.artist_rows[mask[self.artist_rows]]]
        edge = np.float32(0)
        complete = False
        for wish in self.ranked:
            run, outside = self.orders.run(wish, length)
            allowed = run[mask[run]]
            bound = wish_terms(self.percentiles, self.orders.features, wish, outside).max() if len(outside) else None
            if len(allowed) > size:
                # A filter on this very feature ("over 140 bpm") keeps all of its best run: only the best ``size``
                # are decoded, and the best one dropped bounds the rest of the run.
                fits = wish_terms(self.percentiles, self.orders.features, wish, allowed)
                best = np.argpartition(-fits, size)
                dropped = fits[best[size:]].max()
                allowed = allowed[best[:size]]
                bound = dropped if bound is None else max(bound, dropped)
            found.append(allowed)
            if bound is None:
                complete = True  # every song with this feature is in the run; one without it fits nothing
            else:
                edge += np.float32(wish.weight) * bound
        # Summed in float32 as ``of`` sums: rounding keeps the order, so no song left out exceeds it.
        weights = np.float32(sum(wish.weight for wish in self.ranked))
        floor = 0.0 if complete or not self.ranked else float(self.weight * (edge / weights))
        return np.unique(np.concatenate(found)), max(floor, 0.0)
