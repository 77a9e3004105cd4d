# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: pem_certificates
short_description: Every certificate of a PEM file (one or a bundle), for a Windows certificate store
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Splits a PEM file of CA certificates into its certificates, in file order, each with its
    thumbprint (SHA-1, as Windows shows it), subject and DER (base64), and the LocalMachine store
    it goes to.
  - A bundle needs this on Windows - C(X509Certificate2Collection.Import) on the .NET Framework that
    Windows PowerShell 5.1 runs on reads only the first certificate of a PEM file, so an import
    through it (M(ansible.windows.win_certificate_store) with C(file_type=pem)) drops the rest
    without a word, and ARR later fails with HTTP 502.3 for want of an intermediate.
  - Anything but certificates in the file (a private key, say) is refused.
  - Used by the lync.reverse_proxy.rp_iis_arr role.
positional: _input
options:
  _input:
    description: The PEM text, e.g. C(lookup('ansible.builtin.file', 'internal-ca.pem')).
    type: str
    required: true
  store:
    description: The LocalMachine store the certificates go to.
    type: str
    choices: [Root, CA]
    default: Root
  source:
    description: How errors name the file.
    type: str
    default: the PEM file
requirements:
  - cryptography (Python library, on the controller; ansible-core needs it too)
seealso:
  - plugin: lync.reverse_proxy.pfx_certificates
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The thumbprints of a CA bundle
  ansible.builtin.debug:
    msg: "{{ lookup('ansible.builtin.file', 'internal-ca.pem') | lync.reverse_proxy.pem_certificates | map(attribute='thumbprint') }}"
"""

RETURN = r"""
_value:
  description: >-
    One dict per certificate - C(thumbprint), C(subject), C(issuer), C(self_signed), C(dns_names),
    C(not_after), C(store), C(der).
  type: list
  elements: dict
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def pem_certificates(text, store="Root", source="the PEM file"):
    """Every certificate of a PEM file."""
    return _model.pem_certificates(text, store=store, source=source)


class FilterModule:
    """The pem_certificates filter."""

    def filters(self):
        return {"pem_certificates": pem_certificates}
