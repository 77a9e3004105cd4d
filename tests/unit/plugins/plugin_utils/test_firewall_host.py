# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the firewall_converge action decides from its arguments and a firewall_info read: the
backend, the refusals before any change, and only the module calls something differs for."""

from __future__ import annotations

import copy
import hashlib
import os

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _nft
from ansible_collections.lync.reverse_proxy.plugins.modules import firewall_converge as stub
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _firewall_host as fh
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import TWO_PROXIES

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
LINKS = [
    {"ifname": "lo", "addr_info": [{"family": "inet", "local": "127.0.0.1", "prefixlen": 8}]},
    {"ifname": "ext0", "addr_info": [{"family": "inet", "local": "198.51.100.10", "prefixlen": 24},
                                     {"family": "inet6", "local": "2001:db8:100::10", "prefixlen": 64}]},
    {"ifname": "int0", "addr_info": [{"family": "inet", "local": "10.10.1.5", "prefixlen": 24}]},
    {"ifname": "mgmt0", "addr_info": [{"family": "inet", "local": "10.250.0.11", "prefixlen": 24}]},
]


def args(**given):
    """The action's arguments as validate_argument_spec gives them (defaults filled)."""
    values = {name: copy.deepcopy(spec.get("default")) for name, spec in fh.ARGUMENT_SPEC.items()}
    values.update(topology=TWO_PROXIES, reverse_proxy="rp1", management_sources=["10.250.0.0/24"])
    values.update(given)
    return values


def backend_state(installed=(), running=(), ours=()):
    return {name: {"installed": name in installed, "running": name in running, "ours": name in ours}
            for name in ("nftables", "iptables", "firewalld", "ufw")}


def read(installed=("nftables", "iptables"), running=(), ours=(), files=None, services=None, nftables=None,
         interfaces=None):
    """A firewall_info result, in the shape module_utils/_host_info.firewall_state returns."""
    return {
        "backends": backend_state(installed, running, ours),
        "service_manager": "systemd",
        "connection": "10.250.0.2 51000 10.250.0.11 22",
        "connection_source": "10.250.0.2",
        "interfaces": LINKS if interfaces is None else interfaces,
        "nftables": nftables or {"path": "/usr/sbin/nft", "table": "lync_reverse_proxy", "live": None,
                                 "file": "/etc/nftables.d/lync_reverse_proxy.nft", "file_matches": None},
        "files": files or {},
        "services": services or {name: {"name": name, "enabled": False, "active": False}
                                 for name in ("nftables", "firewalld", "lync-iptables")},
    }


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def in_place_read(arguments):
    """A read of a host that has exactly what nft_table leaves for these arguments."""
    content = fh.decide(arguments, read())["config"]["content"]
    found = read(ours=("nftables",))
    found["nftables"].update(live=[{"chain": {"name": "input"}}], file_matches=True)
    found["files"] = {
        arguments["ruleset_path"]: {"type": "file", "sha256": sha(_nft.ruleset_file("inet", arguments["table"], content))},
        fh.DROPIN: {"type": "file", "sha256": sha(_nft.dropin_text("/usr/sbin/nft", arguments["ruleset_path"]))},
    }
    found["services"]["nftables"] = {"name": "nftables", "enabled": True, "active": True}
    return found


def modules(plan, key="steps"):
    return [step["module"] for step in plan[key]]


# -- what to read ------------------------------------------------------------------------------

def test_the_request_names_what_the_options_name():
    wanted = fh.request(args(table="t1", ruleset_path="/x/t1.nft", iptables_chain_prefix="P", iptables_path="/y/ipt"))
    assert wanted["table"] == "t1" and wanted["table_file"] == "/x/t1.nft" and wanted["chain_prefix"] == "P"
    assert {"/x/t1.nft", "/y/ipt.v4", "/y/ipt.v6", fh.DROPIN, fh.IPTABLES_UNIT} == set(wanted["paths"])
    assert "nftables" in wanted["services"] and "lync-iptables" in wanted["services"]


def test_the_plays_read_is_used_only_when_it_is_this_request():
    arguments = args()
    given = dict(read(), request=fh.request(arguments))
    assert fh.given_read(dict(arguments, host_info=given)) == given
    other = dict(given, request=fh.request(args(table="other")))
    assert fh.given_read(dict(arguments, host_info=other)) is None
    assert fh.given_read(dict(arguments, host_info={})) is None


