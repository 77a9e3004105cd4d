# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The topology_import action (see plugins/modules/topology_import.py).

Everything happens on the controller, in this one process: the document is read as bytes, the
addresses file loaded, the names it lacks asked of the resolver in one batch, the topology imported
and its port model computed (validated once), and the file written only when its text changes. The
document and the topology never become task results or variables: through Ansible's variables a
document of a thousand pools took several times as long as the import itself.
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.action import ActionBase

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _topology_import as _import
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _user_path


class ActionModule(ActionBase):
    """Imports a Lync topology document into a lync_topology file on the controller."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_diff = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=_import.ARGUMENT_SPEC)
        try:
            document_path = _user_path.check(args["document"], exists="file", name="document")
            dest = _user_path.check(args["dest"], name="dest")
            addresses = args["addresses"]
            if isinstance(addresses, str):
                addresses = _import.load_addresses(
                    _user_path.check(addresses, exists="file", name="addresses"),
                    vault_loader=self._loader.load_from_file if self._loader is not None else None)
            elif addresses is not None and not isinstance(addresses, dict):
                raise AnsibleActionFail("addresses: expected the path of a YAML file or a mapping of FQDN to "
                                        "addresses, got %s" % type(addresses).__name__)
            else:
                addresses = _import.plain_data(addresses)
            with open(document_path, "rb") as handle:
                document = handle.read()
            asked: list = []

            def lookup(names):
                asked.extend(names)
                return _import.resolve_names(names)

            topology, validated = _model.import_document(
                document, addresses, simple_urls=_import.plain_data(args["simple_urls"]),
                reverse_proxies=_import.plain_data(args["reverse_proxies"]), options=_import.plain_data(args["options"]),
                site=_import.plain_data(args["site"]), lookup=lookup if args["dns"] else None)
            model = _model.model_of_validated(validated)
        except (_user_path.UserPathError, _import.AddressesFileError) as exc:
            raise AnsibleActionFail(str(exc)) from None
        except OSError as exc:
            raise AnsibleActionFail("document: cannot read %s: %s" % (args["document"], exc.strerror or exc)) from None
        except _model.MissingLibraryError as exc:
            raise AnsibleActionFail(missing_required_lib(exc.library)) from None
        except _model.PortModelError as exc:
            raise AnsibleActionFail("%s: %s" % (os.path.basename(document_path), exc)) from None

        comment = args["comment"]
        if comment is None:
            comment = "Imported by lync.reverse_proxy.topology_import from %s%s." % (
                os.path.basename(document_path), " (site %s)" % args["site"] if args["site"] else "")
        text = _import.file_text(topology, comment)
        try:
            changed, before = _import.write_file(dest, text, check_mode=self._task.check_mode)
        except OSError as exc:
            raise AnsibleActionFail("dest: cannot write %s: %s" % (dest, exc.strerror or exc)) from None
        if changed and self._task.diff:
            result["diff"] = {"before_header": dest, "after_header": dest, "before": before or "", "after": text}
        result.update(
            changed=changed,
            dest=dest,
            asked=len(asked),
            sip_domains=topology["sip_domains"],
            front_end_pools=[pool["name"] for pool in topology["front_end_pools"]],
            directors=[pool["name"] for pool in topology.get("directors", [])],
            office_web_apps=[farm["fqdn"] for farm in topology.get("office_web_apps", [])],
            certificate_names=model["certificate_names"],
            # Not "warnings": Ansible would show each as its own warning; the playbook shows them.
            model_warnings=model["warnings"],
        )
        return result
