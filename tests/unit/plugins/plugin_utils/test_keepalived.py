# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The keepalived_converge action's decisions: the proxy's group, the interface of its external
address (from `ip -j addr show` in iproute2's shape: links with addr_info family/local/prefixlen),
the files in the order they are written, and the role's options against the renderer's."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import KEEPALIVED_OPTIONS, PortModelError
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _keepalived

ROOT = pathlib.Path(__file__).resolve().parents[4]
GROUP = {"name": "edge", "members": ["rp3", "rp4"], "preferred": "rp3",
         "virtual_addresses": ["198.51.100.20", "2001:db8:100::20"],
         "member_addresses": {"rp3": ["198.51.100.13", "2001:db8:100::13"], "rp4": ["198.51.100.14"]}}
LINKS = [
    {"ifname": "lo", "addr_info": [{"family": "inet", "local": "127.0.0.1", "prefixlen": 8}]},
    {"ifname": "ext0", "addr_info": [{"family": "inet", "local": "198.51.100.13", "prefixlen": 24}]},
    {"ifname": "ext6", "addr_info": [{"family": "inet6", "local": "2001:db8:100::13", "prefixlen": 64}]},
    {"ifname": "int0", "addr_info": [{"family": "inet", "local": "10.10.1.13", "prefixlen": 16}]},
]


def test_group_of():
    model = {"reverse_proxy_groups": [GROUP]}
    assert _keepalived.group_of(model, "rp4") is GROUP
    assert _keepalived.group_of(model, "rp1") is None
    assert _keepalived.group_of({}, "rp3") is None


def test_interfaces_per_family_from_the_read_or_given():
    assert _keepalived.interfaces(GROUP, "rp3", LINKS) == {4: "ext0", 6: "ext6"}
    assert _keepalived.interfaces(GROUP, "rp3", LINKS, "int0") == {4: "int0", 6: "int0"}
    # an address no interface carries: no entry (the renderer names what is missing)
    assert _keepalived.interfaces(GROUP, "rp4", LINKS) == {}


def test_a_given_interface_the_host_lacks_is_refused_before_anything_is_written():
    """keepalived --config-test refuses an interface that does not exist ("Non-existent interface
    specified in configuration", keepalived 2.2.7), but only after the kernel setting and the pool
    check were written: the option is checked against the host's links first."""
    with pytest.raises(PortModelError, match=r"interface: 'bond0' is not an interface of this host \(it has lo, ext0, "
                                             r"ext6, int0\)"):
        _keepalived.interfaces(GROUP, "rp3", LINKS, "bond0")


def test_files_in_order_the_configuration_validated_last():
    files = _keepalived.host_files({"config": "global_defs {}\n", "files": {"/etc/keepalived/b.sh": "x"}}, "# managed")
    assert [item["path"] for item in files] == [_keepalived.SYSCTL_PATH, "/etc/keepalived/b.sh",
                                                "/etc/keepalived/keepalived.conf"]
    assert "net.ipv4.ip_nonlocal_bind = 1" in files[0]["content"] and "net.ipv6.ip_nonlocal_bind = 1" in files[0]["content"]
    assert files[1]["mode"] == "0755"
    assert "--config-test" in files[-1]["validate"] and files[-1]["validate"].endswith("%s")


def test_role_options_match_the_renderer():
    """Every option of the renderer is a role variable with the same default, and no more."""
    spec = yaml.safe_load((ROOT / "roles" / "rp_keepalived" / "meta" / "argument_specs.yml").read_text())
    defaults = yaml.safe_load((ROOT / "roles" / "rp_keepalived" / "defaults" / "main.yml").read_text())
    options = spec["argument_specs"]["main"]["options"]
    own = {name[len("rp_keepalived_"):] for name in options if name.startswith("rp_keepalived_")}
    assert own - {"software", "reverse_proxy", "interface"} == set(KEEPALIVED_OPTIONS)
    for name, (default, dummy, dummy2) in KEEPALIVED_OPTIONS.items():
        assert options["rp_keepalived_" + name]["default"] == default, name
        assert defaults["rp_keepalived_" + name] == default, name
    tasks = (ROOT / "roles" / "rp_keepalived" / "tasks" / "main.yml").read_text()
    for name in KEEPALIVED_OPTIONS:
        assert "      %s: \"{{ rp_keepalived_%s" % (name, name) in tasks, name
