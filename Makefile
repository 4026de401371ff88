# The two commands a user needs: `make demo` and `make test`. Both install what
# is missing first (scripts/install-deps.sh is idempotent).
SHELL := /bin/bash
PYTHON ?= python3

.PHONY: all deps build build-asan build-release test unit pytest demo clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset dev >/dev/null && cmake --build --preset dev

build-asan: deps
	cmake --preset asan >/dev/null && cmake --build --preset asan

build-release: deps
	cmake --preset release >/dev/null && cmake --build --preset release

# Unit tests under ASan+UBSan, then the Python-driven differential, database and
# end-to-end tests against the sanitized binary, real PostgreSQL and real anvil nodes.
# The Python tests mostly wait (block times, polls, servers starting), so they run
# in PYTEST_WORKERS processes, one test module at a time each (tests/conftest.py).
PYTEST_WORKERS ?= 3
test: build-asan
	ctest --preset asan
	L2W_BUILD_DIR=$(CURDIR)/build/asan $(PYTHON) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile tests

demo: build-release
	scripts/demo.sh

clean:
	rm -rf build .run
