# The README's two commands: `make run` and `make test`. Each bootstraps .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := consulta.wsgi

# Translation catalogues (consulta/translations/<lang>/LC_MESSAGES/messages.po); their .mo files are built here.
TRANSLATIONS := consulta/translations
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)
LANGS ?= $(or $(patsubst $(TRANSLATIONS)/%/LC_MESSAGES/messages.po,%,$(CATALOGUES)),pt_BR en es)

.PHONY: run test install migrate demo bench lint clean translations

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) $(COMPILED)

# A catalogue's .mo is a build product (git-ignored), rebuilt whenever its .po changes.
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

# Extract every wrapped string (templates and Python) into messages.pot, merge it into each language's
# catalogue (a new language: `make translations LANGS=fr`), and compile them.
translations: $(STAMP)
	mkdir -p $(TRANSLATIONS)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --add-location=file \
		--sort-output --project=Consulta -o $(TRANSLATIONS)/messages.pot .
	for lang in $(LANGS); do \
		$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$lang \
			--init-missing --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date || exit 1; \
	done
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

migrate: install
	$(BIN)/flask db upgrade

demo: migrate
	CONSULTA_DEMO_ACCOUNTS=true $(BIN)/flask consulta load-demo

# The web server and, beside it, one worker for background jobs (queue: SQLite in instance/ unless
# CONSULTA_QUEUE_URL says otherwise); stopping `make run` stops both.
run: demo
	@$(BIN)/flask consulta worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
