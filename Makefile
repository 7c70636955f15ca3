# The two commands of the README, plus the benchmark. Needs nothing but python3 and the package registry.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(PYTHON)

.PHONY: run test bench env system-packages clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# The lock file pins every dependency; --frozen refuses to install anything it does not list.
$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

env: $(VENV)/.synced

run: env
	$(VENV)/bin/gehoord migrate --no-input
	$(VENV)/bin/gehoord loaddemo --if-empty
	$(VENV)/bin/gehoord serve

# What the tests drive besides Python, as Debian package:program. Installed when missing (as root);
# otherwise the target stops and names the packages, rather than letting their tests fail one by one.
TEST_PACKAGES := chromium:/usr/bin/chromium dovecot-imapd:/usr/sbin/dovecot

system-packages:
	@missing=""; \
	for entry in $(TEST_PACKAGES); do [ -x "$${entry#*:}" ] || missing="$$missing $${entry%%:*}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "The tests need the Debian packages$$missing; install them as root: apt-get install -y$$missing" >&2; \
			exit 1; \
		fi; \
		echo "Installing the Debian packages the tests need:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The import contracts first (pyproject.toml: the layers point down, the doors stay apart).
test: env system-packages
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

# The benchmark runs against PostgreSQL only: the numbers that matter are production's.
bench: env
	@if [ -z "$$DATABASE_URL" ]; then \
		echo "make bench needs DATABASE_URL pointing to PostgreSQL, e.g."; \
		echo "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/gehoord_bench make bench"; \
		exit 2; \
	fi
	$(VENV)/bin/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS)
