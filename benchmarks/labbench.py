# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers of the benchmarks that run against the lab (controller side, lab namespace)."""

from __future__ import annotations

import json
import os
import pathlib
import platform
import statistics
import subprocess
import tempfile
import threading
import time

import yaml

HERE = pathlib.Path(__file__).resolve().parent
PLAYBOOKS = HERE / "playbooks"
RESULTS = HERE / "results"
# The plots go beside the documentation that shows them (docs/performance.md ships, benchmarks/ does not).
PLOTS = HERE.parent / "docs" / "images"


def inventory_path() -> str:
    path = os.environ.get("LYNC_LAB_INVENTORY")
    if not path or not pathlib.Path(path).exists():
        raise SystemExit("run inside the lab: tests/lab/lab ctl -- python benchmarks/<script> (LYNC_LAB_INVENTORY)")
    return path


def inventory() -> dict:
    return yaml.safe_load(pathlib.Path(inventory_path()).read_text())


def _tree_rss(root: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    children = {}
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        try:
            total += int((pathlib.Path("/proc", str(pid), "statm")).read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(children.get(pid, []))
    return total


def playbook(name: str, extra: dict, limit: str | None = None, forks: int = 5, timeout: int = 1200,
             check: bool = False) -> dict:
    """Run one benchmark playbook; wall time, peak memory of the controller's process tree, and
    the task and change counts of the JSON callback."""
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        yaml.safe_dump(extra, handle)
        extra_file = handle.name
    command = ["ansible-playbook", "-i", inventory_path(), "-e", "@" + extra_file, "-f", str(forks)]
    if limit:
        command += ["--limit", limit]
    if check:
        command += ["--check", "--diff"]
    command.append(str(name if os.path.isabs(str(name)) else PLAYBOOKS / name))
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_NOCOLOR="1",
               ANSIBLE_PIPELINING="1", ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s")
    peak = [0]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise SystemExit("%s did not finish within %d s" % (name, timeout)) from None
    finally:
        done.set()
    seconds = time.perf_counter() - start
    os.unlink(extra_file)
    try:
        report = json.loads(out[out.index("{"):])
    except ValueError:
        raise SystemExit("%s: no JSON output (rc %d): %s" % (name, process.returncode, err[-2000:])) from None
    if process.returncode != 0:
        raise SystemExit("%s failed (rc %d): %s" % (name, process.returncode, json.dumps(report.get("stats"))))
    tasks = sum(1 for play in report["plays"] for task in play["tasks"]
                if any(not result.get("skipped") for result in task["hosts"].values()))
    stats = report["stats"]
    return {"seconds": seconds, "tasks": tasks, "changed": sum(s["changed"] for s in stats.values()),
            "ok": sum(s["ok"] for s in stats.values()), "peak_rss_mib": peak[0] / 2**20}


def adhoc(hosts: str, command: str, timeout: int = 300) -> str:
    """A shell command on lab hosts (setup and reset, not measured); its output."""
    result = subprocess.run(["ansible", hosts, "-i", inventory_path(), "-m", "ansible.builtin.shell", "-a", command],
                            capture_output=True, text=True, check=False, timeout=timeout,
                            env=dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0"))
    if result.returncode != 0:
        raise SystemExit("%s: %s failed: %s" % (hosts, command, result.stdout[-2000:] + result.stderr[-2000:]))
    return result.stdout


def copy(hosts: str, source: str, dest: str) -> None:
    """Copy a controller file to lab hosts (setup, not measured)."""
    result = subprocess.run(["ansible", hosts, "-i", inventory_path(), "-m", "ansible.builtin.copy",
                             "-a", "src=%s dest=%s mode=0600" % (source, dest)],
                            capture_output=True, text=True, check=False, env=dict(os.environ, ANSIBLE_NOCOLOR="1"))
    if result.returncode != 0:
        raise SystemExit("%s: copy %s failed: %s" % (hosts, source, result.stdout[-2000:]))


def summary(values: list) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def machine() -> dict:
    memory = 0
    for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) * 1024
    return {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "memory_gib": round(memory / 2**30, 1),
            "python": platform.python_version(), "kernel": platform.release()}


def write(name: str, data: dict, markdown: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / (name + ".json")).write_text(json.dumps(data, indent=2) + "\n")
    (RESULTS / (name + ".md")).write_text(markdown)
