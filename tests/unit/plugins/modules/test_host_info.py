# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""firewall_info, proxy_info and host_info with a faked host (commands found, command results); files are
real files in a temporary directory. The real hosts are the lab's (molecule)."""

from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _host_info
from ansible_collections.lync.reverse_proxy.plugins.module_utils._nft import table_objects
from ansible_collections.lync.reverse_proxy.plugins.modules import firewall_info, host_info, proxy_info
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils.nft_fixtures import recorded

EMPTY = recorded("1.0.6", "empty.json")

IP_JSON = json.dumps([{"ifname": "ext0", "addr_info": [{"family": "inet", "local": "198.51.100.10", "prefixlen": 24}]}])


class FakeHost:
    """Commands on PATH, and what each command line answers."""

    def __init__(self, commands, answers):
        self.commands, self.answers, self.calls = set(commands), answers, []

    def bin_path(self, name, *args, **kwargs):
        return "/usr/sbin/" + name if name in self.commands else None

    def run(self, args, **kwargs):
        line = " ".join([os.path.basename(args[0])] + [str(a) for a in args[1:]])
        self.calls.append(line)
        for prefix, answer in self.answers.items():
            if line.startswith(prefix):
                return answer
        return 1, "", "not found"


@pytest.fixture(name="run")
def fixture_run(monkeypatch, capsys):
    def runner(module, host, systemd=True, ssh="10.250.0.1 40000 10.250.0.11 22", **params):
        monkeypatch.setattr(module.AnsibleModule, "run_command", lambda self, args, **kw: host.run(args, **kw))
        monkeypatch.setattr(module.AnsibleModule, "get_bin_path", lambda self, name, *a, **kw: host.bin_path(name))
        real_isdir = os.path.isdir
        monkeypatch.setattr(_host_info.os.path, "isdir",
                            lambda path: systemd if path == "/run/systemd/system" else real_isdir(path))
        monkeypatch.setenv("SSH_CONNECTION", ssh)
        with patch_module_args(dict(params, _ansible_check_mode=True)):
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out)
    return runner


