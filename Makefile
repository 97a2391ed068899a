# adautomix_mm developer entry points. Everything installs into .venv/.
#   make demo  - install if needed, train AdAutoMix on the embedded
#                Fashion-MNIST subset (CPU, a few minutes) via `mim train`
#   make demo-automix - the same with AutoMix (its sibling config)
#   make test  - install if needed, run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.adautomix-installed
# Re-install whenever the package, its configs, tools or pins change
# (the install is non-editable: `mim train` cannot find editable installs).
SOURCES := setup.py pyproject.toml MANIFEST.in requirements/constraints.txt \
	$(shell find adautomix_mm configs tools -type f \
	    -not -path '*/__pycache__/*' -not -path 'adautomix_mm/.mim/*' 2>/dev/null)
DEMO_CFG := adautomix_resnet18-w16_1xb64-5e_fmnist-embedded.py
DEMO_DIR := work_dirs/demo
# mim (and MMEngine's is_installed, which mim calls) import pkg_resources,
# which warns on every import under setuptools<81 (needed by both).
QUIET_MIM := PYTHONWARNINGS="ignore:pkg_resources is deprecated as an API:UserWarning"

.PHONY: install demo demo-automix test clean

install: $(STAMP)

$(STAMP): $(SOURCES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# One pip command: pinned torch/torchvision + OpenMMLab stack + the package
	# (openmim comes with the [mim] extra: `make demo` runs `mim train`).
	$(BIN)/pip install --disable-pip-version-check \
	    -c requirements/constraints.txt ".[lite,mim,tests,gco]"
	touch $@

demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	$(QUIET_MIM) $(BIN)/mim train adautomix_mm $(DEMO_CFG) --work-dir $(DEMO_DIR)
	@echo "Mixed-sample grids: $(DEMO_DIR)/mixed_samples/"

demo-automix: $(STAMP)
	rm -rf $(DEMO_DIR)-automix
	$(QUIET_MIM) $(BIN)/mim train adautomix_mm automix_resnet18-w16_1xb64-5e_fmnist-embedded.py \
	    --work-dir $(DEMO_DIR)-automix
	@echo "Mixed-sample grids: $(DEMO_DIR)-automix/mixed_samples/"

test: $(STAMP)
	$(BIN)/python -m pytest tests

clean:
	rm -rf $(VENV) build dist *.egg-info adautomix_mm/.mim work_dirs
