# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A model says what it is (kind and model_version), and survives Ansible's variables as plain data:
a topology is computed, a model is used as it is, anything else is an error that names what it found."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    MODEL_KIND,
    MODEL_VERSION,
    PortModelError,
    TopologyError,
    compute_model,
    ensure_model,
    is_model,
    model_kind,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    GOLDEN_DIR,
    full,
)


@pytest.fixture(name="model")
def fixture_model():
    return compute_model(full())


# Keys a model of version 1 gained after 1.0.0 (an added key does not raise model_version).
ADDED_SINCE_1_0 = ("reverse_proxy_groups",)


def _model_of_1_0(case="example"):
    """A model as lync.reverse_proxy 1.0.0 computed it: the golden reference without the marker
    (1.0.0's references are today's, key for key, but for kind, model_version and the keys added
    since, which a model of version 1 may lack)."""
    model = json.loads((GOLDEN_DIR / "model" / (case + ".ref")).read_text(encoding="utf-8"))
    del model["kind"], model["model_version"]
    for key in ADDED_SINCE_1_0:
        del model[key]
    return model


def test_the_model_carries_its_marker_first(model):
    assert MODEL_KIND == "lync.reverse_proxy/port-model" and MODEL_VERSION == 1
    assert list(model)[:2] == ["kind", "model_version"]
    assert (model["kind"], model["model_version"]) == (MODEL_KIND, MODEL_VERSION)


def test_a_topology_is_computed(model):
    assert model_kind(full()) == "topology" and not is_model(full())
    assert ensure_model(full()) == model


def test_a_model_is_used_as_it_is(model):
    assert model_kind(model) == "model" and is_model(model)
    assert ensure_model(model) is model


def test_the_marker_survives_json_and_yaml(model):
    """set_fact, register, a file: the model travels as plain data."""
    for text in (json.loads(json.dumps(model)), yaml.safe_load(yaml.safe_dump(model))):
        assert is_model(text)
        assert ensure_model(text) is text
        assert text == model


class _TaggedInt(int):
    """ansible-core 2.19 keeps values read from YAML as int subclasses with their origin."""


def test_an_int_subclass_is_a_version_a_bool_is_not(model):
    assert is_model(dict(model, model_version=_TaggedInt(1)))
    with pytest.raises(PortModelError, match="of model_version True, which this lync.reverse_proxy does not read"):
        is_model(dict(model, model_version=True))


@pytest.mark.parametrize("change, words", [
    ({"kind": "acme.proxy/port-model"},
     "the input has kind 'acme.proxy/port-model': it is neither a lync.reverse_proxy port model "
     "(kind lync.reverse_proxy/port-model) nor a lync_topology (which has no kind)"),
    ({"kind": None}, "the input has kind None: it is neither"),
    ({"model_version": 2},
     "the input is a lync.reverse_proxy/port-model of model_version 2, which this lync.reverse_proxy does not read "
     "(it reads model_version 1): compute the model again from the topology with lync.reverse_proxy.port_model"),
    ({"model_version": "1"}, "of model_version '1', which this lync.reverse_proxy does not read"),
    ({"model_version": None}, "of model_version None, which"),
])
def test_a_foreign_or_unknown_marker_is_an_error_naming_it(model, change, words):
    marked = dict(model, **change)
    for function in (model_kind, is_model, ensure_model):
        with pytest.raises(PortModelError) as caught:
            function(marked)
        assert words in str(caught.value)
        assert not isinstance(caught.value, TopologyError)


def test_a_marker_on_a_topology_is_refused_as_such():
    with pytest.raises(PortModelError, match="kind 'lync_topology'"):
        ensure_model(dict(full(), kind="lync_topology"))
    with pytest.raises(PortModelError, match="of model_version 1 without rules, routes, certificate_names, warnings: "):
        ensure_model(dict(full(), kind=MODEL_KIND, model_version=1))


