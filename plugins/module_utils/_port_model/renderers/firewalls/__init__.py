# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewall backends: one file per backend, each exporting RENDERER (a Renderer), and _firewall
with BACKENDS and render_firewall, the one path every rendering takes. PRIVATE to the
lync.reverse_proxy collection. They import the model, the renderers' own files (_renderer) and
each other, never the proxies, a document reader or the package's lazy names.
"""
