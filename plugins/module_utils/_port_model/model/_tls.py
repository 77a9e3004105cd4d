# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""TLS policies of the listener and of the re-encrypted back end: Mozilla's server-side TLS
profiles (version 5.7), or explicit protocols and ciphers. PRIVATE to the lync.reverse_proxy
collection; both proxy roles take their TLS settings from here.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError

__all__ = ["PROFILES", "PROTOCOLS", "tls_profile"]

PROTOCOLS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_SUITES_13 = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
_AEAD_12 = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
            "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
            "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305")
_OLD_12 = (_AEAD_12 + ":ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
           "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"
           "DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:"
           "AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA:@SECLEVEL=0")
PROFILES = {
    # TLS 1.3 only: clients of the last years.
    "modern": {"protocols": ["TLSv1.3"], "ciphers": "", "ciphersuites": _SUITES_13, "session_tickets": False},
    # TLS 1.2 with AEAD suites (ECDHE, DHE) and TLS 1.3: every supported Lync and Skype client.
    "intermediate": {"protocols": ["TLSv1.2", "TLSv1.3"], "ciphers": _AEAD_12, "ciphersuites": _SUITES_13,
                     "session_tickets": False},
    # Down to TLS 1.0 and CBC suites, for old Lync devices and clients that cannot do TLS 1.2.
    "old": {"protocols": list(PROTOCOLS), "ciphers": _OLD_12, "ciphersuites": _SUITES_13, "session_tickets": True},
}
_OLD_WARNING = (
    "TLS profile old: the listener offers TLS 1.0 and 1.1 and CBC suites, which scanners rate as weak; "
    "use it only while old Lync devices or clients that cannot do TLS 1.2 must connect, then go back to "
    "intermediate."
)


def _check_protocols(protocols, where: str) -> list:
    if not isinstance(protocols, (list, tuple)) or not protocols:
        raise PortModelError("%s must be a non-empty list of %s, got %r" % (where, ", ".join(PROTOCOLS), protocols))
    unknown = [p for p in protocols if p not in PROTOCOLS]
    if unknown:
        raise PortModelError("%s: %s not one of %s" % (where, ", ".join(map(str, unknown)), ", ".join(PROTOCOLS)))
    ordered = sorted(set(protocols), key=PROTOCOLS.index)
    if list(PROTOCOLS[PROTOCOLS.index(ordered[0]):PROTOCOLS.index(ordered[-1]) + 1]) != ordered:
        raise PortModelError("%s must be a range without gaps (OpenSSL sets a minimum and a maximum), got %s"
                             % (where, ", ".join(ordered)))
    return ordered


def _settings(profile: dict) -> dict:
    protocols = profile["protocols"]
    return {
        "protocols": protocols,
        "min_version": protocols[0],
        "max_version": protocols[-1],
        "ciphers": profile["ciphers"],
        "ciphersuites": profile["ciphersuites"],
        "session_tickets": profile["session_tickets"],
    }


def tls_profile(profile: str = "intermediate", protocols=None, ciphers=None, ciphersuites=None,
                session_tickets=None) -> dict:
    """The listener's and the back end's TLS settings for a profile name (``custom`` takes
    ``protocols``, ``ciphers`` (TLS 1.2 and below, OpenSSL syntax) and ``ciphersuites`` (TLS 1.3))."""
    if profile == "custom":
        chosen = _check_protocols(protocols, "protocols")
        if any(p != "TLSv1.3" for p in chosen) and not ciphers:
            raise PortModelError("ciphers is required with custom protocols below TLSv1.3")
        listener = {"protocols": chosen, "ciphers": ciphers or "", "ciphersuites": ciphersuites or _SUITES_13,
                    "session_tickets": bool(session_tickets)}
    elif profile in PROFILES:
        for name, value in (("protocols", protocols), ("ciphers", ciphers), ("ciphersuites", ciphersuites)):
            if value:
                raise PortModelError("%s is for the custom profile; profile %s sets its own" % (name, profile))
        listener = dict(PROFILES[profile])
        if session_tickets is not None:
            listener["session_tickets"] = bool(session_tickets)
    else:
        raise PortModelError("profile must be one of %s, custom; got %r" % (", ".join(PROFILES), profile))
    # The back ends are Lync and Skype for Business servers on Windows Server 2012 R2 to 2019, whose
    # TLS stops at 1.2: the re-encrypted side never goes above intermediate.
    backend = PROFILES["intermediate"] if profile in ("modern", "intermediate") else listener
    result = {"profile": profile, "listener": _settings(listener), "backend": _settings(backend), "warnings": []}
    if profile == "old" or "TLSv1" in listener["protocols"] or "TLSv1.1" in listener["protocols"]:
        result["warnings"].append(_OLD_WARNING if profile == "old" else _OLD_WARNING.replace(
            "TLS profile old", "TLS profile custom"))
    return result
