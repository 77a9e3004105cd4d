#!/usr/bin/env bash
# The playbooks that show text (port_table, verify's report) under a machine-readable output
# callback, as AWX and ANSIBLE_STDOUT_CALLBACK=ansible.posix.json run them: stdout is one JSON
# document, and the lines shown are in it.
set -euo pipefail

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
topology="$PWD/topology.yml"

# ansible.posix comes with the PyPI package ansible (make integration); ansible-test's own
# environments (--venv) have ansible-core alone and no way to install a collection here.
# Asked of ansible-playbook itself: ansible-doc may find the plugin on a path the playbook's
# collection loader does not search.
printf -- '- hosts: localhost\n  gather_facts: false\n  tasks: []\n' > "$work/probe.yml"
if ! ANSIBLE_STDOUT_CALLBACK=ansible.posix.json ansible-playbook -i localhost, "$work/probe.yml" 2> /dev/null |
    python -c 'import json, sys; json.load(sys.stdin)' > /dev/null 2>&1; then
  echo "json callback: SKIPPED - ansible.posix (its json callback) is not installed"
  exit 0
fi
export ANSIBLE_STDOUT_CALLBACK=ansible.posix.json

# The shown task's lines from the JSON on stdout (fails when stdout is not JSON).
shown() {
  python3 - "$1" "$2" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as handle:
    text = handle.read()
try:
    run = json.loads(text)
except ValueError as exc:
    sys.exit("stdout is not JSON (%s):\n%s" % (exc, text[:2000]))
for play in run["plays"]:
    for task in play["tasks"]:
        if task["task"]["name"] == sys.argv[2]:
            print("\n".join(task["hosts"]["localhost"]["msg"]))
            sys.exit(0)
sys.exit("no task %r in the JSON" % sys.argv[2])
PY
}

ansible-playbook -i localhost, lync.reverse_proxy.port_table -e "lync_topology_file=$topology" \
  -e "lync_port_table_dir=$work/out" "$@" > "$work/port_table.json"
shown "$work/port_table.json" "Show the port summary, the certificate names and the warnings" > "$work/port_table.txt"
grep -q "^Reverse proxy port summary (en), written to $work/out\$" "$work/port_table.txt"
grep -Eq '^\| HTTP/TCP/80 \| Any \| .*\(http://<published FQDN>\)' "$work/port_table.txt"
grep -qx 'Certificate names: dialin.contoso.com, lyncdiscover.contoso.com, meet.contoso.com, webext.contoso.com' \
  "$work/port_table.txt"
test -s "$work/out/port-table.en.md"

# verify.yml's report from recorded results (inventory.yml): one failed check fails the run, and
# stdout is still JSON, with the failed line first.
set +e
# (no host of the inventory is in a probing group: as Ansible's default, that is a warning)
ANSIBLE_HOST_PATTERN_MISMATCH=warning ansible-playbook -i inventory.yml lync.reverse_proxy.verify \
  -e "lync_verify_report_dir=$work/report" "$@" > "$work/verify.json"
rc=$?
set -e
test "$rc" -eq 2 || { echo "verify.yml with a failed check ended with $rc, not 2"; cat "$work/verify.json"; exit 1; }
shown "$work/verify.json" "Show what was checked" > "$work/verify.txt"
head -n 1 "$work/verify.txt" | grep -qx '4 checks, 1 failed'
sed -n 2p "$work/verify.txt" | grep -Eq '^FAIL +rp1 +http 10.0.10.11:8080: connection refused$'
grep -Eq '^OK +client +https webext.contoso.com 198.51.100.10:443: TLSv1.3, verified, HTTP 200' "$work/verify.txt"
python3 -c 'import json, sys; report = json.load(open(sys.argv[1])); assert report["failed"] == 1, report' \
  "$work/report/verify-report.json"
echo "json callback: ok"
