"""What the torch-backed generators share on top of :class:`TorchStateMixin`:
the net built from the generators' common training parameters, and the
marginal likelihood over classes."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import logsumexp

from ..utils._torch import make_net
from ..utils._torch_estimator import TorchStateMixin


class TorchGeneratorMixin(TorchStateMixin):
    """Mixin of the torch-backed generators.

    The estimator provides ``patience``, ``gradient_clip``, ``batch_size``,
    ``validation_fraction``, ``device``, ``accelerator``, ``verbose`` and
    ``random_state`` parameters and implements ``_build_net(torch, seed,
    valid=None, accelerate=False)`` with :meth:`_make_net`.
    """

    def _make_net(self, *, module, criterion, seed, valid, lr, max_epochs, weight_decay=0.0,
                  accelerate=False, private=None, **module_kwargs):
        """The generators' net: Adam with ``weight_decay``, early stopping on
        ``patience`` that restores the best weights, ``gradient_clip``, a
        progress bar when ``verbose``; ``module_kwargs`` go to the module.

        ``private`` (a dict of ``noise_multiplier``, ``max_grad_norm``,
        ``delta`` and ``max_epsilon``) trains with DP-SGD instead: every epoch
        runs, on Poisson batches, with per-sample clipping in place of
        ``gradient_clip``, no validation set and no early stopping (both
        would look at the rows outside the privacy accounting)."""
        options = self._net_options(valid, accelerate)
        patience, clip = self.patience, self.gradient_clip
        if private is not None:
            from ..utils._private_training import private_net_class

            options.update(net_class=private_net_class(), **private)
            patience = clip = valid = None
            module_kwargs["private"] = True
        return make_net(
            module,
            criterion,
            seed=seed,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=self.batch_size,
            valid=valid,
            patience=patience,
            gradient_clip=clip,
            max_time=getattr(self, "max_time", None),
            verbose=self.verbose,
            optimizer__weight_decay=weight_decay,
            **options,
            **{f"module__{k}": v for k, v in module_kwargs.items()},
        )

    def _marginal_log_likelihood(self, log_likelihood):
        """Per-row log-likelihood, summed over the classes when fitted with labels.

        ``log_likelihood(k)`` gives each row's log-likelihood given class index
        ``k`` (None for an unlabeled model); the classes are weighted by their
        training frequency.
        """
        if self.classes_ is None:
            return log_likelihood(None)
        per_class = np.stack([log_likelihood(k) for k in range(self.classes_.size)])
        return logsumexp(per_class + np.log(self.class_prior_)[:, None], axis=0)
