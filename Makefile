# Two commands do all the set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The reference catalog sits beside the checkout; `musicrec data fetch` is the alternative.
export MUSICREC_CATALOG ?= $(abspath $(firstword $(wildcard ../shared/data/top50MusicFrom2010-2019.csv) data/top50MusicFrom2010-2019.csv))

.PHONY: setup demo test eval bench lint-docker
setup: $(VENV)/.installed

# The same script builds the container (see Dockerfile), so CI exercises the container's install too.
$(VENV)/.installed: pyproject.toml constraints.txt scripts/install.sh
	PYTHON=$(PYTHON) scripts/install.sh $(VENV) test,int8
	touch $@

demo: setup
	$(BIN)/musicrec recommend "chill acoustic evening" "something mellow for a long drive" "upbeat Katy Perry tracks from 2013" --k 5

test: setup
	$(BIN)/python -m pytest -q

eval: setup
	$(BIN)/musicrec eval

bench: setup
	$(BIN)/musicrec bench

lint-docker: setup
	$(BIN)/hadolint Dockerfile
