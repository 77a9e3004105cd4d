# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: certificate_names
short_description: The names the Lync reverse-proxy listener certificate must carry
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Returns the sorted, de-duplicated host names published on 443, which the listener
    certificate must carry as subject alternative names.
  - They are the external web services FQDN of every Front End and Director pool, the meet and
    dialin simple URLs, every Office Web Apps FQDN and C(lyncdiscover.<sip domain>) for every
    SIP domain, the latter unless O(_input.options.mobile_autodiscover_over_http) is true.
extends_documentation_fragment:
  - lync.reverse_proxy.topology
requirements:
  - netaddr (Python library, on the controller)
seealso:
  - plugin: lync.reverse_proxy.port_model
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Subject alternative names for the certificate request
  ansible.builtin.debug:
    msg: "{{ lync_topology | lync.reverse_proxy.certificate_names | map('regex_replace', '^', 'DNS:') | join(',') }}"
"""

RETURN = r"""
_value:
  description: The names, sorted.
  type: list
  elements: str
  sample: [dialin.contoso.com, lyncdiscover.contoso.com, meet.contoso.com, webext.contoso.com]
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def certificate_names(data):
    """The names the listener certificate must carry."""
    return _model.ensure_model(data)["certificate_names"]


class FilterModule:
    """The certificate_names filter."""

    def filters(self):
        return {"certificate_names": certificate_names}
