# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every command of the READMEs, run as written, as a new user runs it.

Each ```console block of README.md and roles/*/README.md runs in a fresh directory of its own,
where the files the README shows before it (```yaml blocks headed ``# path``) are written as
shown, against the collection installed from the built tarball into a fresh home (conftest.py).
Commands run verbatim with bash, in order; a block stops at its first failing command.

Whatever a command does, the installed collection must be left as it was: outputs go where the
user asked.

A README's ```console blocks hold the commands (lines starting with ``$ ``; a command goes on over
the next lines while it ends in ``\\`` or a quote is open, as the shell reads it; other lines are
output). Its ```yaml blocks whose first line is a comment
naming a relative path (``# group_vars/all/topology.yml``) are files, written where they say.

Marks in the README source (HTML comments, invisible when rendered) before a console block:

    <!-- readme-test: skip (WHY) -->              no command of the block runs here, because WHY
    <!-- readme-test: skip "PREFIX" (WHY) -->     the commands starting with PREFIX do not run
    <!-- readme-test: lab (WHY) -->               the block's commands need the lab's hosts
    <!-- readme-test: lab "PREFIX" (WHY) -->      the commands starting with PREFIX need them
    <!-- readme-test: expect "PREFIX" PATH... -->  after the command starting with PREFIX, each
                                                   PATH exists in the directory it ran in

Every mark must apply to a command of the block after it, and every skip and lab says why.

Commands that need hosts run in the lab's controller namespace (tests/lab/lab ctl --), with what a
user has in their SSH setup (the lab's key, user root) as environment variables, and with the
certificate files the README's inventory names (files/) taken from the lab's PKI: the listener
certificate and key of rp1 and the lab CA, which signs the listener's and the pools' certificates.
They run with LYNC_README_LAB=1 while the lab is up (make molecule); otherwise they are skipped.

    make readme                        the commands that need no hosts
    make molecule                      ... and, on its lab boot, the ones that do (make readme-lab)
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
LAB_RUN = pathlib.Path(os.environ.get("LYNC_LAB_RUN", "/run/lync-reverse-proxy-lab"))
LAB = REPO / "tests" / "lab" / "lab"
TIMEOUT = 1200

# The files of a user whose proxy is the lab's rp1 (README inventory: files/...).
LAB_FILES = {"files/listener.crt": "pki/rp1-listener.crt", "files/listener.key": "pki/rp1-listener.key",
             "files/internal-ca.crt": "pki/ca.crt", "files/public-ca.crt": "pki/ca.crt"}


# -- the READMEs as the test reads them --------------------------------------------------------
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")
MARK = re.compile(r"^\s*<!--\s*readme-test:\s*(?P<body>.*?)\s*-->\s*$")
MARK_BODY = re.compile(r'^(?P<kind>skip|lab|expect)(?:\s+"(?P<prefix>[^"]+)")?(?P<rest>.*)$')
REASON = re.compile(r"^\s*\((?P<reason>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*$")
FILE_HEADER = re.compile(r"^#\s+(?P<path>[\w./~-]+\.[A-Za-z0-9]+)\s*$")


class ReadmeError(ValueError):
    """A README the test cannot read as written: a mark that applies to nothing, a skip without why."""


@dataclasses.dataclass
class Command:
    """One command of a console block, with what the README's marks say of it."""

    readme: str            # the README, relative to the repository
    line: int              # where the command starts (1-based)
    block: int             # the line of the block's opening fence
    text: str              # verbatim, continuation lines included (what bash runs)
    skip: str | None = None    # why it does not run here
    lab: str | None = None     # why it needs the lab's hosts
    expect: list = dataclasses.field(default_factory=list)  # paths that exist after it ran

    @property
    def one_line(self) -> str:
        """The command on one line (continuations joined), as marks' prefixes are matched."""
        return " ".join(self.text.replace("\\\n", " ").split())

    @property
    def label(self) -> str:
        return "%s:%d %s" % (self.readme, self.line, self.one_line)


@dataclasses.dataclass
class Block:
    lang: str
    line: int              # of the opening fence
    indent: int            # of the opening fence (a block inside a list item)
    lines: list            # the content, dedented by the fence's indentation
    marks: list            # (line, body) of the marks just before it


def _blocks(text: str, name: str) -> list:
    blocks, marks, current = [], [], None
    for number, line in enumerate(text.splitlines(), start=1):
        fence = FENCE.match(line)
        if current is not None:
            if fence and not fence.group("lang"):
                blocks.append(current)
                current = None
            else:
                current.lines.append(line)
            continue
        if fence:
            current = Block(fence.group("lang"), number, len(fence.group("indent")), [], marks)
            marks = []
            continue
        mark = MARK.match(line)
        if mark:
            marks.append((number, mark.group("body")))
        elif line.strip() and marks and not line.lstrip().startswith("<!--"):
            raise ReadmeError("%s:%d: a readme-test mark must come right before a console block" % (name, marks[0][0]))
    if current is not None:
        raise ReadmeError("%s:%d: the code block is not closed" % (name, current.line))
    if marks:
        raise ReadmeError("%s:%d: a readme-test mark must come right before a console block" % (name, marks[0][0]))
    for block in blocks:
        block.lines = [line[block.indent:] if not line[:block.indent].strip() else line for line in block.lines]
    return blocks


def _incomplete(text: str) -> bool:
    """Whether the shell reads on: a trailing backslash, or a quote still open."""
    if text.endswith("\\"):
        return True
    try:
        shlex.split(text, comments=True)
    except ValueError:
        return True
    return False


def _commands(block: Block, name: str) -> list:
    found, current = [], None
    for offset, line in enumerate(block.lines, start=1):
        if current is not None:
            current.text += "\n" + line
        elif line.startswith("$ "):
            current = Command(name, block.line + offset, block.line, line[2:])
            found.append(current)
        if current is not None and not _incomplete(current.text):
            current = None
    if current is not None:
        raise ReadmeError("%s:%d: the command does not end in its block" % (name, current.line))
    return found


def _apply_marks(block: Block, found: list, name: str) -> None:
    for line, body in block.marks:
        match = MARK_BODY.match(body)
        if not match:
            raise ReadmeError("%s:%d: unknown readme-test mark %r (skip, lab or expect)" % (name, line, body))
        kind, prefix, rest = match.group("kind"), match.group("prefix"), match.group("rest")
        chosen = [c for c in found if prefix is None or c.one_line.startswith(prefix)]
        if not chosen:
            raise ReadmeError("%s:%d: the mark applies to no command of the block at line %d (%r)" % (
                name, line, block.line, prefix))
        if kind == "expect":
            paths = shlex.split(rest)
            if prefix is None or not paths:
                raise ReadmeError('%s:%d: expect needs "PREFIX" and at least one path' % (name, line))
            for command in chosen:
                command.expect.extend(paths)
            continue
        reason = REASON.match(rest)
        if not reason or not reason.group("reason").strip():
            raise ReadmeError("%s:%d: %s needs a reason in parentheses" % (name, line, kind))
        for command in chosen:
            setattr(command, kind, reason.group("reason").strip())


def parse(text: str, name: str) -> tuple:
    """The commands (with their marks) and the files of one README, in the order they appear."""
    found, files = [], []
    for block in _blocks(text, name):
        if block.lang == "console":
            commands_ = _commands(block, name)
            if not commands_:
                raise ReadmeError("%s:%d: a console block without a command" % (name, block.line))
            _apply_marks(block, commands_, name)
            found.extend(commands_)
            continue
        if block.marks:
            raise ReadmeError("%s:%d: a readme-test mark must come right before a console block" % (
                name, block.marks[0][0]))
        header = FILE_HEADER.match(block.lines[0]) if block.lines and block.lang in ("yaml", "yml") else None
        if header:
            path = header.group("path")
            if path.startswith(("/", "~")) or ".." in pathlib.PurePosixPath(path).parts:
                raise ReadmeError("%s:%d: a file shown must have a relative path, got %r" % (name, block.line, path))
            files.append((block.line, path, "\n".join(block.lines) + "\n"))
    return found, files


def commands(root: pathlib.Path) -> list:
    """Every command of README.md and of each role's README.md, with their files."""
    readmes = [root / "README.md"] + sorted(root.glob("roles/*/README.md"))
    found = []
    for readme in readmes:
        name = str(readme.relative_to(root))
        found.extend(parse(readme.read_text(encoding="utf-8"), name)[0])
    return found


def files_before(root: pathlib.Path, command: Command) -> dict:
    """The files the README shows before the command's block: path -> content (a later one wins)."""
    dummy, files = parse((root / command.readme).read_text(encoding="utf-8"), command.readme)
    return {path: content for line, path, content in files if line < command.block}


# -- the user ------------------------------------------------------------------------------
def _tarball() -> pathlib.Path:
    given = os.environ.get("LYNC_README_TARBALL")
    if given:
        return pathlib.Path(given)
    found = sorted((REPO / "build" / "dist").glob("lync-reverse_proxy-*.tar.gz"))
    if len(found) != 1:
        pytest.fail("the README test installs the collection from the tarball of 'make build' (build/dist/), found %s"
                    % ([str(f) for f in found] or "none"))
    return found[0]


@pytest.fixture(scope="session", name="user")
def fixture_user(tmp_path_factory):
    """A new user's environment: their own home, the collection from the tarball in ~/.ansible/collections.

    Only this copy of the collection is reachable (not the source tree's, not another install's);
    its dependencies come from the PyPI package ansible, as the README's Install says.
    """
    home = tmp_path_factory.mktemp("home")
    collections = home / ".ansible" / "collections"
    env = {
        "HOME": str(home),
        "PATH": os.pathsep.join([str(pathlib.Path(sys.executable).parent), "/usr/local/sbin", "/usr/local/bin",
                                 "/usr/sbin", "/usr/bin", "/sbin", "/bin"]),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "ANSIBLE_COLLECTIONS_PATH": str(collections),
        "ANSIBLE_NOCOLOR": "1",
    }
    tarball = _tarball()
    installed = subprocess.run(
        ["ansible-galaxy", "collection", "install", "--offline", "-p", str(collections), str(tarball)],
        cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert installed.returncode == 0, installed.stdout
    listed = subprocess.run(["ansible-galaxy", "collection", "list", "lync.reverse_proxy", "--format", "json"],
                            cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=False)
    assert listed.returncode == 0 and list(__import__("json").loads(listed.stdout)) == [str(collections / "ansible_collections")], (
        "the commands must see exactly one lync.reverse_proxy, the fresh install: %s" % listed.stdout)
    return {"home": home, "env": env, "collection": collections / "ansible_collections" / "lync" / "reverse_proxy",
            "tarball": tarball}


COMMANDS = commands(REPO)


def _param(command):
    marks = []
    if command.skip:
        marks.append(pytest.mark.skip(reason="%s:%d %s" % (command.readme, command.line, command.skip)))
    elif command.lab:
        marks.append(pytest.mark.lab)
    return pytest.param(command, id="%s:%d" % (command.readme, command.line), marks=marks)


def _snapshot(root: pathlib.Path) -> dict:
    """The installed collection's files (bytecode caches aside: Python writes them on import)."""
    return {str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts}


class _Blocks:
    """One fresh directory per console block, with the README's files; which blocks failed."""

    def __init__(self, base: pathlib.Path):
        self.base, self.dirs, self.failed = base, {}, {}

    def directory(self, command) -> pathlib.Path:
        key = (command.readme, command.block)
        if key not in self.dirs:
            directory = self.base / ("%s-%d" % (command.readme.replace("/", "_"), command.block))
            directory.mkdir()
            for path, content in files_before(REPO, command).items():
                (directory / path).parent.mkdir(parents=True, exist_ok=True)
                (directory / path).write_text(content, encoding="utf-8")
            self.dirs[key] = directory
        return self.dirs[key]


@pytest.fixture(scope="session", name="blocks")
def fixture_blocks(tmp_path_factory):
    return _Blocks(tmp_path_factory.mktemp("readme"))


def _lab_up() -> bool:
    return pathlib.Path("/run/netns/lync-ctl").exists() and (LAB_RUN / "inventory.yml").exists()


def _lab_files(directory: pathlib.Path) -> None:
    for path, source in LAB_FILES.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(LAB_RUN / source, target)
        target.chmod(0o600)


def _tail(text: str, lines: int = 120) -> str:
    kept = text.splitlines()[-lines:]
    return "\n".join(kept)


def _run(argv: list, directory: pathlib.Path, env: dict) -> tuple:
    """The exit status (None after the timeout) and the output of one command."""
    try:
        done = subprocess.run(argv, cwd=directory, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return None, output
    return done.returncode, done.stdout


@pytest.mark.parametrize("command", [_param(c) for c in COMMANDS])
def test_readme_command(command, user, blocks, record_property):
    record_property("readme_command", command.label)
    if command.lab and not _lab_up():
        if os.environ.get("LYNC_README_LAB") == "1":
            pytest.fail("%s needs the lab, and the lab is not up" % command.label)
        pytest.skip("%s:%d needs the lab's hosts (%s): make molecule runs it" % (command.readme, command.line, command.lab))
    key = (command.readme, command.block)
    if key in blocks.failed:
        pytest.fail("%s not run: %s failed before it in the same block" % (command.label, blocks.failed[key]),
                    pytrace=False)
    directory = blocks.directory(command)
    env = dict(user["env"])
    argv = ["bash", "-c", command.text]
    if command.lab:
        _lab_files(directory)
        env.update(ANSIBLE_REMOTE_USER="root", ANSIBLE_PRIVATE_KEY_FILE=str(LAB_RUN / "ssh" / "id_ed25519"),
                   ANSIBLE_HOST_KEY_CHECKING="False")
        argv = [str(LAB), "ctl", "--"] + argv
    before = _snapshot(user["collection"])
    start = time.monotonic()
    code, output = _run(argv, directory, env)
    record_property("seconds", time.monotonic() - start)
    log = blocks.base / ("%s-%d.log" % (command.readme.replace("/", "_"), command.line))
    log.write_text("$ %s\n%s" % (command.text, output), encoding="utf-8")
    problems = []
    if code != 0:
        problems.append("exit status %d" % code if code is not None else "no end within %d s" % TIMEOUT)
    else:
        problems += ["%s does not exist in %s after it ran" % (path, directory)
                     for path in command.expect if not (directory / path).exists()]
    after = _snapshot(user["collection"])
    if after != before:
        changed = sorted(set(after) ^ set(before) | {p for p in after if p in before and after[p] != before[p]})
        problems.append("it wrote into the installed collection (%s): %s" % (user["collection"], ", ".join(changed)))
    if problems:
        blocks.failed[key] = "%s:%d" % (command.readme, command.line)
        details = (command.label, directory, "; ".join(problems), log, _tail(output))
        pytest.fail("%s\nin %s: %s (whole output: %s)\n%s" % details, pytrace=False)


# -- how the READMEs are read -------------------------------------------------------------------

SAMPLE = '''# Sample

```yaml
# group_vars/all/topology.yml
lync_topology: {first: true}
```

<!-- readme-test: skip "ansible-galaxy" (needs Galaxy) -->
<!-- readme-test: lab "ansible-playbook -i inventory.yml" (the lab's hosts (rp1)) -->

<!-- readme-test: expect "ansible-playbook -i localhost," out/a.md "out/b c.md" -->
```console
$ ansible-galaxy collection install x.y
$ ansible-playbook -i localhost, x.y.z -e a=b \\
    -e c=d   # a comment
