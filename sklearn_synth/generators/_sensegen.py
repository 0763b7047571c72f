"""SenseGen: stacked LSTMs with a mixture density output for sensor time series."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_is_fitted

from ..base import BaseGenerator
from ..utils._audit import store_audit_sample
from ..utils._labels import prior_classes
from ..utils._random import draw_seed, validation_split
from ..utils._torch import import_torch, inference, torch_generator
from ..utils._validation import TORCH_DEVICE, as_numeric, check_n_samples, mean_and_std
from ._base import TorchGeneratorMixin

# Refuse training sets whose windows alone would take more memory than this.
_MAX_WINDOW_VALUES = 400_000_000
# Longest default series length a loaded model may have (about an hour at 32 Hz).
_MAX_TIMESTEPS = 200_000


class SenseGenSynthesizer(TorchGeneratorMixin, BaseGenerator):
    """Generate sensor time series with stacked LSTMs and a mixture density head.

    The SenseGen architecture (Alzantot, Chakraborty and Srivastava, 2017): at
    every step a stack of LSTMs reads the previous values of all channels,
    a small dense layer follows, and its output parameterizes a Gaussian
    mixture over the next values, from which the series is sampled one step
    at a time. Values are standardized per channel inside the model and
    returned in the original units.

    Input comes in three forms: a 3-D array ``(n_series, n_timesteps,
    n_channels)``, a 2-D array ``(n_series, n_timesteps)`` of univariate
    series, or a list of 2-D ``(n_timesteps_i, n_channels)`` (or 1-D) arrays
    of different lengths, as real recordings are.

    Training uses truncated back-propagation through time: every series is cut
    into windows of ``window`` steps (overlapping by ``window - stride``), and
    each window is learned as the start of a series (zero state, no value
    before it), which is how sampling starts: the model learns to begin
    anywhere in a recording, not only where recordings begin. Whole series
    are held out for validation and early stopping. Sampling carries the
    state forward, so series of any length can be generated.

    Parameters
    ----------
    n_layers : int, default=3
        Stacked LSTM layers (the paper: 3).
    hidden_size : int, default=128
        Units per LSTM layer (the paper: 128).
    dense_size : int, default=32
        Units of the tanh layer between the LSTMs and the mixture (the paper: 32).
    n_components : int, default=24
        Gaussian mixture components (the paper: 24). Each component has a
        diagonal covariance; correlation between channels comes from the
        mixture and from the shared recurrent state (a full covariance per
        component would add ``C(C-1)/2`` outputs each for little gain at these
        channel counts).
    window : int, default=64
        Steps per training window (the truncation of back-propagation). Cut
        to the shortest series' length if that is shorter.
    stride : int or None, default=None
        Steps between window starts; None is ``window // 2``.
    class_dim : int, default=8
        Size of the class embedding fed at every step when fitted with ``y``.
    dropout : float, default=0.0
        Dropout between LSTM layers.
    ar_order : int, default=8
        Lags of a linear autoregression added to every mixture component's
        mean (not in the paper; 0 is the paper's head). The network then
        models what a linear predictor of the last ``ar_order`` values
        misses, and the per-step noise it learns is the small innovation of
        a smooth trace: with the paper's head, sampled traces jitter where
        real ones are smooth (on the smartwatch recordings a forest on window
        statistics told them from training windows with AUC 0.999 with the
        paper's head and 0.920 with 8 lags; see the :ref:`User Guide
        <sensegen>`).
    input_noise : float, default=0.1
        Standard deviation (in standardized units) of Gaussian noise added to
        the previous values the network reads during training, so that it
        learns to recover from the small errors it makes when it reads its
        own samples (not in the paper). It reaches the LSTM only, never the
        autoregression of ``ar_order``. Without it, errors compound over long
        generated traces: with the paper's head on the smartwatch recordings,
        the LSTM judge's accuracy was 0.83 without it and 0.71 with 0.1; with
        the default autoregression it matters less (0.74 and 0.73; single
        runs at 10 epochs, see the :ref:`User Guide <sensegen>`).
    max_epochs : int, default=30
        Most passes over the windows.
    batch_size : int, default=64
        Windows per gradient step.
    lr : float, default=3e-3
        Adam learning rate.
    validation_fraction : float, default=0.2
        Share of the series held out for early stopping (at least one when
        there are 2 or more series; 0 or a single series monitors the training
        loss).
    patience : int, default=5
        Epochs without improvement before early stopping.
    gradient_clip : float or None, default=1.0
        Clip the gradient norm to this value; None disables clipping.
    temperature : float, default=1.0
        Sampling temperature: below 1 sharpens the mixture weights and narrows
        the components (smoother, less varied series), above 1 does the reverse.
    sample_chunk_size : int, default=512
        Series generated together; bounds sampling memory.
    device : str or torch.device, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or ``"auto"``.
    accelerator : accelerate.Accelerator or None, default=None
        Train through skorch's Hugging Face Accelerate integration: mixed
        precision, or data-parallel training over several GPUs or machines
        under ``accelerate launch`` (``device`` is then ignored for training).
        A runtime resource: it is not pickled or saved.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, window order and the sampling stream.
    verbose : int, default=0
        1 prints skorch's epoch table and a progress bar.

    Attributes
    ----------
    n_channels_ : int
        Channels per timestep.
    n_features_in_ : int
        The same as ``n_channels_`` (features per timestep; series may have
        any length).
    n_timesteps_ : int
        Default length of sampled series: the training length for array input,
        the median recording length for a list.
    mean_, scale_ : ndarray of shape (n_channels,)
        Per-channel standardization.
    window_ : int
        The training window actually used.
    classes_, class_prior_ : ndarray or None
        Labels and their frequencies when fitted with ``y``.
    net_ : skorch.NeuralNet
        The trained network; ``history_`` is its history.
    device_ : torch.device
    random_state_ : RandomState
        The default sampling stream.

    See Also
    --------
    sklearn_synth.metrics.discriminator_accuracy : The LSTM discriminator test.

    Notes
    -----
    ``score_samples`` returns the exact log-likelihood of each series (a
    density in the original units), averaged per timestep, so ``score`` works
    as ``GridSearchCV``'s default scoring.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.generators import SenseGenSynthesizer
    >>> t = np.linspace(0, 8 * np.pi, 80)
    >>> X = np.stack([np.sin(t + p) for p in np.linspace(0, 3, 20)])[..., None]
    >>> gen = SenseGenSynthesizer(n_layers=1, hidden_size=16, n_components=3,
    ...                           max_epochs=2, random_state=0).fit(X)
    >>> gen.sample(4, n_timesteps=50).shape
    (4, 50, 1)
    """

    _parameter_constraints = {
        "n_layers": [Interval(Integral, 1, None, closed="left")],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "dense_size": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 2, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left"), None],
        "class_dim": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "ar_order": [Interval(Integral, 0, None, closed="left")],
        "input_noise": [Interval(Real, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "sample_chunk_size": [Interval(Integral, 1, None, closed="left")],
        "device": [TORCH_DEVICE],
        "accelerator": [None, HasMethods(["prepare", "backward"])],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        n_layers=3,
        hidden_size=128,
        dense_size=32,
        n_components=24,
        window=64,
        stride=None,
        class_dim=8,
        dropout=0.0,
        ar_order=8,
        input_noise=0.1,
        max_epochs=30,
        batch_size=64,
        lr=3e-3,
        validation_fraction=0.2,
        patience=5,
        gradient_clip=1.0,
        temperature=1.0,
        sample_chunk_size=512,
        device="cpu",
        accelerator=None,
        random_state=None,
        verbose=0,
    ):
        self.n_layers = n_layers
        self.hidden_size = hidden_size
        self.dense_size = dense_size
        self.n_components = n_components
        self.window = window
        self.stride = stride
        self.class_dim = class_dim
        self.dropout = dropout
        self.ar_order = ar_order
        self.input_noise = input_noise
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.gradient_clip = gradient_clip
        self.temperature = temperature
        self.sample_chunk_size = sample_chunk_size
        self.device = device
        self.accelerator = accelerator
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------ validation
    def _check_series(self, X, *, reset):
        """Return a list of float arrays (n_timesteps_i, n_channels) and the input kind."""
        name = type(self).__name__
        if isinstance(X, (list, tuple)):
            kind = "list"
            series = [_as_2d(s, i) for i, s in enumerate(X)]
            if not series:
                raise ValueError(f"{name} got an empty list of series; pass at least one.")
        else:
            arr = as_numeric(X, name)
            shape = arr.shape
            if arr.ndim == 2:
                kind, arr = "2d", arr[..., None]
            elif arr.ndim == 3:
                kind = "3d"
            else:
                raise ValueError(
                    f"{name} takes a 3-D array (n_series, n_timesteps, n_channels), a 2-D array "
                    f"(n_series, n_timesteps) of univariate series, or a list of 2-D arrays; got "
                    f"an array with {arr.ndim} dimension(s) of shape {arr.shape}."
                )
            if arr.shape[0] == 0:
                raise ValueError(f"Found array with 0 sample(s) (shape={arr.shape}) while a "
                                 f"minimum of 1 is required by {name}.")
            if arr.shape[1] == 0:
                raise ValueError(
                    f"Found array with 0 feature(s) (shape={shape}) while a minimum of 2 is "
                    f"required by {name} (timesteps per series)."
                )
            if kind == "2d" and arr.shape[1] == 1:
                raise ValueError(
                    f"{name} got 1 feature(s) per row: with a 2-D array each row is a series and "
                    "each column a timestep, and a series needs at least 2 timesteps."
                )
            series = [_as_2d(s, i) for i, s in enumerate(arr)]
        n_channels = series[0].shape[1]
        for i, s in enumerate(series):
            if s.shape[1] != n_channels:
                raise ValueError(
                    f"series {i} has {s.shape[1]} channel(s) but series 0 has {n_channels}; every "
                    "series needs the same channels."
                )
            if s.shape[0] < 2:
                raise ValueError(
                    f"series {i} has {s.shape[0]} timestep(s); {name} needs at least 2 per series. "
                    "Drop or pad the short recordings."
                )
            bad = ~np.isfinite(s)
            if bad.any():
                t, c = np.argwhere(bad)[0]
                raise ValueError(
                    f"series {i}, channel {c} holds {s[t, c]} at timestep {t} ({bad.sum()} "
                    f"non-finite value(s) in that series). {name} does not model missing or "
                    "infinite values: interpolate them or cut the series there."
                )
        if not reset and n_channels != self.n_channels_:
            raise ValueError(
                f"X has {n_channels} channel(s), but {name} was fitted with {self.n_channels_}."
            )
        return series, kind

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Standardize the channels and train the network on windows of the series.

        Parameters
        ----------
        X : array-like of shape (n_series, n_timesteps, n_channels) or \
(n_series, n_timesteps), or list of arrays of shape (n_timesteps_i, n_channels)
            Training series.
        y : array-like of shape (n_series,), default=None
            One label per series (an activity): the model is then
            class-conditional and :meth:`sample_labeled` works.

        Returns
        -------
        self : object
            The fitted generator.
        """
        torch = import_torch()
        series, kind = self._check_series(X, reset=True)
        rng, (seed,), classes = self._begin_fit(y, len(series))
        self._fit_scaling(series, kind)
        stride = self._fit_windows(series)
        standardized = [((s - self.mean_) / self.scale_).astype(np.float32) for s in series]
        train_ids, valid_ids = validation_split(len(series), self.validation_fraction,
                                                np.random.RandomState(seed), at_least_one=True)

        def windows(ids):
            return _windows([standardized[i] for i in ids],
                            None if classes is None else classes[ids], self.window_, stride)

        self._train(torch, seed, *windows(train_ids),
                    valid=windows(valid_ids) if valid_ids.size else None)
        store_audit_sample(self, series if kind == "list" else np.asarray(X), y, rng)
        return self

    def _fit_scaling(self, series, kind):
        """Input form, dtype, channel count, default length and per-channel scaling."""
        lengths = [s.shape[0] for s in series]
        self._input_kind = kind
        self._dtype = np.float32 if np.asarray(series[0]).dtype == np.float32 else np.float64
        self.n_channels_ = self.n_features_in_ = series[0].shape[1]
        self.n_timesteps_ = int(lengths[0]) if kind != "list" else int(np.median(lengths))
        self.mean_, self.scale_ = mean_and_std(np.concatenate(series))
        constant = np.flatnonzero(self.scale_ <= 1e-12 * np.maximum(1.0, np.abs(self.mean_)))
        if constant.size:
            c = constant[0]
            raise ValueError(
                f"channel {c} is constant (standard deviation {self.scale_[c]:g} around "
                f"{self.mean_[c]:g}); there is nothing to "
                "model. Drop the channel before fitting and add it back to the samples."
            )

    def _fit_windows(self, series):
        """Set ``window_``; return the stride, after checking the windows fit in memory."""
        lengths = np.array([s.shape[0] for s in series])
        self.window_ = int(min(self.window, lengths.min()))
        stride = self.stride if self.stride is not None else max(1, self.window_ // 2)
        n_windows = sum(len(_window_starts(n, self.window_, stride)) for n in lengths)
        if n_windows * self.window_ * (2 * self.n_channels_ + 1) > _MAX_WINDOW_VALUES:
            raise ValueError(
                f"{n_windows} training windows of {self.window_} steps would not fit in memory; "
                "raise stride or lower window."
            )
        return stride

    def _build_net(self, torch, seed, valid=None, accelerate=False):
        from ._mdn import MixtureNLLLoss, SenseGenModule

        n_classes = 0 if self.classes_ is None else self.classes_.size
        return self._make_net(
            accelerate=accelerate,
            module=SenseGenModule,
            criterion=MixtureNLLLoss,
            seed=seed,
            valid=valid,
            lr=self.lr,
            max_epochs=self.max_epochs,
            n_channels=self.n_channels_,
            n_classes=n_classes,
            class_dim=self.class_dim,
            hidden_size=self.hidden_size,
            n_layers=self.n_layers,
            dense_size=self.dense_size,
            n_components=self.n_components,
            dropout=self.dropout,
            input_noise=self.input_noise,
            ar_order=self.ar_order,
        )

    # --------------------------------------------------------------- sample
    def sample(self, n_samples=1, *, n_timesteps=None, random_state=None):
        """Generate series.

        Parameters
        ----------
        n_samples : int, default=1
            Number of series.
        n_timesteps : int, default=None
            Length of each series; None is ``n_timesteps_``.
        random_state : int, RandomState instance or None, default=None
            An int makes the call reproducible; None continues the fitted
            ``random_state_`` stream.

        Returns
        -------
        X : ndarray of shape (n_samples, n_timesteps, n_channels)
            In the original units; ``(n_samples, n_timesteps)`` when the model
            was fitted on a 2-D array of univariate series.
        """
        return self._sample_checked(n_samples, random_state, n_timesteps=n_timesteps)

    def sample_labeled(self, n_samples=1, *, y=None, n_timesteps=None, random_state=None):
        """Generate series of chosen classes (activities).

        Parameters
        ----------
        n_samples : int, default=1
            Number of series when ``y`` is None or a single label.
        y : label, array-like of labels or None, default=None
            None draws classes from the training prior; a label gives
            ``n_samples`` series of it; an array gives one series per entry.
        n_timesteps : int, default=None
            Length of each series; None is ``n_timesteps_``.
        random_state : int, RandomState instance or None, default=None
            As in :meth:`sample`.

        Returns
        -------
        X : ndarray
            As in :meth:`sample`.
        y : ndarray of shape (n_series,)
            The label of each series.
        """
        return self._sample_labeled_checked(n_samples, y, random_state, n_timesteps=n_timesteps)

    def _sample(self, n_samples, rng, n_timesteps=None):
        return self._generate(n_samples, prior_classes(self, n_samples, rng), n_timesteps, rng)

    def _sample_labeled(self, class_indices, rng, n_timesteps=None):
        return self._generate(class_indices.size, class_indices, n_timesteps, rng)

    def _generate(self, n, classes, n_timesteps, rng):
        torch = import_torch()
        T = self.n_timesteps_ if n_timesteps is None else check_n_samples(n_timesteps, "n_timesteps")
        from ._mdn import sample_mixture

        device = self.device_
        generator = torch_generator(draw_seed(rng), device)
        out = np.empty((n, T, self.n_channels_), dtype=self._dtype)
        with inference(self.net_.module_) as module:
            for start in range(0, n, self.sample_chunk_size):
                stop = min(start + self.sample_chunk_size, n)
                b = stop - start
                cls = None if classes is None else torch.as_tensor(classes[start:stop], device=device)
                previous = torch.zeros((b, self.n_channels_), device=device)
                first = torch.ones(b, device=device)
                state = None
                chunk = torch.empty((b, T, self.n_channels_), device=device)
                for t in range(T):
                    params, state = module.step(previous, first, cls, state)
                    previous = sample_mixture(params, generator, self.temperature)
                    chunk[:, t] = previous
                    if t == 0:
                        first = torch.zeros(b, device=device)
                out[start:stop] = chunk.cpu().numpy() * self.scale_ + self.mean_
        return out[..., 0] if self._input_kind == "2d" else out

    # ---------------------------------------------------------------- score
    def score_samples(self, X):
        """Log-likelihood of each series, per timestep.

        The exact log-density of the whole series under the model (each step
        given the ones before it, from the series' start), in the original
        units, divided by its length. A model fitted with ``y`` scores the
        marginal likelihood over the classes, weighted by their training
        frequency.

        Parameters
        ----------
        X : array-like or list of arrays
            Series in any of the forms :meth:`fit` takes, of any length.

        Returns
        -------
        log_likelihood : ndarray of shape (n_series,)
        """
        check_is_fitted(self)
        series, _ = self._check_series(X, reset=False)
        log_det = np.log(self.scale_).sum()
        total = self._marginal_log_likelihood(lambda k: self._series_log_likelihood(series, k))
        lengths = np.array([s.shape[0] for s in series])
        return total / lengths - log_det

    def _series_log_likelihood(self, series, k):
        """Sum of per-step log-densities of each (standardized) series."""
        torch = import_torch()
        from ._mdn import mixture_log_likelihood

        out = np.empty(len(series))
        lengths = np.array([s.shape[0] for s in series])
        # a float64 copy: summing thousands of per-step terms in float32 loses digits
        with inference(self.net_.module_, torch.float64) as module64:
            for length in np.unique(lengths):
                ids = np.flatnonzero(lengths == length)
                for start in range(0, ids.size, self.sample_chunk_size):
                    part = ids[start:start + self.sample_chunk_size]
                    z = np.stack([(series[i] - self.mean_) / self.scale_ for i in part])
                    z = torch.as_tensor(z, dtype=torch.float64, device=self.device_)
                    previous = torch.cat([torch.zeros_like(z[:, :1]), z[:, :-1]], dim=1)
                    first = torch.zeros(z.shape[:2], dtype=torch.float64, device=self.device_)
                    first[:, 0] = 1
                    cls = None if k is None else torch.full(
                        (part.size,), k, dtype=torch.long, device=self.device_)
                    ll = mixture_log_likelihood(module64(previous, first, cls), z)
                    out[part] = ll.sum(1).cpu().numpy()
        return out

    _persisted_private = ("_input_kind", "_dtype")
    # files written before ``ar_order`` existed hold the paper's head
    _params_before_added = {"ar_order": 0}

    def _check_restored_state(self):
        """Refuse a loaded state that would make sampling misbehave (see
        :func:`~sklearn_synth.utils.load_model`)."""
        from ..exceptions import ModelFormatError

        n_channels = self.n_channels_
        problems = []
        if self._input_kind not in ("2d", "3d", "list"):
            problems.append("input kind")
        if np.dtype(self._dtype) not in (np.float32, np.float64):
            problems.append("dtype")
        if type(n_channels) is not int or not 1 <= n_channels == self.n_features_in_:
            problems.append("channel count")
        elif (np.shape(self.mean_) != (n_channels,) or np.shape(self.scale_) != (n_channels,)
              or not np.all(np.isfinite(self.mean_)) or not np.all(self.scale_ > 0)):
            problems.append("scaling")
        if type(self.n_timesteps_) is not int or not 2 <= self.n_timesteps_ <= _MAX_TIMESTEPS:
            problems.append(f"default length (at most {_MAX_TIMESTEPS:,} steps)")
        if problems:
            raise ModelFormatError(f"{type(self).__name__}'s stored {', '.join(problems)} "
                                   "are not consistent")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


def _as_2d(s, i):
    arr = as_numeric(np.asarray(s), f"series {i}")
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim != 2:
        raise ValueError(
            f"series {i} has shape {arr.shape}; each series must be (n_timesteps, n_channels) "
            "or 1-D."
        )
    return arr if arr.dtype in (np.float32, np.float64) else arr.astype(np.float64)


def _window_starts(length, window, stride):
    starts = list(range(0, length - window + 1, stride))
    if starts[-1] != length - window:
        starts.append(length - window)
    return starts


def _windows(series, classes, window, stride):
    """Training windows, each a series start: ({previous, first[, classes]}, target), float32."""
    previous, target, labels = [], [], []
    for i, z in enumerate(series):
        for a in _window_starts(z.shape[0], window, stride):
            previous.append(np.concatenate([np.zeros_like(z[:1]), z[a:a + window - 1]]))
            target.append(z[a:a + window])
            if classes is not None:
                labels.append(classes[i])
    first = np.zeros((len(previous), window), dtype=np.float32)
    first[:, 0] = 1
    X = {"previous": np.stack(previous), "first": first}
    if classes is not None:
        X["classes"] = np.asarray(labels, dtype=np.int64)
    return X, np.stack(target)
