# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""proxy_host_request: the read rp_proxy_host decides on, from the proxy's parts."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter.proxy_host_request import proxy_host_request


def test_paths_are_the_directory_the_configuration_then_our_patterns_in_the_directory():
    request = proxy_host_request(["nginx", "libnginx-mod-stream"], service="nginx", tls_dir="/etc/nginx/lync/",
                                 config_path="/etc/nginx/nginx.conf", ours=["listener-*", "backend-ca-*.pem"])
    assert request == {"packages": ["nginx", "libnginx-mod-stream"], "service": "nginx",
                       "paths": ["/etc/nginx/lync/", "/etc/nginx/nginx.conf", "/etc/nginx/lync/listener-*",
                                 "/etc/nginx/lync/backend-ca-*.pem"]}


@pytest.mark.parametrize("kwargs, named", [
    ({"service": ""}, "service"),
    ({"tls_dir": None}, "tls_dir"),
    ({"ours": "listener-*"}, "ours"),
])
def test_a_bad_part_is_named(kwargs, named):
    args = dict(service="haproxy", tls_dir="/etc/haproxy/lync", config_path="/etc/haproxy/haproxy.cfg", ours=[])
    args.update(kwargs)
    with pytest.raises(AnsibleFilterError, match=named):
        proxy_host_request(["haproxy"], **args)


def test_packages_must_be_a_list():
    with pytest.raises(AnsibleFilterError, match="list of package names"):
        proxy_host_request("haproxy", service="haproxy", tls_dir="/t", config_path="/c")
