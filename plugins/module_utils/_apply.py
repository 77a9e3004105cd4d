# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Apply by difference: the one sequence of the firewall backend modules. PRIVATE to the
lync.reverse_proxy collection.

``nft_table``, ``iptables_chains`` and ``firewalld_config`` each manage their own kind of state
(a table, chains, XML files) in the same order, written once here:

1. a ``state=confirmed`` run confirms the armed rollback and stops (``_rollback.confirmed``);
2. read what the host has (the live state and the file that persists it);
3. work out what it must have, and whether the live state and the file already are that;
4. nothing differs: report no change;
5. something differs: report the change, ``drift`` when the file is right but the live state is
   not (something changed the firewall behind our back), and the diff;
6. check mode stops here;
7. arm the rollback (commit-confirm) before anything is touched, when asked and when the
   backend says the change needs it;
8. write (the backend loads the live state, writes its file, and verifies what it loaded;
   a backend that finds its load wrong puts the previous state back and fails).

A backend subclasses :class:`ApplyByDiff` and fills in the steps that are its own.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _rollback

__all__ = ["ApplyByDiff"]


class ApplyByDiff:
    """The sequence; subclasses give ``unit`` (the rollback's unit name) and the steps below."""

    # The result of a state=confirmed run besides changed/confirmed (the backend's own keys).
    CONFIRMED_RESULT: dict = {}

    def __init__(self, module) -> None:
        self.module = module
        self.params = module.params

    unit: str

    # -- the backend's steps ---------------------------------------------------------------
    def read(self):
        """What the host has now (any object the other steps understand)."""
        raise NotImplementedError

    def want(self, observed):
        """What the host must have (any object the other steps understand)."""
        raise NotImplementedError

    def live_matches(self, observed, desired) -> bool:
        """The live state is what it must be."""
        raise NotImplementedError

    def file_matches(self, observed, desired) -> bool:
        """The file that persists the state is what it must be."""
        raise NotImplementedError

    def result_fields(self, observed, desired) -> dict:
        """The backend's own keys of the result (the live state as it was, what would go)."""
        return {}

    def diff(self, observed, desired) -> dict:
        """Ansible's diff: before and after, with headers."""
        raise NotImplementedError

    def drift(self, observed, desired, live_ok: bool, file_ok: bool) -> bool:
        """The file is right and the live state is not: changed behind our back."""
        return file_ok and not live_ok

    def arm_needed(self, observed, desired, live_ok: bool) -> bool:
        """Whether this change needs the rollback armed (when rollback_timeout asks for one)."""
        return True

    def arm(self, observed, desired) -> None:
        """Arm the rollback to the state ``observed``."""
        raise NotImplementedError

    def write(self, observed, desired, live_ok: bool, result: dict) -> None:
        """Make the host have ``desired``, verify it, and fail (having put ``observed`` back where
        the backend can) when it does not."""
        raise NotImplementedError

    # -- the sequence ----------------------------------------------------------------------
    def run(self) -> dict:
        done = _rollback.confirmed(self.module, self.unit, **self.CONFIRMED_RESULT)
        if done is not None:
            return done
        observed = self.read()
        desired = self.want(observed)
        file_ok = self.file_matches(observed, desired)
        live_ok = self.live_matches(observed, desired)
        result = {"changed": False, "drift": False, "rollback_armed": False}
        result.update(self.result_fields(observed, desired))
        if live_ok and file_ok:
            return result
        result["changed"] = True
        result["drift"] = self.drift(observed, desired, live_ok, file_ok)
        result["diff"] = self.diff(observed, desired)
        if self.module.check_mode:
            return result
        if self.params["rollback_timeout"] > 0 and self.arm_needed(observed, desired, live_ok):
            self.arm(observed, desired)
            result["rollback_armed"] = True
        self.write(observed, desired, live_ok, result)
        return result
