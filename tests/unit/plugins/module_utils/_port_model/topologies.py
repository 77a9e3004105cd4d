# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Topologies and data files shared by the unit tests."""

from __future__ import annotations

import copy
import pathlib

import yaml

COLLECTION_ROOT = pathlib.Path(__file__).resolve().parents[5]
GOLDEN_DIR = COLLECTION_ROOT / "tests" / "golden"
FIXTURES_DIR = pathlib.Path(__file__).resolve().parent / "fixtures"
EXAMPLE_TOPOLOGY = COLLECTION_ROOT / "playbooks" / "vars" / "example_topology.yml"


def load_topology(path: pathlib.Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["lync_topology"]


def golden_cases() -> dict:
    """name -> topology of every golden case, the example topology of the playbooks among them."""
    cases = {"example": load_topology(EXAMPLE_TOPOLOGY)}
    for path in sorted((GOLDEN_DIR / "cases").glob("*.yml")):
        cases[path.stem] = load_topology(path)
    return cases


def source_tables() -> list:
    with open(FIXTURES_DIR / "source_tables.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["tables"]


_FULL = load_topology(GOLDEN_DIR / "cases" / "full_source_tables.yml")
_MINIMAL = load_topology(GOLDEN_DIR / "cases" / "minimal.yml")


def full() -> dict:
    """A fresh copy of the topology that has every rule of the source's tables."""
    return copy.deepcopy(_FULL)


def minimal() -> dict:
    """A fresh copy of the smallest valid topology."""
    return copy.deepcopy(_MINIMAL)


def with_options(topology: dict, **options) -> dict:
    topology = copy.deepcopy(topology)
    topology.setdefault("options", {}).update(options)
    return topology


# Two proxies, one pool, Office Web Apps, IPv4 and IPv6 listener addresses (firewall tests).
TWO_PROXIES = {
    "sip_domains": ["contoso.com"],
    "front_end_pools": [{"name": "pool01", "external_web_fqdn": "webext.contoso.com",
                         "servers": ["10.10.10.11", "10.10.10.12"]}],
    "office_web_apps": [{"name": "owa01", "fqdn": "owa.contoso.com", "servers": ["10.10.30.11"]}],
    "reverse_proxies": [{"name": "rp1", "external_addresses": ["198.51.100.10", "2001:db8:100::10"],
                         "internal_addresses": ["10.10.1.5"]},
                        {"name": "rp2", "external_addresses": ["192.0.2.10"], "internal_addresses": ["10.9.0.10"]}],
}
