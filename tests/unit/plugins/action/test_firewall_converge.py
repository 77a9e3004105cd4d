# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewall_converge action: the remote calls it makes - the read unless the play's read is
given, only the module calls the plan has, the confirmation over a fresh connection after an armed
change, the removal of ours elsewhere after it - and errors that name the value, not a traceback."""

from __future__ import annotations

from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure
from ansible.playbook.task import Task
from ansible_collections.lync.reverse_proxy.plugins.action.firewall_converge import ActionModule
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _firewall_host as fh
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.plugin_utils.test_firewall_host import (
    TWO_PROXIES,
    in_place_read,
    read,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.plugin_utils.test_firewall_host import args as full_args

ARGS = {"topology": TWO_PROXIES, "reverse_proxy": "rp1", "management_sources": ["10.250.0.0/24"]}


def action(task_args, answers=None, check_mode=False, confirm="lync-rollback pending yes\n"):
    """The action with a host that answers each module by name (``answers``: name -> result)."""
    task = Task()
    task.args = task_args
    task.action = "lync.reverse_proxy.firewall_converge"
    task.check_mode = check_mode
    connection = mock.MagicMock()
    connection._shell.tmpdir = "/tmp/x"
    templar = mock.MagicMock()
    templar.template.side_effect = lambda value: value
    plugin = ActionModule(task, connection, mock.MagicMock(), loader=None, templar=templar, shared_loader_obj=None)
    events = []
    connection.reset.side_effect = lambda: events.append("reset")

    def execute_module(module_name, module_args, task_vars=None, **kwargs):
        events.append(module_name)
        answer = (answers or {}).get(module_name, {"changed": False})
        return answer(module_args) if callable(answer) else dict(answer)

    def execute_command(command, sudoable=True):
        events.append("confirm")
        return {"rc": 0, "stdout": confirm, "stderr": ""}

    plugin._execute_module = execute_module
    plugin._low_level_execute_command = execute_command
    return plugin, events


def given(found, **extra):
    """The play's read of the host, as host_info's firewall part (with its request)."""
    return dict(found, request=fh.request(full_args(**extra)))


def test_the_plays_read_in_place_costs_no_remote_call():
    found = in_place_read(full_args())
    plugin, events = action(dict(ARGS, host_info=given(found)))
    result = plugin.run(task_vars={"inventory_hostname": "rp1"})
    assert events == [] and result["changed"] is False and result["backend"] == "nftables" and result["ran"] == []


def test_without_the_read_it_reads_once():
    found = in_place_read(full_args())
    plugin, events = action(dict(ARGS), {"lync.reverse_proxy.firewall_info": found})
    result = plugin.run(task_vars={})
    assert events == ["lync.reverse_proxy.firewall_info"] and result["changed"] is False


def test_read_also_reads_the_other_roles_parts_in_the_same_call_and_returns_them():
    found = in_place_read(full_args())
    proxy_part = {"request": {"software": "haproxy"}, "files": {}}
    asked = []

    def host_info(module_args):
        asked.append(module_args)
        return {"changed": False, "firewall": dict(found, request=module_args["firewall"]), "proxy": proxy_part,
                "probe": [{"port": 443, "open": True}], "invocation": {"module_args": module_args}}

    also = {"proxy": {"software": "haproxy"}, "probe": [{"host": "192.0.2.1", "port": 443}], "services": []}
    plugin, events = action(dict(ARGS, read_also=also), {"lync.reverse_proxy.host_info": host_info})
    result = plugin.run(task_vars={"inventory_hostname": "rp1"})
    # one remote call, host_info's, asked for the firewall's own part and the others' (an empty part is left out)
    assert events == ["lync.reverse_proxy.host_info"]
    assert asked == [{"firewall": fh.request(full_args()), "proxy": {"software": "haproxy"},
                      "probe": [{"host": "192.0.2.1", "port": 443}]}]
    assert result["changed"] is False and result["ran"] == []
    assert result["host_read"]["proxy"] == proxy_part and result["host_read"]["probe"] == [{"port": 443, "open": True}]
    assert "invocation" not in result["host_read"]


def test_read_also_with_the_plays_read_given_reads_nothing():
    found = in_place_read(full_args())
    plugin, events = action(dict(ARGS, host_info=given(found), read_also={"proxy": {"software": "nginx"}}))
    result = plugin.run(task_vars={})
    assert events == [] and "host_read" not in result


def test_read_also_names_a_part_host_info_does_not_read():
    plugin, events = action(dict(ARGS, read_also={"proxy": {}, "cpu": True}))
    with pytest.raises(AnsibleActionFail, match=r"read_also: cpu is not a part of host_info's read"):
        plugin.run(task_vars={})
    assert events == []


def test_a_read_of_something_else_is_not_used():
    found = in_place_read(full_args())
    plugin, events = action(dict(ARGS, host_info=given(found, table="other")),
                            {"lync.reverse_proxy.firewall_info": found})
    plugin.run(task_vars={})
    assert events == ["lync.reverse_proxy.firewall_info"]


def test_a_change_is_confirmed_over_a_fresh_connection_then_ours_elsewhere_removed():
    answers = {"lync.reverse_proxy.nft_table": {"changed": True, "rollback_armed": True,
                                                "diff": {"before": "a", "after": "b"}},
               "lync.reverse_proxy.iptables_chains": {"changed": True}}
    plugin, events = action(dict(ARGS, host_info=given(read(ours=("iptables",)))), answers)
    plugin._task.diff = True
    result = plugin.run(task_vars={})
    assert events == ["lync.reverse_proxy.nft_table", "reset", "confirm",
                      "lync.reverse_proxy.iptables_chains", "lync.reverse_proxy.iptables_chains"]
    assert result["changed"] is True and result["confirmed"] == ["lync-rollback-inet-lync_reverse_proxy"]
    assert result["applied"] == ["nftables table lync_reverse_proxy"] and len(result["removed"]) == 2
    assert result["ran"] == ["nftables table lync_reverse_proxy", "iptables chains (IPv4)", "iptables chains (IPv6)"]
    assert result["remove_after"] == []
    assert result["diff"] == [{"before": "a", "after": "b"}]


def test_iptables_confirms_v6_over_the_connection_v4_made():
    # iptables_chains does not name its unit in its result: the plan does.
    armed = {"changed": True, "rollback_armed": True}
    found = read(files={fh.IPTABLES_UNIT: {"type": "file", "mode": "0644", "owner": "root", "group": "root",
                                           "sha256": "0"}})
    plugin, events = action(dict(ARGS, backend="iptables", persist=False, host_info=given(found)),
                            {"lync.reverse_proxy.iptables_chains": armed})
    result = plugin.run(task_vars={})
    assert events == ["lync.reverse_proxy.iptables_chains"] * 2 + ["reset", "confirm", "confirm"]
    assert result["confirmed"] == ["lync-rollback-iptables-v4", "lync-rollback-iptables-v6"]


def test_check_mode_arms_nothing_and_confirms_nothing():
    plugin, events = action(dict(ARGS, host_info=given(read())),
                            {"lync.reverse_proxy.nft_table": {"changed": True, "rollback_armed": False}},
                            check_mode=True)
    result = plugin.run(task_vars={})
    assert events == ["lync.reverse_proxy.nft_table"] and result["changed"] is True and result["confirmed"] == []


def test_a_refused_module_call_fails_with_its_message_and_nothing_after_it():
    refusal = "refusing to apply: the current connection comes from 10.250.0.2, which is not in the management sources"
    plugin, events = action(dict(ARGS, host_info=given(read(ours=("iptables",)))),
                            {"lync.reverse_proxy.nft_table": {"failed": True, "msg": refusal,
                                                              "connection_source": "10.250.0.2"}})
    result = plugin.run(task_vars={})
    assert result["failed"] is True and refusal in result["msg"] and result["connection_source"] == "10.250.0.2"
    assert events == ["lync.reverse_proxy.nft_table"]


def test_a_rollback_that_ran_fails_the_run():
    plugin, events = action(dict(ARGS, host_info=given(read())),
                            {"lync.reverse_proxy.nft_table": {"changed": True, "rollback_armed": True}},
                            confirm="lync-rollback fired 1700000000 armed 1699999990 30\n")
    result = plugin.run(task_vars={})
    assert result["failed"] is True and result["rolled_back"] is True and "ran at" in result["msg"]


def test_a_refused_check_names_the_host_and_changes_nothing():
    plugin, events = action(dict(ARGS, backend="ufw", install_packages=False, host_info=given(read())))
    with pytest.raises(AnsibleActionFail, match=r"^rp_firewall on rp1 \(backend ufw\): ufw is not installed \(package ufw\)"):
        plugin.run(task_vars={"inventory_hostname": "rp1"})
    assert events == []


def test_request_only_makes_no_remote_call():
    plugin, events = action(dict(ARGS, request_only=True, table="t2"))
    result = plugin.run(task_vars={})
    assert events == [] and result["request"] == fh.request(full_args(table="t2"))


def test_warnings_of_the_backend_reach_the_run():
    found = read(installed=("firewalld",), running=("firewalld",))
    found["services"]["firewalld"] = {"name": "firewalld", "enabled": True, "active": True}
    plugin, events = action(dict(ARGS, backend="firewalld", host_info=given(found)))
    result = plugin.run(task_vars={})
    assert events == ["lync.reverse_proxy.firewalld_config"]
    assert result["warnings"][0].startswith("firewalld cannot limit connections per source")


def test_the_package_is_installed_by_its_action_before_the_table():
    plugin, events = action(dict(ARGS, host_info=given(read(installed=()))),
                            {"lync.reverse_proxy.nft_table": {"changed": True}})
    loaded = []

    def get(name, task=None, **kwargs):
        loaded.append((name, dict(task.args)))
        runner = mock.MagicMock()
        runner.run.side_effect = lambda task_vars=None: events.append(name) or {"changed": True}
        return runner

    plugin._shared_loader_obj = mock.MagicMock()
    plugin._shared_loader_obj.action_loader.get.side_effect = get
    result = plugin.run(task_vars={})
    assert loaded == [("ansible.legacy.package", {"name": ["nftables"], "state": "present"})]
    assert events == ["ansible.legacy.package", "lync.reverse_proxy.nft_table"]
    assert result["applied"] == ["install nftables", "nftables table lync_reverse_proxy"]


def test_firewalld_confirms_its_own_unit():
    found = read(installed=("firewalld",), running=("firewalld",))
    found["services"]["firewalld"] = {"name": "firewalld", "enabled": True, "active": True}
    plugin, events = action(dict(ARGS, backend="firewalld", firewalld_prefix="corp", source_limits=False,
                                 host_info=given(found, firewalld_prefix="corp")),
                            {"lync.reverse_proxy.firewalld_config": {"changed": True, "rollback_armed": True}})
    result = plugin.run(task_vars={})
    assert events == ["lync.reverse_proxy.firewalld_config", "reset", "confirm"]
    assert result["confirmed"] == ["lync-rollback-firewalld-corp"]


def test_the_first_confirmation_reconnects_whichever_step_armed():
    def only_v6(module_args):
        return {"changed": module_args["family"] == 6, "rollback_armed": module_args["family"] == 6}

    plugin, events = action(dict(ARGS, backend="iptables", persist=False, host_info=given(read())),
                            {"lync.reverse_proxy.iptables_chains": only_v6})
    result = plugin.run(task_vars={})
    assert events == ["lync.reverse_proxy.iptables_chains"] * 2 + ["reset", "confirm"]
    assert result["confirmed"] == ["lync-rollback-iptables-v6"]


def test_the_reads_own_warnings_reach_the_run():
    found = dict(in_place_read(full_args()), warnings=["cannot compare the nftables table with /x: no namespace"])
    plugin, events = action(dict(ARGS), {"lync.reverse_proxy.firewall_info": found})
    result = plugin.run(task_vars={})
    assert result["warnings"] == ["cannot compare the nftables table with /x: no namespace"]


def test_a_confirmation_that_cannot_connect_leaves_the_host_unreachable_and_says_why():
    plugin, events = action(dict(ARGS, host_info=given(read())),
                            {"lync.reverse_proxy.nft_table": {"changed": True, "rollback_armed": True}})

    def cut(command, sudoable=True):
        events.append("confirm")
        raise AnsibleConnectionFailure("ssh: connect to host 10.250.0.11 port 22: Connection timed out")

    plugin._low_level_execute_command = cut
    with pytest.raises(AnsibleConnectionFailure) as error:
        plugin.run(task_vars={})
    assert events == ["lync.reverse_proxy.nft_table", "reset", "confirm"]
    assert str(error.value).startswith("the confirmation of lync-rollback-inet-lync_reverse_proxy over a fresh "
                                       "connection could not connect")
    assert "Connection timed out" in str(error.value) and "rollback timer" in str(error.value)


def test_with_ufw_ours_elsewhere_is_left_for_after_the_ufw_rules():
    found = read(installed=("ufw", "nftables", "iptables"), running=("ufw",), ours=("nftables", "iptables"))
    plugin, events = action(dict(ARGS, host_info=given(found)))
    result = plugin.run(task_vars={})
    assert result["backend"] == "ufw" and events == [] and result["removed"] == []
    assert result["remove_after"] == ["nftables", "iptables"] and result["config"]["content"]


# -- the topology as the inventory completes it ------------------------------------------------------

WITHOUT_PROXIES = {key: value for key, value in TWO_PROXIES.items() if key != "reverse_proxies"}
RP1 = TWO_PROXIES["reverse_proxies"][0]
RP2 = TWO_PROXIES["reverse_proxies"][1]


def inventory(group="lync_reverse_proxies", **extra):
    """Task variables of an inventory whose proxies say their own, in the group's order."""
    return dict({"inventory_hostname": "h1", "groups": {group: ["h1", "h2"]},
                 "hostvars": {"h1": {"lync_reverse_proxy": RP1}, "h2": {"lync_reverse_proxy": RP2}}}, **extra)


