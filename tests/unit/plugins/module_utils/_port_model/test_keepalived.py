# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""keepalived for a group of reverse proxies: what each member's configuration says (priority,
peers, addresses, checks), the options it refuses, and the pool check script run for real
against a listening and a closed port. The lab's ha scenario runs the configuration through
keepalived itself (--config-test) and fails proxies under load."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    compute_model,
    pool_targets,
    render_keepalived,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers import _keepalived
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._keepalived import _pool_script
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    TWO_PROXIES,
)

# the model's group entry, as the contract of reverse_proxy_groups writes it
GROUP = {
    "name": "edge",
    "members": ["rp3", "rp4"],
    "preferred": "rp4",
    "virtual_addresses": ["198.51.100.20", "2001:db8:100::20"],
    "member_addresses": {"rp3": ["198.51.100.13", "2001:db8:100::13"], "rp4": ["198.51.100.14", "2001:db8:100::14"]},
}
IFACES = {4: "ext0", 6: "ext0"}


def instances(text: str) -> dict:
    """vrrp_instance name -> its body."""
    return dict(re.findall(r"vrrp_instance (\S+) \{\n(.*?)\n\}", text, re.S))


def value(body: str, key: str) -> str:
    return re.search(r"^\s+%s (.+)$" % key, body, re.M).group(1)


def test_preferred_member_leads_and_one_failed_check_hands_over():
    preferred = render_keepalived(GROUP, "rp4", IFACES, "haproxy.service", [("10.0.0.1", 4443)])
    other = render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", [("10.0.0.1", 4443)])
    lead = preferred["priority"] - other["priority"]
    assert lead > 0
    weights = {int(w) for w in re.findall(r"weight -(\d+)", preferred["config"])}
    assert len(weights) == 1 and weights.pop() > lead  # a failed check puts the preferred one below a healthy peer
    for body in instances(preferred["config"]).values():
        assert value(body, "priority") == str(preferred["priority"])
        assert value(body, "state") == "BACKUP"


def test_one_instance_per_family_with_the_other_members_as_peers():
    text = render_keepalived(GROUP, "rp3", IFACES, "nginx.service", [])["config"]
    found = instances(text)
    assert sorted(found) == ["lync_edge_ipv4", "lync_edge_ipv6"]
    ipv4, ipv6 = found["lync_edge_ipv4"], found["lync_edge_ipv6"]
    assert value(ipv4, "unicast_src_ip") == "198.51.100.13"
    assert "198.51.100.14" in ipv4 and "198.51.100.13\n" not in ipv4.split("unicast_peer")[1]
    assert "198.51.100.20/32 dev ext0" in ipv4 and "2001:db8:100::20" not in ipv4
    assert value(ipv6, "unicast_src_ip") == "2001:db8:100::13"
    assert "2001:db8:100::20/128 dev ext0" in ipv6
    assert 'systemctl is-active --quiet nginx.service' in text
    # no pool server to check: no pool script, no reference to one
    assert "lync_pools" not in text


def test_pool_check_and_its_script():
    rendered = render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", [("10.10.10.11", 4443)])
    assert "lync_pools" in rendered["config"]
    (path, script), = rendered["files"].items()
    assert path in rendered["config"]
    assert "10.10.10.11,4443" in script


def test_options_refused_with_their_name():
    with pytest.raises(PortModelError, match="auth_pass needs vrrp_version 2"):
        render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", [], {"auth_pass": "secret"})
    with pytest.raises(PortModelError, match="advert_interval must be whole seconds"):
        render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", [], {"vrrp_version": 2, "advert_interval": 0.5})
    with pytest.raises(PortModelError, match="virtual_router_id"):
        render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", [], {"virtual_router_id": 256})
    with pytest.raises(PortModelError, match="unknown keepalived option.*vrid"):
        render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", [], {"vrid": 5})
    with pytest.raises(PortModelError, match="rp9 is not a member of group edge"):
        render_keepalived(GROUP, "rp9", IFACES, "haproxy.service", [])
    with pytest.raises(PortModelError, match="no interface of reverse proxy rp3"):
        render_keepalived(GROUP, "rp3", {4: "ext0"}, "haproxy.service", [])


def test_version_2_with_a_password_and_no_preemption():
    text = render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", [],
                             {"vrrp_version": 2, "advert_interval": 1, "auth_pass": "s3cret", "preempt": False})["config"]
    assert "vrrp_version 2" in text and "auth_pass s3cret" in text and "nopreempt" in text


def test_every_accepted_priority_leaves_the_others_a_valid_one_above_a_failed_preferred_member():
    """keepalived takes priorities 1-254 for a member that does not own the addresses and keeps the
    effective priority of a member whose checks failed at 1 at least (keepalived.conf(5), priority
    and track_script): the others' priority must be one, and above the preferred member's with a
    failed check."""
    accepted = []
    for priority in range(0, 257):
        try:
            preferred = render_keepalived(GROUP, "rp4", IFACES, "haproxy.service", [], {"priority": priority})
        except PortModelError as exc:
            assert "keepalived option priority" in str(exc)
            continue
        other = render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", [], {"priority": priority})
        weight = int(re.search(r"weight -(\d+)", preferred["config"]).group(1))
        assert 1 <= other["priority"] <= 254 and 1 <= preferred["priority"] <= 254
        assert other["priority"] > max(1, preferred["priority"] - weight), priority
        accepted.append(priority)
    assert 150 in accepted and 254 in accepted


