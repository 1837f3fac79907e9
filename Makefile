# The two commands of the README: `make demo` and `make test`. Each sets up everything it
# needs on a machine with only python3 and git.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck contracts pytest install bench clean chromium fonts translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip "setuptools>=77" wheel
	$(BIN)/pip install --quiet -e ".[dev]" --config-settings editable_mode=strict
	touch $(STAMP)

# The strict editable install links each source file; re-link so that new modules are seen.
install: $(STAMP)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . \
		--config-settings editable_mode=strict 2>/dev/null

# The demo's month, in a copy of the committed practice made anew each time (build/demo): its
# approvals, closes and the portal's uploads are commits and files of the copy, never of this
# checkout. The partner chen approves the books; the preparer li closes October (huamei-retail
# is refused: three entries still wait to be categorized, and the close says so); the reviewer
# wang approves the closes, so the clients' home pages offer the filed statements; then the
# portal.
DEMO := build/demo
DEMO_RUN := $(CURDIR)/$(BIN)/beanfirm --practice $(DEMO)
demo: install fonts
	rm -rf $(DEMO)
	git clone --quiet --no-hardlinks . $(DEMO)
	git -C $(DEMO) remote remove origin
	$(DEMO_RUN) check
	$(DEMO_RUN) status
	$(DEMO_RUN) approve --all --as chen
	$(DEMO_RUN) close --all --period 2026-10 --as li || true
	$(DEMO_RUN) approve --all --as wang
	$(DEMO_RUN) serve --demo-users

lint: install
	$(BIN)/ruff format --check tools plugins importers tests benchmarks
	$(BIN)/ruff check tools plugins importers tests benchmarks

typecheck: install
	$(BIN)/mypy -p beanfirm
	$(BIN)/mypy tests benchmarks

# The layer contracts of pyproject.toml ([tool.importlinter]); docs/architecture.md explains them.
contracts: install
	$(BIN)/lint-imports --no-cache

# The portal's browser test drives Debian's Chromium; as root (CI) install it when missing.
chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
		else \
			echo "No Chromium: the browser test skips (fails in CI); apt-get install chromium chromium-driver" >&2; \
		fi; \
	fi

# PDF statements in Chinese need a font that covers it (WeasyPrint draws boxes without one); as
# root (CI) install a small one when fontconfig knows none: fonts-wqy-microhei, 1.6 MB (and
# Pango, which WeasyPrint draws text with; Debian images usually have it).
fonts:
	@if ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fontconfig fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0; \
		else \
			echo "No Chinese font: PDF statements fail; apt-get install fontconfig fonts-wqy-microhei" >&2; \
		fi; \
	fi

pytest: install chromium fonts
	$(BIN)/pytest -n 2 -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

test: lint typecheck contracts pytest

# The words beanfirm writes in each language (tools/translations/README.md): after changing a
# message in the code or a template, extract them again, merge them into each language's .po,
# translate what is new there, then compile the .mo files that install (tests check all three).
translations: install
	$(BIN)/pybabel extract --mapping-file babel.cfg --no-location --add-comments TRANSLATORS: \
		--project beanfirm --copyright-holder "the beanfirm authors" \
		--output-file tools/translations/messages.pot tools
	$(BIN)/pybabel update --input-file tools/translations/messages.pot \
		--output-dir tools/translations --ignore-obsolete
	$(BIN)/pybabel compile --directory tools/translations --statistics
	$(MAKE) --no-print-directory install  # links a new language's .mo into the editable install

bench: install
	$(BIN)/python benchmarks/bench_check.py

clean:
	rm -rf $(VENV) build .beanfirm .mypy_cache .ruff_cache .pytest_cache
