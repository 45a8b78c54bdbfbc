"""Which FAISS index the default profile builds: none while scoring every song is fast, an inverted file beyond.

Scoring every song (one matrix-vector product over 768-float unit vectors) took ~1.5 ms at 5k songs,
~8 ms at 20k and ~30 ms at 100k on the two-core reference machine. Below ``EXACT_LIMIT`` that product
*is* the search, and a flat FAISS index would only duplicate the vectors; past it an IVF index with
8-bit scalar quantization keeps the median search in milliseconds and the memory at a quarter of the
vectors'. (The ``seed`` profile builds its own ``IndexFlatL2``: it is the published approach.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import faiss
import numpy as np

EXACT_LIMIT = 20_000  # songs of 768 dimensions; a scan costs songs x dimensions
# k-means wants ~40 points per centroid; more only slows training on two cores.
TRAIN_PER_LIST = 40
# On the synthetic 1M catalog (recommender/scale.py) recall@10 was 0.98 at every nprobe from 8 (the 8-bit
# codes bound it, not the probing) and the median search 3 ms at 24: the margin is for real embeddings,
# which cluster less neatly than synthetic topics.
DEFAULT_NPROBE = 24


@dataclass(frozen=True, slots=True)
class IndexChoice:
    kind: str  # "flat" or "ivf"
    nlist: int = 0
    nprobe: int = 0

    def describe(self) -> str:
        return "exact (flat)" if self.kind == "flat" else f"IVF{self.nlist},SQ8 nprobe={self.nprobe}"


def choose_index(n: int, dim: int) -> IndexChoice:
    """Exact while a scan costs no more than ``EXACT_LIMIT`` songs of 768 floats, else IVF with ~2*sqrt(n) lists."""
    if n * dim <= EXACT_LIMIT * 768:
        return IndexChoice("flat")
    nlist = 1 << round(math.log2(2 * math.sqrt(n)))
    return IndexChoice("ivf", nlist=nlist, nprobe=DEFAULT_NPROBE)


def build_index(vectors: np.ndarray, choice: IndexChoice | None = None, seed: int = 0) -> faiss.Index | None:
    """The index for ``vectors`` (unit rows), by ``choice`` or ``choose_index``'s.

    None when exact scoring is the search."""
    choice = choice or choose_index(*vectors.shape)
    if choice.kind == "flat":
        return None
    index = empty_ivf(vectors.shape[1], choice)
    rows = np.random.default_rng(seed).choice(
        len(vectors), min(len(vectors), TRAIN_PER_LIST * choice.nlist), replace=False
    )
    index.train(np.ascontiguousarray(vectors[np.sort(rows)], dtype=np.float32))
    for start in range(0, len(vectors), 65_536):
        index.add(np.ascontiguousarray(vectors[start : start + 65_536], dtype=np.float32))
    index.make_direct_map()  # the Ranker decodes candidates by id; saved with the index
    return index


def empty_ivf(dim: int, choice: IndexChoice) -> faiss.IndexIVFScalarQuantizer:
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, choice.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.cp.niter = 10  # the default 25 triples training time for no measurable recall at 1M
    index.nprobe = choice.nprobe
    # The quantizer is owned by the index from here on; without this Python may free it first.
    index.own_fields = True
    quantizer.this.disown()  # type: ignore[attr-defined]  # SWIG's ownership handle, absent from faiss's stubs
    return index