@pytest.mark.parametrize("placement", [
    {},
    {"placement": "gateway", "gateway_side": "external", "external_interfaces": ["ext0"], "internal_interfaces": ["int0"]},
])
def test_a_topology_without_proxies_takes_them_from_the_inventory(placement):
    found = read()
    plugin, dummy = action(dict(ARGS, topology=WITHOUT_PROXIES, host_info=given(found), **placement))
    result = plugin.run(task_vars=inventory())
    assert result["config"] == fh.decide(full_args(**placement), found)["config"]


def test_the_proxies_group_is_the_one_lync_reverse_proxies_group_names():
    found = read()
    plugin, dummy = action(dict(ARGS, topology=WITHOUT_PROXIES, host_info=given(found)))
    result = plugin.run(task_vars=inventory(group="edge", lync_reverse_proxies_group="edge"))
    assert result["config"] == fh.decide(full_args(), found)["config"]
    plugin, dummy = action(dict(ARGS, topology=WITHOUT_PROXIES, host_info=given(found)))
    with pytest.raises(AnsibleActionFail, match="rp1"):
        # the default group has no host: no proxy named rp1
        plugin.run(task_vars=inventory(group="edge"))


def test_a_topology_that_lists_its_proxies_wins_over_the_inventory():
    found = read()
    elsewhere = dict(RP1, external_addresses=["203.0.113.10"])
    task_vars = inventory()
    task_vars["hostvars"]["h1"]["lync_reverse_proxy"] = elsewhere
    plugin, dummy = action(dict(ARGS, host_info=given(found)))
    result = plugin.run(task_vars=task_vars)
    assert result["config"] == fh.decide(full_args(), found)["config"]
    assert "203.0.113.10" not in str(result["config"]["content"])
    # the same inventory fills a topology that lists none: the address is then the listener's
    plugin, dummy = action(dict(ARGS, topology=WITHOUT_PROXIES, host_info=given(found)))
    with pytest.raises(AnsibleActionFail, match="listener"):
        # 203.0.113.10 is on none of the host's interfaces
        plugin.run(task_vars=task_vars)