def test_ipv6_instances_carry_no_password():
    """keepalived runs IPv6 instances as VRRP version 3 whatever vrrp_version says, and refuses an
    authentication block there (keepalived.conf(5) on vrrp_version; keepalived 2.2.7 --config-test:
    "VRRP version 3 does not support authentication")."""
    text = render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", [],
                             {"vrrp_version": 2, "advert_interval": 1, "auth_pass": "s3cret"})["config"]
    found = instances(text)
    assert "auth_pass s3cret" in found["lync_edge_ipv4"]
    assert "authentication" not in found["lync_edge_ipv6"]


def test_without_preemption_a_failed_check_gives_the_addresses_up():
    """With nopreempt a keepalived backup never takes over from a master that still advertises,
    whatever the master's priority (keepalived's vrrp_state_backup; its maintainers in
    acassen/keepalived#2483 and #2599): a failed check must put the instance in fault (weight 0),
    not lower its priority, or a holder whose proxy software stopped keeps the addresses."""
    text = render_keepalived(GROUP, "rp4", IFACES, "haproxy.service", [("10.0.0.1", 4443)],
                             {"preempt": False})["config"]
    scripts = re.findall(r"vrrp_script (\S+) \{\n(.*?)\n\}", text, re.S)
    assert [name for name, dummy in scripts] == ["lync_proxy_software", "lync_pools"]
    for name, body in scripts:
        assert not re.search(r"^\s+weight -?[1-9]", body, re.M), name
    for body in instances(text).values():
        assert re.search(r"^\s+nopreempt$", body, re.M)


def test_a_member_with_several_addresses_is_a_peer_once_at_the_address_it_sends_from():
    """Each member sends its advertisements from its first external address of the family
    (unicast_src_ip); a peer listed at every address of the other member would get each
    advertisement once per address."""
    group = dict(GROUP, members=["rp3", "rp4", "rp5"], member_addresses={
        "rp3": ["198.51.100.13", "198.51.100.33", "2001:db8:100::13"],
        "rp4": ["198.51.100.14", "198.51.100.34", "2001:db8:100::14", "2001:db8:100::34"],
        "rp5": ["198.51.100.15", "2001:db8:100::15"]})
    sends_from = {}
    for member in group["members"]:
        for name, body in instances(render_keepalived(group, member, IFACES, "haproxy.service", [])["config"]).items():
            sends_from[member, name] = value(body, "unicast_src_ip")
    for member in group["members"]:
        for name, body in instances(render_keepalived(group, member, IFACES, "haproxy.service", [])["config"]).items():
            peers = body.split("unicast_peer {")[1].split("}")[0].split()
            assert peers == [sends_from[other, name] for other in group["members"] if other != member]
    assert sends_from["rp4", "lync_edge_ipv4"] == "198.51.100.14"


THREE = dict(GROUP, members=["rp3", "rp4", "rp5"],
             member_addresses=dict(GROUP["member_addresses"], rp5=["198.51.100.15", "2001:db8:100::15"]))


@pytest.mark.parametrize("group, member, options", [
    (dict(GROUP, virtual_addresses=["198.51.100.20"]), "rp4", {}),
    (GROUP, "rp3", {}),
    (THREE, "rp5", {}),
    (GROUP, "rp3", {"vrrp_version": 2, "advert_interval": 1, "auth_pass": "s3cret"}),
    (GROUP, "rp4", {"preempt": False, "priority": 52}),
    (GROUP, "rp3", {"priority": 52}),
], ids=["pair-ipv4", "pair-ipv4-ipv6", "three-members", "version-2-password", "no-preemption", "lowest-priority"])
def test_keepalived_accepts_the_configuration(group, member, options, tmp_path, monkeypatch):
    """keepalived itself checks the configuration (when it is installed here), on an interface of
    this machine (it refuses one that does not exist, and the loopback), with the pool check's
    script a root-owned file that exists on every host."""
    keepalived = shutil.which("keepalived") or shutil.which("keepalived", path="/usr/sbin:/sbin")
    if not keepalived:
        pytest.skip("keepalived is not installed")
    links = sorted(name for name in os.listdir("/sys/class/net") if name != "lo")
    if not links:
        pytest.skip("no network interface but the loopback")
    monkeypatch.setattr(_keepalived, "POOL_CHECK_PATH", "/bin/true")
    config = render_keepalived(group, member, {4: links[0], 6: links[0]}, "haproxy.service", [("10.0.0.1", 4443)],
                               options)["config"]
    assert "/bin/true" in config
    path = tmp_path / "keepalived.conf"
    path.write_text(config)
    answer = subprocess.run([keepalived, "--config-test", "--use-file", str(path)], capture_output=True, text=True,
                            check=False, timeout=30)
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_pool_targets_are_the_pools_and_directors_servers():
    model = compute_model(TWO_PROXIES)
    expected = {(str(s["address"] if isinstance(s, dict) else s), 4443)
                for section in ("front_end_pools", "directors") for entry in TWO_PROXIES.get(section, [])
                for s in ([entry["vip"]] if entry.get("vip") else entry["servers"])}
    assert set(pool_targets(model)) == expected
    assert len(pool_targets(model)) == len(expected)


