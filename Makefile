# lync.reverse_proxy — build, demo and test.
#
#   make demo   the lab (systemd hosts in network namespaces), the site playbook on it, the
#               verification from the client side, and the port table; the lab stays up
#               (make demo HA=1: two proxies sharing one listener address, with keepalived;
#               make demo ACME=1: the listener certificate from an ACME CA, Pebble)
#   make demo-down   stops the lab
#   make test   everything CI runs: yamllint, ansible-lint (production), ansible-test sanity,
#               units (with golden files and property-based tests), integration through
#               ansible-playbook, antsibull-docs lint, ansible-doc of every plugin and role, the
#               documentation site (Sphinx), and the molecule scenarios on one boot of the lab
#   make docs   ansible-doc of every plugin and role, antsibull-docs lint, and the documentation
#               site (build/docsite/build/html)
#   make port-table TOPOLOGY=f.yml   the port summary of a topology file, no hosts
#   make bench  the model's compute time for growing topologies (benchmarks/results/)
#   make golden rewrite tests/golden/*/*.ref after a reviewed, intended change
#   make specs  rewrite the roles' argument specs and defaults of the renderers' options, and the
#               topology doc fragment, from their declarations (after adding or changing an option)
#   make ee     the execution environment (ansible-builder, podman), built and run here
#
# Only python3 (3.11 or newer) is needed up front: the rest comes from PyPI into $(VENV).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= $(CURDIR)/.venv
BIN := $(VENV)/bin
BUILD := $(CURDIR)/build
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := $(BUILD)/dist/lync-reverse_proxy-$(VERSION).tar.gz
COLLECTIONS := $(BUILD)/collections
STAGE := $(BUILD)/stage/ansible_collections/lync/reverse_proxy
PYVER = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
TOPOLOGY ?= playbooks/vars/example_topology.yml
OUTPUT ?= $(CURDIR)/port-table

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_NOCOLOR := 1
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0
export MOLECULE_NO_LOG := false

