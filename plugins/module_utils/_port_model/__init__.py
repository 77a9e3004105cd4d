# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Lync Server 2013 reverse-proxy port model.

PRIVATE to the lync.reverse_proxy collection: names, signatures and behaviour may change
without notice. Use the filters (lync.reverse_proxy.port_model and friends) or the module
lync.reverse_proxy.port_model_info instead.
"""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:  # for readers and linters; also how Ansible's module packer finds the parts
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import host_text, interfaces_for
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import (
        MissingLibraryError,
        PortModelError,
        TopologyError,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._compute import (
        compute_model,
        model_of_validated,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._kind import (
        MODEL_KIND,
        MODEL_VERSION,
        ensure_model,
        is_model,
        model_kind,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._validate import (
        normalize_topology,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._aerleon import aerleon_policy
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.firewalls._firewall import (
        BACKENDS,
        firewall_config,
        render_firewall,
        render_firewalld,
        render_iptables,
        render_nftables,
        render_ufw,
        ufw_stale,
        windows_firewall_rules,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._policy import (
        FirewallPolicy,
        build_policy,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.documents._pfx import (
        pem_certificates,
        pfx_certificates,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.proxies._proxy import (
        PROXIES,
        listener_addresses,
        proxy_config,
        render_proxy,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._keepalived import (
        KEEPALIVED_OPTIONS,
        pool_targets,
        render_keepalived,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._probe_list import VANTAGES, probe_endpoints
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._tls import tls_profile
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._tables import (
        FORMATS,
        render_port_table,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.documents._topology_xml import (
        TopologyDocumentError,
        import_document,
        needed_names,
        topology_from_xml,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._windows import (
        arr_configuration,
        iis_bindings,
        render_application_host,
        render_powershell,
    )
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._select import (
        proxy_group,
        select_routes,
        select_rules,
        query_model,
    )

# Each name is imported from its part on first use: a filter that needs the TLS profile does not
# pay for the XML reader, the certificate library or the firewall renderers (Ansible imports a
# filter anew in every forked worker, once per task and host).
_PARTS = {
    "host_text": "model._address",
    "MissingLibraryError": "model._errors",
    "PortModelError": "model._errors",
    "TopologyError": "model._errors",
    "compute_model": "model._compute",
    "ensure_model": "model._kind",
    "is_model": "model._kind",
    "MODEL_KIND": "model._kind",
    "MODEL_VERSION": "model._kind",
    "model_kind": "model._kind",
    "model_of_validated": "model._compute",
    "normalize_topology": "model._validate",
    "aerleon_policy": "renderers._aerleon",
    "BACKENDS": "renderers.firewalls._firewall",
    "firewall_config": "renderers.firewalls._firewall",
    "render_firewall": "renderers.firewalls._firewall",
    "render_firewalld": "renderers.firewalls._firewall",
    "render_iptables": "renderers.firewalls._firewall",
    "render_nftables": "renderers.firewalls._firewall",
    "render_ufw": "renderers.firewalls._firewall",
    "ufw_stale": "renderers.firewalls._firewall",
    "FirewallPolicy": "model._policy",
    "build_policy": "model._policy",
    "pem_certificates": "documents._pfx",
    "pfx_certificates": "documents._pfx",
    "PROXIES": "renderers.proxies._proxy",
    "listener_addresses": "renderers.proxies._proxy",
    "proxy_config": "renderers.proxies._proxy",
    "render_proxy": "renderers.proxies._proxy",
    "KEEPALIVED_OPTIONS": "renderers._keepalived",
    "pool_targets": "renderers._keepalived",
    "render_keepalived": "renderers._keepalived",
    "VANTAGES": "renderers._probe_list",
    "probe_endpoints": "renderers._probe_list",
    "tls_profile": "model._tls",
    "FORMATS": "renderers._tables",
    "render_port_table": "renderers._tables",
    "TopologyDocumentError": "documents._topology_xml",
    "import_document": "documents._topology_xml",
    "needed_names": "documents._topology_xml",
    "topology_from_xml": "documents._topology_xml",
    "arr_configuration": "renderers._windows",
    "iis_bindings": "renderers._windows",
    "render_application_host": "renderers._windows",
    "render_powershell": "renderers._windows",
    "windows_firewall_rules": "renderers.firewalls._firewall",
    "interfaces_for": "model._address",
    "proxy_group": "model._select",
    "select_routes": "model._select",
    "select_rules": "model._select",
    "query_model": "model._select",
}


def __getattr__(name: str):
    part = _PARTS.get(name)
    if part is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    value = getattr(importlib.import_module(__name__ + "." + part), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_PARTS))


__all__ = [
    "BACKENDS",
    "FORMATS",
    "FirewallPolicy",
    "KEEPALIVED_OPTIONS",
    "MODEL_KIND",
    "MODEL_VERSION",
    "MissingLibraryError",
    "PROXIES",
    "PortModelError",
    "TopologyDocumentError",
    "TopologyError",
    "compute_model",
    "VANTAGES",
    "aerleon_policy",
    "arr_configuration",
    "build_policy",
    "ensure_model",
    "firewall_config",
    "host_text",
    "iis_bindings",
    "import_document",
    "interfaces_for",
    "is_model",
    "listener_addresses",
    "model_kind",
    "model_of_validated",
    "needed_names",
    "normalize_topology",
    "pem_certificates",
    "pfx_certificates",
    "pool_targets",
    "probe_endpoints",
    "proxy_config",
    "proxy_group",
    "query_model",
    "render_application_host",
    "render_firewall",
    "render_firewalld",
    "render_iptables",
    "render_keepalived",
    "render_nftables",
    "render_powershell",
    "render_proxy",
    "render_port_table",
    "render_ufw",
    "select_routes",
    "select_rules",
    "tls_profile",
    "topology_from_xml",
    "ufw_stale",
    "windows_firewall_rules",
]
