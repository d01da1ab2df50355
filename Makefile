# Counterpoint: `make run` to try it, `make test` to check it. Both set themselves up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-sqlite test-postgres bench lint translations extract-messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -d app/translations -D messages --statistics 2>&1 | tail -n 1

# The demo's webhook channel posts to a sink inside this app on 127.0.0.1, so `make run` allows
# loopback URLs; production never sets this.
run: export COUNTERPOINT_ALLOW_PRIVATE_URLS ?= 1
run: $(VENV)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo
	@echo "Counterpoint is starting at http://$(HOST):$(PORT)/ (worker running beside it; Ctrl-C stops both)"
	@bash scripts/run.sh "$(FLASK)" "$(HOST)" "$(PORT)"

test: $(VENV)/.installed translations
	@$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (see README, 'Tests')."; fi

test-sqlite:
	@echo "== test suite on SQLite =="
	env -u TEST_DATABASE_URL $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

test-postgres:
	@echo "== test suite on PostgreSQL ($$TEST_DATABASE_URL) =="
	$(PY) -m pytest -p no:cacheprovider -m "not browser" $(PYTEST_ARGS)

bench: $(VENV)/.installed
	@for script in bench/bench_*.py; do echo "== $$script"; PYTHONPATH=. $(PY) $$script || exit 1; done

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check app tests bench wsgi.py
	$(VENV)/bin/bandit -q -r app -c pyproject.toml
	$(VENV)/bin/lint-imports --no-cache

extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations -D messages --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache
