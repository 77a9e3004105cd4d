# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared plumbing of the collection's filters. PRIVATE to the lync.reverse_proxy collection."""

from __future__ import annotations

import functools

from ansible.errors import AnsibleFilterError
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    MissingLibraryError,
    PortModelError,
)
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._collection import CollectionFileError

__all__ = ["model_filter"]


def model_filter(function):
    """Wrap a filter so that the model's own errors become AnsibleFilterError.

    A missing library gets Ansible's install hint; an invalid topology gets every problem
    with its path. Nothing else is caught: a bug stays visible as a bug.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except MissingLibraryError as exc:
            raise AnsibleFilterError(
                "%s: %s" % (function.__name__, missing_required_lib(exc.library))
            ) from None
        except (PortModelError, CollectionFileError) as exc:
            raise AnsibleFilterError("%s: %s" % (function.__name__, exc)) from None

    return wrapper
