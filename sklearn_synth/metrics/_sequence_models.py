"""Private torch modules of the sequence metrics (the judges, not generators)."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from torch import nn


class SequenceClassifier(nn.Module):
    """A one-layer LSTM whose last state gives one logit per window."""

    def __init__(self, n_channels, hidden_size=32):
        super().__init__()
        self.lstm = nn.LSTM(n_channels, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, 1)

    def forward(self, X):
        _, (h, _) = self.lstm(X)
        return self.out(h[-1])[:, 0]


class NextStepPredictor(nn.Module):
    """A one-layer GRU predicting every channel at the next step."""

    def __init__(self, n_channels, hidden_size=32):
        super().__init__()
        self.gru = nn.GRU(n_channels, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, n_channels)

    def forward(self, X):
        h, _ = self.gru(X)
        return self.out(h)
