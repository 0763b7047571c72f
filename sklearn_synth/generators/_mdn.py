"""Private torch modules of SenseGen: stacked LSTMs with a mixture density head.

At step ``t`` the network reads the previous (standardized) values of every
channel, a flag that is 1 only at the first step of a series, and, for a
class-conditional model, an embedding of the class; it returns the
parameters of a Gaussian mixture over the values at step ``t``: mixture
logits ``(..., K)``, means and log standard deviations ``(..., K, C)``
(diagonal covariance per component; the mixture itself captures dependence
between channels).
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
from torch import nn

# Keep standard deviations inside [e^-7, e^3] (in standardized units): the
# likelihood stays finite on repeated values and sampling cannot explode.
LOG_SIGMA_MIN, LOG_SIGMA_MAX = -7.0, 3.0
_LOG_2PI = math.log(2 * math.pi)


class SenseGenModule(nn.Module):
    def __init__(self, n_channels, n_classes=0, class_dim=8, hidden_size=128, n_layers=3,
                 dense_size=32, n_components=24, dropout=0.0, input_noise=0.0, ar_order=0):
        super().__init__()
        self.ar_order = ar_order
        self.input_noise = input_noise
        self.n_channels = n_channels
        self.n_components = n_components
        self.class_embedding = nn.Embedding(n_classes, class_dim) if n_classes else None
        n_inputs = n_channels + 1 + (class_dim if n_classes else 0)
        self.lstm = nn.LSTM(n_inputs, hidden_size, n_layers, batch_first=True,
                            dropout=dropout if n_layers > 1 else 0.0)
        self.dense = nn.Linear(hidden_size, dense_size)
        self.head = nn.Linear(dense_size, n_components * (1 + 2 * n_channels))
        if ar_order:
            self.autoregression = nn.Linear(ar_order * n_channels, n_channels, bias=False)
            nn.init.zeros_(self.autoregression.weight)

    def _inputs(self, previous, first, classes):
        if self.training and self.input_noise > 0:
            # the model reads its own (imperfect) samples when generating: train it on
            # slightly perturbed inputs so that small errors do not compound
            previous = previous + self.input_noise * torch.randn_like(previous)
        parts = [previous, first[..., None].to(previous.dtype)]
        if self.class_embedding is not None:
            emb = self.class_embedding(classes)[:, None, :]
            parts.append(emb.expand(-1, previous.shape[1], -1))
        return torch.cat(parts, dim=-1)

    def _mixture(self, out):
        raw = self.head(torch.tanh(self.dense(out)))
        K, C = self.n_components, self.n_channels
        logits = raw[..., :K]
        means = raw[..., K:K + K * C].unflatten(-1, (K, C))
        log_sigma = raw[..., K + K * C:].unflatten(-1, (K, C)).clamp(LOG_SIGMA_MIN, LOG_SIGMA_MAX)
        return logits, means, log_sigma

    def forward(self, previous, first, classes=None, state=None):
        """previous: (B, T, C) values at t-1; first: (B, T) flags -> mixture parameters.

        The sequences start from scratch (zero state, zero values before them).
        """
        out, _ = self.lstm(self._inputs(previous, first, classes), state)
        logits, means, log_sigma = self._mixture(out)
        if self.ar_order:
            # lag j (0-based) of step t is previous[t - j]; zeros before the start
            T, p = previous.shape[1], self.ar_order
            padded = torch.cat([previous.new_zeros(previous.shape[0], p - 1, previous.shape[2]),
                                previous], dim=1)
            lags = torch.cat([padded[:, p - 1 - j:p - 1 - j + T] for j in range(p)], dim=-1)
            means = means + self.autoregression(lags)[..., None, :]
        return logits, means, log_sigma

    def step(self, previous, first, classes, state):
        """One step for a batch: previous (B, C), first (B,) -> mixture at (B, ...), new state.

        ``state`` is None at the first step; it carries the LSTM state and,
        with an autoregression, the last ``ar_order`` values.
        """
        lstm_state, lags = (None, None) if state is None else state
        out, lstm_state = self.lstm(self._inputs(previous[:, None], first[:, None], classes),
                                    lstm_state)
        logits, means, log_sigma = self._mixture(out[:, 0])
        if self.ar_order:
            if lags is None:
                lags = previous.new_zeros(previous.shape[0], self.ar_order, previous.shape[1])
            lags = torch.cat([previous[:, None], lags[:, :-1]], dim=1)
            means = means + self.autoregression(lags.flatten(1))[:, None, :]
        return (logits, means, log_sigma), (lstm_state, lags)


def mixture_log_likelihood(params, target):
    """log p(target) under the mixture, per step: (B, T, C) -> (B, T)."""
    logits, means, log_sigma = params
    z = (target[..., None, :] - means) * torch.exp(-log_sigma)
    component = -0.5 * (z * z).sum(-1) - log_sigma.sum(-1) - 0.5 * target.shape[-1] * _LOG_2PI
    return torch.logsumexp(torch.log_softmax(logits, dim=-1) + component, dim=-1)


class MixtureNLLLoss(nn.Module):
    """Negative log-likelihood per timestep, averaged over the batch's steps."""

    def forward(self, params, target):
        return -mixture_log_likelihood(params, target).mean()


def sample_mixture(params, generator, temperature=1.0):
    """One draw per row of a batch of mixtures: (B, K), (B, K, C) -> (B, C)."""
    logits, means, log_sigma = params
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    cdf = probs.cumsum(-1)
    u = torch.rand((probs.shape[0], 1), generator=generator, device=probs.device)
    k = (cdf < u * cdf[:, -1:]).sum(-1).clamp_max(probs.shape[1] - 1)
    rows = torch.arange(probs.shape[0], device=probs.device)
    noise = torch.randn(means.shape[0], means.shape[2], generator=generator, device=probs.device)
    return means[rows, k] + torch.exp(log_sigma[rows, k]) * temperature * noise
