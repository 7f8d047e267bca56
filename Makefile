# vanban — the two commands a user needs are `make run` and `make test`; both set up what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# libtesseract-dev .. python3-dev: to build tesserocr against this Tesseract (the library engine).
# ghostscript: OCRmyPDF (pip) requires it, and bench-pdf runs OCRmyPDF; qpdf: `qpdf --check` of the PDFs.
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-script-viet poppler-utils fonts-liberation2 fonts-freefont-ttf \
	libtesseract-dev libleptonica-dev pkg-config g++ python3-dev ghostscript qpdf
SAMPLE := corpora/samples/thong-bao-ket-luan.pdf
OUT ?= out/sample
CORPUS_LEGAL ?= ../shared/corpora/vlc-2022
CORPUS_WIKI ?= ../shared/corpora/viwiki-2017
CORPUS_ADMIN ?= ../shared/corpora/real-admin
CORPUS_SCANS ?= ../shared/corpora/real-scans
# Only `make models` needs these: OCR engines without Vietnamese (the channel's real damage) and an
# English word list (the foreign-word guard); the pipeline and the tests do not.
MODEL_APT_PACKAGES := ocrad gocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu wamerican
LEGACY_TESSDATA := benchmarks/.cache/tessdata_legacy
export OMP_THREAD_LIMIT := 1

.PHONY: run test setup system-deps model-deps lint models bench bench-ocr bench-restore bench-extract bench-batch bench-quality bench-faults bench-pdf sample clean

run: setup
	$(VENV)/bin/vanban process $(SAMPLE) --out $(OUT) --pdf
	@echo "JSON record: $(OUT)/$$(basename $(SAMPLE) .pdf).json  (all records: $(OUT)/documents.jsonl)"
	@echo "Searchable PDF/A: $(OUT)/$$(basename $(SAMPLE) .pdf).pdf  (try: pdftotext $(OUT)/$$(basename $(SAMPLE) .pdf).pdf - | head)"

test: setup
	$(VENV)/bin/pytest

setup: system-deps $(VENV)/.installed

# Installs the Debian packages only when something is missing (apt on Debian/Ubuntu; see README for others).
system-deps:
	@missing=""; \
	command -v tesseract >/dev/null || missing=1; \
	command -v pdftoppm >/dev/null || missing=1; \
	command -v gs >/dev/null || missing=1; \
	command -v qpdf >/dev/null || missing=1; \
	{ tesseract --list-langs 2>/dev/null | grep -qx vie && tesseract --list-langs 2>/dev/null | grep -qx Vietnamese; } || missing=1; \
	[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || missing=1; \
	[ -f /usr/share/fonts/truetype/freefont/FreeSerif.ttf ] || missing=1; \
	pkg-config --exists tesseract lept 2>/dev/null || missing=1; \
	command -v g++ >/dev/null || missing=1; \
	[ -f "$$($(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ] || missing=1; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages: $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

$(VENV)/.installed: pyproject.toml
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# tesserocr from source, linked to the system's libtesseract: the same engine and models as the
	# tesseract program (PyPI's wheel bundles another Tesseract version).
	$(PY) -m pip install -q --no-binary tesserocr -e '.[dev,bench,train]'
	@touch $@

# ruff, and vulture for code nothing uses (vulture_whitelist.py: names used from outside, by the API or a library).
lint: setup
	$(VENV)/bin/ruff check pipeline tests benchmarks
	$(VENV)/bin/vulture pipeline benchmarks vulture_whitelist.py --min-confidence 60

# Rebuilds the restoration models in models/ from the corpora (not committed; read from ../shared):
# the language model, then real OCR damage of rendered TRAIN pages (cached in benchmarks/.cache; about an
# hour of CPU the first time), then the channel learned from it.
models: setup model-deps
	$(PY) -m pipeline.restore.train --legal $(CORPUS_LEGAL) --wiki $(CORPUS_WIKI) --admin $(CORPUS_ADMIN) --out models
	nice -n 10 $(PY) -m pipeline.restore.pairs --legal $(CORPUS_LEGAL) --admin $(CORPUS_ADMIN)
	$(PY) -m pipeline.restore.channel --book $(CORPUS_SCANS)/book-ocr-pairs --layers $(CORPUS_SCANS)/garbled-layers \
		--layer-truth corpora/real/garbled-layers --out models/channel.json

# The OCR engines and word list above, and Tesseract's legacy-engine French model (npm @tesseract.js-data/fra).
model-deps:
	@missing=""; command -v ocrad >/dev/null || missing=1; command -v gocr >/dev/null || missing=1; \
	for lang in eng fra deu; do tesseract --list-langs 2>/dev/null | grep -qx $$lang || missing=1; done; \
	[ -f /usr/share/dict/american-english ] || missing=1; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(MODEL_APT_PACKAGES); \
	fi
	@[ -f $(LEGACY_TESSDATA)/fra.traineddata ] || { mkdir -p $(LEGACY_TESSDATA) && cd $(LEGACY_TESSDATA) && \
	  npm pack -q @tesseract.js-data/fra@1.0.0 >/dev/null && tar xzf tesseract.js-data-fra-1.0.0.tgz package/4.0.0/fra.traineddata.gz && \
	  gunzip -c package/4.0.0/fra.traineddata.gz > fra.traineddata && rm -rf package tesseract.js-data-fra-1.0.0.tgz; }

sample: setup
	$(PY) -m pipeline.synth.make_sample

bench: bench-ocr bench-restore bench-extract bench-quality bench-batch bench-faults bench-pdf

bench-ocr: setup
	$(PY) -m benchmarks.ocr

bench-restore: setup
	$(PY) -m benchmarks.restore

bench-extract: setup
	$(PY) -m benchmarks.extract --scans
	$(PY) -m benchmarks.extract_real --scans --rendered mild

bench-quality: setup
	$(PY) -m benchmarks.quality

bench-batch: setup
	$(PY) -m benchmarks.batch
	$(PY) -m benchmarks.batch_memory

# Each fault of issue 11 and each injected exception, one vanban run each (about 10 minutes).
bench-faults: setup
	$(PY) -m benchmarks.faults

bench-pdf: setup
	$(PY) -m benchmarks.pdf

clean:
	rm -rf out benchmarks/.cache .pytest_cache .ruff_cache
