"""skorch callbacks of the torch estimators (imported when a net is built)."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import time

from skorch.callbacks import Callback


class _BudgetReached(KeyboardInterrupt):
    """Ends skorch's training loop: skorch stops on a KeyboardInterrupt and still
    runs every ``on_train_end`` (early stopping then restores the best weights)."""


class TimeBudget(Callback):
    """Stop training once ``max_time`` seconds have passed since it began.

    Checked after every training batch and at the end of every epoch, so a
    long epoch is cut short. An epoch cut short is removed from the history
    (it has no losses); the early-stopping callback, which runs before this
    one, has restored the best finished epoch's weights by then.
    """

    def __init__(self, max_time):
        self.max_time = max_time

    def on_train_begin(self, net, **kwargs):
        self.deadline_ = time.monotonic() + self.max_time

    def on_batch_end(self, net, training=False, **kwargs):
        if training and time.monotonic() > self.deadline_:
            raise _BudgetReached

    def on_epoch_end(self, net, **kwargs):
        if time.monotonic() > self.deadline_:
            raise _BudgetReached

    def on_train_end(self, net, **kwargs):
        if len(net.history) and "train_loss" not in net.history[-1]:
            del net.history[-1]
