# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How every playbook and role reads a path the user gave on the controller."""

from __future__ import annotations

import os

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter.proxy_source_files import proxy_source_files
from ansible_collections.lync.reverse_proxy.plugins.filter.user_path import user_path
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _user_path


@pytest.fixture(name="project")
def fixture_project(tmp_path, monkeypatch):
    """A user's directory with files/listener.crt, and ansible-playbook started in it."""
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "listener.crt").write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_relative_path_is_relative_to_the_working_directory(project):
    assert _user_path.resolve("files/listener.crt") == str(project / "files" / "listener.crt")
    assert _user_path.resolve("out/") == str(project / "out")
    assert _user_path.resolve("./a/../b") == str(project / "b")


def test_an_absolute_path_stays_and_home_is_expanded(project, monkeypatch):
    monkeypatch.setenv("HOME", str(project / "home"))
    assert _user_path.resolve("/etc/ssl/ca.crt") == "/etc/ssl/ca.crt"
    assert _user_path.resolve("~/lync/topology.yml") == str(project / "home" / "lync" / "topology.yml")


def test_another_base_is_used_when_given(project):
    assert _user_path.resolve("files/x", base="/srv/lync") == "/srv/lync/files/x"
    assert _user_path.check("files/listener.crt", exists="file", base=str(project)) == str(project / "files/listener.crt")


def test_the_working_directory_is_read_at_each_call_not_at_import(project, tmp_path_factory, monkeypatch):
    other = tmp_path_factory.mktemp("elsewhere")
    first = _user_path.resolve("out")
    monkeypatch.chdir(other)
    assert first == str(project / "out")
    assert _user_path.resolve("out") == str(other / "out")


def test_existing_files_and_directories_pass(project):
    assert _user_path.check("files/listener.crt", exists="file") == str(project / "files" / "listener.crt")
    assert _user_path.check("files", exists="directory") == str(project / "files")
    assert _user_path.check("files", exists="any") == str(project / "files")
    # Nothing checked: an output that its writer creates.
    assert _user_path.check("out/", name="lync_port_table_dir") == str(project / "out")


def test_a_missing_file_is_named_as_typed_and_as_tried(project):
    with pytest.raises(_user_path.UserPathError) as caught:
        _user_path.check("files/listener.key", exists="file", name="rp_haproxy_certificate_key_src")
    assert str(caught.value) == (
        "rp_haproxy_certificate_key_src: 'files/listener.key' not found: tried %s (a relative path is relative to "
        "the directory ansible-playbook was started in)" % (project / "files" / "listener.key"))


def test_an_absolute_path_is_named_once(project):
    missing = str(project / "nothing.yml")
    with pytest.raises(_user_path.UserPathError) as caught:
        _user_path.check(missing, exists="file", name="lync_topology_file")
    assert str(caught.value) == "lync_topology_file: %r not found" % missing


def test_home_is_shown_expanded_without_the_relative_rule(project, monkeypatch):
    monkeypatch.setenv("HOME", str(project))
    with pytest.raises(_user_path.UserPathError) as caught:
        _user_path.check("~/missing.crt", exists="file")
    assert str(caught.value) == "'~/missing.crt' not found: tried %s" % (project / "missing.crt")


def test_the_wrong_kind_is_an_error(project):
    with pytest.raises(_user_path.UserPathError, match=r"^lync_topology_file: 'files' is a directory, not a file: tried "):
        _user_path.check("files", exists="file", name="lync_topology_file")
    with pytest.raises(_user_path.UserPathError, match=r"^'files/listener.crt' is not a directory: tried "):
        _user_path.check("files/listener.crt", exists="directory")


def test_an_unreadable_file_is_an_error(project, monkeypatch):
    # (root reads every file: the permission answer is faked)
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(_user_path.UserPathError, match="cannot be read"):
        _user_path.check("files/listener.crt", exists="file")


@pytest.mark.parametrize("bad", ["", "  ", None, 42, ["files/x"]])
def test_no_path_is_an_error_naming_the_variable(project, bad):
    with pytest.raises(_user_path.UserPathError, match=r"^lync_render_dir: a path is needed, got "):
        _user_path.check(bad, name="lync_render_dir")


def test_an_unknown_kind_is_refused(project):
    with pytest.raises(_user_path.UserPathError, match="exists must be one of file, directory, any"):
        _user_path.check("files", exists="dir")


def test_the_filter_gives_the_same_answers_as_ansible_errors(project):
    assert user_path("out/") == str(project / "out")
    assert user_path("files/listener.crt", exists="file", name="x") == str(project / "files/listener.crt")
    with pytest.raises(AnsibleFilterError, match=r"^lync_topology_file: 'topology.yml' not found: tried "):
        user_path("topology.yml", exists="file", name="lync_topology_file")


# -- proxy_source_files: what site.yml checks before any host is touched -------------------------

def test_each_proxy_reads_the_files_of_its_own_software(project):
    hostvars = {
        "rp01": {"rp_haproxy_certificate_src": "files/listener.crt", "rp_haproxy_certificate_key_src": "files/listener.crt",
                 "rp_nginx_certificate_src": "files/not-read-by-haproxy.crt"},
        "rp02": {"lync_proxy_software": "nginx", "rp_nginx_backend_ca_src": "files/listener.crt",
                 "rp_haproxy_certificate_src": "files/not-read-by-nginx.crt"},
        "rp03": {"rp_haproxy_certificate": "PEM text", "rp_haproxy_certificate_src": "files/ignored-beside-text.crt"},
        "rp04": {"lync_proxy_software": "squid", "rp_squid_certificate_src": "files/missing.crt"},
    }
    crt = str(project / "files" / "listener.crt")
    assert proxy_source_files(["rp01", "rp02", "rp03", "rp04"], hostvars) == {
        "rp01": {"rp_haproxy_certificate_src": crt, "rp_haproxy_certificate_key_src": crt},
        "rp02": {"rp_nginx_backend_ca_src": crt},
    }


def test_every_missing_file_of_every_proxy_is_named_at_once(project):
    hostvars = {
        "rp01": {"rp_haproxy_certificate_src": "files/listener.crt", "rp_haproxy_backend_ca_src": "files/ca.crt"},
        "rp02": {"lync_proxy_software": "nginx", "rp_nginx_certificate_key_src": "/srv/listener.key"},
    }
    with pytest.raises(AnsibleFilterError) as caught:
        proxy_source_files(["rp01", "rp02"], hostvars)
    assert str(caught.value) == (
        "2 files the reverse proxies read on this controller cannot be used:\n"
        "  - rp01: rp_haproxy_backend_ca_src: 'files/ca.crt' not found: tried %s (a relative path is relative to the "
        "directory ansible-playbook was started in)\n"
        "  - rp02: rp_nginx_certificate_key_src: '/srv/listener.key' not found" % (project / "files" / "ca.crt"))


def test_proxy_source_files_takes_a_list(project):
    with pytest.raises(AnsibleFilterError, match="takes a list of hosts, got 'rp01'"):
        proxy_source_files("rp01", {})
