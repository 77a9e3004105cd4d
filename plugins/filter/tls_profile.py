# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: tls_profile
short_description: The TLS settings of the listener and the back end for a Mozilla profile
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Mozilla's server-side TLS profiles (version 5.7) as the proxy roles apply them.
  - V(modern) - TLS 1.3 only. V(intermediate) (the roles' default) - TLS 1.2 with AEAD ECDHE and
    DHE suites, and TLS 1.3. V(old) - down to TLS 1.0 with CBC suites, for old Lync devices and
    clients that cannot do TLS 1.2; it returns a warning. V(custom) - the protocols and ciphers
    given.
  - Session tickets are off except with V(old) (no ticket key rotation is configured).
  - The back end (the pools' 4443, Office Web Apps 443) runs Lync or Skype for Business on
    Windows Server, whose TLS stops at 1.2, so the re-encrypted side never goes above
    V(intermediate).
positional: _input
options:
  _input:
    description: The profile, V(modern), V(intermediate), V(old) or V(custom).
    type: str
    required: true
  protocols:
    description: With V(custom), the protocols, a range without gaps of V(TLSv1), V(TLSv1.1), V(TLSv1.2), V(TLSv1.3).
    type: list
    elements: str
  ciphers:
    description: With V(custom), the TLS 1.2 (and below) cipher list in OpenSSL's syntax.
    type: str
  ciphersuites:
    description: With V(custom), the TLS 1.3 suites (default the three of Mozilla's profiles).
    type: str
  session_tickets:
    description: Override the profile's choice of session tickets.
    type: bool
seealso:
  - name: Mozilla server-side TLS
    description: The profiles this follows.
    link: https://wiki.mozilla.org/Security/Server_Side_TLS
"""

EXAMPLES = r"""
- name: The listener's settings for the default profile
  ansible.builtin.debug:
    msg: "{{ 'intermediate' | lync.reverse_proxy.tls_profile }}"
"""

RETURN = r"""
_value:
  description: The settings.
  type: dict
  contains:
    listener:
      description: C(protocols), C(min_version), C(max_version), C(ciphers), C(ciphersuites), C(session_tickets).
      type: dict
    backend:
      description: The same keys, for the re-encrypted connections to the back ends.
      type: dict
    warnings:
      description: Sentences for the run output (profile V(old), or custom protocols below TLS 1.2).
      type: list
      elements: str
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def tls_profile(profile, protocols=None, ciphers=None, ciphersuites=None, session_tickets=None):
    """The TLS settings of a profile."""
    return _model.tls_profile(profile, protocols=protocols, ciphers=ciphers, ciphersuites=ciphersuites,
                              session_tickets=session_tickets)


class FilterModule:
    """The tls_profile filter."""

    def filters(self):
        return {"tls_profile": tls_profile}
