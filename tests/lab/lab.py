# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab: real systemd hosts (systemd-nspawn) in network namespaces, reached over SSH.

    lab up | down | status | exec HOST -- CMD... | ctl -- CMD... | image | inventory

Network safety: every lab link lives in namespaces the lab creates (the bridges in
``lync-sw``, each host in ``lync-<host>``, the controller side in ``lync-ctl``). The root
namespace gets no lab address, and no namespace has a default route, so lab traffic cannot
leave the lab. Only ``image`` reaches out, to the Debian mirror apt already uses, to build the
image once.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pathlib
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import yaml

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
TOPOLOGY_FILE = HERE / "topology.yml"
PACKAGES_FILE = HERE / "image-packages.txt"
CACHE = pathlib.Path(os.environ.get("LYNC_LAB_CACHE", "/var/cache/lync-reverse-proxy-lab"))
RUN = pathlib.Path(os.environ.get("LYNC_LAB_RUN", "/run/lync-reverse-proxy-lab"))
# The Debian release of the lab's hosts: bookworm (12) by default, trixie (13) beside it.
SUITES = ("bookworm", "trixie")
SUITE = os.environ.get("LYNC_LAB_SUITE", "bookworm")
PREFIX = "lync-"
SWITCH = PREFIX + "sw"
CONTROLLER = PREFIX + "ctl"
APT_NEEDS = {"systemd-nspawn": "systemd-container", "debootstrap": "debootstrap", "openssl": "openssl",
             "ssh": "openssh-client", "ssh-keygen": "openssh-client", "ip": "iproute2"}
IMAGE_RECIPE_VERSION = "4"  # bump when the image customisation below changes


def log(message: str) -> None:
    print("lab: %s" % message, file=sys.stderr, flush=True)


def run(*args, check=True, capture=False, **kwargs):
    result = subprocess.run([str(a) for a in args], check=False, text=True,
                            stdout=subprocess.PIPE if capture else None,
                            stderr=subprocess.PIPE if capture else None, **kwargs)
    if check and result.returncode != 0:
        raise SystemExit("lab: command failed (%d): %s\n%s" % (
            result.returncode, " ".join(str(a) for a in args), (result.stderr or "") if capture else ""))
    return result


def scale(kept_only: bool = False) -> int:
    """How many reverse proxies the scaling benchmark wants (LYNC_LAB_SCALE at `up`, kept until `down`)."""
    kept = RUN / "scale"
    value = (None if kept_only else os.environ.get("LYNC_LAB_SCALE")) or (
        kept.read_text().strip() if kept.exists() else "1")
    if not value.isdigit() or not 1 <= int(value) <= 40:
        raise SystemExit("lab: LYNC_LAB_SCALE must be 1..40, got %r" % value)
    return int(value)


def load_lab(kept_only: bool = False) -> dict:
    with open(TOPOLOGY_FILE, encoding="utf-8") as handle:
        lab = yaml.safe_load(handle)
    # Group lync_scale_proxies: rp1 and, with LYNC_LAB_SCALE=N, proxies sp02..spNN beside it
    # (same networks, no firewall of their own needed), for the many-hosts benchmark.
    hosts = lab["lab"]["hosts"]
    hosts["rp1"]["groups"] = hosts["rp1"]["groups"] + ["lync_scale_proxies"]
    for index in range(2, scale(kept_only) + 1):
        name = "sp%02d" % index
        external, internal = "198.51.100.%d" % (150 + index), "10.10.1.%d" % (100 + index)
        hosts[name] = {
            "groups": ["lync_scale_proxies"], "reverse_proxy": True,
            "networks": {"mgmt": "10.250.0.%d/24" % (100 + index), "ext": external + "/24", "int": internal + "/16"},
            "vars": {"lync_reverse_proxy": {"name": name, "external_addresses": [external],
                                            "internal_addresses": [internal]}},
        }
    return lab


# -- prerequisites and image ------------------------------------------------------------------
def ensure_tools() -> None:
    missing = sorted({pkg for tool, pkg in APT_NEEDS.items() if shutil.which(tool) is None})
    if missing:
        log("installing from apt: %s" % " ".join(missing))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-q", env=env)
        run("apt-get", "install", "-y", "-q", *missing, env=env)


