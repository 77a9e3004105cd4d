# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""address_holders: which member of a group holds each shared address, from `ip -j addr show`
(the shape iproute2 writes: a list of links, each with addr_info entries of family/local/prefixlen)."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter.address_holders import address_holders

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import TWO_PROXIES

# a model with a group entry, as reverse_proxy_groups gives it (the filter takes a model as it is)
MODEL = dict(compute_model(TWO_PROXIES), reverse_proxy_groups=[
    {"name": "edge", "members": ["rp3", "rp4"], "preferred": "rp3", "virtual_addresses": ["198.51.100.20"],
     "member_addresses": {"rp3": ["198.51.100.13"], "rp4": ["198.51.100.14"]}}])


def links(*addresses):
    return json.dumps([{"ifindex": 2, "ifname": "ext0", "addr_info": [
        {"family": "inet", "local": address, "prefixlen": 24 if address.endswith(".13") or address.endswith(".14")
         else 32} for address in addresses]}])


def test_one_holder_is_ok():
    (check,) = address_holders(MODEL, {"rp3": links("198.51.100.13", "198.51.100.20"), "rp4": links("198.51.100.14")})
    assert check["ok"] and check["detail"] == "held by rp3" and "198.51.100.20" in check["name"]


def test_none_or_both_fail():
    (none,) = address_holders(MODEL, {"rp3": links("198.51.100.13"), "rp4": links("198.51.100.14")})
    (both,) = address_holders(MODEL, {"rp3": links("198.51.100.20"), "rp4": links("198.51.100.20")})
    assert not none["ok"] and none["detail"] == "held by no member"
    assert not both["ok"] and both["detail"] == "held by rp3 and rp4"


def test_a_member_not_read_is_named():
    (check,) = address_holders(MODEL, {"rp4": links("198.51.100.20")})
    assert check["ok"] and "not read: rp3" in check["detail"]


def test_bad_reads():
    with pytest.raises(AnsibleFilterError, match="reads must be a dict"):
        address_holders(MODEL, ["rp3"])
    with pytest.raises(AnsibleFilterError, match="not the JSON"):
        address_holders(MODEL, {"rp3": "not json"})
