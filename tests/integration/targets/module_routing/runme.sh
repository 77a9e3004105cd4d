#!/usr/bin/env bash
# The modules renamed in 1.1.0 (firewall_facts -> firewall_info, proxy_facts -> proxy_info) still
# run by their old names through ansible-playbook, with the same result and a deprecation warning
# that names the new name and the version that removes the old one; ansible-doc follows the
# redirect as well.
set -euo pipefail

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf 'read by two names\n' > "$work/file.txt"

export ANSIBLE_DEPRECATION_WARNINGS=true
if ! ansible-playbook -i localhost, routing.yml -e "lync_routing_file=$work/file.txt" "$@" > "$work/run.log" 2>&1; then
  cat "$work/run.log"; exit 1
fi
# One line per warning, whatever the terminal's width.
tr -s ' \n' ' ' < "$work/run.log" > "$work/flat.log"
for old in firewall proxy; do
  grep -q "lync.reverse_proxy.${old}_facts is now named lync.reverse_proxy.${old}_info" "$work/flat.log" \
    || { echo "no deprecation warning for ${old}_facts:"; cat "$work/run.log"; exit 1; }
done
grep -q "removed from collection 'lync.reverse_proxy' version 3.0.0" "$work/flat.log" \
  || { echo "the warning does not say when the old names go:"; cat "$work/run.log"; exit 1; }
grep -Eq 'localhost +: ok=5 +changed=0 +unreachable=0 +failed=0' "$work/run.log"

# ansible-doc shows the renamed module's documentation under the old name.
ansible-doc -t module lync.reverse_proxy.firewall_facts 2>&1 | tr -s ' \n' ' ' > "$work/doc.log"
grep -q 'firewall_info' "$work/doc.log" || { echo "ansible-doc does not follow the redirect:"; cat "$work/doc.log"; exit 1; }
echo "module routing: ok"
