#!/usr/bin/env bash
# The base image of the execution environment (and of the podman molecule scenario): Debian 12
# from Debian's archive with debootstrap, Python with pip and venv, imported into podman as
# localhost/lync-debian-python:bookworm. Built once; rebuilt when this file changes.
set -euo pipefail
image=localhost/lync-debian-python:bookworm
recipe=$(sha256sum "$0" | cut -c1-16)
cache=${LYNC_LAB_CACHE:-/var/cache/lync-reverse-proxy-lab}/ee-base-$recipe
if podman image exists "$image" && [ "$(podman image inspect "$image" --format '{{ index .Labels "recipe" }}' 2>/dev/null)" = "$recipe" ]; then
  echo "ee: base image $image is up to date"; exit 0
fi
command -v debootstrap > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1)
if [ ! -e "$cache/complete" ]; then
  rm -rf "$cache"; mkdir -p "$cache"
  echo "ee: debootstrap bookworm into $cache (about a minute)"
  debootstrap --variant=minbase --include=python3,python3-pip,python3-venv,ca-certificates,openssh-client \
    bookworm "$cache/rootfs" "${mirror:-http://deb.debian.org/debian}" > "$cache/debootstrap.log"
  # The machine's own additional CAs (a proxy in front of PyPI, say): the image trusts what the
  # machine trusts, so that pip and apt inside it reach the same mirrors.
  if ls /usr/local/share/ca-certificates/*.crt > /dev/null 2>&1; then
    cp /usr/local/share/ca-certificates/*.crt "$cache/rootfs/usr/local/share/ca-certificates/"
    chroot "$cache/rootfs" update-ca-certificates > /dev/null
  fi
  chroot "$cache/rootfs" apt-get clean
  touch "$cache/complete"
fi
echo "ee: importing $image"
tar -C "$cache/rootfs" -c . | podman import --change "LABEL recipe=$recipe" --change 'CMD ["/bin/bash"]' - "$image"