def run_script(script: str, tmp_path) -> int:
    path = tmp_path / "pools.sh"
    path.write_text(script)
    return subprocess.run(["sh", str(path)], check=False, timeout=30).returncode


def test_pool_script_answers_for_a_listening_port_and_not_for_a_closed_one(tmp_path):
    with socket.socket() as listening, socket.socket() as closed:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        open_port, closed_port = listening.getsockname()[1], closed.getsockname()[1]
        assert run_script(_pool_script([("127.0.0.1", closed_port)]), tmp_path) == 1
        assert run_script(_pool_script([("127.0.0.1", closed_port), ("127.0.0.1", open_port)]), tmp_path) == 0


def test_pool_script_answers_before_keepalived_gives_up_on_it_however_many_servers_are_silent(tmp_path):
    """Servers that drop the connection attempt (here: listeners whose backlog is full, so the
    kernel drops further SYNs) cost the script a second each when it tries them one after the
    other; keepalived counts a script that outlives the vrrp_script's timeout as failed, though a
    later server answers."""
    import time  # pylint: disable=import-outside-toplevel

    silent, fillers = [], []
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        try:
            for dummy in range(4):
                server = socket.socket()
                server.bind(("127.0.0.1", 0))
                server.listen(0)
                silent.append(server)
                for dummy2 in range(3):  # more than the backlog takes: the next SYN is dropped
                    filler = socket.socket()
                    filler.setblocking(False)
                    filler.connect_ex(server.getsockname())
                    fillers.append(filler)
            time.sleep(0.2)
            targets = [("127.0.0.1", server.getsockname()[1]) for server in silent]
            targets.append(("127.0.0.1", listening.getsockname()[1]))
            rendered = render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", targets)
            pools = rendered["config"].split("vrrp_script lync_pools {")[1].split("}")[0]
            allowed = int(re.search(r"timeout (\d+)", pools).group(1))
            started = time.monotonic()
            assert run_script(rendered["files"][_keepalived.POOL_CHECK_PATH], tmp_path) == 0
            assert time.monotonic() - started < allowed
        finally:
            for item in fillers + silent:
                item.close()


def test_each_member_of_a_computed_group_names_the_other_as_its_peer():
    """The model's group (tests/golden/cases/ha_pair.yml: rp1 with interface notation, rp2 plain,
    IPv4 and IPv6) rendered for both members: each sends from its own address to the other's."""
    import pathlib

    import yaml

    case = pathlib.Path(__file__).resolve().parents[5] / "tests" / "golden" / "cases" / "ha_pair.yml"
    topology = yaml.safe_load(case.read_text())["lync_topology"]
    model = compute_model(topology)
    (group,) = model["reverse_proxy_groups"]
    own = {proxy["name"]: [a.split("/")[0] for a in proxy["external_addresses"]] for proxy in topology["reverse_proxies"]}
    for member, other in (("rp1", "rp2"), ("rp2", "rp1")):
        text = render_keepalived(group, member, IFACES, "haproxy.service", pool_targets(model))["config"]
        for body in instances(text).values():
            family = 6 if "ipv6" in body or ":" in value(body, "unicast_src_ip") else 4
            mine = [a for a in own[member] if (":" in a) == (family == 6)]
            theirs = [a for a in own[other] if (":" in a) == (family == 6)]
            assert value(body, "unicast_src_ip") == mine[0]
            assert body.split("unicast_peer {")[1].split("}")[0].split() == theirs
        for address in topology["reverse_proxy_groups"][0]["virtual_addresses"]:
            assert address in text
    # the pool check reaches the pool's load balancer address and the Director's server on 4443
    assert set(pool_targets(model)) == {("10.0.10.10", 4443), ("10.0.20.11", 4443)}


def test_a_member_back_from_a_pool_outage_waits_for_the_proxys_own_health_checks():
    """HAProxy takes a server back after two successful checks at its health_check_interval; the
    pool check must not count the member healthy sooner (it would answer 503 with the addresses)."""
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import PROXIES

    seconds = int(PROXIES["haproxy"].options["health_check_interval"].default.rstrip("s"))
    for interval in (1, 2, 5):
        text = render_keepalived(GROUP, "rp3", IFACES, "haproxy.service", [("10.0.0.1", 4443)],
                                 {"check_interval": interval})["config"]
        pools = text.split("vrrp_script lync_pools {")[1].split("}")[0]
        rise = int(re.search(r"rise (\d+)", pools).group(1))
        assert rise * interval >= 2 * seconds