output line
$ ansible-playbook -i inventory.yml x.y.site -e '{"k": ["v",
                                                  "w"]}'
```

- a list item with a file:

  ```yaml
  # group_vars/all/topology.yml
  lync_topology: {second: true}
  ```

```yaml
lync_topology: {not_a_file: true}
```
'''


def test_commands_marks_and_files_are_read_as_the_shell_and_the_reader_see_them():
    found, files = parse(SAMPLE, "README.md")
    assert [(c.line, c.one_line) for c in found] == [
        (13, "ansible-galaxy collection install x.y"),
        (14, "ansible-playbook -i localhost, x.y.z -e a=b -e c=d # a comment"),
        (17, """ansible-playbook -i inventory.yml x.y.site -e '{"k": ["v", "w"]}'"""),
    ]
    assert found[1].text == "ansible-playbook -i localhost, x.y.z -e a=b \\\n    -e c=d   # a comment"
    assert [(c.skip, c.lab, c.expect) for c in found] == [
        ("needs Galaxy", None, []), (None, None, ["out/a.md", "out/b c.md"]), (None, "the lab's hosts (rp1)", [])]
    assert [(line, path) for line, path, dummy in files] == [(3, "group_vars/all/topology.yml"),
                                                             (23, "group_vars/all/topology.yml")]
    assert files[1][2] == "# group_vars/all/topology.yml\nlync_topology: {second: true}\n"


def test_the_files_before_a_block_are_the_ones_written_a_later_one_winning(tmp_path):
    (tmp_path / "README.md").write_text(SAMPLE + "\n```console\n$ true\n```\n")
    first, last = commands(tmp_path)[0], commands(tmp_path)[-1]
    assert files_before(tmp_path, first) == {"group_vars/all/topology.yml":
                                             "# group_vars/all/topology.yml\nlync_topology: {first: true}\n"}
    assert files_before(tmp_path, last)["group_vars/all/topology.yml"].endswith("{second: true}\n")


@pytest.mark.parametrize("text, error", [
    ('<!-- readme-test: skip "make" (no make here) -->\n```console\n$ true\n```\n',
     r'README.md:1: the mark applies to no command of the block at line 2 \('),
    ("<!-- readme-test: skip -->\n```console\n$ true\n```\n", "README.md:1: skip needs a reason in parentheses"),
    ("<!-- readme-test: lab () -->\n```console\n$ true\n```\n", "README.md:1: lab needs a reason in parentheses"),
    ('<!-- readme-test: expect out/x -->\n```console\n$ true\n```\n', 'expect needs "PREFIX" and at least one path'),
    ("<!-- readme-test: run (always) -->\n```console\n$ true\n```\n", "unknown readme-test mark 'run \\(always\\)'"),
    ("<!-- readme-test: skip (why) -->\nsome prose\n```console\n$ true\n```\n",
     "README.md:1: a readme-test mark must come right before a console block"),
    ("<!-- readme-test: skip (why) -->\n```yaml\na: 1\n```\n", "must come right before a console block"),
    ("<!-- readme-test: skip (why) -->\n", "must come right before a console block"),
    ("```console\n$ true\n", "README.md:1: the code block is not closed"),
    ("```console\noutput only\n```\n", "README.md:1: a console block without a command"),
    ("```console\n$ echo 'open\n```\n", "README.md:2: the command does not end in its block"),
    ("```yaml\n# /etc/passwd.yml\na: 1\n```\n", "a file shown must have a relative path"),
    ("```yaml\n# ../up.yml\na: 1\n```\n", "a file shown must have a relative path"),
])
def test_a_readme_the_test_cannot_read_as_written_is_an_error(text, error):
    with pytest.raises(ReadmeError, match=error):
        parse(text, "README.md")
