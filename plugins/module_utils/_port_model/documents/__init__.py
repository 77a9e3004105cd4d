# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The documents read on the controller: Lync's topology documents (.tbxml, Get-CsTopology -AsXml)
into a lync_topology (_topology_xml), and the certificates a PFX and a PEM file carry (_pfx).
PRIVATE to the lync.reverse_proxy collection. They import the model only, never a renderer or the
package's lazy names.
"""
