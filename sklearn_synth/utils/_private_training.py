"""DP-SGD through Opacus for the skorch nets of the package.

``private_net_class()`` returns a ``NeuralNet`` subclass that trains with
per-sample gradient clipping and Gaussian noise (Opacus's ``DPOptimizer``),
on batches drawn by Poisson sampling (``DPDataLoader``), with the privacy
spent tracked by the RDP accountant. The module is wrapped in a
``GradSampleModule`` while training and unwrapped afterwards, so the trained
weights go into an ordinary net that samples, pickles and saves like any
other (see :meth:`TorchStateMixin._train`).
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ..exceptions import OptionalDependencyError

_INSTALL = 'pip install "sklearn-synth[dp]"'


def import_opacus():
    """Import opacus, or raise an ``OptionalDependencyError`` naming the extra."""
    try:
        import opacus
    except ImportError as exc:
        raise OptionalDependencyError(
            f"Differential privacy (epsilon=...) needs opacus: {_INSTALL}.") from exc
    return opacus


def noise_for_budget(epsilon, delta, sample_rate, epochs):
    """The smallest noise multiplier that keeps ``epochs`` epochs of Poisson
    batches at ``sample_rate`` within ``(epsilon, delta)`` (RDP accountant)."""
    import_opacus()
    from opacus.accountants.utils import get_noise_multiplier

    return float(get_noise_multiplier(target_epsilon=epsilon, target_delta=delta,
                                      sample_rate=sample_rate, epochs=epochs,
                                      accountant="rdp"))


def spent_epsilon(history, delta):
    """Epsilon of an RDP accountant's history of ``(noise, rate, steps)``."""
    from opacus.accountants import RDPAccountant

    accountant = RDPAccountant()
    accountant.history = list(history)
    return float(accountant.get_epsilon(delta)) if history else 0.0


def private_net_class():
    """skorch's ``NeuralNet`` trained with DP-SGD (Opacus)."""
    import_opacus()
    from opacus import GradSampleModule
    from opacus.data_loader import DPDataLoader
    from opacus.optimizers import DPOptimizer
    from skorch import NeuralNet

    class PrivateNet(NeuralNet):
        """NeuralNet with per-sample clipping, Gaussian noise and Poisson batches.

        Parameters (besides skorch's)
        ----------
        noise_multiplier : float
            Noise standard deviation over the clipping norm.
        max_grad_norm : float
            Per-sample gradient clipping norm.
        delta : float
            The delta epsilon is reported at.
        max_epsilon : float or None
            Stop before an epoch that would take the spent epsilon above it.
        """

        def __init__(self, *args, noise_multiplier, max_grad_norm, delta, max_epsilon=None,
                     **kwargs):
            super().__init__(*args, **kwargs)
            self.noise_multiplier = noise_multiplier
            self.max_grad_norm = max_grad_norm
            self.delta = delta
            self.max_epsilon = max_epsilon

        def initialize_module(self):
            super().initialize_module()
            if not isinstance(self.module_, GradSampleModule):
                # strict=False: the column heads hold a constant buffer (the mask of
                # symbols never emitted), which is not data under differential privacy
                self.module_ = GradSampleModule(self.module_, strict=False)
            return self

        def initialize_optimizer(self, *args, **kwargs):
            super().initialize_optimizer(*args, **kwargs)
            self.optimizer_ = DPOptimizer(
                self.optimizer_, noise_multiplier=self.noise_multiplier,
                max_grad_norm=self.max_grad_norm, expected_batch_size=self.batch_size)
            self.privacy_history_ = []
            self.optimizer_.attach_step_hook(self._account_step)
            return self

        def _account_step(self, optimizer):
            rate = self.sample_rate_
            if self.privacy_history_ and self.privacy_history_[-1][1] == rate:
                noise, rate, steps = self.privacy_history_[-1]
                self.privacy_history_[-1] = (noise, rate, steps + 1)
            else:
                self.privacy_history_.append((self.noise_multiplier, rate, 1))

        def get_iterator(self, dataset, training=False):
            loader = super().get_iterator(dataset, training=training)
            if not training:
                return loader
            loader = DPDataLoader.from_data_loader(loader, generator=loader.generator)
            self.sample_rate_ = loader.sample_rate
            return loader

        def on_epoch_begin(self, net, dataset_train=None, **kwargs):
            if self.max_epsilon is not None and dataset_train is not None:
                steps = -(-len(dataset_train) // self.batch_size)  # Opacus's batches per epoch
                rate = 1.0 / steps
                if spent_epsilon([*self.privacy_history_, (self.noise_multiplier, rate, steps)],
                                 self.delta) > self.max_epsilon:
                    raise KeyboardInterrupt  # skorch ends training cleanly on it
            super().on_epoch_begin(net, dataset_train=dataset_train, **kwargs)

        def on_train_end(self, net, **kwargs):
            super().on_train_end(net, **kwargs)
            if isinstance(self.module_, GradSampleModule):
                self.module_._close()
                self.module_ = self.module_._module

        @property
        def epsilon_(self):
            return spent_epsilon(getattr(self, "privacy_history_", []), self.delta)

    return PrivateNet
