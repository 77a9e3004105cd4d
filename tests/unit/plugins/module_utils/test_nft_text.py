# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Whether a firewall_info read shows the nftables table, its file and its boot drop-in exactly as
nft_table would leave them: the files nft_table really writes (a module run in a temporary
directory) against the read of them; every single difference makes it false."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _host_info, _nft_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import firewall_config
from ansible_collections.lync.reverse_proxy.plugins.modules import nft_table
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import TWO_PROXIES

CONTENT = "table inet lync_reverse_proxy {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n}\n"
# How nft lists the same table: other indentation, no trailing blank line.
LISTING = "table inet lync_reverse_proxy {\n  chain input {\n    type filter hook input priority filter; policy drop;\n  }\n}"


@pytest.fixture(name="written")
def fixture_written(tmp_path, monkeypatch, capsys):
    """What nft_table writes (ruleset file and boot drop-in) for CONTENT, by the module itself."""
    path, dropin = tmp_path / "lync.nft", tmp_path / "dropin.conf"
    monkeypatch.setattr(nft_table.AnsibleModule, "get_bin_path", lambda self, name, *a, **kw: "/usr/sbin/" + name)

    def run_command(self, args, **kwargs):
        if args[1:3] == ["list", "table"]:
            return (0, LISTING, "") if path.exists() else (1, "", "no such table")
        if args[-1] == "nftables.service" and args[1] == "is-enabled":
            return 0, "enabled\n", ""
        return 0, "", ""

    monkeypatch.setattr(nft_table.AnsibleModule, "run_command", run_command)
    with patch_module_args({"name": "lync_reverse_proxy", "content": CONTENT, "path": str(path),
                            "boot_dropin": str(dropin), "rollback_timeout": 0, "state": "present"}):
        with pytest.raises(SystemExit):
            nft_table.main()
    result = json.loads(capsys.readouterr().out)
    assert result["changed"] and not result.get("failed"), result
    return path, dropin


def _read(path, dropin, enabled=True):
    files = _host_info.files_state([str(path), str(dropin)])
    return {"nftables": {"path": "/usr/sbin/nft", "table": "lync_reverse_proxy", "listing": LISTING},
            "files": files, "services": {"nftables": {"name": "nftables", "enabled": enabled, "active": True}}}


def test_what_nft_table_writes_is_in_place(written):
    path, dropin = written
    assert _nft_text.in_place(CONTENT, _read(path, dropin), "lync_reverse_proxy", str(path), str(dropin))


@pytest.mark.parametrize("change", ["listing", "file", "dropin", "disabled", "table", "no nft", "no read of files"])
def test_any_difference_is_not_in_place(written, change):
    path, dropin = written
    host = copy.deepcopy(_read(path, dropin))
    if change == "listing":
        host["nftables"]["listing"] = LISTING.replace("policy drop", "policy accept")
    elif change == "file":
        path.write_text(path.read_text() + "# edited\n")
        host = _read(path, dropin)
    elif change == "dropin":
        dropin.unlink()
        host = _read(path, dropin)
    elif change == "disabled":
        host = _read(path, dropin, enabled=False)
    elif change == "table":
        host["nftables"]["table"] = "other"
    elif change == "no nft":
        host["nftables"]["path"] = None
    else:
        host["files"] = {}
    assert not _nft_text.in_place(CONTENT, host, "lync_reverse_proxy", str(path), str(dropin))


def test_without_a_dropin_only_the_table_and_file_count(written):
    path, dropin = written
    dropin.unlink()
    host = _read(path, dropin, enabled=False)
    assert _nft_text.in_place(CONTENT, host, "lync_reverse_proxy", str(path), None)


def test_firewall_config_says_in_place_only_for_nftables_with_a_read():
    options = {"reverse_proxy": "rp1", "management_sources": ["10.250.0.0/24"], "external_interfaces": ["ext0"],
               "internal_interfaces": ["int0"]}
    first = firewall_config(TWO_PROXIES, **options)
    assert first["in_place"] is False
    content = first["content"]
    ruleset = _nft_text.ruleset_file("inet", "lync_reverse_proxy", content)
    host = {"nftables": {"path": "/usr/sbin/nft", "table": "lync_reverse_proxy", "listing": content},
            "files": {"/etc/x.nft": {"sha256": hashlib.sha256(ruleset.encode()).hexdigest()}}}
    assert firewall_config(TWO_PROXIES, host=host, ruleset_path="/etc/x.nft", **options)["in_place"] is True
    assert firewall_config(TWO_PROXIES, host=host, ruleset_path="/etc/other.nft", **options)["in_place"] is False
    assert firewall_config(TWO_PROXIES, host=host, ruleset_path="/etc/x.nft", backend="iptables",
                           **options)["in_place"] is False
