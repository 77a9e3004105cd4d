# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter import firewall_rules as plugin
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model import _select
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import full

firewall_rules = plugin.FilterModule().filters()["firewall_rules"]


@pytest.mark.parametrize(
    "interface, ids",
    [
        (None, ["external-http", "external-https", "internal-http-pools", "internal-https-pools",
                "internal-https-office-web-apps"]),
        ("external", ["external-http", "external-https"]),
        ("internal", ["internal-http-pools", "internal-https-pools", "internal-https-office-web-apps"]),
    ],
)
def test_interface_selection(interface, ids):
    assert [rule["id"] for rule in firewall_rules(full(), interface)] == ids


def test_takes_a_model_or_a_topology():
    assert firewall_rules(compute_model(full())) == firewall_rules(full())


def test_jmespath_query():
    flows = firewall_rules(full(), interface="internal", query="[?required].{port: port, to: destinations}")
    assert flows == [
        {"port": 8080, "to": ["10.0.10.10/31", "10.0.10.12/32", "10.0.20.10/31"]},
        {"port": 4443, "to": ["10.0.10.10/31", "10.0.10.12/32", "10.0.20.10/31"]},
        {"port": 443, "to": ["10.0.30.11/32"]},
    ]


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"interface": "dmz"}, "firewall_rules: interface must be one of external, internal, got 'dmz'"),
        ({"query": "[?port=="}, "firewall_rules: query '[?port==' is not a valid JMESPath expression"),
        ({"query": 5}, "firewall_rules: query must be a JMESPath expression"),
    ],
)
def test_bad_arguments(kwargs, words):
    with pytest.raises(AnsibleFilterError) as caught:
        firewall_rules(full(), **kwargs)
    assert str(caught.value).startswith(words)


def test_missing_jmespath_gives_an_install_hint(monkeypatch):
    monkeypatch.setattr(_select, "jmespath", None)
    assert firewall_rules(full(), "external")  # no query, no jmespath needed
    with pytest.raises(AnsibleFilterError, match=r"Failed to import the required Python library \(jmespath\)"):
        firewall_rules(full(), query="[].port")
