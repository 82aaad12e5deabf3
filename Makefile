# The README's two commands: `make run` and `make test`. Each sets up what it needs, idempotently,
# on a fresh Debian machine: system packages, a .venv with the project, compiled catalogues.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Fonts for Chinese, Uyghur / Arabic-script Kyrgyz and Cyrillic; HarfBuzz subsetting for fast
# PDFs; Pango for WeasyPrint; poppler-utils to read PDFs back in the tests; Debian's Chromium for
# the window pages' browser tests (Playwright drives it; its own browser download needs internet).
SYSTEM_PACKAGES := fonts-noto-cjk fonts-noto-core fonts-dejavu-core fontconfig libharfbuzz-subset0 \
	libharfbuzz-bin libpango-1.0-0 libpangoft2-1.0-0 poppler-utils \
	chromium
CJK_FONT := build/fonts/ChengnuoSerifSC.otf
PO := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test system lint bench-render bench-lookup bench-bot bench-logins bench-wechat bench-scale letter-images

run: system $(BIN)/chengnuo $(MO) $(CJK_FONT)
	$(BIN)/chengnuo serve --host 127.0.0.1 --port 8000

test: system $(BIN)/chengnuo $(MO) $(CJK_FONT)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

system:
	@PYTHON=$(PYTHON) scripts/system-packages $(SYSTEM_PACKAGES)

$(BIN)/chengnuo: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

%.mo: %.po $(BIN)/chengnuo
	$(BIN)/pybabel compile --statistics -i $< -o $@

# A reduced Chinese face: letters render faster and smaller (see forms/render/fonts.py).
$(CJK_FONT): | system $(BIN)/chengnuo
	$(BIN)/python -c "from forms.render.fonts import build; build()"

lint: $(BIN)/chengnuo
	$(BIN)/ruff check forms api bot chengnuo tests bench
	$(BIN)/ruff format --check forms api bot chengnuo tests bench

bench-render: system $(BIN)/chengnuo $(MO) $(CJK_FONT)
	$(BIN)/python bench/render.py

bench-lookup: system $(BIN)/chengnuo $(MO) $(CJK_FONT)
	$(BIN)/python bench/lookup.py

bench-bot: system $(BIN)/chengnuo $(MO) $(CJK_FONT)
	$(BIN)/python bench/bot.py

bench-logins: system $(BIN)/chengnuo $(MO) $(CJK_FONT)
	$(BIN)/python bench/logins.py
bench-wechat: system $(BIN)/chengnuo $(MO) $(CJK_FONT)
	$(BIN)/python bench/wechat.py
bench-scale: system $(BIN)/chengnuo $(MO) $(CJK_FONT)
	$(BIN)/python bench/scale.py

# Every page of a Uyghur and an Arabic-script Kyrgyz sample letter as images, under docs/letters/.
letter-images: system $(BIN)/chengnuo $(MO) $(CJK_FONT)
	PYTHONPATH=. $(BIN)/python scripts/letter_images.py
