# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""proxy_host_changes and proxy_host_expected: what differs between a proxy host as read and as it must be."""

from __future__ import annotations

import hashlib

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter.proxy_host_changes import proxy_host_changes
from ansible_collections.lync.reverse_proxy.plugins.filter.proxy_host_expected import proxy_host_expected

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
CONFIG = "global\n  daemon\n"
HOST = {
    "packages": ["haproxy"],
    "service": "haproxy",
    "tls_dir": {"path": "/etc/haproxy/lync", "owner": "root", "group": "haproxy", "mode": "0750"},
    "files": [{"path": "/etc/haproxy/lync/listener-1.pem", "content": PEM, "owner": "root", "group": "haproxy",
               "mode": "0600", "secret": True}],
    "ours": ["listener-*.pem"],
    "config": {"path": "/etc/haproxy/haproxy.cfg", "content": CONFIG, "validate": "haproxy -c -f %s"},
}


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def read_as_it_must_be():
    """A read written out by hand from what proxy_info reports (files are written with one line end)."""
    return {
        "packages": {"haproxy": True},
        "service": {"enabled": True, "active": True},
        "files": {
            "/etc/haproxy/lync": {"type": "directory", "mode": "0750", "owner": "root", "group": "haproxy"},
            "/etc/haproxy/haproxy.cfg": {"type": "file", "mode": "0644", "owner": "root", "group": "root",
                                         "sha256": digest(CONFIG)},
            "/etc/haproxy/lync/listener-1.pem": {"type": "file", "mode": "0600", "owner": "root", "group": "haproxy",
                                                 "sha256": digest(PEM + "\n")},
        },
    }


NOTHING = {"packages": [], "tls_dir": False, "files": [], "config": False, "service": False, "stale": []}


def test_a_host_as_it_must_be_differs_in_nothing():
    assert proxy_host_changes(read_as_it_must_be(), HOST) == NOTHING


def test_a_fresh_host_differs_in_everything():
    found = {"packages": {"haproxy": False}, "service": {"enabled": False, "active": False},
             "files": {"/etc/haproxy/lync": None, "/etc/haproxy/haproxy.cfg": None}}
    assert proxy_host_changes(found, HOST) == {
        "packages": ["haproxy"], "tls_dir": True, "files": ["/etc/haproxy/lync/listener-1.pem"], "config": True,
        "service": True, "stale": []}


@pytest.mark.parametrize("path, change, part, expected", [
    ("/etc/haproxy/lync", {"mode": "0755"}, "tls_dir", True),
    ("/etc/haproxy/lync", {"group": "root"}, "tls_dir", True),
    ("/etc/haproxy/haproxy.cfg", {"sha256": digest(CONFIG + "# edited\n")}, "config", True),
    ("/etc/haproxy/haproxy.cfg", {"mode": "0600"}, "config", True),
    # the certificate file without its line end is not what the role writes
    ("/etc/haproxy/lync/listener-1.pem", {"sha256": digest(PEM)}, "files", ["/etc/haproxy/lync/listener-1.pem"]),
    ("/etc/haproxy/lync/listener-1.pem", {"owner": "haproxy"}, "files", ["/etc/haproxy/lync/listener-1.pem"]),
])
def test_one_drifted_attribute_is_one_change(path, change, part, expected):
    found = read_as_it_must_be()
    found["files"][path] = dict(found["files"][path], **change)
    assert proxy_host_changes(found, HOST) == dict(NOTHING, **{part: expected})


def test_a_service_enabled_but_stopped_is_a_change():
    found = read_as_it_must_be()
    found["service"] = {"enabled": True, "active": False}
    assert proxy_host_changes(found, HOST)["service"] is True


def test_an_older_certificate_file_of_ours_is_stale_and_a_directory_is_not():
    found = read_as_it_must_be()
    found["files"]["/etc/haproxy/lync/listener-0.pem"] = {"type": "file", "mode": "0600", "owner": "root",
                                                          "group": "haproxy", "sha256": digest("old")}
    found["files"]["/etc/haproxy/lync/listener-old.pem"] = {"type": "directory", "mode": "0700", "owner": "root",
                                                            "group": "root"}
    assert proxy_host_changes(found, HOST) == dict(NOTHING, stale=["/etc/haproxy/lync/listener-0.pem"])


