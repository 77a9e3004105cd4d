# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The topology is checked by ``_validate.SCHEMA`` and documented by the ``topology`` doc fragment:
every key the schema takes is documented at the same place, with the same ``required`` flag, and the
documentation lists no key the schema refuses. A test that fails when the two drift apart."""

from __future__ import annotations

import re

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.doc_fragments.topology import ModuleDocFragment
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model import _validate


def _nested(kind):
    """The schema of what a key holds, when it holds keys of its own."""
    if kind == "servers":
        return _validate._SERVER  # pylint: disable=protected-access
    if isinstance(kind, tuple) and kind[0] in ("list_of", "mapping"):
        return kind[1]
    return None


def _pairs(schema: dict, documented: dict, path: str = "_input"):
    """(path, what the schema says, what the document says) for each key of either."""
    for key in sorted(set(schema) | set(documented)):
        where = "%s.%s" % (path, key)
        declared = schema.get(key)
        kind, required = (declared.kind, declared.required) if declared else (None, None)
        option = documented.get(key)
        yield where, (key in schema, required), (option is not None, bool(option and option.get("required")))
        nested = _nested(kind)
        if nested is None or option is None:
            continue
        if option.get("suboptions"):
            yield from _pairs(nested, option["suboptions"], where)
        else:
            # Documented in words: the description names each key, or says whose keys it has.
            yield where + " (keys in the description)", set(nested), _keys_in_words(option, nested)


def _keys_in_words(option: dict, nested: dict) -> set:
    text = " ".join(option["description"]) if isinstance(option["description"], list) else option["description"]
    for key, declared in _validate.SCHEMA.items():
        if _nested(declared.kind) is nested and "O(_input.%s)" % key in text:
            return set(nested)
    return {key for key in nested if re.search(r"\b%s\b" % re.escape(key), text)}


def _documented() -> dict:
    return yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]["_input"]["suboptions"]


def test_the_fragment_documents_exactly_the_schema():
    drift = ["%s: schema %s, documentation %s" % (where, said, documented)
             for where, said, documented in _pairs(_validate.SCHEMA, _documented())
             if said != documented]
    assert not drift, "\n".join(drift)


def test_the_fragment_lists_the_products_the_schema_takes():
    assert tuple(_documented()["product"]["choices"]) == _validate.PRODUCTS


def test_a_drifted_fragment_is_caught():
    documented = _documented()
    del documented["front_end_pools"]["suboptions"]["vip"]
    documented["directors"]["required"] = True
    documented["office_web_apps"]["description"] = ["Each has C(name) and C(vip) and/or C(servers)."]
    drift = [where for where, said, seen in _pairs(_validate.SCHEMA, documented) if said != seen]
    assert drift == ["_input.directors", "_input.front_end_pools.vip",
                     "_input.office_web_apps (keys in the description)"]


@pytest.mark.parametrize("key", sorted(_validate.DEFAULT_OPTIONS))
def test_the_fragment_says_the_options_defaults(key):
    option = _documented()["options"]["suboptions"][key]
    assert option.get("default") == _validate.DEFAULT_OPTIONS[key]
