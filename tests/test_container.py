"""The container files, checked without a container engine (none runs on the development machine or in CI):
the Dockerfile lints clean and installs with the script CI exercises; compose keeps the bot and its data."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def test_the_dockerfile_lints_clean() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.is_file(), "hadolint comes with the test extra (pip install -e '.[test]')"
    linted = subprocess.run([hadolint, "Dockerfile"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_container_and_make_setup_install_with_one_script() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^\s+scripts/install\.sh /opt/musicrec/venv$", dockerfile, re.M)
    assert re.search(r"^\tPYTHON=\$\(PYTHON\) scripts/install\.sh \$\(VENV\) test,int8$", makefile, re.M)
    assert re.search(r"^make setup$", (REPO / ".ci" / "run").read_text(), re.M), "CI runs the install script"


def test_the_container_runs_unprivileged_with_a_health_check_and_a_data_volume() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.M)
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
    assert re.search(r'^HEALTHCHECK .*CMD \["python", "-m", "bot", "--health"\]$', dockerfile, re.M)
    assert 'VOLUME ["/data"]' in dockerfile and "MUSICREC_DATA_DIR=/data" in dockerfile
    assert ".env" in (REPO / ".dockerignore").read_text().split(), "the token never goes into an image"


def test_compose_restarts_the_bot_and_keeps_its_data() -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    bot = compose["services"]["musicrec"]
    assert bot["restart"] == "unless-stopped"
    assert bot["env_file"] == ".env"
    assert "musicrec-data:/data" in bot["volumes"] and "musicrec-data" in compose["volumes"]
    assert bot["environment"]["MUSICREC_DATA_DIR"] == "/data"
