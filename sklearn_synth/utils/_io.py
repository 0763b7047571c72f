"""File writing that never leaves a truncated file behind."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    If the block raises (or the process dies), ``path`` keeps its previous
    content and the temporary file is removed. The file gets the permission
    bits a plain ``open(path, "w")`` would give it.

    Parameters
    ----------
    path : str or path-like
        The final destination.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _mode_of_a_plain_write(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _mode_of_a_plain_write(path):
    """The permission bits ``open(path, "w")`` would leave: the existing file's,
    or ``0o666`` less the umask for a new file (``mkstemp`` makes its file 0600)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)  # reading the umask means setting it; put it straight back
        os.umask(umask)
        return 0o666 & ~umask
