# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The port model's layers import only downward, read from every file's imports (ast).

The order, from the import graph:

* ``model`` (data, errors, validation, computation, addresses, selection, policy, TLS) is the
  bottom: it imports only itself.
* ``renderers`` imports the model. Its two sub-packages, ``renderers/firewalls`` (the backends and
  ``BACKENDS``) and ``renderers/proxies`` (the proxies and ``PROXIES``), import the model and the
  files directly in ``renderers`` (``_renderer``), not each other; the files directly in
  ``renderers`` import neither sub-package.
* ``documents`` (the topology documents, the PFX and PEM files) imports the model only.
* ``specs`` (the declarations as argument specs and doc fragments, for make specs) is the top: it
  imports the model and the renderers, and no other part imports it.

``renderers`` and ``documents`` are beside each other, both above the model: neither imports the
other. No file of a layer imports the package itself (``_port_model/__init__.py``, the lazy
names): that is the way in for filters, modules and actions, not for the parts.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model

PACKAGE = "ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model"
ROOT = pathlib.Path(_port_model.__file__).parent

# each layer (a sub-package, dotted below _port_model) and the layers its files may import
MAY_IMPORT = {
    "model": {"model"},
    "renderers": {"model", "renderers"},
    "renderers.firewalls": {"model", "renderers", "renderers.firewalls"},
    "renderers.proxies": {"model", "renderers", "renderers.proxies"},
    "documents": {"model", "documents"},
    # the declarations written as documentation (make specs): the top, nothing imports it
    "specs": {"model", "renderers", "renderers.firewalls", "renderers.proxies", "specs"},
}


def _layer_of_module(dotted: str) -> str:
    """The layer of a name imported from the port model, given as dotted below _port_model: the
    package that holds it ("" is the package itself)."""
    parts = dotted.split(".") if dotted else []
    while parts and not (ROOT.joinpath(*parts) / "__init__.py").is_file():
        parts = parts[:-1]  # a module, or a name in a module: its layer is its package
    return ".".join(parts)


def imported_layers(source: str) -> set:
    """The layers of the port model that a file's source imports ("" for the package itself)."""
    layers = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import: use the absolute ansible_collections path"
            # "from <package>.renderers.firewalls import _nftables" imports modules of a package
            targets = [node.module + "." + alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                layers.add(_layer_of_module(target[len(PACKAGE) + 1:]))
    return layers


def _files():
    for path in sorted(ROOT.rglob("*.py")):
        if path != ROOT / "__init__.py":
            yield path


@pytest.mark.parametrize("path", list(_files()), ids=lambda path: str(path.relative_to(ROOT)))
def test_a_file_imports_only_its_own_layer_and_the_layers_below(path):
    layer = ".".join(path.relative_to(ROOT).parent.parts)
    assert layer in MAY_IMPORT, "%s is in no layer: put it in one of %s" % (path.name, sorted(MAY_IMPORT))
    upward = imported_layers(path.read_text(encoding="utf-8")) - MAY_IMPORT[layer]
    assert not upward, "%s (layer %s) imports %s" % (
        path.relative_to(ROOT), layer, ", ".join(sorted(name or "the package itself" for name in upward)))


def test_every_layer_is_a_package_with_its_own_description():
    for layer in MAY_IMPORT:
        init = ROOT.joinpath(*layer.split(".")) / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


def test_the_check_sees_an_upward_import():
    model_file = ("from %s.model._errors import PortModelError\n"
                  "from %s.renderers.firewalls import _nftables\n"
                  "from %s import compute_model\n") % (PACKAGE, PACKAGE, PACKAGE)
    assert imported_layers(model_file) == {"model", "renderers.firewalls", ""}
    assert imported_layers("import %s.documents._pfx\n" % PACKAGE) == {"documents"}
