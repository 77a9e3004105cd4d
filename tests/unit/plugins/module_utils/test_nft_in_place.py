# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Whether a firewall_info read shows the nftables table, its file and its boot drop-in exactly as
nft_table would leave them: the files nft_table really writes (a module run in a temporary
directory, on a host answering as the recorded nft does), read by the read itself; every single
difference makes it false."""

from __future__ import annotations

import hashlib
import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _host_info, _nft
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import firewall_config
from ansible_collections.lync.reverse_proxy.plugins.modules import firewall_info, nft_table
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import TWO_PROXIES
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils.nft_fixtures import (
    CONTENT,
    TABLE,
    FakeHost,
)


def _binaries(tmp_path):
    """Commands found in a directory of the test (nft is a file there: what the read remembers is keyed on it)."""
    directory = tmp_path / "sbin"
    directory.mkdir(exist_ok=True)
    (directory / "nft").write_text("nft 1.1.3")
    return lambda self, name, *args, **kwargs: str(directory / name)


@pytest.fixture(name="written")
def fixture_written(tmp_path, monkeypatch, capsys):
    """What nft_table writes (ruleset file and boot drop-in) for CONTENT, by the module itself; the
    host (FakeHost, nft 1.1.3) then has the table."""
    path, dropin = tmp_path / "lync.nft", tmp_path / "dropin.conf"
    host = FakeHost("1.1.3")
    host.enabled = True
    host.bin_path = _binaries(tmp_path)
    monkeypatch.setattr(nft_table.AnsibleModule, "get_bin_path", host.bin_path)
    monkeypatch.setattr(nft_table.AnsibleModule, "run_command", lambda self, args, **kw: host(args))
    with patch_module_args({"name": TABLE, "content": CONTENT, "path": str(path), "boot_dropin": str(dropin),
                            "rollback_timeout": 0, "state": "present", "_ansible_tmpdir": str(tmp_path)}):
        with pytest.raises(SystemExit):
            nft_table.main()
    result = json.loads(capsys.readouterr().out)
    assert result["changed"] and not result.get("failed"), result
    return path, dropin, host


def _read(monkeypatch, capsys, host, path, dropin, warned=None):
    """firewall_info as rp_firewall asks it (rp_firewall_request), on that host."""
    warned = [] if warned is None else warned
    monkeypatch.setattr(firewall_info.AnsibleModule, "warn", lambda self, text: warned.append(text))
    monkeypatch.setattr(firewall_info.AnsibleModule, "run_command", lambda self, args, **kw: host(args))
    monkeypatch.setattr(firewall_info.AnsibleModule, "get_bin_path",
                        lambda self, name, *a, **kw: host.bin_path(self, name) if name in ("nft", "unshare", "systemctl") else None)
    monkeypatch.setattr(_host_info, "_systemd", lambda module: host.bin_path(None, "systemctl"))
    with patch_module_args({"table": TABLE, "table_file": str(path), "paths": [str(path), str(dropin)],
                            "services": ["nftables"]}):
        with pytest.raises(SystemExit):
            firewall_info.main()
    return json.loads(capsys.readouterr().out)


def _namespaces(host) -> int:
    return sum(args[0].endswith("/unshare") for args in host.calls)


def test_what_nft_table_leaves_is_in_place(written, monkeypatch, capsys, fixture_nft_memo):
    """As nft_table remembered it (no namespace for the read), and as the file loads again once forgotten."""
    path, dropin, host = written
    for forgotten in (False, True):
        if forgotten:
            for memo in fixture_nft_memo.iterdir():
                memo.unlink()
        host.calls.clear()
        read = _read(monkeypatch, capsys, host, path, dropin)
        assert _namespaces(host) == (1 if forgotten else 0)
        assert read["nftables"]["file_matches"] is True and read["nftables"]["file"] == str(path)
        assert _nft.in_place(CONTENT, read, TABLE, str(path), str(dropin))


@pytest.mark.parametrize("change", ["rule added", "table emptied", "table deleted", "file", "dropin", "disabled",
                                    "table name", "no nft", "no namespace", "other file"])
def test_any_difference_is_not_in_place(written, monkeypatch, capsys, change, fixture_nft_memo):
    path, dropin, host = written
    table, ruleset = TABLE, str(path)
    if change == "rule added":
        host.state = "drifted"
    elif change == "table emptied":
        host.state = "empty"
    elif change == "table deleted":
        host.state = None
    elif change == "file":
        path.write_text(path.read_text() + "# edited\n")
    elif change == "dropin":
        dropin.unlink()
    elif change == "disabled":
        host.enabled = False
    elif change == "table name":
        table = "other"
    elif change == "no namespace":  # and nothing remembered (the host booted since)
        host.private_rc, host.private_err = 1, "unshare: unshare failed: Operation not permitted"
        for memo in fixture_nft_memo.iterdir():
            memo.unlink()
    elif change == "other file":
        ruleset = str(path) + ".other"
    warned = []
    read = _read(monkeypatch, capsys, host, path, dropin, warned)
    if change == "no nft":
        read["nftables"]["path"] = None
    if change == "no namespace":
        assert read["nftables"]["file_matches"] is None
        assert any("unshare failed" in text for text in warned), warned
    if change in ("rule added", "table emptied"):
        assert read["nftables"]["file_matches"] is False
    assert not _nft.in_place(CONTENT, read, table, ruleset, str(dropin))


def test_without_a_dropin_only_the_table_and_file_count(written, monkeypatch, capsys):
    path, dropin, host = written
    dropin.unlink()
    host.enabled = False
    read = _read(monkeypatch, capsys, host, path, dropin)
    assert _nft.in_place(CONTENT, read, TABLE, str(path), None)


def test_firewall_config_says_in_place_only_for_nftables_with_a_read():
    options = {"reverse_proxy": "rp1", "management_sources": ["10.250.0.0/24"], "external_interfaces": ["ext0"],
               "internal_interfaces": ["int0"]}
    first = firewall_config(TWO_PROXIES, **options)
    assert first["in_place"] is False
    content = first["content"]
    ruleset = _nft.ruleset_file("inet", TABLE, content)
    host = {"nftables": {"path": "/usr/sbin/nft", "table": TABLE, "live": [], "file": "/etc/x.nft", "file_matches": True},
            "files": {"/etc/x.nft": {"sha256": hashlib.sha256(ruleset.encode()).hexdigest()}}}
    assert firewall_config(TWO_PROXIES, host=host, ruleset_path="/etc/x.nft", **options)["in_place"] is True
    assert firewall_config(TWO_PROXIES, host=host, ruleset_path="/etc/other.nft", **options)["in_place"] is False
    assert firewall_config(TWO_PROXIES, host=host, ruleset_path="/etc/x.nft", backend="iptables",
                           **options)["in_place"] is False
    host["nftables"]["file_matches"] = False
    assert firewall_config(TWO_PROXIES, host=host, ruleset_path="/etc/x.nft", **options)["in_place"] is False
