#!/usr/bin/env bash
# The import_topology playbook end to end: a Topology Builder file and a published topology in,
# a topology file out that port_model accepts; names the addresses file lacks come from the
# hosts file (looked up in a network namespace of its own with a hosts file of the test's, so no
# query can leave this machine); bad input fails with a sentence and writes nothing.
set -euo pipefail

base="${OUTPUT_DIR:-$(mktemp -d)}/import"
collection=""
for dir in ${ANSIBLE_COLLECTIONS_PATH//:/ }; do
  candidate="$dir/ansible_collections/lync/reverse_proxy"
  if [ -f "$candidate/playbooks/import_topology.yml" ]; then collection="$candidate"; break; fi
done
test -n "$collection" || { echo "cannot find the collection under test in ANSIBLE_COLLECTIONS_PATH"; exit 1; }
docs="$collection/tests/unit/plugins/module_utils/_port_model/fixtures/topology"
golden="$collection/tests/golden/import/two_sites_tbxml.ref"
rm -rf "$base"; mkdir -p "$base"

same_topology() {  # the lync_topology of a written file equals a JSON reference
  python3 - "$1" "$2" <<'PY'
import json, sys, yaml
written = yaml.safe_load(open(sys.argv[1]))["lync_topology"]
expected = json.load(open(sys.argv[2]))
key = lambda pool: pool["name"]
for topology in (written, expected):
    topology["front_end_pools"].sort(key=key)
assert written == expected, (written, expected)
PY
}

# 1. Topology Builder's file, every name in the addresses file, no DNS.
ansible-playbook lync.reverse_proxy.import_topology -e "lync_topology_document=$docs/two_sites.tbxml" \
  -e "lync_topology_file=$base/tbxml.yml" -e "lync_topology_addresses=$docs/two_sites.addresses.yml" \
  -e lync_topology_dns=false "$@" | tee "$base/tbxml.log"
same_topology "$base/tbxml.yml" "$golden"
head -n 2 "$base/tbxml.yml" | grep -q "Imported by lync.reverse_proxy.import_topology from two_sites.tbxml"
grep -q '"lync.contoso.com"' "$base/tbxml.log"   # the certificate names of option 3

# 2. The published topology, some names from the hosts file, the addresses file winning over it.
simple='{"lync_topology_simple_urls": {"meet": ["https://lync.contoso.com/Meet", "https://lync.fabrikam.com/Meet"], "dialin": ["https://lync.contoso.com/Dialin"]}}'
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null; then
  grep -v -e '^fe2' -e '^pool02.corp.contoso.com' "$docs/two_sites.addresses.yml" > "$base/partial.yml"
  printf '127.0.0.1 localhost\n10.2.10.11 fe21.corp.contoso.com pool02.corp.contoso.com\n10.2.10.12 fe22.corp.contoso.com pool02.corp.contoso.com\n10.9.9.9 fe01.corp.contoso.com\n' > "$base/hosts"
  # shellcheck disable=SC2016  # $0 and $@ are the inner shell's own arguments
  unshare --mount --net sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$base/hosts" \
    ansible-playbook lync.reverse_proxy.import_topology -e "lync_topology_document=$docs/two_sites.xml" \
    -e "lync_topology_file=$base/published.yml" -e "lync_topology_addresses=$base/partial.yml" -e "$simple" "$@"
  same_topology "$base/published.yml" "$golden"
else
  echo "not root or no unshare: the lookup through the hosts file is not exercised here"
fi

# 3. One site, and a port table of the written file.
ansible-playbook lync.reverse_proxy.import_topology -e "lync_topology_document=$docs/two_sites.xml" \
  -e "lync_topology_file=$base/busan.yml" -e "lync_topology_addresses=$docs/two_sites.addresses.yml" \
  -e lync_topology_dns=false -e lync_topology_site=Busan -e "$simple" "$@"
python3 -c 'import sys, yaml; t = yaml.safe_load(open(sys.argv[1]))["lync_topology"]; assert [p["name"] for p in t["front_end_pools"]] == ["pool02", "pool02-fabrikam"], t' "$base/busan.yml"
ansible-playbook lync.reverse_proxy.port_table -e "lync_topology_file=$base/busan.yml" -e "lync_port_table_dir=$base/table" "$@" > /dev/null
grep -q '10.2.10.11' "$base/table/port-table.en.md"

# 4. Bad input: a sentence, no traceback, no file.
fails_with() {  # fails_with WORDS DOCUMENT [ARGS...]
  local words="$1" document="$2"; shift 2
  rm -f "$base/bad.yml"
  if ansible-playbook lync.reverse_proxy.import_topology -e "lync_topology_document=$document" \
      -e "lync_topology_file=$base/bad.yml" -e lync_topology_dns=false "$@" > "$base/bad.log" 2>&1; then
    echo "accepted: $document $*"; exit 1
  fi
  grep -qF -- "$words" "$base/bad.log" || { cat "$base/bad.log"; echo "expected: $words"; exit 1; }
  if grep -q Traceback "$base/bad.log"; then echo "a traceback reached the user"; exit 1; fi
  test ! -e "$base/bad.yml"
}
fails_with "addresses has no address for 11 names the import needs: fe01.corp.contoso.com" "$docs/two_sites.tbxml"
fails_with "carries no simple URLs: give simple_urls" "$docs/two_sites.xml" -e "lync_topology_addresses=$docs/two_sites.addresses.yml"
fails_with "site 'Daegu' is not a central site of the topology (by name, in any case, or SiteId); its sites: Seoul (SiteId 1)" "$docs/two_sites.tbxml" -e lync_topology_site=Daegu
printf '<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY a "aaaa">]>\n<Topology xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008">&a;</Topology>\n' > "$base/dtd.xml"
fails_with "refused before parsing: it has a document type declaration" "$base/dtd.xml"
head -c 3000 "$docs/two_sites.tbxml" > "$base/truncated.tbxml"
fails_with "not well-formed XML" "$base/truncated.tbxml"

# 5. A Standard Edition server's .tbxml (UTF-16 as Windows PowerShell's Out-File writes it), with
# a python3 on the PATH that cannot run (a pyenv shim of a version not installed): the playbook runs
# its tasks with the Python that runs ansible-playbook. No names file: the names come from the
# hosts file, in one call.
mkdir -p "$base/shim"
printf '#!/bin/sh\necho "pyenv: version 3.9.99 is not installed" >&2\nexit 127\n' > "$base/shim/python3"
chmod +x "$base/shim/python3"
python3 -c 'import sys; t = open(sys.argv[1], encoding="utf-8-sig").read(); open(sys.argv[2], "wb").write(b"\xff\xfe" + t.encode("utf-16-le"))' \
  "$docs/standard_edition.tbxml" "$base/se-utf16.tbxml"
printf 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n' > "$base/localhost.yml"
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null; then
  printf '127.0.0.1 localhost\n10.20.0.11 sfb-se01.corp.northwind.example\n10.20.0.21 owa.corp.northwind.example\n' > "$base/se-hosts"
  # shellcheck disable=SC2016  # $0 and $@ are the inner shell's own arguments
  PATH="$base/shim:$PATH" unshare --mount --net sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$base/se-hosts" \
    ansible-playbook -i "$base/localhost.yml" lync.reverse_proxy.import_topology \
    -e "lync_topology_document=$base/se-utf16.tbxml" -e "lync_topology_file=$base/se.yml" "$@" | tee "$base/se.log"
  test "$(grep -c 'Ask the hosts file and DNS' "$base/se.log")" = 1
  python3 - "$base/se.yml" <<'PY'
import sys, yaml
t = yaml.safe_load(open(sys.argv[1]))["lync_topology"]
assert t["front_end_pools"] == [{"name": "sfb-se01", "external_web_fqdn": "sfbweb.northwind.example",
                                 "servers": [{"address": "10.20.0.11", "fqdn": "sfb-se01.corp.northwind.example"}]}], t
assert t["office_web_apps"][0]["servers"] == ["10.20.0.21"], t
PY
else
  echo "not root or no unshare: the Standard Edition import through the hosts file is not exercised here"
fi
echo "import_topology playbook: ok"