def packages(suite: str | None = None) -> list:
    """The image's packages for a release: a line ``name [suite ...]`` is only for those releases."""
    suite = suite or SUITE
    names = []
    for line in PACKAGES_FILE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, dummy, only = line.partition("[")
        if not only or suite in only.rstrip("]").split():
            names.append(name.strip())
    return names


def mirror() -> str:
    for path in sorted(pathlib.Path("/etc/apt/sources.list.d").glob("*.sources")):
        for line in path.read_text().splitlines():
            if line.startswith("URIs:") and "security" not in line:
                return line.split()[1]
    return "http://deb.debian.org/debian"


def image_dir() -> pathlib.Path:
    digest = hashlib.sha256(("%s\n%s\n%s" % (SUITE, IMAGE_RECIPE_VERSION, "\n".join(packages()))).encode())
    return CACHE / ("image-%s-%s" % (SUITE, digest.hexdigest()[:16]))


BACKEND_UNIT = """[Unit]
Description=Lab backend (HTTPS/HTTP servers that report what they saw)
ConditionPathExists=/opt/lab-host/backend.json
After=network.target

[Service]
ExecStart=/usr/bin/python3 /opt/lab/backend.py /opt/lab-host/backend.json
Restart=on-failure

[Install]
WantedBy=multi-user.target
"""


def build_image() -> pathlib.Path:
    target = image_dir()
    rootfs = target / "rootfs"
    if (target / "complete").exists():
        return rootfs
    ensure_tools()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    start = time.monotonic()
    log("building the image in %s (once; cached until %s changes)" % (target, PACKAGES_FILE.name))
    run("debootstrap", "--variant=minbase", "--include=" + ",".join(packages()), SUITE, rootfs, mirror())
    # Hosts get their name from a bind mount; services the roles manage start disabled.
    (rootfs / "etc" / "hostname").unlink(missing_ok=True)
    for unit in ("haproxy", "nginx", "firewalld", "ufw"):
        run("chroot", rootfs, "systemctl", "disable", unit, check=False, capture=True)
    (rootfs / "etc/systemd/system/lab-backend.service").write_text(BACKEND_UNIT)
    run("chroot", rootfs, "systemctl", "enable", "lab-backend.service", capture=True)
    # root's user manager runs from boot on (lingering): otherwise every SSH login after the last
    # one ended starts it anew, and on Debian 13 that start keeps the login waiting for minutes.
    (rootfs / "var/lib/systemd/linger").mkdir(parents=True, exist_ok=True)
    (rootfs / "var/lib/systemd/linger/root").touch()
    (rootfs / "root/.ssh").mkdir(mode=0o700, exist_ok=True)
    (rootfs / "opt/lab").mkdir(parents=True, exist_ok=True)
    (rootfs / "opt/lab-host").mkdir(parents=True, exist_ok=True)
    run("chroot", rootfs, "apt-get", "clean")
    (target / "complete").write_text(json.dumps({"packages": packages(), "seconds": time.monotonic() - start}))
    for old in CACHE.glob("image-*"):
        # Older images of this release, and images of the unsuffixed naming of before.
        if old != target and (old.name.startswith("image-%s-" % SUITE)
                              or not any(old.name.startswith("image-%s-" % s) for s in SUITES)):
            shutil.rmtree(old, ignore_errors=True)
    log("image built in %.0f s" % (time.monotonic() - start))
    return rootfs


# -- PKI --------------------------------------------------------------------------------------
# Bumped when the certificates change shape: a lab's PKI of another recipe is issued anew.
PKI_RECIPE = "3: strict X.509 (key identifiers, key usage), a CRL distribution point"