# -- the backend and the refusals ----------------------------------------------------------------

@pytest.mark.parametrize("installed, running, expected", [
    (("nftables", "iptables", "firewalld", "ufw"), ("firewalld", "ufw"), "firewalld"),
    (("nftables", "iptables", "ufw"), ("ufw",), "ufw"),
    (("nftables", "iptables", "ufw"), (), "nftables"),
    (("iptables",), (), "iptables"),
    ((), (), "nftables"),
])
def test_detect_prefers_a_running_manager_then_what_is_installed(installed, running, expected):
    found = read(installed=installed, running=running)
    arguments = args(install_packages=True)
    if expected == "firewalld" and "ufw" in running:
        with pytest.raises(fh.FirewallHostError, match="ufw is running"):
            fh.decide(arguments, found)
        return
    assert fh.decide(arguments, found)["backend"] == expected


def test_a_missing_backend_is_refused_without_install_packages():
    with pytest.raises(fh.FirewallHostError) as error:
        fh.decide(args(backend="ufw", install_packages=False), read(), host="rp1")
    assert str(error.value) == ("rp_firewall on rp1 (backend ufw): ufw is not installed (package ufw); install it or set "
                                "rp_firewall_install_packages: true. Nothing was changed.")


def test_a_missing_backend_is_installed_first():
    plan = fh.decide(args(backend="firewalld"), read())
    assert modules(plan)[0] == "ansible.legacy.package" and plan["steps"][0]["args"]["name"] == ["firewalld"]


def test_another_manager_running_beside_the_backend_is_refused():
    with pytest.raises(fh.FirewallHostError, match=r"\(backend nftables\): firewalld is running and filters this host "
                                                   r"as well; stop it, or set rp_firewall_backend: firewalld"):
        fh.decide(args(backend="nftables"), read(installed=("nftables", "firewalld"), running=("firewalld",)))


def test_a_listener_not_on_the_host_is_the_policys_refusal():
    with pytest.raises(fh.FirewallHostError, match="external_interfaces is empty: the listener's interface is needed"):
        fh.decide(args(), read(interfaces=[LINKS[0]]), host="rp1")


def test_a_read_that_is_not_one_is_named():
    with pytest.raises(fh.FirewallHostError, match="firewall_info"):
        fh.decide(args(), {"msg": "failed"})


# -- nftables ----------------------------------------------------------------------------------

def test_nftables_in_place_needs_no_call():
    arguments = args()
    plan = fh.decide(arguments, in_place_read(arguments))
    assert plan["backend"] == "nftables" and plan["config"]["in_place"] is True
    assert plan["steps"] == [] and plan["others"] == []


@pytest.mark.parametrize("change", ["file", "dropin", "live", "disabled"])
def test_nftables_any_difference_applies_the_table(change):
    arguments = args()
    found = in_place_read(arguments)
    if change == "file":
        found["files"][arguments["ruleset_path"]]["sha256"] = sha("edited")
    elif change == "dropin":
        del found["files"][fh.DROPIN]
    elif change == "live":
        found["nftables"]["file_matches"] = False
    else:
        found["services"]["nftables"]["enabled"] = False
    plan = fh.decide(arguments, found)
    assert modules(plan) == ["lync.reverse_proxy.nft_table"]
    step = plan["steps"][0]
    assert step["unit"] == "lync-rollback-inet-lync_reverse_proxy"
    assert step["args"] == {"name": "lync_reverse_proxy", "path": arguments["ruleset_path"], "state": "present",
                            "content": plan["config"]["content"], "management_sources": ["10.250.0.0/24"],
                            "rollback_timeout": 60, "boot_dropin": fh.DROPIN}


def test_without_persist_there_is_no_boot_dropin():
    plan = fh.decide(args(persist=False), read())
    assert "boot_dropin" not in plan["steps"][0]["args"]


def test_ours_in_another_backend_is_removed_after_the_change():
    plan = fh.decide(args(backend="nftables"), read(ours=("iptables",)))
    assert modules(plan, "others") == ["lync.reverse_proxy.iptables_chains"] * 2
    assert [step["args"]["state"] for step in plan["others"]] == ["absent", "absent"]
    assert [step["args"]["family"] for step in plan["others"]] == [4, 6]
    assert not any("rollback_timeout" in step["args"] for step in plan["others"])


# -- iptables, firewalld -----------------------------------------------------------------------

