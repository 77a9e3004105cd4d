#!/usr/bin/env bash
# The render playbook: one script per reverse proxy and per server address of the example
# topology, each parsing as PowerShell; a second run changes nothing.
set -euo pipefail

out="${OUTPUT_DIR:-$(mktemp -d)}/windows-scripts"
rm -rf "$out"
ansible-playbook lync.reverse_proxy.render -e "lync_render_dir=$out" "$@"

test -s "$out/reverse-proxy-rp01.ps1"
# A relative directory is the user's, from where ansible-playbook is started.
user="$(mktemp -d)"
(cd "$user" && ansible-playbook lync.reverse_proxy.render -e lync_render_dir=scripts/ "$@") > "$out.relative.log"
test -s "$user/scripts/reverse-proxy-rp01.ps1"
grep -q "11 scripts in $user/scripts\"" "$out.relative.log"
test -s "$out/reverse-proxy-rp02.ps1"
test "$(find "$out" -name 'server-*.ps1' | wc -l)" -eq 9
grep -q "New-NetFirewallRule -Name 'lync.reverse_proxy/external-https/443'" "$out/reverse-proxy-rp01.ps1"
# The ARR part is the rp_iis_arr role's arr.ps1, called with the model's farms and rules.
grep -q "Add-WebConfigurationProperty -PSPath \$AppHost -Filter 'webFarms' -Name '.' -Value @{ name = \$name }" \
  "$out/reverse-proxy-rp01.ps1"
grep -q '"name": "lync-fe-pool01"' "$out/reverse-proxy-rp01.ps1"
# shellcheck disable=SC2016 # PowerShell's variables, literally
grep -qF '& $ArrScript -Configuration $ArrConfiguration' "$out/reverse-proxy-rp01.ps1"
grep -q -- "-LocalPort 4443" "$out/server-10.0.10.11.ps1"
if grep -q "WebConfiguration" "$out/server-10.0.10.11.ps1"; then echo "a server script configures ARR"; exit 1; fi

python - "$out"/*.ps1 <<'PY'
import sys
import tree_sitter_powershell
from tree_sitter import Language, Parser

parser = Parser(Language(tree_sitter_powershell.language()))
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        if parser.parse(handle.read()).root_node.has_error:
            sys.exit("%s does not parse as PowerShell" % path)
print("%d scripts parse" % len(sys.argv[1:]))
PY

ansible-playbook lync.reverse_proxy.render -e "lync_render_dir=$out" "$@" | tee "$out.second.log"
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 ' "$out.second.log"
echo "render playbook: ok"
