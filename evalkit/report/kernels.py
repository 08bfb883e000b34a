"""Kernels that talk over Unix sockets, so parallel notebooks never race for TCP ports."""
from __future__ import annotations

import os
import tempfile

from jupyter_client.manager import AsyncKernelManager


class IPCKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` using the ``ipc`` transport in a private temporary folder.

    Each kernel gets its own socket folder, so any number of kernels can start at once without
    the port collisions TCP allocation can suffer between processes.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self._socket_dir = tempfile.mkdtemp(prefix="evalkit-kernel-")
        self.ip = os.path.join(self._socket_dir, "k")
