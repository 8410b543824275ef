# The two commands (see README):
#   make example   set up, then translate the example article with the default model
#   make test      set up, lint (ruff), then run the tests (what CI runs)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# torch is pinned here, where it is installed: 2.13.0 is the CPU build these machines carry;
# an unpinned torch would pull a CUDA build of several GB.
TORCH  := torch==2.13.0
EXAMPLE := examples/riverside-library-2026-11-20.txt

# A plain install, as a user's `pip install .` gives it (no test, bench, model or Ray extras),
# kept under ~/.cache and made anew when pyproject.toml changes (pip reuses its cached wheels).
PLAIN  := $(HOME)/.cache/bitext/plain-install
PLAIN_KEY := $(shell sha256sum pyproject.toml | cut -c1-16)

.PHONY: example test smoke setup browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH) -e '.[model,test,bench,ray]'
	touch $@

# The reading-page tests open pages in Debian's Chromium (with a CJK font for screenshots).
browser:
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-wqy-zenhei >/dev/null)

setup: $(VENV)/.installed

example: setup
	$(BIN)/bitext run $(EXAMPLE) --to zh,fr --db bitext.db
	$(BIN)/bitext show --db bitext.db

test: setup browser
	$(BIN)/ruff check pipeline tests scripts
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory smoke

$(PLAIN)/.installed-$(PLAIN_KEY):
	rm -rf $(PLAIN)
	$(PYTHON) -m venv $(PLAIN)
	$(PLAIN)/bin/pip install --quiet --upgrade pip
	$(PLAIN)/bin/pip install --quiet $(TORCH) .
	touch $@

# Every command once on the plain install, this checkout's code (tests/smoke.py).
smoke: $(PLAIN)/.installed-$(PLAIN_KEY)
	$(PLAIN)/bin/pip install --quiet --no-deps --force-reinstall .
	$(PLAIN)/bin/python -m tests.smoke $(PLAIN)/bin/bitext

clean:
	rm -rf $(VENV) bitext.db bitext.db-wal bitext.db-shm pairs.jsonl
