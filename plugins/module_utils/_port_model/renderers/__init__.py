# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The renderers: text and data for hosts and people, made from the model. PRIVATE to the
lync.reverse_proxy collection. What a renderer declares (_renderer: Option, Renderer,
ProxyRenderer, ProxyHost), the firewall backends (firewalls/), the reverse proxies (proxies/), the
IIS ARR configuration and PowerShell script (_windows), the network firewalls as aerleon policies
(_aerleon), the port tables and handout (_tables, _handout) and the probe list (_probe_list).
Their files import the model and the renderers' own files, never a document reader or the
package's lazy names; the files directly here import neither firewalls/ nor proxies/.
"""
