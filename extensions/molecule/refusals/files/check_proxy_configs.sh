#!/bin/sh
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check_proxy_configs.sh DIR: every golden HAProxy and nginx rendering in DIR/haproxy/*.ref and
# DIR/nginx/*.ref (each holds two configurations, split at "## other choices") passes the
# proxy's own check: haproxy -c, nginx -t. The certificate paths are pointed at DIR's copies of
# this host's listener certificate, key and backend CA. nginx -t binds its listen addresses, so it
# runs in a network namespace of its own (no link but loopback, which carries those addresses).
# Prints one line per configuration; exits non-zero when any fails.
set -u
if [ "$1" = --nginx-in-namespace ]; then
    ip link set lo up
    sed -n 's/^ *listen \[\{0,1\}\([0-9a-f.:]*[.:][0-9a-f]*\)\]\{0,1\}:[0-9]*[ ;].*/\1/p' "$2" | sort -u |
        while read -r a; do
            case $a in
                *:*) ip -6 addr add "$a/128" dev lo nodad ;;
                *) ip addr add "$a/32" dev lo ;;
            esac
        done
    exec nginx -t -q -c "$2"
fi
dir=$1
failed=0
checked=0
for proxy in haproxy nginx; do
    for ref in "$dir/$proxy"/*.ref; do
        case_name=$(basename "$ref" .ref)
        sed "s#/etc/$proxy/lync/#$dir/tls/#g" "$ref" | awk -v out="$dir/work/$proxy-$case_name" \
            '/^## other choices$/ {n++; next} {print > (out "-" n + 0 ".conf")}'
        for conf in "$dir/work/$proxy-$case_name"-*.conf; do
            checked=$((checked + 1))
            if [ "$proxy" = haproxy ]; then
                check="haproxy -c -q -f"
            else
                check="unshare -n sh $0 --nginx-in-namespace"
            fi
            # shellcheck disable=SC2086 # the check command is meant to be split into words
            if out=$($check "$conf" 2>&1); then
                echo "valid: $(basename "$conf")"
            else
                failed=$((failed + 1))
                echo "INVALID: $(basename "$conf"): $out"
            fi
        done
    done
done
echo "$checked configurations checked, $failed invalid"
[ "$failed" -eq 0 ] && [ "$checked" -gt 0 ]
