# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Golden files: every renderer's output for every case in tests/golden/cases (and the example
topology of the playbooks) is stored in tests/golden/<renderer>/<case>.ref.

A mismatch writes <case>.actual beside the reference, so that
``diff tests/golden/<renderer>/<case>.ref tests/golden/<renderer>/<case>.actual`` shows it.
After a reviewed, intended change: LYNC_GOLDEN_UPDATE=1 rewrites the references.
"""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    arr_configuration,
    compute_model,
    firewall_config,
    listener_addresses,
    render_application_host,
    render_firewalld,
    render_iptables,
    render_nftables,
    render_port_table,
    render_powershell,
    render_proxy,
    render_ufw,
    select_rules,
    windows_firewall_rules,
)
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._collection import collection_version, windows_scripts
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    GOLDEN_DIR,
    golden_cases,
)

CASES = golden_cases()


def _model(model):
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def _certificate_names(model):
    return "".join(name + "\n" for name in model["certificate_names"])


def _nftables(model):
    """The table of the first reverse proxy (egress filtering on), or of a proxy-less model."""
    proxies = [g["name"] for rule in model["rules"] for g in rule["destination_groups"]
               if g["role"] == "reverse_proxy_listener" and g["name"]]
    rules = select_rules(model, reverse_proxy=proxies[0]) if proxies else model["rules"]
    return render_nftables(rules, management_sources=["10.250.0.0/24", "2001:db8:250::/64"],
                           external_interfaces=["ext0"], internal_interfaces=["int0"], egress_filtering=True,
                           **_LIMITS)


# The per-source limits rp_firewall sets by default (nftables and iptables render them): behind
# HAProxy on the proxies' own firewalls; behind nginx, which cannot limit the rate per source, on the
# gateways' (the firewall holds HAProxy's budget: 100 a second, bursts of 1,000).
_LIMITS = {"source_connections": 1000, "source_rate": 200}
_NGINX_LIMITS = {"source_connections": 1000, "source_rate": 100, "source_burst": 1000}
_HOST = {"management_sources": ["10.250.0.0/24", "2001:db8:250::/64"], "external_interfaces": ["ext0"],
         "internal_interfaces": ["int0"]}
_GATEWAY = {"external_interfaces": ["outside0"], "internal_interfaces": ["inside0"], "placement": "gateway"}


def _proxy_rules(model):
    proxy = _first_proxy(model)
    return select_rules(model, reverse_proxy=proxy) if proxy else model["rules"]


def _iptables(model):
    """IPv4 and IPv6 chains of the first proxy (egress filtering on)."""
    rules = _proxy_rules(model)
    return "".join(render_iptables(rules, family=family, egress_filtering=True, **_HOST, **_LIMITS)["content"]
                   for family in (4, 6))


def _firewalld(model):
    files = render_firewalld(_proxy_rules(model), egress_filtering=True, **_HOST)
    return "".join("# %s\n%s" % item for item in sorted(files.items()))


def _ufw(model):
    """ufw's rules, then (only when there are any) the lines of its before rules (VRRP)."""
    text = json.dumps(render_ufw(_proxy_rules(model), **_HOST), indent=2) + "\n"
    proxy = _first_proxy(model)
    before = firewall_config(model, backend="ufw", reverse_proxy=proxy, **_HOST)["ufw_before_rules"] if proxy else {}
    for family, name in (("v4", "before.rules"), ("v6", "before6.rules")):
        if before.get(family):
            text += "## %s\n%s\n" % (name, "\n".join(before[family]))
    return text


def _gateways(model):
    """Both firewalls of the gateway placement, with every backend that supports it (the limits in
    front of nginx proxies)."""
    out = []
    for side in ("external", "internal"):
        rules = model["rules"]
        out.append("## nftables %s\n" % side
                   + render_nftables(rules, management_sources=[], side=side, **_GATEWAY, **_NGINX_LIMITS))
        for family in (4, 6):
            out.append("## iptables v%d %s\n" % (family, side)
                       + render_iptables(rules, family=family, side=side, **_GATEWAY, **_NGINX_LIMITS)["content"])
        files = render_firewalld(rules, side=side, **_GATEWAY)
        out.append("## firewalld %s\n" % side + "".join("# %s\n%s" % item for item in sorted(files.items())))
        out.append("## ufw %s\n" % side + json.dumps(render_ufw(rules, side=side, **_GATEWAY), indent=2) + "\n")
    return "".join(out)


def _first_proxy(model):
    names = [g["name"] for rule in model["rules"] for g in rule["destination_groups"]
             if g["role"] == "reverse_proxy_listener" and g["name"]]
    return names[0] if names else None


def _first_server(model):
    pools = next(rule for rule in model["rules"] if rule["id"] == "internal-https-pools")
    return pools["destination_groups"][0]["addresses"][:1]


def _windows_firewall(model):
    """The rules of the first pool address, and of the first reverse proxy (egress filtering on)."""
    rules = {"server %s" % _first_server(model)[0]: windows_firewall_rules(model, _first_server(model))}
    if _first_proxy(model):
        try:
            rules["reverse proxy " + _first_proxy(model)] = windows_firewall_rules(
                model, [], reverse_proxy=_first_proxy(model), egress_filtering=True)
        except PortModelError as exc:  # a member of a reverse proxy group (keepalived is Linux)
            rules["reverse proxy " + _first_proxy(model)] = "refused: %s" % exc
    return json.dumps(rules, indent=2, ensure_ascii=False) + "\n"


def _arr(model):
    return json.dumps(arr_configuration(model), indent=2, ensure_ascii=False) + "\n"


def _application_host(model):
    return render_application_host(arr_configuration(model))


def _powershell(model):
    """The script of the first reverse proxy (firewall and ARR), or of the first pool server."""
    if _first_proxy(model):
        return render_powershell(windows_firewall_rules(model, [], reverse_proxy=_first_proxy(model)),
                                 arr_configuration(model), windows_scripts())
    return render_powershell(windows_firewall_rules(model, _first_server(model)))


def _proxy(proxy, **paths):
    """The configuration of the first reverse proxy with the roles' defaults, then with the other
    choices (profile old, no verification, no health checks, every request logged, nginx passing
    every name through, no per-source limits, the connections sized from a host of 1 GiB and 20,000
    open files); a proxy-less model listens on every address."""
    def render(model):
        name = _first_proxy(model)
        listener = listener_addresses(model, name) if name else []
        host = {"memory_mb": 1024, "open_files": 20000}
        other = ({"backend_verify": False, "health_checks": False, "log_requests": "all", "maxconn": "auto",
                  "source_connections": 0, "source_rate": 0, **host}
                 if proxy == "haproxy" else {"backend_verify": False, "passthrough": "all", "upstream_keepalive": 8,
                                             "worker_connections": "auto", "source_connections": 0, **host})
        return (render_proxy(proxy, model["routes"], listener, "intermediate", **paths)
                + "## other choices\n"
                + render_proxy(proxy, model["routes"], listener, "old", **dict(paths, **other)))
    return render


def _or_refusal(render):
    """A firewall rendering, or the refusal of one: a model without reverse proxy addresses must
    not become a ruleset that drops the listener."""
    def wrapper(model):
        try:
            return render(model)
        except PortModelError as exc:
            return "refused: %s\n" % exc
    return wrapper


RENDERERS = {"model": _model, "certificate_names": _certificate_names, "nftables": _or_refusal(_nftables),
             "iptables": _or_refusal(_iptables), "firewalld": _or_refusal(_firewalld), "ufw": _or_refusal(_ufw),
             "gateways": _or_refusal(_gateways),
             "windows_firewall": _windows_firewall, "arr": _or_refusal(_arr), "powershell": _or_refusal(_powershell),
             "application_host": _or_refusal(_application_host),
             "haproxy": _proxy("haproxy", pem_path="/etc/haproxy/lync/listener.pem",
                               ca_path="/etc/haproxy/lync/backend-ca.pem"),
             "nginx": _proxy("nginx", certificate_path="/etc/nginx/lync/listener.crt",
                             key_path="/etc/nginx/lync/listener.key", ca_path="/etc/nginx/lync/backend-ca.pem")}
for _fmt in ("markdown", "csv", "html", "svg"):
    for _lang in ("en", "ko"):
        RENDERERS["port_table-%s-%s" % (_fmt, _lang)] = (
            lambda model, fmt=_fmt, lang=_lang: render_port_table(model, fmt, lang, generated="2026-01-01",
                                                                  version=collection_version())
        )


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case, renderer):
    actual = RENDERERS[renderer](compute_model(CASES[case]))
    reference = GOLDEN_DIR / renderer / (case + ".ref")
    mismatch = reference.with_suffix(".actual")
    if os.environ.get("LYNC_GOLDEN_UPDATE") == "1":
        reference.parent.mkdir(parents=True, exist_ok=True)
        reference.write_text(actual, encoding="utf-8")
    assert reference.exists(), "no reference %s; review the output and run with LYNC_GOLDEN_UPDATE=1" % reference
    expected = reference.read_text(encoding="utf-8")
    if actual != expected:
        mismatch.write_text(actual, encoding="utf-8")
        pytest.fail("%s differs from its reference; see: diff %s %s" % (renderer, reference, mismatch))
    elif mismatch.exists():
        mismatch.unlink()


def test_no_stray_references():
    """Every stored reference belongs to a case and a renderer that exist."""
    stray = [
        str(path.relative_to(GOLDEN_DIR))
        for path in GOLDEN_DIR.glob("*/*.ref")
        if path.parent.name not in ("import", "aerleon")  # references of test_topology_xml and test_aerleon
        and (path.parent.name not in RENDERERS or path.stem not in CASES)
    ]
    assert not stray
