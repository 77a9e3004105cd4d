#!/usr/bin/env bash
# The Windows roles through ansible-playbook, with the Windows modules replaced by recorders (the
# stand-in collections under collections/: each checks its arguments against the real module's
# documentation and keeps a recorded Windows host as JSON): the play of roles/rp_iis_arr/README.md,
# run from another directory than the playbook's, four ways - check mode on fresh hosts (nothing
# fails, something would change, nothing is changed), a run, check mode again and a run again
# (nothing changes) - then the play of roles/rp_windows_firewall/README.md (egress filtering on the
# proxy) the same way, the first play again (the two roles agree), and the first play after the
# model stops opening port 80.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# ansible-test runs a copy of this directory elsewhere: the collection under test is found the way
# port_table_playbook finds it, in ANSIBLE_COLLECTIONS_PATH.
root=""
for dir in ${ANSIBLE_COLLECTIONS_PATH//:/ }; do
  if [ -f "$dir/ansible_collections/lync/reverse_proxy/galaxy.yml" ]; then
    root="$dir/ansible_collections/lync/reverse_proxy"; break
  fi
done
test -n "$root" || { echo "cannot find the collection under test in ANSIBLE_COLLECTIONS_PATH"; exit 1; }
# The recorders check every call against the real modules' documentation, which comes with the
# PyPI package ansible (make integration); ansible-test's own environments (--venv) have
# ansible-core alone and no way to install a collection here.
if ! python -c 'import pathlib, sys, sysconfig
real = pathlib.Path(sysconfig.get_paths()["purelib"]) / "ansible_collections/ansible/windows/plugins/modules"
sys.exit(not real.is_dir())'; then
  echo "windows roles check mode: SKIPPED - ansible.windows (its module documentation) is not installed"
  exit 0
fi
work="${OUTPUT_DIR:-$(mktemp -d)}/windows-roles"
rm -rf "$work" && mkdir -p "$work/files" "$work/inventory/group_vars" "$work/hosts"

# the plays, exactly as the roles' READMEs give them
for role in rp_iis_arr rp_windows_firewall; do
  python - "$root/roles/$role/README.md" "$work/$role.yml" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write("---\n" + re.search(r"```yaml\n(.*?)```", text, re.S).group(1))
PY
done
# the Windows guide gives the same play as rp_iis_arr's README
python - "$root/docs/docsite/rst/guide_windows.rst" "$work/rp_iis_arr.yml" <<'PY'
import re, sys, textwrap, yaml
block = re.search(r"\.\. code-block:: yaml\n\n((?:   .*\n|\n)+)", open(sys.argv[1], encoding="utf-8").read()).group(1)
if yaml.safe_load(textwrap.dedent(block)) != yaml.safe_load(open(sys.argv[2], encoding="utf-8")):
    sys.exit("the play of docs/docsite/rst/guide_windows.rst is not the one of roles/rp_iis_arr/README.md")
PY
cp "$root/playbooks/vars/example_topology.yml" "$work/inventory/group_vars/all.yml"
printf 'vault_listener_pfx_password: secret-%s\n' "$RANDOM" > "$work/inventory/group_vars/lync_windows_reverse_proxies.yml"
python "$here/make_certificates.py" "$work/inventory/group_vars/all.yml" "$work/files" \
  "$(sed -n 's/^vault_listener_pfx_password: //p' "$work/inventory/group_vars/lync_windows_reverse_proxies.yml")"
cat > "$work/inventory/hosts.yml" <<YAML
---
lync_windows_reverse_proxies:
  hosts:
    rp01:
lync_windows_servers:
  hosts:
    fe01:
      rp_windows_firewall_host_addresses: [10.0.10.11]
all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
YAML
# fresh hosts: Windows with the installers in place, nothing else
for host in rp01 fe01; do
  python - "$work/hosts/$host.json" "$host" <<'PY'
import json, sys
host = {"files": {}, "features": [], "packages": [], "stores": {"My": {}, "Root": {}, "CA": {}}, "machine_keys": 0,
        "firewall_rules": {}, "profiles": {}, "hosts": [], "iis": None}
if sys.argv[2] == "rp01":
    host["files"] = {"C:\\Installers\\rewrite_amd64_en-US.msi": "installer",
                     "C:\\Installers\\requestRouter_amd64.msi": "installer"}
json.dump(host, open(sys.argv[1], "w"), indent=2, sort_keys=True)
PY
  cp "$work/hosts/$host.json" "$work/hosts/$host.fresh.json"
done

export ANSIBLE_COLLECTIONS_PATH="$here/collections:${ANSIBLE_COLLECTIONS_PATH:-}"
export LYNC_WINDOWS_HOST="$work/hosts/%(host)s.json" LYNC_WINDOWS_LOG="$work/recorded.log"
export LYNC_ROLE_FILES="$root/roles/rp_iis_arr/files"

phase() {  # play, name, expect, facts..., -- ansible-playbook arguments
  local play="$1" name="$2" expect="$3"; shift 3
  local facts=()
  while [ "$1" != "--" ]; do facts+=("$1"); shift; done
  shift
  : > "$LYNC_WINDOWS_LOG"
  echo "== $name"
  # from the play's directory, as the README says: files/ is relative to where ansible-playbook starts
  (cd "$work" && ansible-playbook -i "$work/inventory" "$work/$play.yml" "$@") > "$work/$name.out" || {
    cat "$work/$name.out"; exit 1; }
  grep -A3 'PLAY RECAP' "$work/$name.out"
  python "$here/verify.py" "$LYNC_WINDOWS_LOG" "$work/hosts" "$expect" "${facts[@]}"
}

phase rp_iis_arr check-fresh changes fresh -- --check --diff
phase rp_iis_arr apply changes applied one-key --
phase rp_iis_arr check-again none applied one-key -- --check --diff
phase rp_iis_arr apply-again none applied one-key --

# egress filtering on the proxy: its own rules beside rp_iis_arr's, which neither role then undoes
phase rp_windows_firewall egress-check changes applied -- --check --diff
phase rp_windows_firewall egress changes applied egress --
phase rp_windows_firewall egress-check-again none applied egress -- --check --diff
phase rp_windows_firewall egress-again none applied egress --
phase rp_iis_arr apply-after-egress none applied egress one-key --

# the model no longer opens port 80: the listener rule and the binding go, then nothing changes
sed -i 's/http_redirect: true/http_redirect: false/' "$work/inventory/group_vars/all.yml"
phase rp_iis_arr apply-without-80 changes no-80 egress one-key --
phase rp_iis_arr apply-without-80-again none no-80 egress one-key --
echo "windows roles with recorders: ok"
