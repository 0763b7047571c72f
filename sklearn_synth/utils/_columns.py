"""What kind of values a column holds, as the binner and the metrics both need it."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import pandas as pd

#: A column is identifier-like when at least this share of its present values
#: are distinct...
IDENTIFIER_DISTINCT_SHARE = 0.9
#: ...and it has at least this many present values (on fewer rows every value
#: is rare anyway, and the rare-value rule protects them).
IDENTIFIER_MIN_ROWS = 20


def is_identifier_like(present):
    """True when the present (non-missing) values of a column are strings with
    about one distinct value per row (connection ids, flow ids, serials)."""
    if len(present) < IDENTIFIER_MIN_ROWS:
        return False
    if not all(isinstance(v, str) for v in present):
        return False
    return pd.unique(pd.Series(present, dtype=object)).size >= IDENTIFIER_DISTINCT_SHARE * len(present)
