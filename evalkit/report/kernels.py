"""Kernels that talk over Unix sockets, so parallel notebooks never race for TCP ports."""
from __future__ import annotations

import os
import sys
import tempfile

from jupyter_client.manager import AsyncKernelManager

KERNEL_LOG_ENV = "EVALKIT_KERNEL_LOG"


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (PR_SET_PDEATHSIG); elsewhere do nothing.

    The report pool's workers call it as they start, and each kernel before it runs, so a build
    killed with SIGKILL leaves no worker or kernel writing into the output folder.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the call
        os._exit(1)


class IPCKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` using the ``ipc`` transport in a private temporary folder.

    Each kernel gets its own socket folder, so any number of kernels can start at once without
    the port collisions TCP allocation can suffer between processes. When ``$EVALKIT_KERNEL_LOG``
    names a file, the kernel's own stdout/stderr (start-up and shutdown chatter) go there instead
    of the terminal; cell output still reaches the notebook as usual.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self._socket_dir = tempfile.mkdtemp(prefix="evalkit-kernel-")
        self.ip = os.path.join(self._socket_dir, "k")

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        """Launch the kernel, sending its own logging to the run's kernel log if one is set."""
        if sys.platform.startswith("linux"):
            kw.setdefault("preexec_fn", die_with_parent)  # a killed build leaves no kernel behind
        log_path = os.environ.get(KERNEL_LOG_ENV)
        if log_path:
            os.makedirs(os.path.dirname(log_path), exist_ok=True)
            log = open(log_path, "ab")  # noqa: SIM115 - the kernel process owns it for its lifetime
            kw["stdout"] = kw["stderr"] = log
        return await super()._async_launch_kernel(kernel_cmd, **kw)
