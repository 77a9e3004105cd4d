#!/usr/bin/env bash
# The execution environment, run as AWX or ansible-navigator would run it, without a network:
# the collection and its Python libraries are in it, and the port_table playbook works in it.
set -euo pipefail
image=$1
version=$2
out=$(podman run --rm --network none "$image" bash -c '
  set -e
  ansible-galaxy collection list lync.reverse_proxy
  python3 -c "import netaddr, jmespath, defusedxml, winrm, pypsrp; print(\"libraries: ok\")"
  command -v ssh
  cd /tmp && ansible-playbook -i localhost, lync.reverse_proxy.port_table -e lync_port_table_dir=/tmp/out
  ls /tmp/out')
echo "$out"
grep -Eq "^lync\.reverse_proxy +${version//./\\.}( |$)" <<< "$out"
grep -qx 'libraries: ok' <<< "$out"
grep -q '^ *"| HTTPS/TCP/443 | Any | Reverse proxy listener rp01' <<< "$out"  # a line of the debug list
grep -Eq 'localhost +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' <<< "$out"
for f in port-table.en.md port-table.en.html port-diagram.svg certificate-names.txt; do grep -qx "$f" <<< "$out"; done
echo "ee: $image runs the collection"