def pki(lab: dict) -> None:
    """A lab CA, a certificate per backend host, and the listener certificate of each proxy."""
    directory = RUN / "pki"
    recipe = directory / "recipe"
    if directory.exists() and (not recipe.exists() or recipe.read_text() != PKI_RECIPE):
        shutil.rmtree(directory)  # a CA of an older recipe (without what strict verifiers require)
    directory.mkdir(parents=True, exist_ok=True)
    recipe.write_text(PKI_RECIPE)
    ca_key, ca_crt = directory / "ca.key", directory / "ca.crt"
    if not ca_crt.exists():
        # What strict X.509 verifiers (Python 3.13's default) require of a CA: key identifiers, a
        # critical basicConstraints, key usage for signing certificates.
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "397", "-subj", "/CN=Lync lab CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-addext", "subjectKeyIdentifier=hash", "-addext", "authorityKeyIdentifier=keyid:always",
            "-keyout", ca_key, "-out", ca_crt, capture=True)

    def issue(name: str, dns: list, ips: list) -> None:
        key, csr, crt = directory / (name + ".key"), directory / (name + ".csr"), directory / (name + ".crt")
        ext = directory / (name + ".ext")
        sans = ["DNS:%s" % d for d in dns] + ["IP:%s" % i for i in ips]
        ext.write_text("subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n"
                       "keyUsage=critical,digitalSignature,keyEncipherment\nsubjectKeyIdentifier=hash\n"
                       "authorityKeyIdentifier=keyid,issuer\n"
                       # A revocation source, as every public CA names one (a lab name nothing resolves;
                       # nothing fetches it: scanners only check that it is there).
                       "crlDistributionPoints=URI:http://pki.lab.internal/lab-ca.crl\n" % ",".join(sans))
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=%s" % dns[0], "-keyout", key,
            "-out", csr, capture=True)
        run("openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial", "-days", "397",
            "-extfile", ext, "-out", crt, capture=True)
        os.chmod(key, 0o600)

    for name, host in lab["lab"]["hosts"].items():
        backend = host.get("backend")
        if backend:
            issue(name, backend["certificate_names"] + [name + ".lab.internal"],
                  [a.split("/")[0] for a in host["networks"].values()])
    names = certificate_names(lab["lync_topology"]) + list(lab["lab"].get("scenario_names", []))
    for name, host in lab["lab"]["hosts"].items():
        if host.get("reverse_proxy"):
            issue(name + "-listener", names, [])


def certificate_names(topology: dict) -> list:
    """The model's certificate names, from the collection in this tree."""
    with tempfile.TemporaryDirectory() as tmp:
        link = pathlib.Path(tmp) / "ansible_collections" / "lync"
        link.mkdir(parents=True)
        (link / "reverse_proxy").symlink_to(REPO)
        code = ("import json,sys\n"
                "from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model\n"
                "print(json.dumps(compute_model(json.load(sys.stdin))['certificate_names']))")
        result = run(sys.executable, "-c", code, input=json.dumps(topology), capture=True,
                     env=dict(os.environ, PYTHONPATH=tmp))
    return json.loads(result.stdout)


# -- network ----------------------------------------------------------------------------------
def netns(name: str) -> str:
    return PREFIX + name


def ns_exists(name: str) -> bool:
    return pathlib.Path("/run/netns", name).exists()


def ip(*args, namespace=None, check=True):
    prefix = ["ip", "-n", namespace] if namespace else ["ip"]
    return run(*prefix, *args, check=check, capture=True)


def link_name(host: str, network: str) -> str:
    return ("%s-%s" % (host, network))[:15]


