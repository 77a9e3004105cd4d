# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter.address_text import address_text


def test_hosts_lose_their_prefix_length_networks_keep_it():
    given = ["198.51.100.10/32", "2001:db8::10/128", "10.0.0.0/8", "2001:db8::/64", "198.51.100.10", "0.0.0.0/0"]
    assert address_text(given) == ["198.51.100.10", "2001:db8::10", "10.0.0.0/8", "2001:db8::/64", "0.0.0.0/0"]


def test_a_prefix_of_the_other_family_is_kept():
    # /32 on an IPv6 address is a network, /128 is not an IPv4 length: neither is a host.
    assert address_text(["2001:db8::/32"]) == ["2001:db8::/32"]
    assert address_text("192.0.2.1/31") == "192.0.2.1/31"


def test_bad_input_is_named():
    with pytest.raises(AnsibleFilterError, match="address_text takes an address or a list of addresses, got 42"):
        address_text(42)
