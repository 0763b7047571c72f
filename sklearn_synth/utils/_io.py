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
    content and the temporary file is removed.

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
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