def test_iptables_chains_then_the_boot_unit():
    plan = fh.decide(args(backend="iptables", egress_filtering=True), read(ours=("nftables",)))
    assert modules(plan) == ["lync.reverse_proxy.iptables_chains", "lync.reverse_proxy.iptables_chains", "ansible.legacy.copy",
                             "ansible.legacy.systemd_service"]
    v4, v6 = plan["steps"][0], plan["steps"][1]
    assert (v4["unit"], v6["unit"]) == ("lync-rollback-iptables-v4", "lync-rollback-iptables-v6")
    assert v4["args"]["content"] == plan["config"]["content"]["v4"]["content"]
    assert v6["args"]["chains"] == plan["config"]["content"]["v6"]["chains"]
    assert v4["args"]["path"] == "/etc/lync-reverse-proxy/iptables.v4"
    unit = plan["steps"][2]["args"]
    assert unit["dest"] == fh.IPTABLES_UNIT and "iptables-restore -w --noflush < /etc/lync-reverse-proxy/iptables.v4" in unit["content"]
    assert modules(plan, "others") == ["lync.reverse_proxy.nft_table"]
    assert plan["others"][0]["args"] == {"name": "lync_reverse_proxy", "path": "/etc/nftables.d/lync_reverse_proxy.nft",
                                         "state": "absent"}


def test_iptables_boot_unit_in_place_is_left_alone():
    arguments = args(backend="iptables")
    text = fh.iptables_unit_text(arguments["iptables_path"])
    found = read(files={fh.IPTABLES_UNIT: {"type": "file", "mode": "0644", "owner": "root", "group": "root",
                                           "sha256": sha(text)}})
    found["services"]["lync-iptables"] = {"name": "lync-iptables", "enabled": True, "active": False}
    assert modules(fh.decide(arguments, found)) == ["lync.reverse_proxy.iptables_chains"] * 2
    found["services"]["lync-iptables"]["enabled"] = False
    assert modules(fh.decide(arguments, found))[-1] == "ansible.legacy.systemd_service"


def test_the_iptables_unit_loads_both_families_from_the_path():
    text = fh.iptables_unit_text("/srv/ipt", managed="Managed here")
    assert text.startswith("#\n# Managed here\n#\n") and text.endswith("WantedBy=multi-user.target\n")
    assert "ip6tables-restore -w --noflush < /srv/ipt.v6" in text and "/etc/lync" not in text


@pytest.mark.parametrize("active, enabled, starts", [(True, True, False), (True, False, True), (False, False, True)])
def test_firewalld_is_started_only_when_it_is_not(active, enabled, starts):
    found = read(installed=("nftables", "firewalld"), running=("firewalld",) if active else ())
    found["services"]["firewalld"] = {"name": "firewalld", "enabled": enabled, "active": active}
    plan = fh.decide(args(backend="firewalld", source_limits=False), found)
    expected = (["ansible.legacy.systemd_service"] if starts else []) + ["lync.reverse_proxy.firewalld_config"]
    assert modules(plan) == expected
    assert plan["steps"][-1]["args"]["files"] == plan["config"]["content"]


def test_firewalld_says_what_it_cannot_limit():
    plan = fh.decide(args(backend="firewalld"), read(installed=("firewalld",)))
    assert len(plan["warnings"]) == 1 and plan["warnings"][0].startswith("firewalld cannot limit connections per source")


def test_ufw_is_left_to_the_task_file():
    plan = fh.decide(args(backend="ufw"), read(installed=("ufw", "nftables"), ours=("nftables",)))
    assert plan["steps"] == [] and modules(plan, "others") == ["lync.reverse_proxy.nft_table"]
    assert plan["elsewhere"] == ["nftables"]
    assert isinstance(plan["config"]["content"], list) and plan["config"]["content"]


# -- state absent --------------------------------------------------------------------------------

def test_absent_with_nothing_of_ours_needs_no_call():
    plan = fh.decide(args(state="absent"), read())
    assert plan["steps"] == [] and plan["config"] == {}


def test_absent_removes_the_table_and_its_dropin():
    plan = fh.decide(args(state="absent"), read(ours=("nftables",)))
    assert plan["steps"][0]["args"] == {"name": "lync_reverse_proxy", "path": "/etc/nftables.d/lync_reverse_proxy.nft",
                                        "state": "absent", "boot_dropin": fh.DROPIN}


