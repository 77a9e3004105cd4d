# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter import certificate_names as plugin
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    full,
    with_options,
)

certificate_names = plugin.FilterModule().filters()["certificate_names"]


@pytest.mark.parametrize(
    "mobile_over_http, lyncdiscover",
    [(False, ["lyncdiscover.contoso.com", "lyncdiscover.fabrikam.com"]), (True, [])],
)
def test_names(mobile_over_http, lyncdiscover):
    topology = with_options(full(), mobile_autodiscover_over_http=mobile_over_http)
    topology["sip_domains"].append("Fabrikam.com")
    topology["simple_urls"]["meet"].append("meet.fabrikam.com")
    assert certificate_names(topology) == sorted(
        ["dialin.contoso.com", "meet.contoso.com", "meet.fabrikam.com", "officewebapps01.contoso.com",
         "webdirext.contoso.com", "webext.contoso.com"] + lyncdiscover
    )


def test_invalid():
    with pytest.raises(AnsibleFilterError, match=r"certificate_names: invalid lync_topology: sip_domains: is required"):
        certificate_names({"front_end_pools": [{"name": "p", "external_web_fqdn": "a.b.c", "vip": "10.0.0.1"}]})
