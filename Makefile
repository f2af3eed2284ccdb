# Quick start: `make demo` then `make test`. Both create or refresh .venv/ as needed.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2
export TFDS_DATA_DIR ?= $(CURDIR)/.data/tfds
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv demo test test-fast release fixtures data student-bundle lint bench review clean \
	nbgrader-assignment nbgrader-need-A autograde feedback

help:
	@echo "make demo            regenerate the release and grade the bundled example submissions"
	@echo "make test            run the test suite"
	@echo "make release         regenerate assignments/ from solutions/ with nbgrader"
	@echo "make fixtures        regenerate the public check fixtures from solutions/"
	@echo "make data            build every synthetic dataset into \$$TFDS_DATA_DIR"
	@echo "make student-bundle  write build/student-bundle/ and its zip"
	@echo "make bench           run the benchmarks"
	@echo "make nbgrader-assignment A=rnn   record an assignment in ./gradebook.db (once, first)"
	@echo "make autograde A=rnn [STUDENT=id]  nbgrader autograde submitted/, graded in the sandbox"
	@echo "make feedback A=rnn [STUDENT=id]   nbgrader generate_feedback -> feedback/"

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	@echo "installing the pinned environment into $(VENV) (log: $(VENV)/install.log)"
	@$(PY) -m pip install --upgrade pip > $(VENV)/install.log 2>&1 || (tail -20 $(VENV)/install.log; exit 1)
	@$(PY) -m pip install -c requirements.lock -e . >> $(VENV)/install.log 2>&1 || (tail -30 $(VENV)/install.log; exit 1)
	@$(PY) -c "import tensorflow, keras, tensorflow_datasets, nbgrader, rnnlab, autograder" 2>/dev/null || (echo "the environment does not import; see $(VENV)/install.log"; exit 1)
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) -m autograder demo

test: $(STAMP)
	$(PY) -m pytest -q

release: $(STAMP)
	$(PY) -m autograder release

fixtures: $(STAMP)
	$(PY) -m autograder fixtures

data: $(STAMP)
	$(PY) -m rnnlab.data build --all

student-bundle: $(STAMP)
	$(PY) -m autograder student-bundle -o build/student-bundle

lint: $(STAMP)
	$(VENV)/bin/ruff check rnnlab autograder tests benchmarks

review: $(STAMP)
	$(PY) -m autograder review

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf build .cache .pytest_cache

# nbgrader, with the virtualenv's bin/ first on PATH: nbgrader starts `alembic` from PATH, so a
# bare `.venv/bin/nbgrader` fails without it (nbgrader_config.py also puts it there).
NBGRADER = PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/nbgrader
NBGRADER_STUDENT = $(if $(STUDENT),--student=$(STUDENT))

nbgrader-need-A:
	@test -n "$(A)" || (echo "say which assignment: make $(MAKECMDGOALS) A=rnn"; exit 2)

# generate_assignment fills the gradebook; its copy of the release goes to build/, so that
# assignments/ stays the one `make release` writes.
nbgrader-assignment: $(STAMP) nbgrader-need-A
	$(NBGRADER) generate_assignment $(A) --force --CourseDirectory.release_directory=build/nbgrader-release

autograde: $(STAMP) nbgrader-need-A
	$(NBGRADER) autograde $(A) --create $(NBGRADER_STUDENT)

feedback: $(STAMP) nbgrader-need-A
	$(NBGRADER) generate_feedback $(A) $(NBGRADER_STUDENT)
