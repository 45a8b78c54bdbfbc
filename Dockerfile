# syntax=docker/dockerfile:1
# The musicrec Discord bot. `docker compose up -d` builds and runs it (see compose.yaml and the README).
#
# It installs with scripts/install.sh, the script `make setup` and CI run, and assembles, verifies and
# test-loads the model at build time: at run time the container talks to Discord and nothing else.
FROM python:3.11-slim

# PyPI's torch wheel of the pinned version is the CUDA build (gigabytes of GPU libraries the bot never
# uses); PyTorch's CPU index has the same version built for the CPU. constraints.txt still pins it.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/musicrec --shell /usr/sbin/nologin musicrec \
    && mkdir -p /data \
    && chown 10001:10001 /data

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY scripts/ scripts/
COPY recommender/ recommender/
COPY bot/ bot/
COPY data/ data/

# The model is assembled into the image (read-only at run time), not into the data volume.
RUN --mount=type=cache,target=/root/.cache/pip \
    MUSICREC_CACHE_DIR=/opt/musicrec/model-cache TORCH_INDEX_URL="${TORCH_INDEX_URL}" \
    scripts/install.sh /opt/musicrec/venv

ENV PATH=/opt/musicrec/venv/bin:$PATH \
    MUSICREC_MODEL=/opt/musicrec/model-cache/models/all-mpnet-base-v2 \
    MUSICREC_CACHE_DIR=/data/cache \
    MUSICREC_DATA_DIR=/data \
    HF_HOME=/data/cache/huggingface \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

# The index cache, the database and the heartbeat: kept across restarts and image upgrades.
VOLUME ["/data"]
USER 10001:10001

# docker stop sends SIGTERM: the bot answers the requests in flight (up to 8 s), closes the gateway, exits 0.
STOPSIGNAL SIGTERM
# The first start builds the catalog's index (minutes for a large catalog) before it connects.
HEALTHCHECK --interval=30s --timeout=10s --start-period=10m --retries=3 CMD ["python", "-m", "bot", "--health"]
ENTRYPOINT ["python", "-m", "bot"]