def test_the_same_decision_as_rp_proxy_host_made_in_jinja():
    """The expressions rp_proxy_host used before this filter, evaluated by Ansible's templating on
    drifted reads, agree with the filter."""
    from ansible.template import Templar, trust_as_template  # pylint: disable=import-outside-toplevel
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    jinja = {
        "packages": "{{ found.packages | dict2items | rejectattr('value') | map(attribute='key') | list }}",
        "tls_dir": "{{ found.files[host.tls_dir.path] | default({}) != {'type': 'directory', 'mode': host.tls_dir.mode,"
                   " 'owner': host.tls_dir.owner, 'group': host.tls_dir.group} }}",
        "files": "{% set r = namespace(paths=[]) %}{% for item in host.files %}{% if found.files[item.path] | default({})"
                 " != {'type': 'file', 'mode': item.mode, 'owner': item.owner, 'group': item.group,"
                 " 'sha256': (item.content ~ '\\n') | hash('sha256')} %}{% set r.paths = r.paths + [item.path] %}"
                 "{% endif %}{% endfor %}{{ r.paths }}",
        "config": "{{ found.files[host.config.path] | default({}) != {'type': 'file', 'mode': '0644', 'owner': 'root',"
                  " 'group': 'root', 'sha256': host.config.content | hash('sha256')} }}",
        "service": "{{ not (found.service.enabled and found.service.active) }}",
        "stale": "{{ found.files | dict2items | selectattr('value.type', 'equalto', 'file') | map(attribute='key')"
                 " | reject('equalto', host.config.path) | reject('in', host.files | map(attribute='path') | list) | list }}",
    }
    drifted = read_as_it_must_be()
    drifted["packages"]["haproxy"] = False
    drifted["service"]["active"] = False
    drifted["files"]["/etc/haproxy/lync"]["mode"] = "0700"
    drifted["files"]["/etc/haproxy/lync/listener-1.pem"]["sha256"] = digest("other")
    drifted["files"]["/etc/haproxy/lync/listener-0.pem"] = {"type": "file", "mode": "0600", "owner": "root",
                                                            "group": "haproxy", "sha256": digest("old")}
    for found in (read_as_it_must_be(), drifted):
        templar = Templar(loader=DataLoader(), variables={"found": found, "host": HOST})
        expected = {key: templar.template(trust_as_template(expression)) for key, expression in jinja.items()}
        assert proxy_host_changes(found, HOST) == expected
    assert proxy_host_changes(drifted, HOST) != NOTHING


@pytest.mark.parametrize("found, host, named", [
    (None, HOST, "the read of the host"),
    ({}, {"packages": []}, "tls_dir"),
])
def test_bad_input_is_named(found, host, named):
    with pytest.raises(AnsibleFilterError, match=named):
        proxy_host_changes(found, host)


def test_expected_holds_no_content_and_decides_as_the_host_itself():
    """The digest form (kept as a fact by the plans) carries no key material and gives the same
    answer as the host with its content, on a host as it must be and on drifted ones."""
    expected = proxy_host_expected(HOST)
    assert PEM not in repr(expected) and CONFIG not in repr(expected)
    assert expected["files"] == [{"path": "/etc/haproxy/lync/listener-1.pem", "owner": "root", "group": "haproxy",
                                  "mode": "0600", "sha256": digest(PEM + "\n")}]
    assert expected["config"] == {"path": "/etc/haproxy/haproxy.cfg", "sha256": digest(CONFIG)}
    as_it_must_be = read_as_it_must_be()
    config_edited = read_as_it_must_be()
    config_edited["files"]["/etc/haproxy/haproxy.cfg"]["sha256"] = digest("edited")
    pem_without_line_end = read_as_it_must_be()
    pem_without_line_end["files"]["/etc/haproxy/lync/listener-1.pem"]["sha256"] = digest(PEM)
    for found in (as_it_must_be, config_edited, pem_without_line_end):
        assert proxy_host_changes(found, expected) == proxy_host_changes(found, HOST)
    assert proxy_host_changes(config_edited, expected) == dict(NOTHING, config=True)


def test_expected_names_a_bad_input():
    with pytest.raises(AnsibleFilterError, match="packages, tls_dir, files, config"):
        proxy_host_expected({"packages": []})
