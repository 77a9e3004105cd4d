# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: arr_configuration
short_description: The IIS Application Request Routing configuration of the Lync port model
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - IIS ARR as the Lync reverse proxy, as data - one server farm per published URL group, as
    Microsoft's guidance has it (C(lync-fe-<pool>), C(lync-dir-<director>), C(lync-simple-urls),
    C(lync-lyncdiscover), C(lync-owa-<farm>); the VIP if the topology gives one, else the servers; httpPort 8080 and httpsPort 4443 for
    pools, 80 and 443 for Office Web Apps; proxy time-out O(timeout); disk cache and SSL offloading
    off) and one URL Rewrite rule per published name and port (C(lync.reverse_proxy/<name>/<scheme>))
    that rewrites to its farm, or redirects plain HTTP to HTTPS, with the Host header preserved.
  - HTTPS requests are rewritten to the farm over HTTPS (httpsPort), plain HTTP over HTTP
    (httpPort) - no SSL offloading, which Lync does not support.
  - Farm members are names (ARR checks the back-end certificate against the name it connects to)
    - the VIP or single server as the published FQDN, several servers as their own FQDNs - with
    the hosts entries (C(hosts)) that resolve them on the proxy.
  - A Front End or Director pool of several servers without a VIP is refused - ARR would balance it
    round-robin with no affinity and no health test, and Microsoft supports only hardware load
    balancers for the Lync web services ("The only supported method to load balance HTTP and HTTPS
    traffic is by using hardware load balancers."); give the pool's C(vip), or O(round_robin) for a
    lab. An Office Web Apps farm like that is a warning (C(warnings)).
extends_documentation_fragment:
  - lync.reverse_proxy.topology
options:
  timeout:
    description: The farms' proxy time-out in seconds; mobile clients long-poll, 960 is Microsoft's figure.
    type: int
    default: 960
  round_robin:
    description:
      - Accept Front End and Director pools of several servers without a VIP (ARR balances them round-robin,
        which Microsoft does not support for Lync web traffic); each becomes a warning instead of an error.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Farms and rules
  ansible.builtin.debug:
    msg: "{{ lync_topology | lync.reverse_proxy.arr_configuration }}"
"""

RETURN = r"""
_value:
  description: >-
    C(farms), C(rules), C(preserve_host_header), C(hosts) (the farm members' name and address, for the
    proxy's hosts file) and C(warnings) (sentences a person must read).
  type: dict
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def arr_configuration(data, timeout=960, round_robin=False):
    """IIS ARR farms and rewrite rules."""
    return _model.arr_configuration(_model.ensure_model(data), timeout=int(timeout), round_robin=round_robin)


class FilterModule:
    """The arr_configuration filter."""

    def filters(self):
        return {"arr_configuration": arr_configuration}
