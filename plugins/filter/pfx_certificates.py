# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: pfx_certificates
short_description: Which certificate of a listener PFX IIS must bind, and where its chain goes
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Reads a PKCS#12 (PFX) file on the controller and tells the listener certificate (the one that
    matches the private key) from the CA certificates the PFX carries with it, so that IIS is
    bound to the right thumbprint (not simply the first certificate of the file) and the chain
    goes to LocalMachine\Root (self-signed) or LocalMachine\CA (intermediate), not to My.
  - With O(names), also lists the names the listener certificate lacks (a wildcard covers one label).
  - Used by the lync.reverse_proxy.rp_iis_arr role.
positional: _input
options:
  _input:
    description: The PFX, as the result of M(ansible.builtin.slurp) (or its base64 C(content)).
    type: raw
    required: true
  password:
    description: The PFX password.
    type: str
    default: ""
  names:
    description: Names the listener certificate must carry, e.g. the model's certificate names.
    type: list
    elements: str
    default: []
requirements:
  - cryptography (Python library, on the controller; ansible-core needs it too)
seealso:
  - plugin: lync.reverse_proxy.certificate_names
    plugin_type: filter
  - plugin: lync.reverse_proxy.pem_certificates
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Read the PFX on the controller
  ansible.builtin.slurp:
    src: "{{ lookup('ansible.builtin.first_found', 'listener.pfx') }}"
  delegate_to: localhost
  register: __pfx
  no_log: true

- name: The thumbprint to bind
  ansible.builtin.debug:
    msg: "{{ (__pfx | lync.reverse_proxy.pfx_certificates(password=pfx_password)).listener.thumbprint }}"
"""

RETURN = r"""
_value:
  description: What the PFX carries.
  type: dict
  contains:
    listener:
      description: The certificate with the private key - C(thumbprint) (SHA-1, as Windows shows it), C(subject), C(issuer), C(dns_names), C(not_after).
      type: dict
    chain:
      description: >-
        The other certificates, each with C(store) (V(Root) for a self-signed one, V(CA) for an
        intermediate) and C(der) (the certificate, DER as base64, for the store to add).
      type: list
      elements: dict
    missing_names:
      description: Names of O(names) the listener certificate does not carry.
      type: list
      elements: str
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def pfx_certificates(data, password="", names=None):
    """What a listener PFX carries."""
    return _model.pfx_certificates(data, password=password, names=names)


class FilterModule:
    """The pfx_certificates filter."""

    def filters(self):
        return {"pfx_certificates": pfx_certificates}
