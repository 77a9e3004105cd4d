# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The proxy_converge action's decisions: what a proxy host must have, what reading it means,
what differs from a read (recorded from lab hosts: tests/unit/plugins/plugin_utils/data/), and
the 1.x variables it still takes."""

from __future__ import annotations

import hashlib
import json
import pathlib

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.filter.haproxy_config import haproxy_config
from ansible_collections.lync.reverse_proxy.plugins.filter.nginx_config import nginx_config
from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _proxy_converge as converge

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parents[3]
TOPOLOGY = yaml.safe_load((ROOT / "playbooks" / "vars" / "example_topology.yml").read_text())["lync_topology"]
CERT = "-----BEGIN CERTIFICATE-----\nMIIBlistener\n-----END CERTIFICATE-----"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----"
CA = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----"
MATERIAL = {"certificate": CERT, "key": KEY, "ca": CA}


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def as_read(host, service=True):
    """What host_info's proxy part shows of a host that is as ``host`` says."""
    files = {host["tls_dir"]["path"]: {"type": "directory", "mode": host["tls_dir"]["mode"],
                                       "owner": host["tls_dir"]["owner"], "group": host["tls_dir"]["group"]},
             host["config"]["path"]: {"type": "file", "mode": "0644", "owner": "root", "group": "root",
                                      "sha256": sha(host["config"]["content"])}}
    for item in host["files"]:
        files[item["path"]] = {"type": "file", "mode": item["mode"], "owner": item["owner"], "group": item["group"],
                               "sha256": sha(item["content"] + "\n")}
    return {"packages": {name: True for name in host["packages"]},
            "service": {"name": host["service"], "enabled": service, "active": service}, "files": files,
            "request": converge.request_of(host)}


def test_haproxy_host_names_its_files_as_the_1x_role_did():
    """rp_haproxy named the PEM after the SHA-256 of its YAML block (chain, line end, key, line
    end) and the CA after the CA's text: an upgraded host keeps its files."""
    host, paths = converge.host_of(converge.software_of("haproxy"), MATERIAL, backend_verify=True)
    pem = "/etc/haproxy/lync/listener-%s.pem" % sha(CERT + "\n" + KEY + "\n")[:16]
    ca = "/etc/haproxy/lync/backend-ca-%s.pem" % sha(CA)[:16]
    assert paths == {"pem_path": pem, "ca_path": ca}
    assert host["files"] == [
        {"path": pem, "content": CERT + "\n" + KEY, "owner": "root", "group": "haproxy", "mode": "0600", "secret": True},
        {"path": ca, "content": CA, "owner": "root", "group": "haproxy", "mode": "0644"}]
    assert host["tls_dir"] == {"path": "/etc/haproxy/lync", "owner": "root", "group": "haproxy", "mode": "0750"}
    assert host["config"] == {"path": "/etc/haproxy/haproxy.cfg", "validate": "haproxy -c -f %s"}
    assert host["packages"] == ["haproxy"] and host["service"] == "haproxy"


def test_nginx_host_keeps_chain_and_key_apart_named_by_the_pair():
    host, paths = converge.host_of(converge.software_of("nginx"), MATERIAL, backend_verify=False,
                                   tls_dir="/srv/tls/", config_path="/srv/nginx.conf")
    pair = sha(CERT + KEY)[:16]
    assert paths == {"certificate_path": "/srv/tls/listener-%s.crt" % pair, "key_path": "/srv/tls/listener-%s.key" % pair,
                     "ca_path": ""}
    assert [(item["mode"], item.get("secret", False)) for item in host["files"]] == [("0644", False), ("0600", True)]
    assert host["config"]["path"] == "/srv/nginx.conf"
    assert converge.request_of(host) == {
        "packages": ["nginx", "libnginx-mod-stream"], "service": "nginx",
        "paths": ["/srv/tls", "/srv/nginx.conf", "/srv/tls/listener-*.crt", "/srv/tls/listener-*.key",
                  "/srv/tls/backend-ca-*.pem"], "acme": None}


def test_a_new_certificate_gets_new_file_names():
    renderer = converge.software_of("haproxy")
    before, dummy = converge.host_of(renderer, MATERIAL, True)
    after, dummy = converge.host_of(renderer, dict(MATERIAL, certificate=CERT + "\nrenewed"), True)
    assert before["files"][0]["path"] != after["files"][0]["path"]
    assert before["files"][1]["path"] == after["files"][1]["path"]


@pytest.mark.parametrize("software, render", [("haproxy", haproxy_config), ("nginx", nginx_config)])
def test_the_configuration_is_the_filters_under_the_managed_comment(software, render):
    renderer = converge.software_of(software)
    host, paths = converge.host_of(renderer, MATERIAL, True)
    tls = _model.tls_profile("intermediate")
    options = {renderer.sized_option: 1000}
    text = converge.render(renderer, _model.ensure_model(TOPOLOGY), "rp01", tls, options, paths, True, {},
                           "#\n# Ansible managed\n#")
    expected = render(TOPOLOGY, reverse_proxy="rp01", tls=tls, backend_verify=True, **dict(options, **paths))
    assert text == "#\n# Ansible managed\n#\n" + expected


def test_auto_sizing_needs_the_capacity():
    renderer = converge.software_of("haproxy")
    host, paths = converge.host_of(renderer, MATERIAL, True)
    model = _model.ensure_model(TOPOLOGY)
    with pytest.raises(_model.PortModelError, match="maxconn auto needs memory_mb"):
        converge.render(renderer, model, "rp01", _model.tls_profile(), {"maxconn": "auto"}, paths, True, {}, "")
    text = converge.render(renderer, model, "rp01", _model.tls_profile(), {"maxconn": "auto"}, paths, True,
                           {"memory_mb": 1024, "open_files": 524288}, "")
    assert "maxconn 8192" in text