def test_a_marked_model_without_a_key_of_its_version_is_an_error(model):
    del model["simple_urls"]
    with pytest.raises(PortModelError, match="^the input is a lync.reverse_proxy/port-model of model_version 1 "
                                             "without simple_urls: compute the model again"):
        ensure_model(model)


@pytest.mark.parametrize("case", ["example", "minimal", "dual_stack_restricted"])
def test_a_model_of_1_0_without_the_marker_is_still_a_model(case):
    """1.0.0 wrote no marker: a model it computed and a playbook kept (a fact cache, a file) has
    every key of model_version 1, and is taken as one."""
    old = _model_of_1_0(case)
    assert "kind" not in old and is_model(old)
    assert ensure_model(old) is old
    new = compute_model(yaml.safe_load((GOLDEN_DIR / "cases" / (case + ".yml")).read_text(encoding="utf-8"))
                        ["lync_topology"]) if case != "example" else None
    if new is not None:
        assert new["reverse_proxy_groups"] == []  # none of these cases has a group
        assert dict(old, kind=MODEL_KIND, model_version=MODEL_VERSION, reverse_proxy_groups=[]) == new


def test_the_model_keys_without_the_marker_and_the_rest_are_an_error():
    """A cut-down or hand-made model is not guessed at: the error says what was found and what is missing."""
    old = _model_of_1_0()
    partial = {key: old[key] for key in ("rules", "routes", "certificate_names", "warnings")}
    with pytest.raises(PortModelError) as caught:
        ensure_model(partial)
    assert str(caught.value) == (
        "the input has keys of a port model (rules, routes, certificate_names, warnings) but not its marker (kind: "
        "lync.reverse_proxy/port-model, model_version: 1) nor the other keys of a model lync.reverse_proxy 1.0 "
        "computed (missing: product, sip_domains, options, simple_urls): give the lync_topology, or the model "
        "lync.reverse_proxy.port_model computed from it")
    with pytest.raises(PortModelError, match=r"keys of a port model \(certificate_names\)"):
        ensure_model({"certificate_names": ["webext.contoso.com"]})


def test_a_topology_with_a_key_of_the_model_is_an_error_naming_it():
    with pytest.raises(PortModelError, match=r"^the input has keys of a port model \(rules\) but not its marker"):
        ensure_model(dict(full(), rules=[]))


def test_anything_else_is_left_to_the_topologys_validation():
    for data in (None, [], "text", {}, {"product": "lync2013"}):
        assert model_kind(data) == "topology"
        with pytest.raises(TopologyError):
            ensure_model(copy.deepcopy(data))


_IMPORTS = """
import json, sys
from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model
given = json.loads(sys.stdin.read())
_port_model.ensure_model(given)
if given.get("kind"):
    _port_model.firewall_config(given, "nftables", reverse_proxy="rp01", management_sources=["10.250.0.0/24"],
                                external_interfaces=["ext0"], internal_interfaces=["int0"])
prefix = "ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model."
print(json.dumps(sorted(name[len(prefix):] for name in sys.modules if name.startswith(prefix))))
"""


def _model_parts_imported(given) -> set:
    """The model's modules a fresh Python imports to take ``given`` (and, for a model, to render a firewall from it)."""
    import os  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel
    answer = subprocess.run([sys.executable, "-c", _IMPORTS], input=json.dumps(given), capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path)),
                            check=False, timeout=120)
    assert answer.returncode == 0, answer.stderr
    return set(json.loads(answer.stdout))


def test_a_model_given_loads_neither_the_computation_nor_the_validation(model):
    """Each task of a play runs in a worker of its own, which compiles every module it imports
    (Ansible's collection loader keeps no bytecode): code given the model must not load the
    topology's validation and the computation; given the topology, it does."""
    given = json.loads(json.dumps(model))
    assert not {"_compute", "_validate"} & _model_parts_imported(given)
    assert {"_compute", "_validate"} <= _model_parts_imported(full())