def setup_network(lab: dict) -> None:
    networks = lab["lab"]["networks"]
    run("ip", "netns", "add", SWITCH)
    ip("link", "set", "lo", "up", namespace=SWITCH)
    for network in networks:
        ip("link", "add", "br-" + network, "type", "bridge", namespace=SWITCH)
        ip("link", "set", "br-" + network, "up", namespace=SWITCH)
    members = dict(lab["lab"]["hosts"])
    members["ctl"] = {"networks": {"mgmt": lab["lab"]["controller"]}}
    for host, spec in members.items():
        namespace = netns(host)
        run("ip", "netns", "add", namespace)
        ip("link", "set", "lo", "up", namespace=namespace)
        run("ip", "netns", "exec", namespace, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0", capture=True)
        for network, address in spec["networks"].items():
            outer, inner = link_name(host, network), network + "0"
            ip("link", "add", outer, "netns", SWITCH, "type", "veth", "peer", "name", inner, "netns", namespace)
            ip("link", "set", outer, "master", "br-" + network, "up", namespace=SWITCH)
            ip("addr", "add", address, "dev", inner, namespace=namespace)
            ip("link", "set", inner, "up", namespace=namespace)
        for route in spec.get("routes", []):
            ip("route", "add", *route.split(), namespace=namespace)
        if spec.get("forwarding"):
            run("ip", "netns", "exec", namespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", capture=True)


def teardown_network(lab: dict) -> None:
    names = list(lab["lab"]["hosts"]) + ["ctl"]
    if ns_exists(SWITCH):
        for host in names:
            for network in lab["lab"]["networks"]:
                ip("link", "del", link_name(host, network), namespace=SWITCH, check=False)
    for name in [netns(h) for h in names] + [SWITCH]:
        if ns_exists(name):
            run("ip", "netns", "del", name, check=False, capture=True)


# -- hosts ------------------------------------------------------------------------------------
def ssh_key() -> pathlib.Path:
    key = RUN / "ssh" / "id_ed25519"
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lync-lab", "-f", key)
    return key


def mgmt_address(lab: dict, host: str) -> str:
    return lab["lab"]["hosts"][host]["networks"]["mgmt"].split("/")[0]


def ssh_command(lab: dict, host: str) -> list:
    return ["ip", "netns", "exec", CONTROLLER, "ssh", "-q", "-i", str(ssh_key()), "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5",
            "root@" + mgmt_address(lab, host)]


def backend_config(name: str, spec: dict) -> dict:
    return {
        "host": name,
        "cert": "/opt/lab-host/server.crt",
        "key": "/opt/lab-host/server.key",
        "https_ports": spec["backend"].get("https_ports", []),
        "http_ports": spec["backend"].get("http_ports", []),
    }


def hosts_file(lab: dict) -> str:
    """The lab's DNS: lab host names, and every published name at the first proxy's listener."""
    lines = ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback"]
    for name, spec in lab["lab"]["hosts"].items():
        lines.append("%s %s %s.lab.internal" % (spec["networks"]["mgmt"].split("/")[0], name, name))
    proxies = [spec for spec in lab["lab"]["hosts"].values() if spec.get("reverse_proxy")]
    if proxies:
        listener = proxies[0]["networks"]["ext"].split("/")[0]
        topology = lab["lync_topology"]
        names = (set(certificate_names(topology)) | {"lyncdiscover." + d for d in topology["sip_domains"]}
                 | set(lab["lab"].get("scenario_names", [])))
        lines.append("%s %s" % (listener, " ".join(sorted(names))))
    return "\n".join(lines) + "\n"


def inotify_room(hosts: int) -> None:
    """Each booted host's systemd takes several inotify instances; the kernel default (128 per
    user) runs out at about 25 hosts, and the last ones never finish booting."""
    knob = pathlib.Path("/proc/sys/fs/inotify/max_user_instances")
    wanted = 16 * hosts + 128
    if int(knob.read_text()) < wanted:
        log("raising fs.inotify.max_user_instances to %d for %d hosts" % (wanted, hosts))
        knob.write_text("%d\n" % wanted)


# The open files systemd lets a normal host's services have (its DefaultLimitNOFILE hard limit):
# what the proxies' connection budgets (maxconn, worker_connections: auto) are sized from.
HOST_NOFILE = 524288


def container_nofile() -> list:
    """systemd-nspawn's argument that sizes the hosts' open files like a normal host's, where this
    process may raise its own hard limit that far (a container cannot exceed it); none where it may
    not (the hosts keep this process's limit, and the figures say so)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < HOST_NOFILE:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, HOST_NOFILE))
        except (ValueError, OSError):
            log("the hosts may open %d files (this process may not raise its limit to %d)" % (hard, HOST_NOFILE))
            return []
    return ["--rlimit=RLIMIT_NOFILE=%d" % HOST_NOFILE]


def boot(lab: dict, rootfs: pathlib.Path, only: list | None = None) -> None:
    inotify_room(len(lab["lab"]["hosts"]))
    key = ssh_key()
    hosts = hosts_file(lab)
    booting = [name for name in lab["lab"]["hosts"] if only is None or name in only]
    nofile = container_nofile()
    for name in booting:
        spec = lab["lab"]["hosts"][name]
        host_dir = RUN / "hosts" / name
        files = host_dir / "lab-host"
        files.mkdir(parents=True, exist_ok=True)
        (host_dir / "hostname").write_text(name + "\n")
        (host_dir / "hosts").write_text(hosts)
        shutil.copy(RUN / "pki" / "ca.crt", files / "ca.crt")
        shutil.copy(key.with_suffix(".pub"), host_dir / "authorized_keys")
        if spec.get("backend"):
            shutil.copy(RUN / "pki" / (name + ".crt"), files / "server.crt")
            shutil.copy(RUN / "pki" / (name + ".key"), files / "server.key")
            (files / "backend.json").write_text(json.dumps(backend_config(name, spec)))
        console = open(host_dir / "console.log", "w")  # pylint: disable=consider-using-with
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            ["systemd-nspawn", "-q", "-D", str(rootfs), "--boot", "--volatile=overlay", "--register=no",
             "--keep-unit", "--machine=" + netns(name), "--network-namespace-path=/run/netns/" + netns(name),
             "--capability=CAP_NET_ADMIN,CAP_NET_RAW",
             "--bind-ro=%s:/etc/hostname" % (host_dir / "hostname"),
             "--bind-ro=%s:/etc/hosts" % (host_dir / "hosts"),
             "--bind-ro=%s:/root/.ssh/authorized_keys" % (host_dir / "authorized_keys"),
             "--bind-ro=%s:/opt/lab" % (HERE / "files"),
             "--bind-ro=%s:/opt/lab-host" % files,
             "--console=passive"] + nofile,
            stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            # a host whose roles set its own network settings (sysctl net.*, its namespace's only)
            env=dict(os.environ, SYSTEMD_NSPAWN_API_VFS_WRITABLE="network") if spec.get("net_sysctl") else None)
        (host_dir / "pid").write_text(str(process.pid))
    # The hosts boot at once; on two vCPUs many of them take longer (scale-out benchmark).
    wait = 60 + 6 * len(booting)
    deadline = time.monotonic() + wait
    for name in booting:
        while True:
            probe = run(*ssh_command(lab, name), "true", check=False, capture=True)
            if probe.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise SystemExit("lab: %s did not answer on SSH within %d s; see %s" % (
                    name, wait, RUN / "hosts" / name / "console.log"))
            time.sleep(0.3)


def write_inventory(lab: dict) -> pathlib.Path:
    hosts = {}
    for name, spec in lab["lab"]["hosts"].items():
        hosts[name] = {"ansible_host": mgmt_address(lab, name),
                       "lync_lab_addresses": {net: a.split("/")[0] for net, a in spec["networks"].items()}}
        hosts[name].update(spec.get("vars", {}))
    groups = {}
    for name, spec in lab["lab"]["hosts"].items():
        for group in spec.get("groups", []):
            groups.setdefault(group, {"hosts": {}})["hosts"][name] = {}
    inventory = {
        "all": {
            "vars": {
                "ansible_user": "root",
                "ansible_ssh_private_key_file": str(ssh_key()),
                "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
                "ansible_python_interpreter": "/usr/bin/python3",
                "ansible_ssh_pipelining": True,
                "lync_lab_pki": str(RUN / "pki"),
                "lync_topology": lab["lync_topology"],
                **lab["lab"].get("vars", {}),
            },
            "hosts": hosts,
            "children": groups,
        }
    }
    path = RUN / "inventory.yml"
    path.write_text("# Written by tests/lab/lab up.\n" + yaml.safe_dump(inventory, sort_keys=False))
    # The lab's topology as the playbooks complete it (reverse proxies from the inventory), for
    # playbooks that take a topology file (port_table.yml).
    proxies = [spec["vars"]["lync_reverse_proxy"] for spec in lab["lab"]["hosts"].values()
               if "lync_reverse_proxies" in spec.get("groups", [])]
    topology = dict(lab["lync_topology"], reverse_proxies=proxies)
    (RUN / "topology.yml").write_text(yaml.safe_dump({"lync_topology": topology}, sort_keys=False))
    ha = lab["lab"].get("ha")
    if ha:
        # the lab's deployment with two proxies sharing a listener address: extra variables for the
        # playbooks (the proxies' group, the topology with its group), and the topology file alone
        group = ha["proxies_group"]
        (RUN / "ha.yml").write_text(yaml.safe_dump({
            "lync_reverse_proxies_group": group,
            "lync_topology": dict(lab["lync_topology"], reverse_proxy_groups=ha["reverse_proxy_groups"]),
        }, sort_keys=False))
        members = [spec["vars"]["lync_reverse_proxy"] for spec in lab["lab"]["hosts"].values()
                   if group in spec.get("groups", [])]
        (RUN / "topology-ha.yml").write_text(yaml.safe_dump({"lync_topology": dict(
            lab["lync_topology"], reverse_proxies=members, reverse_proxy_groups=ha["reverse_proxy_groups"])},
            sort_keys=False))
    return path


def host_pids(lab: dict) -> dict:
    pids = {}
    for name in lab["lab"]["hosts"]:
        pid_file = RUN / "hosts" / name / "pid"
        if pid_file.exists():
            pid = int(pid_file.read_text())
            if pathlib.Path("/proc", str(pid)).exists():
                pids[name] = pid
    return pids


# -- commands ---------------------------------------------------------------------------------
def cmd_up(args) -> int:
    lab = load_lab()
    start = time.monotonic()
    ensure_tools()
    rootfs = build_image()
    if host_pids(lab) or ns_exists(SWITCH):
        log("a lab is up already; taking it down first")
        cmd_down(args)
    RUN.mkdir(parents=True, exist_ok=True)
    (RUN / "scale").write_text("%d\n" % scale())
    booted = time.monotonic()
    pki(lab)
    setup_network(lab)
    boot(lab, rootfs)
    inventory = write_inventory(lab)
    log("up: %d hosts in %.1f s (image ready after %.1f s); inventory %s" % (
        len(lab["lab"]["hosts"]), time.monotonic() - booted, booted - start, inventory))
    return 0


def cmd_down(args) -> int:  # pylint: disable=unused-argument
    lab = load_lab(kept_only=True)
    start = time.monotonic()
    pids = host_pids(lab)
    for pid in pids.values():
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while any(pathlib.Path("/proc", str(p)).exists() for p in pids.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids.values():
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if pathlib.Path("/proc", str(pid)).exists():
                os.kill(pid, sig)
                time.sleep(1)
    teardown_network(lab)
    shutil.rmtree(RUN / "hosts", ignore_errors=True)
    (RUN / "scale").unlink(missing_ok=True)
    log("down in %.1f s" % (time.monotonic() - start))
    return 0


def cmd_poweroff(args) -> int:
    """A power cut: every process of the host killed at once (its PID namespace's init), its
    links down and the addresses the lab did not give it gone (a keepalived that held a shared
    address had no time to give it up). Its disk goes too: the hosts boot from a volatile overlay."""
    lab = load_lab(kept_only=True)
    spec = lab["lab"]["hosts"].get(args.host)
    if spec is None:
        raise SystemExit("lab: no host %r; hosts: %s" % (args.host, ", ".join(lab["lab"]["hosts"])))
    pid = host_pids(lab).get(args.host)
    if pid is not None:
        children = run("pgrep", "-P", str(pid), check=False, capture=True).stdout.split()
        for child in children:  # the container's init: killing it kills its whole PID namespace
            os.kill(int(child), signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pathlib.Path("/proc", str(pid)).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    namespace = netns(args.host)
    given = {network + "0": address for network, address in spec["networks"].items()}
    for link in json.loads(ip("-j", "addr", "show", namespace=namespace).stdout):
        if link["ifname"] not in given:
            continue
        ip("link", "set", link["ifname"], "down", namespace=namespace)
        for info in link.get("addr_info", []):
            text = "%s/%s" % (info["local"], info["prefixlen"])
            if text != given[link["ifname"]] and info.get("scope") != "link":
                ip("addr", "del", text, "dev", link["ifname"], namespace=namespace, check=False)
    log("%s powered off" % args.host)
    return 0


def cmd_boot(args) -> int:
    """Boots a host again after poweroff: its links up, its routes back, a fresh boot."""
    lab = load_lab(kept_only=True)
    spec = lab["lab"]["hosts"].get(args.host)
    if spec is None:
        raise SystemExit("lab: no host %r; hosts: %s" % (args.host, ", ".join(lab["lab"]["hosts"])))
    if args.host in host_pids(lab):
        raise SystemExit("lab: %s is running" % args.host)
    namespace = netns(args.host)
    for network in spec["networks"]:
        ip("link", "set", network + "0", "up", namespace=namespace)
    for route in spec.get("routes", []):
        ip("route", "replace", *route.split(), namespace=namespace)
    start = time.monotonic()
    boot(lab, build_image(), only=[args.host])
    log("%s booted in %.1f s" % (args.host, time.monotonic() - start))
    return 0


def cmd_status(args) -> int:  # pylint: disable=unused-argument
    lab = load_lab()
    pids = host_pids(lab)
    ok = True
    for name in lab["lab"]["hosts"]:
        reachable = name in pids and run(*ssh_command(lab, name), "true", check=False, capture=True).returncode == 0
        ok = ok and reachable
        print("%-6s %-8s %s" % (name, "up" if reachable else "down", mgmt_address(lab, name)))
    print("image: %s (%s)" % (image_dir(), "ready" if (image_dir() / "complete").exists() else "not built"))
    return 0 if ok else 1


def cmd_exec(args) -> int:
    lab = load_lab()
    if args.host not in lab["lab"]["hosts"]:
        raise SystemExit("lab: no host %r; hosts: %s" % (args.host, ", ".join(lab["lab"]["hosts"])))
    return run(*ssh_command(lab, args.host), shlex.join(args.command), check=False).returncode


def cmd_ctl(args) -> int:
    """Run a command on the controller side: inside the lab's controller namespace."""
    if not ns_exists(CONTROLLER):
        raise SystemExit("lab: the lab is not up (run: tests/lab/lab up)")
    env = dict(os.environ, LYNC_LAB_INVENTORY=str(RUN / "inventory.yml"), LYNC_LAB_RUN=str(RUN))
    # Only the network namespace changes (nsenter, not `ip netns exec`, which also mounts a sysfs of
    # its own and hides the cgroup hierarchy): a benchmark run here may cut a host's power and boot
    # it again (lab poweroff, lab boot), which needs systemd-nspawn to see the cgroups.
    return run("nsenter", "--net=/run/netns/" + CONTROLLER, "--", *args.command, check=False, env=env).returncode


def main() -> int:
    parser = argparse.ArgumentParser(prog="lab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("up", help="build the image if needed, create the networks, boot the hosts")
    sub.add_parser("down", help="halt the hosts and remove the lab's namespaces")
    sub.add_parser("status", help="which hosts answer on SSH")
    sub.add_parser("image", help="build the image only")
    sub.add_parser("inventory", help="print the inventory path")
    execute = sub.add_parser("exec", help="run a command on a lab host over SSH")
    execute.add_argument("host")
    execute.add_argument("command", nargs=argparse.REMAINDER)
    for name, text in (("poweroff", "cut a host's power (processes killed, links down)"),
                       ("boot", "boot a host again after poweroff")):
        sub.add_parser(name, help=text).add_argument("host")
    ctl = sub.add_parser("ctl", help="run a command in the controller namespace")
    ctl.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    for name in ("command",):
        if getattr(args, name, None) and args.command[0] == "--":
            args.command = args.command[1:]
    if SUITE not in SUITES:
        raise SystemExit("lab: LYNC_LAB_SUITE must be one of %s, got %r" % (", ".join(SUITES), SUITE))
    if os.geteuid() != 0:
        raise SystemExit("lab: must run as root (namespaces, systemd-nspawn)")
    if args.action == "image":
        print(build_image())
        return 0
    if args.action == "inventory":
        print(RUN / "inventory.yml")
        return 0
    return {"up": cmd_up, "down": cmd_down, "status": cmd_status, "exec": cmd_exec, "ctl": cmd_ctl,
            "poweroff": cmd_poweroff, "boot": cmd_boot}[args.action](args)


if __name__ == "__main__":
    sys.exit(main())
