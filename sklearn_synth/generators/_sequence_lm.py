"""SequenceLMSynthesizer: a table as sentences of symbols, learned by a language model."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import time
import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import BaseGenerator, TableInputMixin
from ..exceptions import OutOfRangeWarning, UnknownCategoryWarning
from ..utils._audit import store_audit_sample
from ..preprocessing import ColumnRelation, SymbolicBinner
from ..preprocessing._private_encoding import noisy_class_prior
from ..preprocessing._relations import (
    RelationEnforcer,
    check_relation,
    column_position,
    find_relations,
    merge_relations,
    numeric_mask,
    relation_violations,
)
from ..utils._labels import is_labeled, prior_classes, requested_classes
from ..utils._random import draw_seed, resolve_sample_rng, validation_split
from ..utils._torch import import_torch, inference, torch_generator, torch_seed
from ..utils._validation import TORCH_DEVICE, check_table, column_label, is_number_dtype
from ._base import TorchGeneratorMixin
from ._conditions import conditions_table

# Default learning rate per backbone (Adam), measured on the flow data.
_DEFAULT_LR = {"rnn": 3e-3, "transformer": 2e-3, "wavenet": 3e-3}

# Default epoch budget per backbone: about four minutes of training on 20,000
# rows x 23 columns on 2 CPU cores.
_DEFAULT_EPOCHS = {"rnn": 50, "transformer": 25, "wavenet": 25}

# Default epochs under differential privacy: every epoch runs (no early
# stopping) and costs budget, and a DP-SGD epoch is about five times slower.
_DEFAULT_PRIVATE_EPOCHS = 10

# Default depth per backbone: the paper's Transformer has 4 blocks; the WaveNet
# gets enough dilation doublings to see the whole row (None).
_DEFAULT_LAYERS = {"rnn": 1, "transformer": 4, "wavenet": None}

def _warn_if_budget_too_small(epsilon, noise, n_rows, batch_size, encoding, n_parts, delta,
                              threshold):
    """Warn, with the figures, when a table is too small for its budget."""
    from ..exceptions import PrivacyBudgetWarning

    eps_value = encoding / n_parts / 3  # a numeric column's kept-value share
    tau = max(threshold, 1 + np.log(1 / (2 * delta / n_parts)) / eps_value)
    signal = min(batch_size, n_rows)
    if tau > 0.1 * n_rows or noise > 0.1 * signal:
        warnings.warn(
            f"epsilon={epsilon} is small for {n_rows} rows: a value needs a noisy count of "
            f"about {tau:,.0f} rows ({tau / n_rows:.0%} of the table) to be kept, and the "
            f"DP-SGD noise (multiplier {noise:.2f}) is {noise / signal:.2f} times a batch's "
            "clipped gradient. Expect a model close to independent noise; use more rows, a "
            "larger epsilon, fewer columns or a larger batch_size.",
            PrivacyBudgetWarning,
            stacklevel=3,
        )


# Refuse models whose training tensors alone would not fit comfortably.
_MAX_TOKENS_PER_ROW = 4096
# Refuse vocabularies whose weights, optimizer state and per-batch logits would
# need more memory than this (an identifier column makes one symbol per row).
_MAX_TRAINING_BYTES = 8 * 2**30


class SequenceLMSynthesizer(TorchGeneratorMixin, TableInputMixin, BaseGenerator):
    """Generate table rows with a language model over per-column symbols.

    ``fit`` encodes the table with a :class:`~sklearn_synth.preprocessing.SymbolicBinner`
    (a row becomes a sentence with one symbol per column), prepends a start
    symbol (or a class symbol when fitted with ``y``) and trains a causal
    next-symbol model through skorch, with the paper's loss: cross-entropy
    summed over a row's symbols and averaged over rows. ``sample`` generates
    rows one column at a time, batched over rows, and decodes them back to the
    original columns and dtypes.

    ``sample(conditions=...)`` and :meth:`impute` condition on any subset of
    the columns exactly, with no rejection sampling: part of the training rows
    come in a random order that puts a random subset of the columns first
    (``column_shuffle``), so the model also learns each column given any
    subset of the others. The given columns are then fed first and the others
    generated after them.

    Read more in the :ref:`User Guide <sequence_lm>`.

    Parameters
    ----------
    architecture : {"rnn", "transformer", "wavenet"}, default="rnn"
        The backbone: a GRU/LSTM, a decoder-only Transformer (the paper: 64-dim
        embeddings, 4 blocks, 4 heads) or a WaveNet (dilated causal
        convolutions with doubling dilations, gated activations, residual and
        skip connections).
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell of the ``"rnn"`` backbone.
    n_bins : int or "auto", default="auto"
        Bins per numeric column of the binner. ``"auto"`` gives about 40
        training rows per bin, between 10 and 200 bins
        (``clip(n_samples // 40, 10, 200)``): 200 for tables of 8,000 rows
        and more, 10 for 400 rows and fewer. Fine bins matter on large
        tables: on the flow data, encoding and decoding real training rows
        through 49 quantile bins alone already makes them recognisable to a
        random forest (detection AUC 0.90, against 0.60 with 200 bins and
        0.57 for the rows themselves; see the :ref:`User Guide
        <sequence_lm>`; the paper used 49). On small tables a bin needs rows
        for the model to learn what follows it: on scikit-learn's breast
        cancer table (398 training rows) 200 bins give detection AUC 0.999
        and TSTR / TRTR 0.52, 10 bins 0.69 and 1.00.
    strategy : {"quantile", "uniform", "kmeans"}, default="quantile"
        How the binner places bin edges.
    decode : {"empirical", "uniform", "midpoint"}, default="empirical"
        How a bin symbol becomes a number (see :class:`SymbolicBinner`).
    n_sub_bins : int, default=10
        With ``decode="empirical"``: every bin of a numeric column is cut into
        this many slices holding equal shares of its training values
        (:meth:`SymbolicBinner.sub_bins`), and a small network trained after
        the language model chooses each value's slice given the whole row's
        symbols, so that where a value lies inside its bin follows the rest of
        the row (where a packet rate lies inside its bin follows the bins of
        the duration and the packet count). 1 draws the place inside the bin
        independently of the row. Not used with ``epsilon`` (it would need a
        share of the privacy budget). On the flow data a random forest's
        detection AUC drops from 0.746 to 0.705 (one fitted model, without
        and with the slices; see :ref:`sub_bins`).
    value_protection : bool, default=True
        Keep no training value seen in fewer than ``rare_threshold`` to
        ``1.5 * rare_threshold`` rows, in the model or in its samples: rare
        categories decode to ``"_RARE_"``, rare exact numbers to the nearest
        kept one, numeric ranges stop at the k-th most extreme value, and
        identifier columns (such as connection ids) are sampled as fresh
        values (see :class:`SymbolicBinner` and :ref:`value_protection`).
        False reproduces every training value the model learned.
    rare_threshold : int, default=5
        The smallest threshold of ``value_protection``.
    discover_relations : bool, default=True
        Find the exact relations between numeric columns of the training
        table (orderings such as ``min <= mean <= max``, equations such as
        ``rate = 1e6 * count / duration``, implications such as "no packets,
        no bytes"; see :func:`~sklearn_synth.preprocessing.find_relations`
        for the kinds and the support each needs) and keep them in every
        generated row (see ``relations_``). Identifier columns take part in
        none. Not under ``epsilon``: which relations hold in every row is a
        fact about every row, so a private fit keeps only ``relations``.
    relations : list of ColumnRelation or None, default=None
        Relations to keep in generated rows besides (or, with
        ``discover_relations=False``, instead of) the ones found: each a
        :class:`~sklearn_synth.preprocessing.ColumnRelation` or a tuple
        ``(kind, columns[, factor])`` naming columns by label (by position
        for an array). A relation that the training rows break is kept all
        the same, with a warning.
    epsilon : float or None, default=None
        Train with ``(epsilon, delta)``-differential privacy: the whole fitted
        model, not only its weights (see :ref:`differential_privacy`). A share
        ``encoding_epsilon_share`` of the budget fits the binner from noisy
        counts (and the class prior, when fitted with ``y``); the rest trains
        the network with DP-SGD through Opacus (``pip install
        "sklearn-synth[dp]"``): per-sample gradients clipped to
        ``max_grad_norm``, Gaussian noise, Poisson batches of
        ``batch_size`` rows on average, every epoch of ``max_epochs``. Under
        ``epsilon`` no validation rows are set aside and nothing stops early
        (``validation_fraction`` and ``patience`` are ignored), rows of small
        classes are not repeated (``min_class_rows`` is ignored) and
        ``gradient_clip`` gives way to ``max_grad_norm``. None trains without
        differential privacy.
    delta : float or None, default=None
        The ``delta`` of ``epsilon``; None means ``1 / n_samples``.
    max_grad_norm : float, default=1.0
        Per-sample gradient clipping norm of DP-SGD.
    noise_multiplier : float or None, default=None
        DP-SGD noise over the clipping norm. None: the smallest noise that
        spends the training budget in ``max_epochs`` epochs. A number:
        training stops before the epoch that would spend more than
        ``epsilon``.
    encoding_epsilon_share : float, default=0.2
        The share of ``epsilon`` (and half of ``delta``) spent on the
        encoding; the network gets the rest.
    embedding_dim : int, default=64
        Size of the symbol and position embeddings (the Transformer's width).
    hidden_size : int, default=128
        Hidden units of the RNN, channels of the WaveNet (unused by the
        Transformer, whose width is ``embedding_dim``).
    n_layers : int or None, default=None
        Depth; None means 1 for the RNN, 4 for the Transformer and
        ``ceil(log2(n_columns + 1))`` for the WaveNet.
    n_heads : int, default=4
        Attention heads of the Transformer.
    column_shuffle : float, default=0.5
        Share of the training rows presented in a random *subset-first* order
        (a random subset of the columns first, then the others; both parts in
        column order) instead of the columns' own order. It is what lets
        ``sample(conditions=...)`` and :meth:`impute` condition on any
        columns. The columns' own order is still what unconditional sampling,
        validation and :meth:`score_samples` use. 0 trains in the columns'
        own order only (the paper's model); conditions must then be on the
        first columns.
    dropout : float, default=0.2
        Dropout probability during training. On the flow data it matters
        more than size: the RNN's detection AUC is 0.84 without dropout and
        0.73 with 0.2 (see the :ref:`User Guide <sequence_lm>`).
    max_epochs : int or None, default=None
        Training epochs (early stopping may end training sooner); None means
        50 for the RNN and 25 for the slower Transformer and WaveNet, and 10
        under ``epsilon`` (every epoch then runs and spends budget).
    batch_size : int, default=512
        Rows per training batch.
    lr : float or None, default=None
        Adam learning rate; None means 3e-3 for the RNN and the WaveNet and
        2e-3 for the Transformer.
    weight_decay : float, default=0.0
        Adam weight decay.
    validation_fraction : float, default=0.1
        Share of the rows held out to monitor the validation loss; early
        stopping restores the weights of the best epoch. 0 trains on all rows
        and stops on the training loss.
    min_class_rows : int, default=1000
        When fitted with ``y``: the training rows of every class with fewer
        rows are repeated until it has this many (validation rows are set
        aside first), so that the model learns the rare classes it is asked
        to generate. The class-conditional distributions are unchanged in
        expectation; only the training effort per class is. On the flow data
        it lifts train-on-synthetic macro-F1 from 0.86 of train-on-real
        (with 0) to 0.95 (see the :ref:`User Guide <sequence_lm>` for the
        commands): without it the model learns the rare web attacks and
        infiltrations poorly. 0 disables it.
    patience : int, default=5
        Epochs without improvement before early stopping.
    max_time : float or None, default=None
        Training budget in seconds: training stops at the first batch past
        it (an epoch may be cut short) and keeps the weights of the best
        finished epoch (the weights as they are when no epoch finished, and
        under ``epsilon``, which has no early stopping). The sub-bin network
        then trains for what is left of the budget (at least one epoch).
        None trains until ``max_epochs`` or early stopping.
    gradient_clip : float or None, default=1.0
        Clip the gradient norm to this value; None disables clipping.
    temperature : float, default=1.0
        Sampling temperature: below 1 sharpens, above 1 flattens the
        next-symbol distributions.
    top_k : int or None, default=None
        Sample only among the ``top_k`` most likely symbols of each column.
    top_p : float or None, default=None
        Nucleus sampling: the smallest set of symbols whose probabilities sum
        to at least ``top_p``.
    sample_chunk_size : int, default=2048
        Rows generated at once; memory stays bounded for any ``n_samples``
        (small chunks keep the per-step arrays in the CPU cache). The random
        draws depend on it: the same ``random_state`` gives the same rows only
        with the same chunk size.
    sample_dtype : {"float32", "bfloat16"}, default="float32"
        Precision of the network while sampling, at a small cost in
        precision (probabilities are still normalised in float32). On a
        2-core CPU with AVX512-BF16 and AMX the default RNN samples only
        about 1.1 times faster with ``"bfloat16"``
        (``benchmarks/bench_sampling.py``); on CPUs without native bfloat16
        it is slower; it is meant for GPUs. Training and
        ``score_samples`` always use float32.
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"`` or ``"auto"``.
    accelerator : accelerate.Accelerator or None, default=None
        Train through skorch's Hugging Face Accelerate integration: mixed
        precision, or data-parallel training over several GPUs or machines
        under ``accelerate launch`` (``device`` is then ignored for training).
        A runtime resource: it is not pickled or saved.
    random_state : int, RandomState instance or None, default=None
        Makes ``fit`` and the default ``sample`` stream reproducible without
        touching global numpy or torch random state.
    verbose : int, default=0
        0 is silent; 1 prints skorch's epoch table and a progress bar.

    Attributes
    ----------
    binner_ : SymbolicBinner
        The fitted encoder.
    net_ : skorch.NeuralNet
        The trained network (``net_.module_`` is the torch module).
    history_ : skorch.History
        Per-epoch training and validation losses.
    device_ : torch.device
        The device the model lives on.
    classes_ : ndarray or None
        Class labels when fitted with ``y``.
    class_prior_ : ndarray or None
        Their training frequencies (from noisy counts under ``epsilon``).
    relations_ : list of ColumnRelation
        The relations every generated row keeps: ``relations`` and those
        found (equations first, in the order they are derived). Equations
        are kept by computing their target from their sources; in a row
        that breaks an implication the column it constrains is set to 0,
        and in a row that breaks an ordering the larger column is raised to
        the smaller one's value (see the :ref:`User Guide
        <column_relations>`); no repair moves a value outside its column's
        learned range (value protection), and an implication resting on a
        zero too rare to be encoded is not kept. Given cells of
        ``conditions`` and observed cells of :meth:`impute` are never changed, and a relation whose
        target is given is not enforced. ``impute(strategy="expected")``
        averages draws cell by cell, which an equation or an ordering need
        not survive. :meth:`score_samples` is the network's density, which
        does not know the relations.
    epsilon_ : float or None
        The privacy budget the fit spent (encoding plus DP-SGD, at
        ``delta_``), None without differential privacy.
    delta_ : float or None
        The ``delta`` of ``epsilon_``.
    random_state_ : RandomState
        The default sampling stream.
    n_features_in_ : int
        Number of columns seen during ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen during ``fit``, when they are all strings.

    See Also
    --------
    sklearn_synth.preprocessing.SymbolicBinner : The encoding.
    sklearn_synth.generators.DummySynthesizer : Baselines to compare against.

    Examples
    --------
    >>> from sklearn_synth.datasets import load_demo_table
    >>> from sklearn_synth.generators import SequenceLMSynthesizer
    >>> data = load_demo_table("iris")
    >>> X, y = data.drop(columns="label"), data["label"]
    >>> gen = SequenceLMSynthesizer(max_epochs=2, random_state=0).fit(X, y)
    >>> rows, labels = gen.sample_labeled(4, y="virginica", random_state=0)
    >>> rows.shape, list(labels)
    ((4, 4), ['virginica', 'virginica', 'virginica', 'virginica'])
    """

    _parameter_constraints = {
        "architecture": [StrOptions({"rnn", "transformer", "wavenet"})],
        "cell": [StrOptions({"gru", "lstm"})],
        "n_bins": [Interval(Integral, 2, None, closed="left"), StrOptions({"auto"})],
        "strategy": [StrOptions({"quantile", "uniform", "kmeans"})],
        "decode": [StrOptions({"empirical", "uniform", "midpoint"})],
        "n_sub_bins": [Interval(Integral, 1, 100, closed="both")],
        "value_protection": ["boolean"],
        "rare_threshold": [Interval(Integral, 1, None, closed="left")],
        "discover_relations": ["boolean"],
        "relations": [list, None],
        "epsilon": [Interval(Real, 0, None, closed="neither"), None],
        "delta": [Interval(Real, 0, 1, closed="neither"), None],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither")],
        "noise_multiplier": [Interval(Real, 0, None, closed="neither"), None],
        "encoding_epsilon_share": [Interval(Real, 0, 1, closed="neither")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "n_layers": [Interval(Integral, 1, None, closed="left"), None],
        "n_heads": [Interval(Integral, 1, None, closed="left")],
        "column_shuffle": [Interval(Real, 0, 1, closed="both")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither"), None],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "min_class_rows": [Interval(Integral, 0, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "top_k": [Interval(Integral, 1, None, closed="left"), None],
        "top_p": [Interval(Real, 0, 1, closed="right"), None],
        "sample_chunk_size": [Interval(Integral, 1, None, closed="left")],
        "sample_dtype": [StrOptions({"float32", "bfloat16"})],
        "device": [TORCH_DEVICE],
        "accelerator": [None, HasMethods(["prepare", "backward"])],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # files saved before a parameter existed load with the behaviour they were trained with
    _params_before_added = {"column_shuffle": 0.0, "discover_relations": False,
                            "n_sub_bins": 1}

    def __init__(
        self,
        architecture="rnn",
        *,
        cell="gru",
        n_bins="auto",
        strategy="quantile",
        decode="empirical",
        n_sub_bins=10,
        value_protection=True,
        rare_threshold=5,
        discover_relations=True,
        relations=None,
        epsilon=None,
        delta=None,
        max_grad_norm=1.0,
        noise_multiplier=None,
        encoding_epsilon_share=0.2,
        embedding_dim=64,
        hidden_size=128,
        n_layers=None,
        n_heads=4,
        column_shuffle=0.5,
        dropout=0.2,
        max_epochs=None,
        batch_size=512,
        lr=None,
        weight_decay=0.0,
        validation_fraction=0.1,
        min_class_rows=1000,
        patience=5,
        max_time=None,
        gradient_clip=1.0,
        temperature=1.0,
        top_k=None,
        top_p=None,
        sample_chunk_size=2048,
        sample_dtype="float32",
        device="cpu",
        accelerator=None,
        random_state=None,
        verbose=0,
    ):
        self.architecture = architecture
        self.cell = cell
        self.n_bins = n_bins
        self.strategy = strategy
        self.decode = decode
        self.n_sub_bins = n_sub_bins
        self.value_protection = value_protection
        self.rare_threshold = rare_threshold
        self.discover_relations = discover_relations
        self.relations = relations
        self.epsilon = epsilon
        self.delta = delta
        self.max_grad_norm = max_grad_norm
        self.noise_multiplier = noise_multiplier
        self.encoding_epsilon_share = encoding_epsilon_share
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.n_heads = n_heads
        self.column_shuffle = column_shuffle
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.min_class_rows = min_class_rows
        self.patience = patience
        self.max_time = max_time
        self.gradient_clip = gradient_clip
        self.temperature = temperature
        self.top_k = top_k
        self.top_p = top_p
        self.sample_chunk_size = sample_chunk_size
        self.sample_dtype = sample_dtype
        self.device = device
        self.accelerator = accelerator
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Encode the table and train the language model.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training rows; numeric, boolean, categorical and string columns,
            with missing values, may be mixed in a DataFrame.
        y : array-like of shape (n_samples,), default=None
            Class labels: each row's label becomes its first symbol, which
            :meth:`sample_labeled` conditions on.

        Returns
        -------
        self : object
            The fitted generator.
        """
        torch = import_torch()
        X = check_table(self, X, reset=True)
        if self.architecture == "transformer" and self.embedding_dim % self.n_heads:
            raise ValueError(
                f"embedding_dim={self.embedding_dim} must be divisible by n_heads={self.n_heads} "
                "for the Transformer."
            )
        if X.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 rows to learn from, got "
                f"{X.shape[0]} sample(s)."
            )
        if X.shape[1] > _MAX_TOKENS_PER_ROW:
            raise ValueError(
                f"{X.shape[1]} columns make sentences too long for this model (at most "
                f"{_MAX_TOKENS_PER_ROW}); select fewer columns."
            )
        rng, (seed,), classes = self._begin_fit(y, X.shape[0])
        private = self._private_budget(X.shape[0], classes)
        self.binner_ = SymbolicBinner(
            n_bins=_auto_bins(X.shape[0]) if self.n_bins == "auto" else self.n_bins,
            strategy=self.strategy, decode=self.decode,
            value_protection=self.value_protection, rare_threshold=self.rare_threshold,
            epsilon=None if private is None else private["encoding"],
            delta=None if private is None else private["delta"] / 2,
            random_state=seed,
        )
        S = self.binner_.fit_transform(X)
        self.relations_ = self._fit_relations(X, private is not None)
        self._check_memory(classes, list(X.columns) if hasattr(X, "columns") else None)
        inputs = self._inputs(S, classes)
        if private is None:
            train, valid = self._split_rows(X.shape[0], classes, np.random.RandomState(seed))
            valid_rows = valid
            if valid is not None:
                valid = (self._validation_inputs(inputs[valid], seed), S[valid])
            deadline = None if self.max_time is None else time.monotonic() + self.max_time
            self._train(torch, seed, inputs[train], S[train], valid=valid)
            if self._sub_bin_mask() is not None:
                self._fit_sub_bins(X, S, train, valid_rows, seed, deadline)
            self.epsilon_ = self.delta_ = None
        else:
            if classes is not None:
                self.class_prior_ = noisy_class_prior(classes, self.classes_.size,
                                                      private["label"], rng)
            trained = self._train(torch, seed, inputs, S, private=private["sgd"])
            self.delta_ = private["delta"]
            self.epsilon_ = private["encoding"] + private["label"] + trained.epsilon_
        store_audit_sample(self, X, y, rng)
        return self

    def _sub_bin_mask(self):
        """The slices each token can take (see ``SymbolicBinner.sub_bin_mask``),
        or None when the model draws no slices."""
        if (self.n_sub_bins < 2 or self.decode != "empirical" or self.epsilon is not None
                or not (self.binner_.column_kinds_ == "continuous").any()):
            return None
        return self.binner_.sub_bin_mask(self.n_sub_bins)

    def _fit_sub_bins(self, X, S, train, valid, seed, deadline=None):
        """Train the sub-bin head on the training rows' slices (early stopping
        on the validation rows; no epoch starts after ``deadline``, a
        ``time.monotonic()`` value, but the first)."""
        from ._modules import fit_sub_bin_head

        tokens = self.binner_.to_tokens(S)
        targets = self.binner_.sub_bins(X, self.n_sub_bins)
        head = self.net_.module_.sub_bins
        with torch_seed(seed, self.device_):  # dropout draws; global state is kept
            fit_sub_bin_head(head, tokens[train], targets[train],
                             None if valid is None else (tokens[valid], targets[valid]),
                             seed=seed, verbose=self.verbose, deadline=deadline)

    def _fit_relations(self, X, private):
        """The user's relations and, unless private or switched off, the ones found;
        identifier columns (drawn fresh) take part in none."""
        columns = list(X.columns) if hasattr(X, "columns") else None
        usable = numeric_mask(X) & (self.binner_.column_kinds_ != "identifier")
        user = [check_relation(r, columns, usable) for r in (self.relations or ())]
        merge_relations(user, [])  # conflicts between the user's equations are refused first
        if user and not private:
            for relation, broken in zip(user, relation_violations(X, user).sum(axis=0)):
                if broken:
                    warnings.warn(
                        f"relations: {relation} is broken by {broken} of the {X.shape[0]} "
                        "training rows; generated rows keep it all the same.",
                        UserWarning, stacklevel=4)
        found = []
        if self.discover_relations and not private:
            found = find_relations(X)
            keys = set(np.asarray(columns if columns is not None else range(X.shape[1]),
                                  dtype=object)[usable].tolist())
            found = [r for r in found if all(c in keys for c in r.columns)
                     and not self._needs_hidden_zero(r, columns)]
        return merge_relations(user, found)

    def _needs_hidden_zero(self, relation, columns):
        """An implication whose 0 the encoding does not hold (value protection hid it:
        fewer than ``rare_threshold`` rows are 0): it is a fact about those few
        rows, and keeping it would hand their value back."""
        if relation.kind != "zero_implies_zero":
            return False
        ranges = [self._learned_range(column_position(c, columns, self.n_features_in_))
                  for c in relation.columns]
        return any(not low <= 0 <= high for low, high in ranges)

    def _relation_bounds(self, enforcer):
        """The range each column of ``enforcer`` can be encoded as: repairs stay in it."""
        return np.array([self._learned_range(j) for j in enforcer.positions]).reshape(-1, 2)

    def _private_budget(self, n_rows, classes):
        """Split ``epsilon`` between the encoding, the label prior and DP-SGD,
        and choose the noise; None without differential privacy."""
        if self.epsilon is None:
            return None
        from ..utils._private_training import import_opacus, noise_for_budget, spent_epsilon

        import_opacus()
        if self.accelerator is not None:
            raise ValueError(
                f"epsilon={self.epsilon} cannot be honoured with an accelerator (Opacus "
                "trains on one device); set accelerator=None.")
        if not self.value_protection:
            raise ValueError(
                f"epsilon={self.epsilon} cannot be honoured with value_protection=False "
                "(differential privacy drops rare values); set value_protection=True.")
        delta = 1.0 / n_rows if self.delta is None else float(self.delta)
        encoding = self.epsilon * self.encoding_epsilon_share
        n_parts = self.n_features_in_ + (classes is not None)
        label = encoding / n_parts if classes is not None else 0.0
        sgd = self.epsilon - encoding
        epochs = self._max_epochs(private=True)
        rate = 1.0 / np.ceil(n_rows / self.batch_size)  # Opacus's Poisson rate
        noise = self.noise_multiplier
        if noise is None:
            noise = noise_for_budget(sgd, delta / 2, rate, epochs)
        else:
            one_epoch = spent_epsilon([(noise, rate, int(round(1 / rate)))], delta / 2)
            if one_epoch > sgd:
                raise ValueError(
                    f"noise_multiplier={noise} spends epsilon={one_epoch:.3g} in one epoch, more "
                    f"than the {sgd:.3g} left for training out of epsilon={self.epsilon}; raise "
                    "noise_multiplier or epsilon, or leave noise_multiplier=None.")
        _warn_if_budget_too_small(self.epsilon, noise, n_rows, self.batch_size,
                                  encoding - label, n_parts, delta / 2, self.rare_threshold)
        return {
            "delta": delta,
            "encoding": encoding - label,
            "label": label,
            "sgd": {"noise_multiplier": noise, "max_grad_norm": self.max_grad_norm,
                    "delta": delta / 2,
                    "max_epsilon": None if self.noise_multiplier is None else sgd},
        }

    def _max_epochs(self, private):
        if self.max_epochs is not None:
            return self.max_epochs
        return _DEFAULT_PRIVATE_EPOCHS if private else _DEFAULT_EPOCHS[self.architecture]

    def _split_rows(self, n_rows, classes, rng):
        """Training and validation row indices; rows of rare classes repeated in the
        training part (after the validation rows are set aside, so none leaks)."""
        train, valid = validation_split(n_rows, self.validation_fraction, rng)
        valid = valid if valid.size else None
        if classes is not None and self.min_class_rows > 0:
            extra = []
            for k in np.unique(classes[train]):
                members = train[classes[train] == k]
                missing = self.min_class_rows - members.size
                if missing > 0:
                    extra.append(np.resize(rng.permutation(members), missing))
            if extra:
                train = np.concatenate([train, *extra])
        return train, valid

    def _inputs(self, S, classes):
        """Model inputs ``[prefix, tokens of columns 0 .. T-1]``."""
        tokens = self.binner_.to_tokens(S)
        prefix = self._prefix_tokens(classes, S.shape[0])
        return np.concatenate([prefix[:, None], tokens], axis=1)

    def _validation_inputs(self, inputs, seed):
        """Validation rows in fixed column orders drawn as training draws them, so
        that early stopping watches conditional generation too."""
        if self.column_shuffle == 0:
            return inputs
        from ._modules import subset_first_orders

        order = subset_first_orders(inputs.shape[0], self.n_features_in_, self.column_shuffle,
                                    "cpu", torch_generator(seed))
        return {"tokens": inputs, "order": order.numpy()}

    def _prefix_tokens(self, classes, n):
        if classes is None:
            return np.full(n, self.binner_.start_token, dtype=np.int64)
        return self.binner_.n_tokens_ + np.asarray(classes, dtype=np.int64)

    def _check_memory(self, classes, columns):
        """Refuse, before training, a vocabulary too large to train in memory
        (``columns``: the table's column names, for the message)."""
        n_tokens = self.binner_.n_tokens_ + (0 if classes is None else self.classes_.size)
        width = self.embedding_dim + self.hidden_size
        # weights, gradients and two Adam moments of the embedding and output layers,
        # plus the logits, their log-softmax and gradient for one batch
        needed = 4 * (4 * n_tokens * width + 3 * self.batch_size * self.n_features_in_ * n_tokens)
        if needed > _MAX_TRAINING_BYTES:
            j = int(np.argmax(self.binner_.n_symbols_))
            name = columns[j] if columns is not None else j
            raise ValueError(
                f"The symbol vocabulary ({n_tokens:,} tokens) needs about {needed / 2**30:.0f} GiB "
                f"to train (limit {_MAX_TRAINING_BYTES / 2**30:.0f} GiB); column {name!r} alone "
                f"has {self.binner_.n_symbols_[j]:,} distinct values. Drop identifier-like "
                "columns (value_protection=True samples fresh ones), or bin numeric ones "
                "(SymbolicBinner max_distinct), or lower batch_size."
            )

    def _module_kwargs(self):
        n_layers = self.n_layers if self.n_layers is not None else _DEFAULT_LAYERS[self.architecture]
        kwargs = {"embedding_dim": self.embedding_dim, "dropout": self.dropout,
                  "column_shuffle": self.column_shuffle}
        if self.architecture == "rnn":
            kwargs.update(hidden_size=self.hidden_size, n_layers=n_layers, cell=self.cell)
        elif self.architecture == "transformer":
            kwargs.update(n_layers=n_layers, n_heads=self.n_heads)
        else:
            kwargs.update(hidden_size=self.hidden_size, n_layers=n_layers)
        return kwargs

    def _allowed(self, fill=False):
        """Symbols the model may emit: those the training rows used (under
        differential privacy, those with a positive noisy count); with
        ``fill``, not the missing-value symbol of a column that has others."""
        counts = self.binner_.symbol_counts_
        allowed = np.zeros((len(counts), max(c.size for c in counts)), dtype=bool)
        for j, c in enumerate(counts):
            allowed[j, : c.size] = c > 0
            missing = self.binner_.n_symbols_[j]
            if fill and allowed[j, :missing].any():
                allowed[j, missing] = False
        return allowed

    def _build_net(self, torch, seed, valid=None, accelerate=False, private=None):
        from ._modules import ARCHITECTURES, RowNLLLoss

        n_classes = 0 if self.classes_ is None else self.classes_.size
        return self._make_net(
            accelerate=accelerate,
            private=private,
            module=ARCHITECTURES[self.architecture],
            criterion=RowNLLLoss,
            seed=seed,
            valid=valid,
            lr=self.lr if self.lr is not None else _DEFAULT_LR[self.architecture],
            max_epochs=self._max_epochs(private is not None),
            weight_decay=self.weight_decay,
            n_tokens=self.binner_.n_tokens_ + n_classes,
            n_positions=self.n_features_in_,
            allowed=torch.as_tensor(self._allowed()),
            sub_bins=None if private is not None else self._sub_bin_mask(),
            **self._token_places(n_classes),
            **self._module_kwargs(),
        )

    def _token_places(self, n_classes):
        """Each token's column, and the place (0 to 1) of each bin of a binned
        numeric column in it (NaN for other tokens): see ``_modules._Base``."""
        binner = self.binner_
        n_tokens = binner.n_tokens_ + n_classes
        ranks = np.full(n_tokens, np.nan)
        columns = np.zeros(n_tokens, dtype=np.int64)
        for j, (start, size, n_regular) in enumerate(
                zip(binner.offsets_, binner.vocabulary_sizes_, binner.n_symbols_)):
            columns[start:start + size] = j
            if binner.column_kinds_[j] == "continuous" and n_regular > 1:
                ranks[start:start + n_regular] = np.arange(n_regular) / (n_regular - 1)
        return {"ranks": ranks, "token_columns": columns}

    def _restore_state(self, state, device):
        # files written before relations existed keep none; saved ones come back as tuples
        state["relations_"] = [ColumnRelation(kind, tuple(columns), factor)
                               for kind, columns, factor in state.get("relations_", [])]
        weights = state.get("net_")
        if weights is not None and "ordinal" not in weights and "position.weight" in weights:
            # written before the bins' place embedding existed: it adds nothing
            from ._modules import _N_WAVES

            n_columns, width = np.shape(weights["position.weight"])
            weights["ordinal"] = np.zeros((n_columns, 1 + 2 * _N_WAVES, width), np.float32)
        super()._restore_state(state, device)

    # --------------------------------------------------------------- sample
    def sample(self, n_samples=1, *, conditions=None, random_state=None):
        """Generate synthetic rows, optionally with some cells given.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows. With ``conditions`` of more than one row, it must
            be their row count.
        conditions : DataFrame, mapping or array-like, default=None
            Cells to hold fixed, over any subset of the training columns: a
            DataFrame with some of the training columns, a mapping of column
            to a value or an array of values (``{"proto": "udp",
            "dst_port": 53}``), or, for a model fitted on an array, an array
            of the full width. One output row per conditions row (a single
            row is repeated ``n_samples`` times); missing cells (NaN, None)
            are free. Given cells come back exactly as given; the free ones
            are drawn from the model given them (exactly: the given columns
            are fed to the model first, no rejection). A model fitted with
            ``y`` draws each row's class given its cells. A row with every
            cell given comes back unchanged. A categorical value never seen
            in training raises ``ValueError``; under value protection a rare
            one is conditioned on as the shared rare category. A number
            outside the range the model learned warns
            (:class:`~sklearn_synth.exceptions.OutOfRangeWarning`) and is
            conditioned on as the nearest edge.
        random_state : int, RandomState instance or None, default=None
            An int makes the call reproducible; None continues the fitted
            ``random_state_`` stream, so successive calls differ.

        Returns
        -------
        X : DataFrame or ndarray of shape (n_samples, n_features)
            The same container, columns and dtypes as the data ``fit`` got.
        """
        if conditions is None:
            return self._sample_checked(n_samples, random_state)
        check_is_fitted(self)
        rng = resolve_sample_rng(random_state, self.random_state_)
        table, given = self._given_symbols(conditions, n_samples)
        classes = self._posterior_classes(given, rng)
        return self._generate(self._prefix_tokens(classes, given.shape[0]), rng, given, table)

    def sample_labeled(self, n_samples=1, *, y=None, conditions=None, random_state=None):
        """Generate synthetic rows of chosen classes, optionally with some cells given.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows when ``y`` is None or a single label (and
            ``conditions`` has at most one row).
        y : label, array-like of labels or None, default=None
            None draws the classes from the training class prior (given the
            cells of ``conditions``, when there are any); a single label
            gives rows of that class; an array gives one row per entry, of
            exactly those classes.
        conditions : DataFrame, mapping or array-like, default=None
            Cells to hold fixed, as in :meth:`sample`.
        random_state : int, RandomState instance or None, default=None
            As in :meth:`sample`.

        Returns
        -------
        X : DataFrame or ndarray of shape (n_rows, n_features)
            The synthetic rows.
        y : ndarray of shape (n_rows,)
            Their labels, with the dtype of ``classes_``.
        """
        if conditions is None:
            return self._sample_labeled_checked(n_samples, y, random_state)
        check_is_fitted(self)
        rng = resolve_sample_rng(random_state, self.random_state_)
        if y is not None and np.ndim(y) == 1 and n_samples == 1:
            n_samples = len(y)  # one row per label, as without conditions
        table, given = self._given_symbols(conditions, n_samples)
        n_rows = given.shape[0]
        if y is None and is_labeled(self):
            indices = self._posterior_classes(given, rng)
        else:
            indices = requested_classes(self, n_rows, y, rng)
            if indices.size != n_rows:
                raise ValueError(
                    f"y has {indices.size} labels but conditions give {n_rows} rows; give one "
                    "label per row, or a single label.")
        X = self._generate(self._prefix_tokens(indices, n_rows), rng, given, table)
        return X, self.classes_[indices]

    def sample_chunks(self, n_samples, *, chunk_size=10_000, labeled=False, conditions=None,
                      random_state=None):
        """Generate ``n_samples`` rows as a stream of chunks, in bounded memory.

        Parameters
        ----------
        n_samples : int
            Rows in all.
        chunk_size : int, default=10_000
            Rows per chunk (the last one may be shorter).
        labeled : bool, default=False
            Yield ``(X, y)`` pairs from :meth:`sample_labeled` instead of ``X``.
        conditions : DataFrame, mapping or array-like, default=None
            Cells to hold fixed, as in :meth:`sample`; its rows are taken
            ``chunk_size`` at a time.
        random_state : int, RandomState instance or None, default=None
            As in :meth:`sample`; the stream is reproducible for a given
            ``random_state`` and ``chunk_size``.

        Yields
        ------
        X : DataFrame or ndarray of shape (<= chunk_size, n_features)
            Or ``(X, y)`` when ``labeled``.
        """
        if conditions is None:
            yield from super().sample_chunks(n_samples, chunk_size=chunk_size, labeled=labeled,
                                             random_state=random_state)
            return
        check_is_fitted(self)
        table = conditions_table(self, conditions, n_samples)
        method = self.sample_labeled if labeled else self.sample

        def draw(start, size, rng):
            part = table.iloc[start:start + size] if hasattr(table, "iloc") \
                else table[start:start + size]
            return method(size, conditions=part, random_state=rng)

        yield from self._chunks(table.shape[0], chunk_size, draw=draw, random_state=random_state)

    def impute(self, X, *, strategy="draw", n_draws=20, random_state=None):
        """Fill the missing cells of ``X`` given each row's observed cells.

        Every missing cell (NaN, None, ``pd.NA``) is drawn from the model given
        the observed cells of its row, exactly as ``sample(conditions=X)``
        draws free cells, except that a missing value is never drawn (and
        observed numbers beyond the learned range, which real rows have under
        value protection, give no warning). The observed cells come back
        unchanged, and so do rows without missing cells.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Rows with the training columns.
        strategy : {"draw", "expected"}, default="draw"
            ``"draw"``: one draw per row, a plausible completion (imputing
            twice gives two; the rows keep the data's spread, as multiple
            imputation wants). ``"expected"``: a point estimate from
            ``n_draws`` draws per row: binned numeric columns get the mean
            of their draws (rounded for integer columns; the median for
            dates), the other columns the most frequent draw. It lowers the
            error of each cell (the mean minimises squared error, the mode
            maximises accuracy) at ``n_draws`` times the cost, and narrows
            the spread of the filled values.
        n_draws : int, default=20
            Draws per row of ``strategy="expected"``.
        random_state : int, RandomState instance or None, default=None
            As in :meth:`sample`.

        Returns
        -------
        X_imputed : DataFrame or ndarray of shape (n_samples, n_features)
            The completed rows, in the container, columns and dtypes ``fit``
            got. ``X`` itself is not modified.
        """
        check_is_fitted(self)
        if strategy not in ("draw", "expected"):
            raise ValueError(f"strategy must be 'draw' or 'expected', got {strategy!r}.")
        if isinstance(n_draws, bool) or not isinstance(n_draws, Integral) or n_draws < 1:
            raise ValueError(f"n_draws must be a positive int, got {n_draws!r}.")
        X = check_table(self, X, reset=False)
        rng = resolve_sample_rng(random_state, self.random_state_)
        missing = np.asarray(pd.isna(X))
        if strategy == "draw" or n_draws == 1 or not missing.any():
            return self._impute_once(X, rng)
        # each row with a missing cell n_draws times, the others once
        repeats = np.where(missing.any(axis=1), n_draws, 1)
        source = np.repeat(np.arange(X.shape[0]), repeats)
        draws = self._impute_once(X.iloc[source] if hasattr(X, "iloc") else X[source], rng)
        first = np.concatenate([[0], np.cumsum(repeats)[:-1]])
        out = draws.iloc[first].reset_index(drop=True) if hasattr(draws, "iloc") \
            else draws[first].copy()
        rows = np.flatnonzero(missing.any(axis=1))
        group = first[rows][:, None] + np.arange(n_draws)
        for j in np.flatnonzero(missing.any(axis=0)):
            values = draws.iloc[:, j] if hasattr(draws, "iloc") else draws[:, j]
            estimate = _point_estimate(values, group, self.binner_.column_kinds_[j])
            cells = missing[rows, j]
            if hasattr(out, "iloc"):
                column = out.iloc[:, j].to_numpy(dtype=object, copy=True)
                column[rows[cells]] = estimate[cells]
                out[out.columns[j]] = pd.Series(column, index=out.index).astype(out.dtypes.iloc[j])
            else:
                out[rows[cells], j] = estimate[cells]
        return out

    def _impute_once(self, X, rng):
        # real rows have values beyond a protected range: no warning for them
        table, given = self._given_symbols(X, X.shape[0], warn=False)
        classes = self._posterior_classes(given, rng)
        return self._generate(self._prefix_tokens(classes, given.shape[0]), rng, given, table,
                              fill=True)

    def _given_symbols(self, conditions, n_samples, warn=True):
        """The conditions as a full table and as symbols (-1 for free cells), checked;
        ``warn`` about numbers far outside the range the model learned."""
        table = conditions_table(self, conditions, n_samples)
        with warnings.catch_warnings():
            # unknown categories and out-of-range numbers are reported below, with the value
            warnings.simplefilter("ignore", UnknownCategoryWarning)
            warnings.simplefilter("ignore", OutOfRangeWarning)
            S = self.binner_.transform(table)
        mask = ~np.asarray(pd.isna(table))
        names = getattr(self, "feature_names_in_", None)
        for j in np.flatnonzero(mask.any(axis=0)):
            label = column_label(None if names is None else list(names), j)
            values = (table.iloc[:, j] if hasattr(table, "iloc") else table[:, j])
            values = np.asarray(values)[mask[:, j]]
            unknown = S[mask[:, j], j] > self.binner_.n_symbols_[j]
            if unknown.any():
                raise ValueError(
                    f"conditions: {label} holds {values[unknown][0]!r}, a value never seen in "
                    f"training (e.g. {list(pd.unique(values[unknown]))[:5]}); condition on one "
                    "of the training values, or leave the cell missing to draw it.")
            kind = self.binner_.column_kinds_[j]
            if warn and kind in ("continuous", "exact"):
                low, high = self._learned_range(j)
                numbers = np.asarray(values, dtype=np.float64)
                # value protection cuts the range at the k-th extremes: a little beyond
                # it is ordinary, far beyond it is worth a warning
                margin = 0.5 * (high - low)
                outside = (numbers < low - margin) | (numbers > high + margin)
                if outside.any():
                    warnings.warn(
                        f"conditions: {label} holds {numbers[outside][0]:g}, far outside the "
                        f"range [{low:g}, {high:g}] the model learned ({int(outside.sum())} "
                        "cell(s)); the model conditions on the nearest end of the range, and "
                        "the cell is returned as given.",
                        OutOfRangeWarning,
                        stacklevel=3,
                    )
        given = np.where(mask, S, -1)
        if self.column_shuffle == 0:
            late = mask[:, 1:] & ~mask[:, :-1]
            if late.any():
                row, j = np.argwhere(late)[0]
                raise ValueError(
                    "This model was trained in the columns' own order only "
                    f"(column_shuffle=0): it can condition on the first columns only, but row "
                    f"{row} of the conditions gives column {j + 1} without column {j}. Refit "
                    "with column_shuffle > 0 to condition on any columns.")
        return table, given

    def _learned_range(self, j):
        """The smallest and largest value column ``j`` can be encoded as."""
        if self.binner_.column_kinds_[j] == "continuous":
            edges = self.binner_.bin_edges_[j]
            return float(edges[0]), float(edges[-1])
        values = np.asarray(self.binner_.categories_[j], dtype=np.float64)
        return float(values.min()), float(values.max())

    def _posterior_classes(self, given, rng):
        """Each row's class drawn given its given cells (None for an unlabeled model):
        ``p(k | cells)`` is proportional to the class prior times ``p(cells | k)``,
        which the model gives exactly because the given cells come first."""
        if not is_labeled(self):
            return None
        n_rows, n_classes = given.shape[0], self.classes_.size
        log_post = np.tile(np.log(self.class_prior_), (n_rows, 1))
        rows = np.flatnonzero((given >= 0).any(axis=1))
        if rows.size:
            log_post[rows] += self._symbol_log_probs(
                np.maximum(given[rows], 0), [np.full(rows.size, k) for k in range(n_classes)],
                given=given[rows] >= 0).T
        post = np.exp(log_post - log_post.max(axis=1, keepdims=True))
        cdf = np.cumsum(post, axis=1)
        u = rng.random_sample(n_rows)[:, None] * cdf[:, -1:]
        return np.minimum((cdf < u).sum(axis=1), n_classes - 1)

    def _sample(self, n_samples, rng):
        return self._generate(self._prefix_tokens(prior_classes(self, n_samples, rng), n_samples), rng)

    def _sample_labeled(self, class_indices, rng):
        return self._generate(self._prefix_tokens(class_indices, class_indices.size), rng)

    def _generate(self, prefixes, rng, given=None, fixed=None, fill=False):
        """Rows from their prefix symbols: symbols, then decoding, then relations.

        ``given`` (n, T) holds the symbols of given cells and -1 for free ones;
        each row then feeds its given columns first (in column order) and
        draws the free ones after them (in column order). ``fixed`` is the
        table of given values, returned as they are. ``fill`` forbids drawing
        a missing value.
        """
        symbols = self._generate_symbols(prefixes, rng, given, fill)
        sub = self._draw_sub_bins(symbols, rng)
        X = self.binner_.inverse_transform(
            symbols, random_state=rng, fixed=fixed, sub_bins=sub,
            n_sub_bins=None if sub is None else self.n_sub_bins)
        if getattr(self, "relations_", None):
            columns = getattr(self, "feature_names_in_", None)
            enforcer = RelationEnforcer(self.relations_,
                                        None if columns is None else list(columns),
                                        self.n_features_in_)
            enforcer.enforce(X, None if given is None else given < 0,
                             bounds=self._relation_bounds(enforcer))
        return X

    def _generate_symbols(self, prefixes, rng, given=None, fill=False):
        """Symbols one column at a time (one forward step per column)."""
        torch = import_torch()
        device = self.device_
        generator = torch_generator(draw_seed(rng), device)
        offsets = torch.as_tensor(self.binner_.offsets_, device=device)
        allowed = torch.as_tensor(self._allowed(fill), device=device)
        n, n_cols = prefixes.shape[0], self.n_features_in_
        symbols = np.empty((n, n_cols), dtype=np.int64)
        dtype = torch.bfloat16 if self.sample_dtype == "bfloat16" else None
        with inference(self.net_.module_, dtype) as module:
            for start in range(0, n, self.sample_chunk_size):
                stop = min(start + self.sample_chunk_size, n)
                token = torch.as_tensor(prefixes[start:stop], device=device)
                state = module.init_state(stop - start, device, dtype=module.token.weight.dtype)
                chunk = torch.empty((stop - start, n_cols), dtype=torch.int64, device=device)
                part = None if given is None else given[start:stop]
                if part is None or not (part >= 0).any():
                    for t in range(n_cols):
                        h, state = module.step(state, token, t, t)
                        logits = module.heads.step(h, t)
                        chunk[:, t] = self._draw(torch, logits, allowed[t], generator,
                                                 masked=fill)
                        token = chunk[:, t] + offsets[t]
                else:
                    self._generate_given(torch, module, state, token, part, chunk, allowed,
                                         offsets, generator, fill)
                symbols[start:stop] = chunk.cpu().numpy()
        return symbols

    def _generate_given(self, torch, module, state, token, given, chunk, allowed, offsets,
                        generator, fill):
        """Fill ``chunk`` for rows that feed their given columns first."""
        device = chunk.device
        order = torch.as_tensor(np.argsort(given < 0, axis=1, kind="stable"), device=device)
        given = torch.as_tensor(given, device=device)
        for t in range(order.shape[1]):
            columns = order[:, t]
            h, state = module.step(state, token, t, columns)
            chosen = given.gather(1, columns[:, None])[:, 0]
            free = chosen < 0
            if free.any():
                rows = torch.nonzero(free)[:, 0]
                for j in torch.unique(columns[rows]).tolist():
                    these = rows[columns[rows] == j]
                    logits = module.heads.step(h[these], j)
                    chosen[these] = self._draw(torch, logits, allowed[j], generator,
                                               masked=fill)
            chunk.scatter_(1, columns[:, None], chosen[:, None])
            token = chosen + offsets[columns]

    def _draw_sub_bins(self, symbols, rng):
        """Each cell's slice of its bin given the row's symbols (None without
        the sub-bin head)."""
        head = getattr(self.net_.module_, "sub_bins", None)
        if head is None:
            return None
        torch = import_torch()
        generator = torch_generator(draw_seed(rng), self.device_)
        tokens = self.binner_.to_tokens(symbols)
        sub = np.empty(symbols.shape, dtype=np.int64)
        dtype = torch.bfloat16 if self.sample_dtype == "bfloat16" else None
        with inference(self.net_.module_, dtype) as module:
            for start in range(0, symbols.shape[0], self.sample_chunk_size):
                stop = start + self.sample_chunk_size
                chunk = torch.as_tensor(tokens[start:stop], device=self.device_)
                sub[start:stop] = module.sub_bins.draw(chunk, generator).cpu().numpy()
        return sub

    def _draw(self, torch, logits, allowed, generator, masked=True):
        """One symbol per row from ``logits``, among the ``allowed`` ones. The heads
        already give symbols unseen in training a logit of -1e4 (probability 0
        in float32): ``masked=False`` skips masking again when ``allowed`` is
        the heads' own mask."""
        logits = logits[:, : allowed.shape[0]].float()
        if self.temperature != 1:
            logits = logits / self.temperature
        if masked:
            logits = logits.masked_fill(~allowed, float("-inf"))
        if self.top_k is not None and self.top_k < logits.shape[1]:
            kth = torch.topk(logits, self.top_k, dim=1).values[:, -1:]
            logits = logits.masked_fill(logits < kth, float("-inf"))
        if self.top_p is not None and self.top_p < 1:
            sorted_logits, order = torch.sort(logits, dim=1, descending=True)
            cumulative = torch.softmax(sorted_logits, dim=1).cumsum(dim=1)
            drop = cumulative - torch.softmax(sorted_logits, dim=1) >= self.top_p
            drop = torch.zeros_like(drop).scatter(1, order, drop)
            logits = logits.masked_fill(drop, float("-inf"))
        # inverse-CDF draw, one uniform number per row from the local generator
        cdf = torch.softmax(logits, dim=1).cumsum_(dim=1)
        u = torch.rand((logits.shape[0], 1), generator=generator, device=logits.device)
        choice = torch.searchsorted(cdf, u.clamp_min_(1e-12).mul_(cdf[:, -1:]))
        # rounding can leave u above the last allowed symbol: take the last allowed one
        last = allowed.shape[0] - 1 - torch.argmax(allowed.flip(0).int())
        return torch.minimum(choice[:, 0], last)

    # ---------------------------------------------------------------- score
    def score_samples(self, X):
        """Log-likelihood of each row under the model.

        The sum over a row's symbols of the log-probability of each symbol
        given the ones before it, minus the log size of the row's cell (bin
        widths of continuous columns; see
        :meth:`SymbolicBinner.log_cell_volume`), i.e. the log-density of the
        row under uniform in-bin decoding. With sub-bins (``n_sub_bins``),
        each binned value adds the log-probability of its slice given the
        row's symbols, and its cell is the slice: the log-density under
        uniform decoding inside the slice. A model fitted with ``y`` scores
        the marginal likelihood (summed over the classes, weighted by their
        training frequency). Rows far outside the training data get very
        low values, so the score doubles as a novelty detector.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = check_table(self, X, reset=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # clipped/unknown values simply score low
            S = self.binner_.transform(X)
        if self.classes_ is None:
            per_class = self._symbol_log_probs(S, [None])
        else:
            per_class = self._symbol_log_probs(
                S, [np.full(S.shape[0], k) for k in range(self.classes_.size)])
        log_p = self._marginal_log_likelihood(lambda k: per_class[0 if k is None else k])
        sub = None
        if getattr(self.net_.module_, "sub_bins", None) is not None:
            sub = self.binner_.sub_bins(X, self.n_sub_bins)
            log_p += self._sub_bin_log_probs(S, sub)
        return log_p - self.binner_.log_cell_volume(
            S, sub_bins=sub, n_sub_bins=None if sub is None else self.n_sub_bins)

    def _sub_bin_log_probs(self, S, sub):
        """Log-probability of each row's slices (cells in a bin) given its symbols."""
        torch = import_torch()
        tokens = self.binner_.to_tokens(S)
        out = np.empty(S.shape[0])
        with inference(self.net_.module_, torch.float64) as module:
            for start in range(0, S.shape[0], self.sample_chunk_size):
                stop = start + self.sample_chunk_size
                target = torch.as_tensor(sub[start:stop], device=self.device_)
                logp = module.sub_bins(torch.as_tensor(tokens[start:stop], device=self.device_))
                picked = logp.gather(2, target.clamp_min(0)[..., None])[..., 0]
                out[start:stop] = torch.where(target >= 0, picked, 0.0).sum(1).cpu().numpy()
        return out

    def _symbol_log_probs(self, S, class_lists, given=None):
        """Log-probability of each row's symbols under each entry of ``class_lists``
        (each row's class index, or None for an unlabeled model), as an array
        (len(class_lists), n_rows); with ``given`` (a boolean mask), of the given
        cells only, fed first (their marginal under the model)."""
        torch = import_torch()
        out = np.empty((len(class_lists), S.shape[0]))
        # float64 copy (made once for every class): a row's likelihood must not depend
        # on the batch it is scored in (float32 products round differently per batch size)
        with inference(self.net_.module_, torch.float64) as module:
            for i, classes in enumerate(class_lists):
                inputs = self._inputs(S, classes)
                for start in range(0, S.shape[0], self.sample_chunk_size):
                    stop = start + self.sample_chunk_size
                    x = torch.as_tensor(inputs[start:stop], device=self.device_)
                    target = torch.as_tensor(S[start:stop], device=self.device_)
                    order = weight = None
                    if given is not None:
                        part = given[start:stop]
                        order = torch.as_tensor(np.argsort(~part, axis=1, kind="stable"),
                                                device=self.device_)
                        weight = torch.as_tensor(part, device=self.device_)
                    logp = torch.log_softmax(module(x, order), dim=-1)
                    logp = logp.gather(2, target[..., None])[..., 0]
                    if weight is not None:
                        logp = torch.where(weight, logp, 0.0)
                    out[i, start:stop] = logp.sum(1).cpu().numpy()
        return out

def _auto_bins(n_rows):
    """About 40 training rows per bin, between 10 and 200 bins."""
    return int(np.clip(n_rows // 40, 10, 200))


def _point_estimate(values, group, kind):
    """One value per row of ``group`` (indices into ``values``, one row of draws
    each): the mean of a binned numeric column's draws (rounded for integer
    dtypes, the median for dates and durations), the most frequent draw of
    any other column (the earliest value on ties)."""
    dtype = values.dtype
    array = values.to_numpy() if hasattr(values, "to_numpy") else np.asarray(values)
    draws = array[group]
    if kind == "continuous" and is_number_dtype(dtype):
        mean = np.nanmean(draws.astype(np.float64), axis=1)
        return np.round(mean) if pd.api.types.is_integer_dtype(dtype) else mean
    if kind == "continuous" and draws.dtype.kind in "mM":
        return np.sort(draws, axis=1)[:, draws.shape[1] // 2]
    codes, uniques = pd.factorize(draws.ravel(), use_na_sentinel=False)
    ordered = np.sort(codes.reshape(draws.shape), axis=1)
    position = np.arange(ordered.shape[1])
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    run = position - np.maximum.accumulate(np.where(starts, position, 0), axis=1)
    best = ordered[np.arange(ordered.shape[0]), np.argmax(run, axis=1)]
    return np.asarray(uniques, dtype=object)[best]
