# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The reverse proxies: one file per proxy, each exporting RENDERER (a ProxyRenderer), and _proxy
with PROXIES and render_proxy, the one path HAProxy and nginx take. PRIVATE to the
lync.reverse_proxy collection. They import the model, the renderers' own files (_renderer) and
each other, never the firewall backends, a document reader or the package's lazy names.
"""
