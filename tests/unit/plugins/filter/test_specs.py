# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Each option is declared once: ``_specs`` turns the renderers' ``Option`` declarations and the
topology's ``Key`` declarations into the roles' argument specs (flat variables, and one dict per proxy
software) and the ``topology`` doc fragment. test_specs_files.py checks that the files say the same."""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model import _validate
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.firewalls import _iptables, _nftables, _ufw
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.proxies import _haproxy, _nginx
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.specs import _specs
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.firewalls._firewalld import RENDERER as FIREWALLD
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import Option

RENDERERS = [_haproxy.RENDERER, _nginx.RENDERER, _nftables.RENDERER, _iptables.RENDERER, FIREWALLD, _ufw.RENDERER]


# -- the spec of an option ----------------------------------------------------------------
def _name(key):
    return "x_" + key


@pytest.mark.parametrize("kind, type_", [("bool", "bool"), ("count", "int"), ("limit", "int"), ("text", "str")])
def test_the_type_comes_from_the_kind(kind, type_):
    option = Option(True if kind == "bool" else 1, kind=kind, description=("Something.",))
    assert _specs.option_spec(option, _name, _name) == {"description": "Something.", "type": type_, "default": option.default}


def test_choices_and_paragraphs():
    option = Option("a", choices=("a", "b"), description=("One {option:other}.", "Two {variable:thing}."))
    assert _specs.option_spec(option, _name, lambda key: "v_" + key) == {
        "description": ["One O(x_other).", "Two O(v_thing)."], "type": "str", "choices": ["a", "b"], "default": "a"}


def test_a_sized_option_takes_auto_or_a_number():
    spec = _specs.role_options("rp_haproxy")["rp_haproxy_maxconn"]
    assert (spec["type"], spec["default"]) == ("raw", "auto")
    assert _haproxy.RENDERER.sized_option == "maxconn" and _haproxy.RENDERER.options["maxconn"].default == 4096
    spec = _specs.role_options("rp_nginx")["rp_nginx_worker_connections"]
    assert (spec["type"], spec["default"]) == ("raw", "auto")


def test_an_option_without_a_description_is_refused():
    with pytest.raises(ValueError, match="without a description"):
        _specs.option_spec(Option("a"), _name, _name)


def test_a_description_naming_an_option_the_role_does_not_take_is_refused(monkeypatch):
    changed = dataclasses.replace(_haproxy.RENDERER.options["timeout_client"], description=("Unlike {option:pem_path}.",))
    monkeypatch.setitem(_haproxy.RENDERER.options, "timeout_client", changed)
    with pytest.raises(ValueError, match="rp_haproxy_timeout_client names the option 'pem_path'"):
        _specs.role_options("rp_haproxy")


@pytest.mark.parametrize("renderer", RENDERERS, ids=lambda renderer: renderer.name)
def test_every_option_is_described(renderer):
    assert [name for name, option in renderer.options.items() if not option.description] == []


# -- the roles' variables -------------------------------------------------------------------
def test_the_flat_roles_take_every_option_but_the_computed_ones():
    assert list(_specs.role_options("rp_haproxy")) == [
        "rp_haproxy_" + name for name in _haproxy.RENDERER.options
        if name not in ("pem_path", "ca_path", "acme_challenge_port")]
    assert list(_specs.role_options("rp_nginx")) == [
        "rp_nginx_" + name for name in _nginx.RENDERER.options
        if name not in ("certificate_path", "key_path", "ca_path", "socket_dir", "acme_challenge_port")]


def test_the_firewall_variables_are_the_backends_options():
    specs = _specs.role_options("rp_firewall")
    assert specs["rp_firewall_table"] == {"description": "nftables - the name of the table of our own.", "type": "str",
                                          "default": _nftables.RENDERER.options["table"].default}
    assert specs["rp_firewall_ufw_comment_prefix"]["default"] == _ufw.RENDERER.options["comment_prefix"].default
    assert specs["rp_firewall_firewalld_prefix"]["description"].startswith("firewalld - the prefix")
    assert specs["rp_firewall_iptables_chain_prefix"]["default"] == _iptables.RENDERER.options["chain_prefix"].default


@pytest.mark.parametrize("proxy, renderer", [("haproxy", _haproxy.RENDERER), ("nginx", _nginx.RENDERER)])
def test_the_proxy_dict_has_one_key_per_option(proxy, renderer):
    variable = _specs.proxy_variable(proxy)
    assert list(variable) == ["rp_proxy_" + proxy]
    spec = variable["rp_proxy_" + proxy]
    assert (spec["type"], spec["default"]) == ("dict", {})
    # the paths the role computes, backend_verify, which is rp_proxy_backend_verify beside its CA, and
    # acme_challenge_port, which is rp_proxy_acme_challenge_port with the certificate source acme
    computed = {"pem_path", "certificate_path", "key_path", "ca_path", "backend_verify", "acme_challenge_port"}
    assert list(spec["options"]) == [name for name in renderer.options if name not in computed]
    for name, option in spec["options"].items():
        declared = renderer.options[name]
        if name == renderer.sized_option:
            assert (option["type"], option["default"]) == ("raw", "auto")
        else:
            assert option["default"] == declared.default
            assert option["type"] == {"bool": "bool", "count": "int", "limit": "int", "text": "str"}[declared.kind]
            assert option.get("choices", []) == list(declared.choices)


def test_the_proxy_dict_names_its_own_keys_and_the_roles_variables():
    options = _specs.proxy_variable("haproxy")["rp_proxy_haproxy"]["options"]
    assert "O(rp_proxy_haproxy.timeout_handshake)" in options["timeout_client"]["description"][1]
    assert "O(rp_proxy_host_capacity)" in options["maxconn"]["description"][1]
    assert "backend_verify" not in options
    nginx = _specs.proxy_variable("nginx", prefix="lync_")["lync_nginx"]["options"]
    assert "socket_dir" in nginx and "O(lync_host_capacity)" in nginx["worker_connections"]["description"][1]


def test_the_proxy_dict_is_a_valid_argument_spec():
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    spec = _specs.proxy_variable("haproxy")
    result = ArgumentSpecValidator(spec).validate({"rp_proxy_haproxy": {"maxconn": "auto", "timeout_client": "30s"}})
    assert result.error_messages == []
    values = result.validated_parameters["rp_proxy_haproxy"]
    assert (values["maxconn"], values["timeout_client"], values["timeout_server"]) == ("auto", "30s", "960s")
    result = ArgumentSpecValidator(spec).validate({"rp_proxy_haproxy": {"log_requests": "some", "pem_path": "/x"}})
    assert "pem_path" in " ".join(result.error_messages) and "log_requests" in " ".join(result.error_messages)


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError, match="role must be one of rp_firewall, rp_haproxy, rp_nginx, got 'rp_squid'"):
        _specs.role_options("rp_squid")


def test_an_unknown_proxy_is_refused():
    with pytest.raises(ValueError, match="proxy must be one of haproxy, nginx, got 'squid'"):
        _specs.proxy_variable("squid")


# -- the topology -----------------------------------------------------------------------------
def test_the_fragment_takes_the_schema_s_defaults_and_words():
    documented = _specs.topology_fragment()["options"]["_input"]["suboptions"]
    assert {key: documented["options"]["suboptions"][key]["default"] for key in _validate.DEFAULT_OPTIONS} == \
        _validate.DEFAULT_OPTIONS
    assert "suboptions" not in documented["directors"] and "suboptions" in documented["front_end_pools"]
    assert documented["sip_domains"] == {"description": list(_validate.SCHEMA["sip_domains"].description),
                                         "type": "list", "elements": "str", "required": True}


def test_a_topology_key_without_a_description_is_refused(monkeypatch):
    monkeypatch.setitem(_validate.SCHEMA, "sip_domains", dataclasses.replace(_validate.SCHEMA["sip_domains"], description=()))
    with pytest.raises(ValueError, match="_input.sip_domains has no description"):
        _specs.topology_fragment()
