"""``python -m sklearn_synth``: the same as the ``sklearn-synth`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
