# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The model layer: the source's tables as data (_data), the errors (_errors), the validation of a
topology (_validate), the computation of the model (_compute), addresses (_address), selections
and queries (_select), the firewall policy (_policy) and the TLS profiles (_tls). PRIVATE to the
lync.reverse_proxy collection. It is the bottom layer: its files import each other and libraries,
never a renderer, a document reader or the package's lazy names (``_port_model/__init__.py``).
"""
