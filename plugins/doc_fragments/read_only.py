# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The attributes of a module that only reads the host (firewall_info, proxy_info)."""

    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
    description: The module only reads; check mode gives the same result.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
  idempotent:
    support: full
    description: Reading changes nothing.
"""