def test_a_host_as_it_must_be_needs_nothing():
    host, dummy = converge.host_of(converge.software_of("haproxy"), MATERIAL, True)
    host["config"]["content"] = "global\n"
    plan = converge.actions(as_read(host), host, {}, [{"ok": True}])
    assert converge.nothing_to_do(plan)


@pytest.mark.parametrize("change, part, expected", [
    (lambda read, host: read["packages"].update(haproxy=False), "packages", ["haproxy"]),
    (lambda read, host: read["files"].pop(host["config"]["path"]), "config", True),
    (lambda read, host: read["files"][host["tls_dir"]["path"]].update(mode="0755"), "tls_dir", True),
    (lambda read, host: read["service"].update(active=False), "service", True),
    (lambda read, host: read["files"].update({"/etc/haproxy/lync/listener-old.pem": {"type": "file"}}),
     "stale", ["/etc/haproxy/lync/listener-old.pem"]),
])
def test_what_differs_is_what_is_done(change, part, expected):
    host, dummy = converge.host_of(converge.software_of("haproxy"), MATERIAL, True)
    host["config"]["content"] = "global\n"
    read = as_read(host)
    change(read, host)
    plan = converge.actions(read, host, {}, [])
    assert plan[part] == expected
    assert converge.nothing_to_do(dict(plan, **{part: []}))  # only that part differs
    assert not converge.nothing_to_do(plan)


def test_the_other_proxy_running_and_a_listener_that_did_not_answer():
    renderer = converge.software_of("nginx")
    assert converge.other_services(renderer) == ["haproxy"]
    assert converge.others_running(renderer, {"haproxy": {"active": True}}) == ["haproxy"]
    assert converge.others_running(renderer, {"haproxy": {"active": False}}) == []
    host, dummy = converge.host_of(renderer, MATERIAL, True)
    host["config"]["content"] = "events {}\n"
    assert converge.actions(as_read(host), host, {}, [{"ok": False}])["probe_failed"] is True
    assert converge.actions(as_read(host), host, {}, None)["probe_failed"] is True


def test_an_unknown_software_names_the_choices():
    with pytest.raises(converge.ProxyConvergeError, match=r"software must be one of haproxy, nginx, got 'apache'"):
        converge.software_of("apache")


def test_1x_variables_fill_what_is_not_given():
    task_vars = {"rp_haproxy_certificate_src": "files/listener.crt", "rp_haproxy_maxconn": 2000,
                 "rp_haproxy_timeout_server": "900s", "rp_haproxy_pem_path": "/x", "rp_haproxy_host_capacity": {"memory_mb": 1},
                 "rp_nginx_timeout": "10s", "rp_haproxy_tls_profile": "modern"}
    arguments, options, used = converge.legacy_arguments(task_vars, "haproxy", {"tls_profile": "old",
                                                                                "options": {"timeout_server": "1s"}})
    assert arguments == {"certificate_src": "files/listener.crt", "capacity": {"memory_mb": 1}}
    assert options == {"maxconn": 2000}
    assert sorted(used) == ["rp_haproxy_certificate_src", "rp_haproxy_host_capacity", "rp_haproxy_maxconn"]


RECORDED = sorted((HERE / "data").glob("proxy-read-*.json"))


def test_reads_were_recorded_for_both_proxies():
    assert {json.loads(path.read_text())["software"] for path in RECORDED} == {"haproxy", "nginx"}


@pytest.mark.parametrize("path", RECORDED, ids=[path.stem for path in RECORDED])
def test_recorded_reads(path):
    """Reads recorded on lab hosts (tests/tooling/record_proxy_reads.yml): after site.yml
    converged (nothing to do), with the configuration edited on the host, and with a file of ours
    the configuration does not name. What the host must have is recorded with digests only (no
    key material); the read is host_info's, as the host returned it."""
    case = json.loads(path.read_text())
    plan = converge.actions(case["read"]["proxy"], case["host"], {}, case["read"]["probe"])
    assert {key: plan[key] for key in case["expected"]} == case["expected"]
    assert converge.nothing_to_do(plan) == (path.stem.endswith("-converged"))
    # the reads the other tests build have the shape of a real one
    built, dummy = converge.host_of(converge.software_of(case["software"]), MATERIAL, True)
    built["config"]["content"] = ""
    assert set(case["read"]["proxy"]) >= set(as_read(built))


def test_the_listener_probe_leaves_out_the_group_s_virtual_addresses():
    """Only the member that holds them answers on a group's virtual addresses (and none before
    keepalived runs): each proxy probes its own."""
    topology = {
        "sip_domains": ["contoso.com"],
        "front_end_pools": [{"name": "pool01", "external_web_fqdn": "webext.contoso.com", "vip": "10.0.10.10"}],
        "reverse_proxies": [{"name": "rp1", "external_addresses": ["198.51.100.10"], "internal_addresses": ["10.0.1.5"]},
                            {"name": "rp2", "external_addresses": ["198.51.100.11"], "internal_addresses": ["10.0.1.6"]}],
        "reverse_proxy_groups": [{"name": "rpg1", "members": ["rp1", "rp2"], "virtual_addresses": ["198.51.100.20"]}],
    }
    model = _model.compute_model(topology)
    assert "198.51.100.20" in _model.listener_addresses(model, "rp2")
    assert [endpoint["address"] for endpoint in converge.listeners(model, "rp2")] == ["198.51.100.11"]
