#!/usr/bin/env bash
# The port_table playbook end to end: writes the tables and names of a topology, and writes
# nothing at all for an invalid one.
set -euo pipefail

out="${OUTPUT_DIR:-$(mktemp -d)}/port-table"
topology=""
for dir in ${ANSIBLE_COLLECTIONS_PATH//:/ }; do
  candidate="$dir/ansible_collections/lync/reverse_proxy/playbooks/vars/example_topology.yml"
  if [ -f "$candidate" ]; then topology="$candidate"; break; fi
done
test -n "$topology" || { echo "cannot find the collection under test in ANSIBLE_COLLECTIONS_PATH"; exit 1; }
rm -rf "$out"

ansible-playbook lync.reverse_proxy.port_table -e "lync_topology_file=$topology" -e "lync_port_table_dir=$out" "$@"

for f in port-table.en.md port-table.ko.md port-table.en.html port-table.ko.html port-diagram.svg port-diagram.ko.svg \
         certificate-names.txt warnings.txt; do
  test -s "$out/$f" || { echo "missing or empty: $out/$f"; exit 1; }
done
grep -qx '| HTTPS/TCP/443 | Any | Reverse proxy listener rp01: 198.51.100.10, 2001:db8:100::10; Reverse proxy listener rp02: 198.51.100.11, 2001:db8:100::11 | Carries every published web service over SSL/TLS: address book download, Address Book Web Query service, Autodiscover, client updates, meeting content, device updates, group expansion, Office Web Apps for conferencing, dial-in conferencing and meetings. |' "$out/port-table.en.md"
grep -q '<html lang="ko">' "$out/port-table.ko.html"
grep -q '<svg xmlns="http://www.w3.org/2000/svg" class="lync-diagram" role="img"' "$out/port-diagram.svg"
grep -q 'HTTPS 443 → 4443' "$out/port-diagram.svg"
grep -qF '<figure class="diagram"><svg' "$out/port-table.en.html"
# The handout names the collection's version (MANIFEST.json when installed, galaxy.yml in a checkout).
version="$(python3 - "${topology%/playbooks/vars/example_topology.yml}" <<'PY'
import json, os, sys
root = sys.argv[1]
try:
    print(json.load(open(os.path.join(root, "MANIFEST.json")))["collection_info"]["version"])
except OSError:
    print(next(line.split(":", 1)[1].strip().strip("'\"") for line in open(os.path.join(root, "galaxy.yml"))
               if line.startswith("version:")))
PY
)"
grep -qF "<meta name=\"generator\" content=\"lync.reverse_proxy $version\">" "$out/port-table.en.html"
grep -q '역방향 프록시 수신기' "$out/port-table.ko.md"
test "$(wc -l < "$out/certificate-names.txt")" -eq 8
head -n1 "$out/certificate-names.txt" | grep -qx 'dialin.contoso.com'
grep -q 'Central Management Store' "$out/warnings.txt"

# A second run changes nothing.
ansible-playbook lync.reverse_proxy.port_table -e "lync_topology_file=$topology" -e "lync_port_table_dir=$out" "$@" \
  | tee "$out.second.log"
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' "$out.second.log"
# The summary reaches the terminal through the output callback as text a person reads: one table
# line per line, the Markdown's HTML escapes undone (json_callback: the same as JSON).
grep -Eq '^ *"\| HTTP/TCP/80 \| Any \| .*\(http://<published FQDN>\)' "$out.second.log"
if grep -q '&lt;' "$out.second.log"; then echo "escaped Markdown on the terminal"; exit 1; fi
grep -q '^ *"Certificate names: dialin.contoso.com, ' "$out.second.log"

# Run as documented (-i localhost,): no inventory warning, the controller's own Python.
ansible-playbook -i localhost, lync.reverse_proxy.port_table -e "lync_topology_file=$topology" \
  -e "lync_port_table_dir=$out" > "$out.third.log" 2>&1
if grep -Eqi 'no inventory was parsed|provided hosts list is empty|interpreter' "$out.third.log"; then
  echo "warnings on a documented run:"; cat "$out.third.log"; exit 1
fi

