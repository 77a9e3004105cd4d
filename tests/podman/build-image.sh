#!/usr/bin/env bash
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# localhost/lync-molecule-debian:bookworm for the podman molecule scenario: the scenario's own
# Containerfile (extensions/podman/molecule/default, shipped with the collection) on the execution
# environment's base image (tests/ee/build-base.sh) instead of a registry's. Rebuilt when either
# changes. The build's apt-get reaches Debian's archive as the machine's own
# apt does (--network host: no bridge, no address is added anywhere).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
image=localhost/lync-molecule-debian:bookworm
"$here/../ee/build-base.sh"
base=$(podman image inspect localhost/lync-debian-python:bookworm --format '{{ .Id }}')
containerfile="$here/../../extensions/podman/molecule/default/Containerfile"
recipe=$( { echo "$base"; cat "$containerfile"; } | sha256sum | cut -c1-16)
if podman image exists "$image" && \
   [ "$(podman image inspect "$image" --format '{{ index .Labels "recipe" }}' 2>/dev/null)" = "$recipe" ]; then
  echo "podman: $image is up to date"; exit 0
fi
echo "podman: building $image"
podman build --quiet --network host --label "recipe=$recipe" --build-arg BASE=localhost/lync-debian-python:bookworm \
  -t "$image" -f "$containerfile" "$(dirname "$containerfile")"
