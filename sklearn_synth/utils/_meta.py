"""What the meta-estimators that wrap a generator share."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause


class DefaultGeneratorMixin:
    """A ``generator`` parameter whose None means a default generator.

    The subclass implements ``_default_generator()`` (a new unfitted
    generator). ``set_params(generator__<name>=...)`` then also works while
    ``generator`` is None, as grid searches over the default model need.
    """

    def set_params(self, **params):
        """Set parameters; ``generator__<name>`` also works while ``generator`` is None.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : estimator instance
        """
        nested = any(key.startswith("generator__") for key in params)
        if nested and params.get("generator", self.generator) is None:
            params = {**params, "generator": self._default_generator()}
        return super().set_params(**params)

    def _generator_or_default(self):
        return self._default_generator() if self.generator is None else self.generator