def test_absent_iptables_removes_the_chains_and_the_unit():
    found = read(ours=("iptables",), files={fh.IPTABLES_UNIT: {"type": "file"}})
    plan = fh.decide(args(state="absent", backend="iptables"), found)
    assert [step["args"].get("rollback_timeout") for step in plan["steps"][:2]] == [60, 60]
    assert modules(plan) == ["lync.reverse_proxy.iptables_chains"] * 2 + [
        "ansible.legacy.systemd_service", "ansible.legacy.file", "ansible.legacy.systemd_service"]


def test_absent_firewalld_only_where_it_runs():
    assert fh.decide(args(state="absent", backend="firewalld"), read(installed=("firewalld",)))["steps"] == []
    plan = fh.decide(args(state="absent", backend="firewalld"), read(installed=("firewalld",), running=("firewalld",)))
    assert modules(plan) == ["lync.reverse_proxy.firewalld_config"] and plan["steps"][0]["args"]["state"] == "absent"


# -- one declaration of the options --------------------------------------------------------------

def test_the_options_are_the_roles_variables():
    with open(os.path.join(ROOT, "roles", "rp_firewall", "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        role = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    names = {"lync_topology": "topology", "rp_firewall_host_info": "host_info"}
    mapped = {names.get(name, name[len("rp_firewall_"):]): spec for name, spec in role.items()
              if name not in fh.ROLE_ONLY}
    ours = {name: spec for name, spec in fh.ARGUMENT_SPEC.items() if name != "request_only"}
    assert sorted(mapped) == sorted(ours)
    for name, spec in ours.items():
        assert spec["type"] == mapped[name]["type"], name
        assert spec.get("choices") == mapped[name].get("choices"), name
        # the role's defaults: the inventory name; the rate and burst follow lync_proxy_software
        if name not in ("reverse_proxy", "source_rate", "source_burst"):
            assert spec.get("default") == mapped[name].get("default"), name


def test_the_module_documents_every_option():
    documented = yaml.safe_load(stub.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(fh.ARGUMENT_SPEC)
    for name, spec in fh.ARGUMENT_SPEC.items():
        assert {key: documented[name].get(key) for key in ("type", "default", "choices", "required", "elements")} == {
            key: spec.get(key) for key in ("type", "default", "choices", "required", "elements")}, name


def test_a_bad_table_name_is_refused_before_any_call():
    with pytest.raises(fh.FirewallHostError, match=r"^rp_firewall on rp1 \(backend nftables\): table 'a b' is not a valid"):
        fh.decide(args(table="a b"), read(), host="rp1")


def test_the_burst_reaches_the_rules_and_is_off_with_the_limits():
    plan = fh.decide(args(backend="nftables", source_rate=100, source_burst=1000), read())
    assert plan["config"]["source_limits"]["rate"] == 100 and plan["config"]["source_limits"]["burst"] == 1000
    assert "limit rate over 100/second burst 1000 packets" in plan["config"]["content"]
    off = fh.decide(args(backend="nftables", source_limits=False, source_burst=1000), read())
    assert off["config"]["source_limits"] == {} and "source_rate" not in off["config"]["content"]
    assert fh.decide(args(backend="nftables"), read())["config"]["source_limits"]["burst"] == 400


@pytest.mark.parametrize("software, rate, burst", [(None, 200, 400), ("haproxy", 200, 400), ("nginx", 100, 1000)])
def test_the_roles_rate_is_the_proxys_budget_behind_nginx(software, rate, burst):
    """rp_firewall's defaults, templated as Ansible does: nginx cannot limit the rate per source, so
    the firewall holds HAProxy's 100 a second over 10 s; behind HAProxy it stays the second line."""
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar, trust_as_template  # pylint: disable=import-outside-toplevel
    with open(os.path.join(ROOT, "roles", "rp_firewall", "defaults", "main.yml"), encoding="utf-8") as handle:
        defaults = yaml.safe_load(handle)
    templar = Templar(DataLoader(), variables={} if software is None else {"lync_proxy_software": software})
    given = {name: int(templar.template(trust_as_template(defaults["rp_firewall_" + name])))
             for name in ("source_rate", "source_burst")}
    plan = fh.decide(args(backend="nftables", **given), read())
    assert (plan["config"]["source_limits"]["rate"], plan["config"]["source_limits"]["burst"]) == (rate, burst)
