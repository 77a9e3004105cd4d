#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: port_model_info
short_description: Compute the Lync reverse-proxy port model, or query it with JMESPath
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Validates a Lync Server 2013 / Skype for Business topology and returns the reverse-proxy
    port model that P(lync.reverse_proxy.port_model#filter) computes - firewall rules, routes,
    certificate names and warnings.
  - With O(query), also returns the result of a JMESPath expression evaluated on the model.
  - An invalid topology fails with every problem and its path (for example
    V(front_end_pools[1].servers[0]) and what is wrong there), listed in RV(problems) too.
  - The module changes nothing. It runs where the task runs; to keep netaddr and jmespath off
    your managed hosts, delegate it to the controller.
options:
  topology:
    description:
      - The deployment described once, conventionally the variable C(lync_topology). Its format
        is documented in full at P(lync.reverse_proxy.port_model#filter).
    type: dict
    required: true
  query:
    description:
      - A JMESPath expression evaluated on the model; its result is returned as RV(query_result).
    type: str
requirements:
  - netaddr (Python library, where the module runs)
  - jmespath (Python library, where the module runs; only with O(query))
attributes:
  check_mode:
    support: full
    description: The module changes nothing, so it computes the same result in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
  idempotent:
    support: full
    description: The same topology gives the same model, byte for byte.
seealso:
  - plugin: lync.reverse_proxy.port_model
    plugin_type: filter
  - plugin: lync.reverse_proxy.firewall_rules
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Compute the model on the controller
  lync.reverse_proxy.port_model_info:
    topology: "{{ lync_topology }}"
  delegate_to: localhost
  run_once: true
  register: lync_model

- name: Ports of the internal rules, with a JMESPath query
  lync.reverse_proxy.port_model_info:
    topology: "{{ lync_topology }}"
    query: "rules[?interface=='internal'].port"
  delegate_to: localhost
  run_once: true
  register: internal_ports
  # internal_ports.query_result == [4443, 443]
"""

RETURN = r"""
model:
  description:
    - The port model, keys C(kind), C(model_version), C(product), C(options), C(rules),
      C(reverse_proxy_groups), C(routes), C(certificate_names), C(simple_urls) and C(warnings); see
      P(lync.reverse_proxy.port_model#filter)
      for each. The collection's filters take it as a model (by C(kind) and C(model_version)).
  returned: success
  type: dict
problems:
  description: When the topology is invalid, each problem with its C(path) and C(message).
  returned: failure
  type: list
  elements: dict
  sample: [{path: "front_end_pools[1].servers[0]", message: "'10.0.0.300' is not an IP address"}]
query_result:
  description: What O(query) gives on the model.
  returned: when O(query) is given
  type: raw
  sample: [4443, 443]
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    MissingLibraryError,
    PortModelError,
    TopologyError,
    compute_model,
    query_model,
)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "topology": {"type": "dict", "required": True},
            "query": {"type": "str"},
        },
        supports_check_mode=True,
    )
    try:
        model = compute_model(module.params["topology"])
        result = {"changed": False, "model": model}
        if module.params["query"] is not None:
            result["query_result"] = query_model(model, module.params["query"])
    except MissingLibraryError as exc:
        module.fail_json(msg=missing_required_lib(exc.library))
    except TopologyError as exc:
        module.fail_json(msg=str(exc), problems=[{"path": p, "message": m} for p, m in exc.problems])
    except PortModelError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
