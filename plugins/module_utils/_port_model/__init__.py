# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Lync Server 2013 reverse-proxy port model.

PRIVATE to the lync.reverse_proxy collection: names, signatures and behaviour may change
without notice. Use the filters (lync.reverse_proxy.port_model and friends) or the module
lync.reverse_proxy.port_model_info instead.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._address import host_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._errors import (
    MissingLibraryError,
    PortModelError,
    TopologyError,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._compute import (
    compute_model,
    ensure_model,
    is_model,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._validate import (
    normalize_topology,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._aerleon import aerleon_policy
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._firewall import (
    BACKENDS,
    firewall_config,
    render_firewall,
    render_firewalld,
    render_iptables,
    render_nftables,
    render_ufw,
    ufw_stale,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._policy import (
    FirewallPolicy,
    build_policy,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._pfx import pfx_certificates
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._proxy import (
    PROXIES,
    listener_addresses,
    proxy_config,
    render_proxy,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._probe_list import VANTAGES, probe_endpoints
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._tls import tls_profile
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._tables import (
    FORMATS,
    render_port_table,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._topology_xml import (
    TopologyDocumentError,
    needed_names,
    topology_from_xml,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._windows import (
    arr_configuration,
    render_application_host,
    render_powershell,
    windows_firewall_rules,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._select import (
    interfaces_for,
    select_routes,
    select_rules,
    query_model,
)

__all__ = [
    "BACKENDS",
    "FORMATS",
    "FirewallPolicy",
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
    "interfaces_for",
    "is_model",
    "listener_addresses",
    "needed_names",
    "normalize_topology",
    "pfx_certificates",
    "probe_endpoints",
    "proxy_config",
    "query_model",
    "render_application_host",
    "render_firewall",
    "render_firewalld",
    "render_iptables",
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
