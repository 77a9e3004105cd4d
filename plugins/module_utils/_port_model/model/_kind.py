# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a port model is, told by its marker. PRIVATE to the lync.reverse_proxy collection.

A model says what it is: ``kind: lync.reverse_proxy/port-model`` and ``model_version: 1`` (see
``_compute``, which computes it). This part imports nothing of the computation or the topology's
validation, so that code given a model (an action of site.yml, in a forked worker that compiles
every module it imports) does not load them; :func:`ensure_model` imports them for a topology only.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError

__all__ = ["MODEL_KEYS", "MODEL_KIND", "MODEL_V1_KEYS", "MODEL_VERSION", "ensure_model", "is_model", "model_kind"]

# The marker of a model: its kind, and the version of its keys' meaning this code writes and reads.
MODEL_KIND = "lync.reverse_proxy/port-model"
MODEL_VERSION = 1
# The keys only a model has (a topology has none of them): the DESIGN contract's four.
MODEL_KEYS = ("rules", "routes", "certificate_names", "warnings")
# Every key of a model of model_version 1 besides the marker: what lync.reverse_proxy 1.0 computed
# (without a marker) and what this code reads.
MODEL_V1_KEYS = ("product", "sip_domains", "options", "rules", "routes", "certificate_names", "simple_urls", "warnings")


def _names(keys) -> str:
    return ", ".join(str(key) for key in keys)


def model_kind(data: object) -> str:
    """``model`` or ``topology``: what ``data`` is, by the model's marker.

    - ``kind: lync.reverse_proxy/port-model`` with ``model_version: 1`` and every key of that
      version: a model.
    - No marker and none of the model's own keys (rules, routes, certificate_names, warnings): a
      topology (anything else that is not a model, left to the topology's validation).
    - No marker and every key of a model of version 1: a model lync.reverse_proxy 1.0 computed
      (1.0 wrote no marker; its keys are those of version 1) - taken as a model.

    Raises PortModelError, naming what it found, for a marker of another kind or of a version this
    code does not read, for a marked model without a key of its version, and for a dict with some of
    the model's keys but neither the marker nor every key of a 1.0 model (hand-made, cut down, or a
    topology with a model's key in it).
    """
    if not isinstance(data, Mapping):
        return "topology"
    if "kind" in data or "model_version" in data:
        kind, version = data.get("kind"), data.get("model_version")
        if kind != MODEL_KIND:
            raise PortModelError(
                "the input has kind %r: it is neither a lync.reverse_proxy port model (kind %s) nor a lync_topology "
                "(which has no kind)" % (kind, MODEL_KIND))
        # An int subclass is fine (ansible-core 2.19 tags values read from YAML); a bool is not.
        if isinstance(version, bool) or not isinstance(version, int) or version != MODEL_VERSION:
            raise PortModelError(
                "the input is a %s of model_version %r, which this lync.reverse_proxy does not read (it reads "
                "model_version %d): compute the model again from the topology with lync.reverse_proxy.port_model"
                % (MODEL_KIND, version, MODEL_VERSION))
        missing = [key for key in MODEL_V1_KEYS if key not in data]
        if missing:
            raise PortModelError(
                "the input is a %s of model_version %d without %s: compute the model again from the topology with "
                "lync.reverse_proxy.port_model" % (MODEL_KIND, version, _names(missing)))
        return "model"
    found = [key for key in MODEL_KEYS if key in data]
    if not found:
        return "topology"
    missing = [key for key in MODEL_V1_KEYS if key not in data]
    if not missing:
        return "model"  # computed by lync.reverse_proxy 1.0, before the marker
    raise PortModelError(
        "the input has keys of a port model (%s) but not its marker (kind: %s, model_version: %d) nor the other keys "
        "of a model lync.reverse_proxy 1.0 computed (missing: %s): give the lync_topology, or the model "
        "lync.reverse_proxy.port_model computed from it" % (_names(found), MODEL_KIND, MODEL_VERSION, _names(missing)))


def is_model(data: object) -> bool:
    """True when ``data`` is a port model (:func:`model_kind`), False when it is to be taken as a
    topology; raises PortModelError for a foreign or unknown marker and for a partial model."""
    return model_kind(data) == "model"


def ensure_model(data: object) -> dict:
    """Return ``data`` when it is already a model, else compute the model from it as a topology."""
    if is_model(data):
        return data
    # the computation (and the topology's validation) imported only for a topology: an action given
    # the model does not compile them in its worker
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._compute import compute_model
    return compute_model(data)
