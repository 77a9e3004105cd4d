# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the declarations say, written as documentation: the renderers' options and the topology's
keys as role argument specs and the topology doc fragment (_specs; make specs writes them into the
files). PRIVATE to the lync.reverse_proxy collection. The top layer: it imports the model and the
renderers, and nothing imports it but the generator and its tests.
"""