def test_firewall_info_report_backends_ours_connection_and_interfaces(run):
    host = FakeHost({"nft", "iptables-restore", "iptables-save", "ip6tables-save", "firewall-cmd", "systemctl", "ip"}, {
        "systemctl is-active --quiet firewalld": (3, "", ""),
        "nft -j list table inet lync_reverse_proxy": (0, EMPTY, ""),
        "iptables-save -t filter": (0, "*filter\n:INPUT ACCEPT [0:0]\n:LYNC-RP-INPUT - [0:0]\nCOMMIT\n", ""),
        "ip6tables-save -t filter": (0, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", ""),
        "ip -j addr show": (0, IP_JSON, ""),
    })
    result = run(firewall_info, host)
    assert result["changed"] is False
    assert result["backends"] == {
        "nftables": {"installed": True, "running": False, "ours": True},
        "iptables": {"installed": True, "running": False, "ours": True},
        "firewalld": {"installed": True, "running": False, "ours": False},
        "ufw": {"installed": False, "running": False, "ours": False},
    }
    assert result["connection_source"] == "10.250.0.1"
    assert result["interfaces"][0]["ifname"] == "ext0"
    assert result["service_manager"] == "systemd"


def test_firewall_info_use_the_given_names_and_work_without_systemd(run):
    host = FakeHost({"nft", "firewall-cmd", "iptables-save", "ip"}, {
        "firewall-cmd --state": (0, "running\n", ""),
        "nft -j list table inet other": (1, "", "No such file or directory"),
        "iptables-save -t filter": (0, ":LYNC-RP-INPUT - [0:0]\n:MINE-INPUT - [0:0]\n", ""),
        "ip -j addr show": (0, "[]", ""),
    })
    result = run(firewall_info, host, systemd=False, table="other", chain_prefix="MINE")
    assert result["backends"]["firewalld"]["running"] is True
    assert result["backends"]["nftables"]["ours"] is False
    assert result["backends"]["iptables"]["ours"] is True
    assert result["service_manager"] is None
    assert "firewall-cmd --state" in host.calls and not any(c.startswith("systemctl") for c in host.calls)


def test_firewall_info_warn_without_ip(run, monkeypatch):
    warned = []
    monkeypatch.setattr(firewall_info.AnsibleModule, "warn", lambda self, text: warned.append(text))
    result = run(firewall_info, FakeHost(set(), {}), ssh="")
    assert result["interfaces"] == [] and result["connection_source"] == ""
    assert warned == ["the ip command (iproute2) is not installed: interfaces unknown"]


def test_proxy_info_describe_packages_service_and_files(run, tmp_path):
    tls = tmp_path / "tls"
    tls.mkdir(mode=0o750)
    os.chmod(tls, 0o750)
    (tls / "listener-1.pem").write_text("pem\n")
    os.chmod(tls / "listener-1.pem", 0o600)
    (tls / "other.txt").write_text("x")
    host = FakeHost({"dpkg-query", "systemctl"}, {
        "dpkg-query -W -f=${db:Status-Status} haproxy": (0, "installed", ""),
        "dpkg-query -W -f=${db:Status-Status} libfoo": (0, "not-installed", ""),
        "systemctl is-enabled --quiet haproxy": (0, "", ""),
        "systemctl is-active --quiet haproxy": (3, "", ""),
    })
    result = run(proxy_info, host, packages=["haproxy", "libfoo"], service="haproxy",
                 paths=[str(tls), str(tls / "listener-*.pem"), str(tmp_path / "missing.cfg")])
    assert result["packages"] == {"haproxy": True, "libfoo": False}
    assert result["package_manager"] == "dpkg"
    assert result["service"] == {"name": "haproxy", "enabled": True, "active": False}
    files = result["files"]
    assert sorted(files) == [str(tls), str(tls / "listener-1.pem")]
    assert files[str(tls)]["type"] == "directory" and files[str(tls)]["mode"] == "0750"
    assert "sha256" not in files[str(tls)]
    pem = files[str(tls / "listener-1.pem")]
    assert pem["mode"] == "0600" and pem["type"] == "file"
    import hashlib  # pylint: disable=import-outside-toplevel
    assert pem["sha256"] == hashlib.sha256(b"pem\n").hexdigest()


def test_proxy_info_read_rpm(run):
    host = FakeHost({"rpm"}, {"rpm -q --quiet haproxy": (0, "", "")})
    assert run(proxy_info, host, packages=["haproxy"])["packages"] == {"haproxy": True}


def test_proxy_info_name_what_is_missing(run):
    result = run(proxy_info, FakeHost(set(), {}), packages=["haproxy"])
    assert result["failed"] and "neither dpkg-query nor rpm is on this host" in result["msg"]
    result = run(proxy_info, FakeHost({"systemctl"}, {}), systemd=False, service="haproxy")
    assert result["failed"] and "systemd is not the service manager on this host" in result["msg"]
    assert "haproxy" in result["msg"]


def test_host_info_read_both_parts_and_other_services_in_one_call(run, tmp_path):
    """The parts equal what the two modules read, each with the request it answers."""
    config = tmp_path / "haproxy.cfg"
    config.write_text("global\n")
    answers = {
        "nft -j list table inet lync_reverse_proxy": (0, EMPTY, ""),
        "ip -j addr show": (0, IP_JSON, ""),
        "dpkg-query -W -f=${db:Status-Status} haproxy": (0, "installed", ""),
        "systemctl is-enabled --quiet haproxy": (0, "", ""),
        "systemctl is-active --quiet haproxy": (0, "", ""),
        "systemctl is-enabled --quiet nginx": (0, "", ""),
        "systemctl is-active --quiet nginx": (0, "", ""),
    }
    commands = {"nft", "ip", "dpkg-query", "systemctl"}
    proxy = {"packages": ["haproxy"], "service": "haproxy", "paths": [str(config)]}
    both = run(host_info, FakeHost(commands, answers), firewall={}, proxy=proxy, services=["nginx"])
    alone_firewall = run(firewall_info, FakeHost(commands, answers))
    alone_proxy = run(proxy_info, FakeHost(commands, answers), **proxy)
    assert both["firewall"]["request"] == {
        "table": "lync_reverse_proxy", "table_file": None, "chain_prefix": "LYNC-RP", "paths": [], "services": []}
    assert both["proxy"]["request"] == dict(proxy, acme=None)
    for key in ("backends", "connection_source", "interfaces", "service_manager"):
        assert both["firewall"][key] == alone_firewall[key]
    for key in ("packages", "service", "files"):
        assert both["proxy"][key] == alone_proxy[key]
    assert both["firewall"]["backends"]["nftables"]["ours"] is True
    assert both["firewall"]["nftables"] == {"path": "/usr/sbin/nft", "table": "lync_reverse_proxy", "live": [],
                                            "file": None, "file_matches": None}
    assert both["proxy"]["files"][str(config)]["type"] == "file"
    assert both["services"] == {"nginx": {"name": "nginx", "enabled": True, "active": True}}


def test_host_info_read_only_what_is_asked(run):
    host = FakeHost({"systemctl"}, {})
    result = run(host_info, host, services=["nginx"])
    assert result["firewall"] is None and result["proxy"] is None
    assert result["services"]["nginx"] == {"name": "nginx", "enabled": False, "active": False}
    assert not any(call.startswith(("nft", "ip ", "dpkg")) for call in host.calls)
    without_systemd = run(host_info, FakeHost(set(), {}), systemd=False, services=["nginx"])
    assert without_systemd["services"]["nginx"]["active"] is False


def test_firewall_info_describe_the_given_files_and_services(run, tmp_path):
    ruleset = tmp_path / "lync.nft"
    ruleset.write_text("table inet lync_reverse_proxy\n")
    host = FakeHost({"nft", "systemctl"}, {
        "nft -j list table inet lync_reverse_proxy": (1, "", "No such file or directory"),
        "systemctl is-enabled --quiet nftables": (1, "", ""),
        "systemctl is-active --quiet nftables": (0, "", ""),
    })
    result = run(firewall_info, host, paths=[str(ruleset), str(tmp_path / "missing.conf")], services=["nftables"])
    assert list(result["files"]) == [str(ruleset)]
    assert result["files"][str(ruleset)]["type"] == "file"
    assert result["services"] == {"nftables": {"name": "nftables", "enabled": False, "active": True}}
    assert result["nftables"]["live"] is None and result["backends"]["nftables"]["ours"] is False


def test_host_info_read_every_service_with_one_systemctl_call(run, tmp_path):
    """One systemctl show answers for the firewall's, the proxy's and the other services, and
    whether firewalld runs; its states mean what is-enabled and is-active answer 0 for."""
    show = ("ActiveState=active\nUnitFileState=enabled\n\n"
            "ActiveState=reloading\nUnitFileState=static\n\n"
            "ActiveState=active\nUnitFileState=disabled\n\n"
            "UnitFileState=\nActiveState=inactive\n")
    host = FakeHost({"nft", "systemctl", "dpkg-query", "firewall-cmd"}, {
        "systemctl show --property=ActiveState,UnitFileState -- nginx nftables firewalld haproxy": (0, show, ""),
        "dpkg-query -W -f=${db:Status-Status} haproxy": (0, "installed", ""),
    })
    result = run(host_info, host, firewall={"services": ["nftables"]},
                 proxy={"packages": ["haproxy"], "service": "haproxy", "paths": []}, services=["nginx"])
    assert result["services"] == {"nginx": {"name": "nginx", "enabled": True, "active": True}}
    assert result["firewall"]["services"] == {"nftables": {"name": "nftables", "enabled": True, "active": True}}
    assert result["proxy"]["service"] == {"name": "haproxy", "enabled": False, "active": False}
    assert result["firewall"]["backends"]["firewalld"]["running"] is True
    assert [call for call in host.calls if call.startswith("systemctl")] == [
        "systemctl show --property=ActiveState,UnitFileState -- nginx nftables firewalld haproxy"]


def test_an_unreadable_systemctl_show_falls_back_to_one_question_per_service(run):
    host = FakeHost({"systemctl"}, {
        "systemctl show": (0, "ActiveState=active\nUnitFileState=enabled\n", ""),  # one block for two units
        "systemctl is-enabled --quiet nginx": (1, "", ""),
        "systemctl is-active --quiet nginx": (0, "", ""),
        "systemctl is-enabled --quiet haproxy": (0, "", ""),
        "systemctl is-active --quiet haproxy": (0, "", ""),
    })
    result = run(host_info, host, services=["nginx", "haproxy"])
    assert result["services"] == {"nginx": {"name": "nginx", "enabled": False, "active": True},
                                  "haproxy": {"name": "haproxy", "enabled": True, "active": True}}


def test_host_info_probe_reports_each_endpoint_without_failing_the_read(run):
    """A real listener on this machine and a port nothing listens on: the read says which is which."""
    import socket  # pylint: disable=import-outside-toplevel
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    try:
        host = FakeHost({"systemctl"}, {})
        result = run(host_info, host, probe=[
            {"name": "listening", "address": "127.0.0.1", "port": listener.getsockname()[1]},
            {"name": "nothing", "address": "127.0.0.1", "port": closed.getsockname()[1]},
            {"name": "must be closed", "address": "127.0.0.1", "port": closed.getsockname()[1], "expect": "closed"}],
            probe_timeout=2)
    finally:
        listener.close()
        closed.close()
    assert "failed" not in result
    rows = {row["name"]: row for row in result["probe"]}
    assert rows["listening"]["ok"] is True and rows["nothing"]["ok"] is False
    assert rows["nothing"]["error"] and rows["must be closed"]["ok"] is True


def test_host_info_probe_names_a_bad_endpoint(run):
    result = run(host_info, FakeHost({"systemctl"}, {}), probe=[{"address": "127.0.0.1", "port": "https"}])
    assert result["failed"] is True and "probe" in result["msg"] and "port" in result["msg"]


def test_host_info_without_probe_probes_nothing(run):
    assert run(host_info, FakeHost({"systemctl"}, {}))["probe"] is None


@pytest.mark.parametrize("answer, matches", [
    ((0, recorded("1.1.3", "table.json"), ""), True),
    ((0, recorded("1.1.3", "drifted.json"), ""), False),
    ((97, "", "Error: syntax error"), False),
    ((1, "", "unshare: unshare failed: Operation not permitted"), None),
])
def test_firewall_info_compares_the_live_table_with_its_file(run, tmp_path, monkeypatch, answer, matches):
    """The file as nft lists it once loaded in a private namespace, against the live table."""
    warned = []
    monkeypatch.setattr(firewall_info.AnsibleModule, "warn", lambda self, text: warned.append(text))
    ruleset = tmp_path / "lync.nft"
    ruleset.write_text("table inet lync_reverse_proxy {\n}\n")
    host = FakeHost({"nft", "unshare"}, {
        "nft -j list table inet lync_reverse_proxy": (0, recorded("1.1.3", "table.json"), ""),
        "unshare --net -- /bin/sh -c": answer,
    })
    result = run(firewall_info, host, table_file=str(ruleset))
    assert result["nftables"]["live"] == table_objects(recorded("1.1.3", "table.json"))
    assert result["nftables"]["file"] == str(ruleset) and result["nftables"]["file_matches"] is matches
    namespace = [call for call in host.calls if call.startswith("unshare")]
    assert len(namespace) == 1 and " /usr/sbin/nft %s inet lync_reverse_proxy" % ruleset in namespace[0]
    assert any("cannot compare the nftables table" in text for text in warned) == (matches is None)


def test_firewall_info_remembers_what_the_file_loads(run, tmp_path, monkeypatch, fixture_nft_memo):
    """The next read of the same file compares the live table with what was remembered, without a
    namespace; a drifted live table still differs; another file content, or another nft binary,
    is loaded again; a file nft refuses is not remembered."""
    monkeypatch.setattr(firewall_info.AnsibleModule, "warn", lambda self, text: None)
    nft = tmp_path / "bin" / "nft"
    nft.parent.mkdir()
    nft.write_text("nft 1.1.3")
    ruleset = tmp_path / "lync.nft"
    ruleset.write_text("table inet lync_reverse_proxy {\n}\n")
    answers = {"nft -j list table inet lync_reverse_proxy": (0, recorded("1.1.3", "table.json"), ""),
               "unshare --net -- /bin/sh -c": (0, recorded("1.1.3", "table.json"), "")}

    def read():
        host = FakeHost({"nft", "unshare"}, answers)
        host.bin_path = lambda name, *a, **kw: str(nft) if name == "nft" else "/usr/bin/" + name
        matches = run(firewall_info, host, table_file=str(ruleset))["nftables"]["file_matches"]
        return matches, sum(call.startswith("unshare") for call in host.calls)

    assert read() == (True, 1)
    assert len(list(fixture_nft_memo.iterdir())) == 1
    assert read() == (True, 0)
    answers["nft -j list table inet lync_reverse_proxy"] = (0, recorded("1.1.3", "drifted.json"), "")
    assert read() == (False, 0)
    answers["nft -j list table inet lync_reverse_proxy"] = (0, recorded("1.1.3", "table.json"), "")
    ruleset.write_text("table inet lync_reverse_proxy {\n\tchain input {\n\t}\n}\n")
    assert read() == (True, 1)
    assert read() == (True, 0)
    nft.write_text("nft 1.1.4, another binary")
    assert read() == (True, 1)
    ruleset.write_text("table inet lync_reverse_proxy {\n\tbroken\n}\n")
    answers["unshare --net -- /bin/sh -c"] = (97, "", "Error: syntax error")
    assert read() == (False, 1)
    assert read() == (False, 1)


def test_firewall_info_compares_nothing_without_the_table_or_the_file(run, tmp_path):
    host = FakeHost({"nft", "unshare"}, {"nft -j list table inet lync_reverse_proxy": (1, "", "No such file")})
    result = run(firewall_info, host, table_file=str(tmp_path / "lync.nft"))
    assert result["nftables"]["file_matches"] is None
    host = FakeHost({"nft", "unshare"}, {"nft -j list table inet lync_reverse_proxy": (0, EMPTY, "")})
    result = run(firewall_info, host, table_file=str(tmp_path / "missing.nft"))
    assert result["nftables"]["file_matches"] is None and result["nftables"]["live"] == []
    assert not any(call.startswith("unshare") for call in host.calls)


def test_host_info_capacity_reads_memory_and_the_lower_open_file_limit(run, tmp_path, monkeypatch):
    meminfo, limits = tmp_path / "meminfo", tmp_path / "limits"
    meminfo.write_text("MemTotal:        4017244 kB\nMemFree:          100000 kB\n")
    limits.write_text("Limit                     Soft Limit           Hard Limit           Units\n"
                      "Max open files            1024                 20000                files\n")
    real = _host_info.capacity_state
    monkeypatch.setattr(host_info, "capacity_state", lambda module: real(module, str(meminfo), str(limits)))
    host = FakeHost({"systemctl"}, {"systemctl show --property=DefaultLimitNOFILE": (0, "DefaultLimitNOFILE=524288\n", "")})
    assert run(host_info, host, capacity=True)["capacity"] == {"memory_mb": 3923, "open_files": 20000}
    limits.write_text("Max open files            1024                 1048576              files\n")
    assert run(host_info, host, capacity=True)["capacity"] == {"memory_mb": 3923, "open_files": 524288}
    # without systemd: the service manager's own limit; unreadable files: unknown
    assert run(host_info, FakeHost(set(), {}), systemd=False, capacity=True)["capacity"]["open_files"] == 1048576
    meminfo.unlink()
    limits.unlink()
    assert run(host_info, FakeHost(set(), {}), systemd=False, capacity=True)["capacity"] == {
        "memory_mb": None, "open_files": None}
    assert run(host_info, FakeHost(set(), {}))["capacity"] is None


# What `openssl x509 -noout -ext subjectAltName -enddate` (OpenSSL 3.0) printed for a certificate with two
# DNS names and an IP address.
OPENSSL_SAN = ("X509v3 Subject Alternative Name: \n"
               "    DNS:webext.contoso.com, DNS:Meet.Contoso.com, IP Address:198.51.100.10\n"
               "notAfter=Mar  6 02:06:31 2027 GMT\n")


def test_proxy_info_reads_an_acme_lineage(run, tmp_path, monkeypatch):
    """The lineage's names (lower case, no address) and end, its renewal settings' directory and account
    (the [renewalparams] lines certbot 2.1 writes: ``account = <id>`` first), the timer."""
    live = tmp_path / "live" / "lync-reverse-proxy"
    live.mkdir(parents=True)
    (live / "cert.pem").write_text("certificate\n")
    (tmp_path / "lync-reverse-proxy.conf").write_text(
        "# renew_before_expiry = 30 days\nversion = 2.1.0\n[renewalparams]\naccount = 9f3c0d1e2b4a59687766554433221100\n"
        "authenticator = standalone\n"
        "server = https://acme.contoso.test/dir\nhttp01_port = 8402\n")
    monkeypatch.setattr(_host_info, "CERTBOT_LIVE", str(tmp_path / "live" / "%s" / "cert.pem"))
    monkeypatch.setattr(_host_info, "CERTBOT_RENEWAL", str(tmp_path / "%s.conf"))
    host = FakeHost({"systemctl", "openssl"}, {
        "openssl x509 -noout -ext subjectAltName -enddate -in %s" % (live / "cert.pem"): (0, OPENSSL_SAN, ""),
        "systemctl show": (1, "", ""),
        "systemctl is-enabled --quiet certbot.timer": (0, "", ""),
        "systemctl is-active --quiet certbot.timer": (3, "", ""),
    })
    result = run(proxy_info, host, acme="lync-reverse-proxy")
    assert result["acme"] == {
        "lineage": "lync-reverse-proxy",
        "certificate": {"names": ["meet.contoso.com", "webext.contoso.com"], "not_after": "Mar  6 02:06:31 2027 GMT"},
        "server": "https://acme.contoso.test/dir",
        "account": "9f3c0d1e2b4a59687766554433221100",
        "timer": {"name": "certbot.timer", "enabled": True, "active": False}}
    (live / "cert.pem").unlink()
    assert run(proxy_info, host, acme="lync-reverse-proxy")["acme"]["certificate"] is None
    assert "acme" not in run(proxy_info, host)
