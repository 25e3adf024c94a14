# Developer commands. `make test` needs only Rust and Python 3 (>= 3.9) on the machine.
#
#   make test          Rust tests, then the Python package built into .venv, its type check
#                      (make test-types), its tests, the notebook and the HTML reports in
#                      headless Chromium (test-browser)
#   make quickstart    the main job on built-in data (mobility demo: simulated population and published tables)
#   make develop       (re)build the Python extension into .venv (release build)
#   make validate      the Rust validation suite on the real data in ../shared/data (CI runs it)
#   make bench-python  the Python comparison benchmark (benches/compare_python.py)
#   make test-browser  the HTML reports checked in headless Chromium (screenshots in target/report-artifacts)

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.deps-stamp
# Build and test dependencies; keep in step with python/pyproject.toml (`test` extra).
PY_DEPS := "maturin>=1.16,<2" pytest hypothesis mypy pandas-stubs numpy pandas polars matplotlib giddy nbclient ipykernel nbformat "dask[distributed]" pyarrow tqdm
VENV_ENV := VIRTUAL_ENV="$(CURDIR)/$(VENV)" PATH="$(CURDIR)/$(VENV)/bin:$$PATH"

.PHONY: test test-rust test-types test-python notebook develop quickstart validate bench-python clean-venv test-browser

test: test-rust test-types test-python notebook test-browser

test-rust:
	cargo test --workspace
	@echo "note: tests/validation*.rs (the real data in ../shared/data) compile to 0 tests here; make validate runs them (CI does)"

$(VPY):
	$(PYTHON) -m venv $(VENV)

# Dependencies are installed once per venv (the stamp); `make clean-venv` starts afresh.
$(STAMP): Makefile | $(VPY)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet $(PY_DEPS)
	@# Spark (the opt-in `spark` extra) only where a Java runtime exists; its tests skip otherwise.
	if java -version >/dev/null 2>&1; then $(VPY) -m pip install --quiet "pyspark>=3.5"; \
	else echo "note: no Java runtime: pyspark not installed, the Spark tests will be skipped"; fi
	touch $(STAMP)

# Incremental: cargo rebuilds only what changed, then maturin reinstalls the wheel.
develop: $(STAMP)
	$(VENV_ENV) maturin develop --release --quiet -m python/Cargo.toml

# Tests and the notebook that read the real data in ../shared/data (not part of the repository)
# run where that folder exists; elsewhere the data-free tests still run.
SHARED_DATA ?= $(CURDIR)/../shared/data
HAVE_DATA := $(wildcard $(SHARED_DATA)/chetty2014_national)

# mypy --strict (python/pyproject.toml [tool.mypy]) over the package, its _mobility.pyi stub and
# python/tests/typing_usage.py (every result type's attributes through assert_type), then the
# usage file is run.
test-types: develop
	cd python && $(VENV_ENV) python -m mypy
	cd python && $(VENV_ENV) MPLBACKEND=Agg python tests/typing_usage.py

test-python: develop
ifneq ($(HAVE_DATA),)
	$(VENV_ENV) MPLBACKEND=Agg MOBILITY_SHARED_DATA="$(SHARED_DATA)" python -m pytest -q -rs python/tests
else
	@echo "note: $(SHARED_DATA) not found: running the Python tests that need no data"
	$(VENV_ENV) MPLBACKEND=Agg python -m pytest -q -rs -m "not validation" python/tests
endif

notebook: develop
ifneq ($(HAVE_DATA),)
	$(VENV_ENV) MPLBACKEND=Agg MOBILITY_SHARED_DATA="$(SHARED_DATA)" \
		python python/tests/run_notebooks.py examples/notebooks/quickstart.ipynb
else
	@echo "note: $(SHARED_DATA) not found: the quickstart notebook (which reads it) is not run"
endif

quickstart:
	cargo run --release -- demo

# Every Rust test file gated by the `validation` feature (tests/validation*.rs) reads ../shared/data.
validate:
	@test -d "$(SHARED_DATA)" || { echo "error: $(SHARED_DATA) not found: the validation suite needs it"; exit 1; }
	cargo test --features validation --test 'validation*'

# The HTML reports in a real browser: the example writes them (simulated regions; the 741
# commuting zones where ../shared/data exists), tests/browser/check_report.py drives headless
# Chromium over the DevTools protocol (installing Debian's chromium where it is missing and it
# can, else saying the test was SKIPPED). Screenshots and PDFs stay in $(REPORT_ARTIFACTS).
REPORT_ARTIFACTS ?= $(CURDIR)/target/report-artifacts
BROWSER_STAMP := $(VENV)/.browser-stamp

$(BROWSER_STAMP): | $(VPY)
	$(VPY) -m pip install --quiet "websockets>=13" pillow && touch $(BROWSER_STAMP) \
		|| echo "note: could not install websockets and pillow: the browser test will say it was skipped"

test-browser: $(BROWSER_STAMP)
	cargo run --quiet --example html_report -- $(REPORT_ARTIFACTS)
	cargo run --quiet --bin mobility -- report tests/data/regions.csv --parent parent_income \
		--child child_income --weight weight --by region --bootstrap 200 --seed 1 \
		-o $(REPORT_ARTIFACTS)/cli_regions.html
	cargo run --quiet --bin mobility -- report --published us_chetty_2014 \
		-o $(REPORT_ARTIFACTS)/cli_us_chetty_2014.html
	$(VPY) tests/browser/check_report.py --self-test --out $(REPORT_ARTIFACTS) $(REPORT_ARTIFACTS)/*.html

bench-python: develop
	$(VENV_ENV) python benches/compare_python.py

clean-venv:
	rm -rf $(VENV)