# An inventory that names localhost (no interpreter given) on a controller whose PATH starts with
# Pythons that cannot run (pyenv shims of versions not installed): interpreter discovery would pick
# one of them - the ping shows it - while the playbook runs its modules with the Python that runs
# ansible-playbook.
mkdir -p "$out.shim"
for name in python3 python3.8 python3.9 python3.10 python3.11 python3.12 python3.13 python3.14; do
  printf '#!/bin/sh\necho "pyenv: version 3.9.99 is not installed" >&2\nexit 127\n' > "$out.shim/$name"
  chmod +x "$out.shim/$name"
done
printf 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n' > "$out.inventory.yml"
# (ansible-test names an interpreter in the environment: not here, so that discovery runs.)
if PATH="$out.shim:$PATH" env -u ANSIBLE_PYTHON_INTERPRETER ansible -i "$out.inventory.yml" localhost \
    -m ansible.builtin.ping > "$out.ping.log" 2>&1 || ! grep -q 'version 3.9.99 is not installed' "$out.ping.log"; then
  cat "$out.ping.log"; echo "the shims do not stand in the way of interpreter discovery: this check proves nothing"; exit 1
fi
rm -rf "$out.shimmed"
PATH="$out.shim:$PATH" env -u ANSIBLE_PYTHON_INTERPRETER ansible-playbook -i "$out.inventory.yml" lync.reverse_proxy.port_table \
  -e "lync_topology_file=$topology" -e "lync_port_table_dir=$out.shimmed" > "$out.shimmed.log" 2>&1 \
  || { cat "$out.shimmed.log"; echo "port_table failed with python3 shims first on the PATH"; exit 1; }
cmp "$out/port-table.en.md" "$out.shimmed/port-table.en.md"

# An invalid topology fails before anything is written, with the path of the bad value.
bad="$(mktemp)"
sed 's/10.0.10.12/10.0.10.312/' "$topology" > "$bad"
rm -rf "$out.bad"
if ansible-playbook lync.reverse_proxy.port_table -e "lync_topology_file=$bad" -e "lync_port_table_dir=$out.bad" \
    "$@" > "$out.bad.log" 2>&1; then
  echo "the playbook accepted an invalid topology"; exit 1
fi
grep -q "front_end_pools\[0\].servers\[1\] (pool01): '10.0.10.312' is not an IP address" "$out.bad.log"
if grep -q Traceback "$out.bad.log"; then echo "a traceback reached the user"; exit 1; fi
test ! -e "$out.bad"

# Relative paths are the user's: from the directory ansible-playbook is started in, the topology is
# read and the tables written there, never in the installed collection; the summary names the
# absolute path. PWD is left as it was on purpose: the working directory is what counts.
user="$(mktemp -d)"
mkdir -p "$user/group_vars/all"
cp "$topology" "$user/group_vars/all/topology.yml"
collection="$(dirname "$(dirname "$topology")")"
before="$(find "$collection" -path '*/__pycache__' -prune -o -type f -print | sort | xargs md5sum)"
(cd "$user" && ansible-playbook -i localhost, lync.reverse_proxy.port_table -e lync_topology_file=group_vars/all/topology.yml \
  -e lync_port_table_dir=out/ "$@") > "$out.relative.log"
test -s "$user/out/port-table.en.md" && test -s "$user/out/certificate-names.txt"
grep -Eq "written to $user/out"'("|$)' "$out.relative.log"
test "$before" = "$(find "$collection" -path '*/__pycache__' -prune -o -type f -print | sort | xargs md5sum)"
# A missing file is named as typed and as tried, and nothing is written.
if (cd "$user" && ansible-playbook -i localhost, lync.reverse_proxy.port_table -e lync_topology_file=nothere.yml \
    -e lync_port_table_dir=missing/ "$@") > "$out.missing.log" 2>&1; then
  echo "the playbook accepted a missing topology file"; exit 1
fi
grep -qF "lync_topology_file: 'nothere.yml' not found: tried $user/nothere.yml (a relative path is relative to the directory ansible-playbook was started in)" "$out.missing.log"
test ! -e "$user/missing"
echo "port_table playbook: ok"