# every filter and module the collection ships (ansible-doc renders each one)
FILTERS := $(sort $(basename $(notdir $(wildcard plugins/filter/*.py))))
MODULES := $(sort $(basename $(notdir $(wildcard plugins/modules/*.py))))
ROLES := rp_firewall rp_proxy rp_keepalived rp_haproxy rp_nginx rp_proxy_host rp_windows_firewall rp_iis_arr

.PHONY: help setup build install demo demo-down port-table test lint yamllint ansible-lint stage \
        reuse release-check min-deps ee molecule-podman sanity units integration docs molecule molecule-trixie bench bench-smoke browser handout-screenshot py313 golden changelog clean \
        readme readme-lab specs

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# -- environment -------------------------------------------------------------------------
$(VENV)/.installed: tests/requirements-dev.txt requirements.txt
	@# A Debian python3 without venv/ensurepip gets them from apt.
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r tests/requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

# -- build and install the collection (dependencies come with the `ansible` package) -----
build: setup
	rm -rf $(BUILD)/dist
	$(BIN)/ansible-galaxy collection build --force --output-path $(BUILD)/dist .

install: build
	rm -rf $(COLLECTIONS)/ansible_collections/lync/reverse_proxy
	$(BIN)/ansible-galaxy collection install --offline --force -p $(COLLECTIONS) $(TARBALL)

# -- the demo: the lab, the site, the verification, the port table ------------------------
LAB := tests/lab/lab
LAB_RUN := /run/lync-reverse-proxy-lab
LAB_PLAYBOOK := $(LAB) ctl -- $(BIN)/ansible-playbook -i $(LAB_RUN)/inventory.yml

# HA=1: the two proxies rp3 and rp4 sharing the listener address 198.51.100.20 (keepalived), instead of rp1.
# ACME=1: the listener certificate from an ACME CA (Pebble on the client, the Internet side) instead of
# the lab CA's, as the acme scenario gets it.
ACME_VARS := -e @extensions/molecule/acme/vars/scenario.yml
DEMO_VARS := $(if $(HA),-e @$(LAB_RUN)/ha.yml) $(if $(ACME),$(ACME_VARS))
DEMO_CA := $(if $(ACME),/run/lync-acme-root.pem,/opt/lab-host/ca.crt)
DEMO_TOPOLOGY := $(LAB_RUN)/topology$(if $(HA),-ha).yml
demo: install
	$(LAB) up
	$(if $(ACME),MOLECULE_EPHEMERAL_DIRECTORY=$(LAB_RUN) $(LAB_PLAYBOOK) extensions/molecule/acme/prepare.yml $(ACME_VARS))
	$(LAB_PLAYBOOK) playbooks/site.yml $(DEMO_VARS)
	$(BIN)/ansible-playbook -i localhost, playbooks/port_table.yml -e lync_topology_file=$(DEMO_TOPOLOGY) \
	  -e lync_port_table_dir=$(OUTPUT)
	$(LAB_PLAYBOOK) playbooks/verify.yml $(DEMO_VARS) -e lync_verify_ca_path=$(DEMO_CA) \
	  -e lync_verify_backend_ca_path=/opt/lab-host/ca.crt -e lync_verify_report_dir=$(OUTPUT)
	@echo "The lab is still up: '$(LAB) status', '$(LAB) exec client -- curl ...'; 'make demo-down' stops it."

demo-down:
	$(LAB) down

# The port summary of a topology file alone, no hosts: make port-table TOPOLOGY=file.yml
port-table: install
	$(BIN)/ansible-playbook -i localhost, playbooks/port_table.yml -e lync_topology_file=$(abspath $(TOPOLOGY)) \
	  -e lync_port_table_dir=$(OUTPUT)

# -- tests -------------------------------------------------------------------------------
test: lint sanity units integration docs readme release-check min-deps bench-smoke browser py313 molecule molecule-podman
	@echo "make test: all checks passed"

lint: yamllint ansible-lint reuse

yamllint: setup
	$(BIN)/yamllint --strict .

# As a contributor runs it in a checkout: the checkout itself is the collection under test
# (ansible-lint links it into .ansible/collections), not the installed build.
ansible-lint: setup
	env -u ANSIBLE_COLLECTIONS_PATH $(BIN)/ansible-lint

# Licence information of every file (REUSE 3.3: SPDX headers and REUSE.toml).
reuse: setup
	$(BIN)/reuse lint

# The release as Galaxy gets it: the tarball built in a dirty tree ships what it should
# (tests/release), and galaxy-importer (its own environment, run offline as Galaxy runs it) accepts it
# without a warning (tests/release/importer_log.py).
VENVIMP := $(CURDIR)/.venv-importer
$(VENVIMP)/.installed: tests/requirements-importer.txt
	$(PYTHON) -m venv $(VENVIMP)
	$(VENVIMP)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements-importer.txt
	touch $@

release-check: build $(VENVIMP)/.installed
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/release
	@# Its own HOME: the importer installs the collection under ~/.ansible, where ansible-lint
	@# and ansible-playbook would find that copy before the one being developed.
	rm -rf $(BUILD)/importer-home && mkdir -p $(BUILD)/importer-home
	cd $(BUILD) && HOME=$(BUILD)/importer-home GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/release/galaxy-importer.cfg \
	  PATH=$(VENVIMP)/bin:$$PATH $(VENVIMP)/bin/python -m galaxy_importer.main $(TARBALL) | tee $(BUILD)/importer.log
	@# Any warning or error of the importer (what Galaxy's import log would show) fails the check.
	$(BIN)/python tests/release/importer_log.py $(BUILD)/importer.log

# The dependency floors of galaxy.yml at work: community.crypto 2.10.0 and community.general 8.0.2,
# taken from the oldest releases of the PyPI package ansible that carry them (7.2.0, 9.0.1), used
# instead of the current ones: tests/min-deps/check.yml calls their plugins as the collection does;
# test_ufw_floor.py checks rp_firewall's ufw parameters and every rendered value against the floor's ufw.
# The Windows roles' floors (meta/windows-requirements.yml) come the same way - ansible.windows 2.7.0
# (11.2.0), community.windows 1.12.0 (7.2.0), microsoft.iis 1.0.2 (11.5.0) - and test_windows_floors.py
# checks every module and option the roles use against their documentation.
MINDEPS := $(BUILD)/min-deps
MINDEPS_FROM := community/crypto=7.2.0 community/general=9.0.1 community/windows=7.2.0 ansible/windows=11.2.0 \
  microsoft/iis=11.5.0
$(MINDEPS)/.ready: Makefile
	rm -rf $(MINDEPS) && mkdir -p $(MINDEPS)/wheels $(MINDEPS)/work
	for spec in $(MINDEPS_FROM); do \
	  $(BIN)/python -m pip download --quiet --no-deps --disable-pip-version-check "ansible==$${spec#*=}" \
	    -d $(MINDEPS)/wheels && \
	  $(BIN)/python -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
	    z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith(sys.argv[3])])' \
	    $(MINDEPS)/wheels/ansible-$${spec#*=}-py3-none-any.whl $(MINDEPS) ansible_collections/$${spec%=*}/ \
	    || exit 1; \
	done
	rm -rf $(MINDEPS)/wheels
	touch $@

min-deps: install $(MINDEPS)/.ready
	ANSIBLE_COLLECTIONS_PATH=$(MINDEPS):$(COLLECTIONS) ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
	  $(BIN)/ansible-galaxy collection list 2>/dev/null | grep '^community' | tee $(MINDEPS)/work/list
	grep -Eq '^community.crypto +2.10.0 *$$' $(MINDEPS)/work/list
	grep -Eq '^community.general +8.0.2 *$$' $(MINDEPS)/work/list
	ANSIBLE_COLLECTIONS_PATH=$(MINDEPS):$(COLLECTIONS) ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
	  LYNC_MIN_DEPS_WORK=$(MINDEPS)/work $(BIN)/ansible-playbook -i localhost, tests/min-deps/check.yml \
	  -e ansible_python_interpreter=$(BIN)/python
	LYNC_MIN_DEPS=$(MINDEPS) $(BIN)/python -m pytest -q -p no:cacheprovider tests/min-deps

# ansible-test needs a real copy under ansible_collections/<ns>/<name> with a git tree of its
# own, and a local pip bootstrap (tests/tooling/get_pip_offline.py) since its download host
# is unreachable from here.
stage: setup
	rm -rf $(BUILD)/stage
	mkdir -p $(STAGE)
	git ls-files -z --cached --others --exclude-standard | \
	  while IFS= read -r -d '' f; do [ -e "$$f" ] && printf '%s\0' "$$f"; done | \
	  tar --null -T - -cf - | tar -xf - -C $(STAGE)
	cd $(STAGE) && git init -q && git add -A
	$(BIN)/python tests/tooling/get_pip_offline.py

# PowerShell cannot be installed here, so .ps1 files (when there are any) are left out.
PS1_EXCLUDE = $(if $(shell git ls-files '*.ps1' '*.psm1'),--exclude '.*\.ps(m)?1$$')

sanity: stage
	cd $(STAGE) && ansible-test sanity --python $(PYVER) --color no $(PS1_EXCLUDE)

# Once through ansible-test's own virtual environment with tests/unit/requirements.txt, so that
# the file stays true for any CI that uses ansible-test's environments.
units: stage
	cd $(STAGE) && ansible-test units --venv --requirements --python $(PYVER) --color no

integration: stage
	cd $(STAGE) && ansible-test integration --python $(PYVER) --color no

DOCSITE := $(BUILD)/docsite
docs: install
	set -e; for f in $(FILTERS); do \
	  $(BIN)/ansible-doc -t filter lync.reverse_proxy.$$f > /dev/null; \
	  echo "ansible-doc -t filter lync.reverse_proxy.$$f: ok"; done
	set -e; for m in $(MODULES); do \
	  $(BIN)/ansible-doc -t module lync.reverse_proxy.$$m > /dev/null; \
	  echo "ansible-doc -t module lync.reverse_proxy.$$m: ok"; done
	set -e; for r in $(ROLES); do \
	  $(BIN)/ansible-doc -t role lync.reverse_proxy.$$r > /dev/null; \
	  echo "ansible-doc -t role lync.reverse_proxy.$$r: ok"; done
	cd $(COLLECTIONS)/ansible_collections/lync/reverse_proxy && \
	  $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .
	@# The documentation site as collections publish one (antsibull-docs sphinx-init, then the pages of
	@# every plugin and role and the guides of docs/docsite, then Sphinx) in build/docsite/build/html.
	@# Offline: no intersphinx inventory is fetched, so links into the Ansible documentation and other
	@# collections' pages stay unresolved; any other warning fails (tests/tooling/sphinx_warnings.py).
	rm -rf $(DOCSITE) && mkdir -p $(DOCSITE) && chmod 700 $(DOCSITE)
	$(BIN)/antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir $(DOCSITE) --project lync.reverse_proxy \
	  --copyright 'lync.reverse_proxy contributors' --title lync.reverse_proxy lync.reverse_proxy > /dev/null
	echo 'intersphinx_mapping = {}  # make docs: offline, no inventory is fetched' >> $(DOCSITE)/conf.py
	chmod 700 $(DOCSITE)/rst && $(BIN)/antsibull-docs --config-file $(DOCSITE)/antsibull-docs.cfg collection --use-current \
	  --fail-on-error --cleanup everything --dest-dir $(DOCSITE)/rst lync.reverse_proxy
	$(BIN)/sphinx-build -M html $(DOCSITE)/rst $(DOCSITE)/build -c $(DOCSITE) -q --keep-going -w $(DOCSITE)/warnings.txt \
	  2> $(DOCSITE)/sphinx.log || { cat $(DOCSITE)/sphinx.log; exit 1; }
	$(BIN)/python tests/tooling/sphinx_warnings.py $(DOCSITE)/warnings.txt
	@echo "The documentation site: $(DOCSITE)/build/html/index.html"

# Every molecule scenario against one lab boot; the lab goes down afterwards, pass or fail.
# The lab benchmarks' smoke runs share the boot (tiny sizes, nothing written).
molecule: install
	$(LAB) up
	set +e; $(LAB) ctl -- $(BIN)/molecule test --all && $(MAKE) --no-print-directory bench-lab-smoke && \
	  $(MAKE) --no-print-directory readme-lab; rc=$$?; $(LAB) down; exit $$rc
	$(MAKE) --no-print-directory molecule-trixie

# The same roles on Debian 13 (trixie) hosts: a second boot of the lab from the trixie image
# (HAProxy 3.0, nginx 1.26, nftables 1.1, OpenSSH 10, Python 3.13), the HAProxy + nftables and
# nginx scenarios, one other firewall backend, and both proxies under hostile load.
TRIXIE_SCENARIOS ?= haproxy_redirect nginx_redirect fw_iptables hostile
molecule-trixie: install
	LYNC_LAB_SUITE=trixie $(LAB) up
	set +e; rc=0; for s in $(TRIXIE_SCENARIOS); do \
	  echo "molecule on trixie: $$s"; $(LAB) ctl -- $(BIN)/molecule test -s $$s || { rc=1; break; }; done; \
	  $(LAB) down; exit $$rc

# -- the execution environment -----------------------------------------------------------
# Built with ansible-builder and podman from a Debian 12 base image made here (tests/ee/
# build-base.sh; no registry is needed), then run without a network: the collection, its Python
# libraries, and the port_table playbook in it. About 3 minutes on a fresh machine, 1 after.
VENVEE := $(CURDIR)/.venv-ee
EE_IMAGE := localhost/lync-reverse-proxy-ee:$(VERSION)
EE_PODMAN := CONTAINERS_CONF=$(CURDIR)/tests/ee/containers.conf

$(VENVEE)/.installed: tests/requirements-ee.txt
	$(PYTHON) -m venv $(VENVEE)
	$(VENVEE)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements-ee.txt
	touch $@

ee: build $(VENVEE)/.installed
	command -v podman > /dev/null && command -v runc > /dev/null || \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc
	$(EE_PODMAN) tests/ee/build-base.sh
	rm -rf $(BUILD)/ee && mkdir -p $(BUILD)/ee
	cp tests/ee/execution-environment.yml $(BUILD)/ee/ && cp $(TARBALL) $(BUILD)/ee/lync-reverse_proxy.tar.gz
	cd $(BUILD)/ee && $(EE_PODMAN) $(VENVEE)/bin/ansible-builder build -f execution-environment.yml -c context \
	  -t $(EE_IMAGE) --container-runtime podman
	$(EE_PODMAN) tests/ee/check.sh $(EE_IMAGE) $(VERSION)

# -- other -------------------------------------------------------------------------------
LABPY := $(LAB) ctl -- env PYTHONPATH=$(COLLECTIONS) $(BIN)/python
SITE := $(LAB) ctl -- $(BIN)/ansible-playbook -i $(LAB_RUN)/inventory.yml playbooks/site.yml
bench: install
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python benchmarks/bench_model.py
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python benchmarks/bench_import.py
	LYNC_LAB_SCALE=20 $(LAB) up
	set +e; \
	$(SITE) -e lync_proxy_software=nginx > /dev/null && $(SITE) > /dev/null && \
	$(LABPY) benchmarks/bench_firewall.py && \
	$(LABPY) benchmarks/bench_hosts.py && \
	$(SITE) > /dev/null && $(LABPY) benchmarks/bench_datapath.py && $(LABPY) benchmarks/bench_firewall_cost.py && \
	$(LABPY) benchmarks/bench_hostile.py && $(LABPY) benchmarks/bench_ha.py; \
	rc=$$?; $(LAB) down; exit $$rc

# Molecule as users run it: the podman driver of molecule-plugins, one systemd container of the
# execution environment's base image (tests/podman), site.yml with HAProxy and nftables,
# idempotence, and requests for every published name through the firewall and the proxy. The
# container has no network of its own (extensions/podman/molecule/default/molecule.yml).
VENVPOD := $(CURDIR)/.venv-podman
$(VENVPOD)/.installed: tests/requirements-podman.txt requirements.txt
	$(PYTHON) -m venv $(VENVPOD)
	$(VENVPOD)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements-podman.txt
	touch $@

molecule-podman: install $(VENVPOD)/.installed
	command -v podman > /dev/null && command -v runc > /dev/null || \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc
	$(EE_PODMAN) tests/podman/build-image.sh
	cd extensions/podman && $(EE_PODMAN) PATH=$(VENVPOD)/bin:$$PATH $(VENVPOD)/bin/molecule test

# Every command of the READMEs as written, from a fresh directory, against the collection installed
# from the tarball into a fresh home (tests/readme). `readme` runs those that need no hosts;
# `readme-lab` those that do, against the lab (the molecule target runs it on its lab boot).
README_TEST := $(BIN)/python -m pytest -q -p no:cacheprovider -rs --basetemp=/tmp/lync-readme.$(notdir $(CURDIR)) tests/readme
readme: build
	$(README_TEST) -m 'not lab'

readme-lab: build
	LYNC_README_LAB=1 $(README_TEST) -m lab

# Needs the lab up with rp1 converged (the molecule target runs it after the scenarios). bench_ha
# converges rp3 and rp4 itself, cuts rp3's power and boots it again.
bench-lab-smoke:
	$(LABPY) benchmarks/bench_firewall.py --smoke
	$(LABPY) benchmarks/bench_hosts.py --smoke
	$(LABPY) benchmarks/bench_datapath.py --smoke
	$(LABPY) benchmarks/bench_firewall_cost.py --smoke
	$(LABPY) benchmarks/bench_hostile.py --smoke
	$(LABPY) benchmarks/bench_ha.py --smoke

# The second environment: Python 3.13 (pyenv's, or PY313=/path/to/python3.13) with the newest
# ansible-core - unit tests and sanity, which need no lab.
PY313 ?= $(shell { ls -d $${PYENV_ROOT:-$(HOME)/.pyenv}/versions/3.13*/bin/python3.13 2>/dev/null | tail -n 1; } | \
  grep . || { p=$$(command -v python3.13 2>/dev/null) && $$p -c 'import sys' 2>/dev/null && echo $$p; })
VENV313 := $(CURDIR)/.venv-3.13
STAGE313 := $(BUILD)/stage313/ansible_collections/lync/reverse_proxy

$(VENV313)/.installed: tests/requirements-py313.txt requirements.txt
	@test -n "$(PY313)" || { echo "Python 3.13 is needed: 'pyenv install 3.13' or PY313=/path/to/python3.13"; exit 1; }
	$(PY313) -m venv $(VENV313)
	$(VENV313)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV313)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/requirements-py313.txt
	touch $@

py313: $(VENV313)/.installed stage
	rm -rf $(BUILD)/stage313
	cp -a $(BUILD)/stage $(BUILD)/stage313
	$(VENV313)/bin/python tests/tooling/get_pip_offline.py
	cd $(STAGE313) && PATH=$(VENV313)/bin:$$PATH ansible-test units --python 3.13 --color no
	cd $(STAGE313) && PATH=$(VENV313)/bin:$$PATH ansible-test sanity --python 3.13 --color no $(PS1_EXCLUDE)

# The HTML handout in headless Chromium (Debian's chromium; fonts-noto-cjk for Hangul): laid out,
# no overlapping labels, the expected pages when printed. Chromium runs without a network.
browser: install
	command -v chromium > /dev/null && fc-list :lang=ko family | grep -q 'Noto Sans CJK KR' || \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -q -p no:cacheprovider tests/browser

# The picture of the handout (docs/port-table.png, linked from the README), after a reviewed change of the page.
handout-screenshot: install
	LYNC_SCREENSHOT=$(CURDIR)/docs/port-table.png PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -q \
	  -p no:cacheprovider tests/browser -k screenshot

# The benchmark scripts with tiny sizes, so that they cannot rot (part of make test).
bench-smoke: install
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python benchmarks/bench_model.py --smoke
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python benchmarks/bench_import.py --smoke

# Rewrite the golden references from the working tree, after a reviewed, intended change.
DEV := $(BUILD)/dev
golden: setup
	mkdir -p $(DEV)/ansible_collections/lync
	ln -sfn $(CURDIR) $(DEV)/ansible_collections/lync/reverse_proxy
	LYNC_GOLDEN_UPDATE=1 PYTHONPATH=$(DEV) $(BIN)/python -m pytest -q -p no:cacheprovider \
	  tests/unit/plugins/module_utils/_port_model/test_golden.py \
	  tests/unit/plugins/module_utils/_port_model/test_topology_xml.py \
	  tests/unit/plugins/module_utils/_port_model/test_aerleon.py

# The argument specs, role defaults and doc fragment that repeat a declaration (tests/tooling/specs.py);
# tests/unit/plugins/filter/test_specs.py fails when one of them differs from what this writes.
specs: setup
	mkdir -p $(DEV)/ansible_collections/lync
	ln -sfn $(CURDIR) $(DEV)/ansible_collections/lync/reverse_proxy
	PYTHONPATH=$(DEV) $(BIN)/python tests/tooling/specs.py

changelog: setup
	$(BIN)/antsibull-changelog lint

clean:
	rm -rf $(BUILD) $(OUTPUT) tests/output
