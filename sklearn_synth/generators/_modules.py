"""Private torch modules of the sequence language models.

Every backbone takes a row as ``[prefix, s_0, ..., s_{T-1}]`` (tokens in the
binner's shared space; the prefix is the start token or a class token) and
returns, for every column ``j``, logits over column ``j``'s own symbols, so a
model can never emit a symbol of another column. Symbols a column never used
during training are masked.

The columns need not come in their own order. An ``order`` (a permutation of
the columns per row) feeds the row's tokens in that order; position ``p`` then
reads the tokens of columns ``order[:p]`` and the embedding of the column it
predicts, ``order[p]``, and its output is read by column ``order[p]``'s head.
Without an order the columns come in their own order. During training, a
share ``column_shuffle`` of the rows come in a random *subset-first* order: a
random subset of the columns in their own order, then the others in their own
order. A model trained so can condition on any subset of columns exactly: put
the subset first and generate the rest (see ``SequenceLMSynthesizer``).

Each backbone also implements incremental decoding: ``init_state(batch_size,
device)`` then ``step(state, token, t, column)`` returns the hidden state of
position ``t`` (which predicts ``column``, an int or one column per row) and
the new state, computing only the new position (carried RNN state, a
key/value cache for the Transformer, per-layer input queues for the WaveNet);
``heads.step(hidden, column)`` turns it into logits.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

#: Logit given to impossible symbols: finite, so that the log-likelihood of a
#: row holding one stays a (very low) number instead of -inf.
MASKED_LOGIT = -1e4


class _ColumnHeads(nn.Module):
    """One linear output layer per column, stored as one padded tensor."""

    def __init__(self, hidden, allowed):
        super().__init__()
        n_cols, v_max = allowed.shape
        self.weight = nn.Parameter(torch.empty(n_cols, v_max, hidden))
        self.bias = nn.Parameter(torch.zeros(n_cols, v_max))
        nn.init.normal_(self.weight, std=1.0 / math.sqrt(hidden))
        self.register_buffer("penalty", (~allowed).float() * MASKED_LOGIT)

    def forward(self, h):  # h: (B, T, H) -> (B, T, V)
        logits = torch.einsum("bth,tvh->btv", h, self.weight) + self.bias
        return logits + self.penalty

    def step(self, h, t):  # h: (B, H) -> (B, V), one fused matrix product and add
        return torch.addmm(self.bias[t] + self.penalty[t], h, self.weight[t].T)


def _heads_grad_sample(layer, activations, backprops):
    """Per-sample gradients of ``_ColumnHeads`` for Opacus: position ``t`` has
    its own weights, so sample ``b``'s gradient is ``backprops[b, t] x h[b, t]``."""
    h = activations[0]
    return {layer.weight: backprops.unsqueeze(-1) * h.unsqueeze(-2), layer.bias: backprops}


class PrivateGRU(nn.Module):
    """A GRU for DP-SGD: the parameters, gates and results of ``nn.GRU``
    (batch first, no dropout between layers), computed step by step so that
    per-sample gradients can be taken for the whole sequence at once (see
    :func:`_gru_grad_sample`), where Opacus's ``DPGRU`` takes them step by
    step, about ten times slower on a CPU."""

    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=True, dropout=0.0):
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        bound = 1.0 / math.sqrt(hidden_size)
        for layer in range(num_layers):
            width = input_size if layer == 0 else hidden_size
            for name, shape in ((f"weight_ih_l{layer}", (3 * hidden_size, width)),
                                (f"weight_hh_l{layer}", (3 * hidden_size, hidden_size)),
                                (f"bias_ih_l{layer}", (3 * hidden_size,)),
                                (f"bias_hh_l{layer}", (3 * hidden_size,))):
                self.register_parameter(name, nn.Parameter(torch.empty(shape).uniform_(-bound,
                                                                                      bound)))

    def _run(self, x, trace=None):
        """The output sequence; ``trace`` (a list) collects, per layer, the
        layer's input, the input and recurrent pre-activations and the hidden
        states each step starts from."""
        batch, steps, _ = x.shape
        for layer in range(self.num_layers):
            w_hh, b_hh = getattr(self, f"weight_hh_l{layer}"), getattr(self, f"bias_hh_l{layer}")
            x_proj = x @ getattr(self, f"weight_ih_l{layer}").T + getattr(self, f"bias_ih_l{layer}")
            h = x.new_zeros(batch, self.hidden_size)
            outputs, h_proj, h_prev = [], [], []
            for t, x_step in enumerate(x_proj.unbind(1)):  # unbind: one backward, not T
                hp = h @ w_hh.T + b_hh
                xr, xz, xn = x_step.chunk(3, dim=1)
                hr, hz, hn = hp.chunk(3, dim=1)
                r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
                n = torch.tanh(xn + r * hn)
                h_prev.append(h)
                h = n + z * (h - n)
                outputs.append(h)
                h_proj.append(hp)
            if trace is not None:
                trace.append((x, x_proj, h_proj, h_prev))
            x = torch.stack(outputs, dim=1)
        return x

    def forward(self, x):
        out = self._run(x)
        return out, out[:, -1][None]


def _gru_grad_sample(layer, activations, backprops):
    """Per-sample gradients of ``PrivateGRU`` for Opacus: the sequence is run
    again to get the gradients of every pre-activation, and each weight's
    per-sample gradient is one batched product over the time steps."""
    x = activations[0].detach()
    trace = []
    with torch.enable_grad():
        out = layer._run(x, trace)
        wanted = [t for _, x_proj, h_proj, _ in trace for t in (x_proj, *h_proj)]
        grads = torch.autograd.grad(out, wanted, grad_outputs=backprops)
    result, i = {}, 0
    for k, (inputs, _, h_proj, h_prev) in enumerate(trace):
        d_x = grads[i]
        d_h = torch.stack(grads[i + 1 : i + 1 + len(h_proj)], dim=1)
        i += 1 + len(h_proj)
        previous = torch.stack([h.detach() for h in h_prev], dim=1)
        result[getattr(layer, f"weight_ih_l{k}")] = torch.einsum("btg,bti->bgi", d_x,
                                                                 inputs.detach())
        result[getattr(layer, f"bias_ih_l{k}")] = d_x.sum(dim=1)
        result[getattr(layer, f"weight_hh_l{k}")] = torch.einsum("btg,bth->bgh", d_h, previous)
        result[getattr(layer, f"bias_hh_l{k}")] = d_h.sum(dim=1)
    return result


def _register_private_layers():
    from opacus.grad_sample import register_grad_sampler

    register_grad_sampler(_ColumnHeads)(_heads_grad_sample)
    register_grad_sampler(PrivateGRU)(_gru_grad_sample)


def subset_first_orders(n_rows, n_columns, share, device, generator=None):
    """Column orders for training: a share ``share`` of the rows get a random
    subset of the columns first (each column in it with probability ``q``, ``q``
    uniform per row), then the other columns, both parts in column order; the
    other rows get the columns' own order. ``generator``: a local
    ``torch.Generator`` (None: torch's default one, seeded around training).

    These are exactly the orders conditional sampling uses (the given columns
    first), so the model learns only the ``2 ** n_columns`` orders it is asked
    for rather than all ``n_columns!`` permutations.
    """
    arange = torch.arange(n_columns, device=device)
    shuffled = torch.rand(n_rows, 1, device=device, generator=generator) < share
    q = torch.rand(n_rows, 1, device=device, generator=generator)
    first = (torch.rand(n_rows, n_columns, device=device, generator=generator) < q) & shuffled
    return torch.argsort((~first).long() * n_columns + arange, dim=1)


#: Smooth functions of a bin's place in its column (0 to 1) that every bin's
#: embedding gets through a learned per-column map: sin and cos of k pi r.
_N_WAVES = 7


def _place_tables(ranks, token_columns, n_columns):
    """The place features of each column's bins side by side, (n_columns, width,
    1 + 2 * _N_WAVES): r, sin(k pi r) and cos(k pi r) of each bin's place r;
    and where each token's row sits in them (past the end, a zero row, for
    tokens without a place). Computed in numpy: the module may be built on
    torch's meta device."""
    ranks = np.asarray(ranks, dtype=np.float64)
    token_columns = np.asarray(token_columns, dtype=np.int64)
    placed = np.flatnonzero(~np.isnan(ranks))
    columns = token_columns[placed]
    first = np.full(n_columns, ranks.size)
    np.minimum.at(first, columns, placed)
    slot = placed - first[columns]
    width = int(slot.max()) + 1 if placed.size else 1
    r = ranks[placed][:, None]
    k = np.arange(1, _N_WAVES + 1) * np.pi
    features = np.zeros((n_columns, width, 1 + 2 * _N_WAVES), dtype=np.float32)
    features[columns, slot] = np.hstack([r, np.sin(k * r), np.cos(k * r)])
    slots = np.full(ranks.size, n_columns * width, dtype=np.int64)
    slots[placed] = columns * width + slot
    return features, slots


class SubBinHead(nn.Module):
    """Where each binned value lies inside its bin, given the whole row.

    The binner cuts every bin into slices holding equal shares of the bin's
    training values (``SymbolicBinner.sub_bins``). Given a row's tokens
    (B, T), this small network (its own token embedding, two hidden layers)
    gives each column a distribution over its value's slice, so that the place
    of a value inside its bin follows the rest of the row. It is trained after
    the language model, apart from it (:func:`fit_sub_bin_head`), with dropout
    (0.3 measured best on the flow data: validation loss 1.80 against 1.97
    without, where a uniform choice of 10 slices is 2.30). The slices of a
    row are drawn independently given its symbols: a masked layer that also
    fed each column the slices drawn before it (MADE-style) reached the same
    validation loss and detection AUC at three times the training time, and
    was dropped.

    ``mask`` (n_tokens, n_slices) marks the slices each token's bin can hold;
    tokens that are not bins get slice 0 only (their slice is not used).
    """

    def __init__(self, n_columns, mask, width=16, hidden=256, dropout=0.3):
        super().__init__()
        mask = torch.as_tensor(np.asarray(mask, dtype=bool))
        self.n_slices = mask.shape[1]
        self.embed = nn.Embedding(mask.shape[0], width)
        self.mlp = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(n_columns * width, hidden), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_columns * self.n_slices))
        self.register_buffer("binned", mask.any(dim=1), persistent=False)
        mask = mask.clone()
        mask[:, 0] |= ~self.binned
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, tokens):  # (B, T) -> (B, T, n_slices) log-probabilities
        n_rows, n_cols = tokens.shape
        logits = self.mlp(self.embed(tokens).reshape(n_rows, -1))
        logits = logits.reshape(n_rows, n_cols, self.n_slices)
        return logits.masked_fill(~self.mask[tokens], float("-inf")).log_softmax(dim=-1)

    def draw(self, tokens, generator):
        """One slice per cell (B, T), by inverse CDF from ``generator``; -1 for
        cells whose token is not a bin."""
        cdf = self(tokens).float().exp().cumsum(dim=-1)
        u = torch.rand((*tokens.shape, 1), generator=generator, device=tokens.device)
        choice = torch.searchsorted(cdf, u * cdf[..., -1:])[..., 0].clamp_max(self.n_slices - 1)
        return torch.where(self.binned[tokens], choice, -1)


def fit_sub_bin_head(head, tokens, targets, valid=None, *, seed, max_epochs=40, patience=4,
                     batch_size=512, lr=1e-3, verbose=0, deadline=None):
    """Train ``head`` on ``tokens`` (N, T) and their slices ``targets`` (N, T;
    -1 where a cell has none) by cross-entropy, with Adam; with ``valid`` (a
    pair of the same), early stopping restores the best epoch's weights.
    Shuffling uses a generator seeded from ``seed``; global state is left alone.
    ``deadline`` (a ``time.monotonic()`` value): no epoch starts after it, but
    the first.

    Returns
    -------
    losses : list of (train_loss, valid_loss or None) per epoch
    """
    device = next(head.parameters()).device
    generator = torch.Generator().manual_seed(int(seed))

    def loss_of(x, y):
        logp = head(x)
        return F.nll_loss(logp.reshape(-1, head.n_slices), y.reshape(-1), ignore_index=-1)

    tokens, targets = torch.as_tensor(tokens), torch.as_tensor(targets)
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    best, best_state, losses, waited = float("inf"), None, [], 0
    for epoch in range(max_epochs):
        head.train()
        order = torch.randperm(tokens.shape[0], generator=generator)
        total = 0.0
        for start in range(0, order.numel(), batch_size):
            rows = order[start : start + batch_size]
            loss = loss_of(tokens[rows].to(device), targets[rows].to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * rows.numel()
        train_loss = total / max(order.numel(), 1)
        valid_loss = None
        if valid is not None:
            head.eval()
            with torch.no_grad():
                valid_loss = float(loss_of(torch.as_tensor(valid[0]).to(device),
                                           torch.as_tensor(valid[1]).to(device)))
        losses.append((train_loss, valid_loss))
        if verbose:
            print(f"sub-bins epoch {epoch + 1}: train {train_loss:.4f}"
                  + ("" if valid_loss is None else f", valid {valid_loss:.4f}"))
        watched = train_loss if valid_loss is None else valid_loss
        if watched < best - 1e-4:
            best, waited = watched, 0
            best_state = {k: v.detach().clone() for k, v in head.state_dict().items()}
        else:
            waited += 1
            if waited >= patience:
                break
        if deadline is not None and time.monotonic() > deadline:
            break
    if best_state is not None:
        head.load_state_dict(best_state)
    head.eval()
    return losses


class _Base(nn.Module):
    """Embeddings, column orders and output heads shared by the backbones, which
    implement ``hidden(tokens, columns)``: the hidden state of every position
    of ``tokens`` (B, T), position ``p`` predicting column ``columns[:, p]``.

    ``ranks`` (n_tokens,) places each bin of a binned numeric column in its
    column (0 for the lowest bin, 1 for the highest; NaN for other tokens).
    Such a token's embedding is its own vector plus a learned per-column
    function of its place (``ordinal``, zero at the start), so that
    neighbouring bins share what they mean as inputs: with 200 bins a bin
    holds a few dozen training rows, too few for its own vector to learn what
    a value implies about the columns generated after it.
    """

    def __init__(self, n_tokens, n_positions, embedding_dim, allowed, private=False,
                 column_shuffle=0.0, ranks=None, token_columns=None, sub_bins=None):
        super().__init__()
        if sub_bins is not None:  # the slices of the bins: see SubBinHead
            self.sub_bins = SubBinHead(n_positions, sub_bins)
        self.token = nn.Embedding(n_tokens, embedding_dim)
        # the embedding of the column a position predicts; in the columns' own
        # order, that is the position's embedding
        self.position = nn.Embedding(n_positions, embedding_dim)
        self.ordinal = nn.Parameter(torch.zeros(n_positions, 1 + 2 * _N_WAVES, embedding_dim))
        if ranks is None:
            ranks, token_columns = np.full(n_tokens, np.nan), np.zeros(n_tokens, dtype=np.int64)
        features, slots = _place_tables(ranks, token_columns, n_positions)
        self.register_buffer("rank_features", torch.as_tensor(features), persistent=False)
        self.register_buffer("token_slots", torch.as_tensor(slots), persistent=False)
        self.n_positions = n_positions
        self.private = private
        self.column_shuffle = column_shuffle
        if not private:  # a bin starts as its place alone and learns what sets it apart
            unplaced = slots == features.shape[0] * features.shape[1]
            with torch.no_grad():  # (a product, not a masked write: it also runs on "meta")
                self.token.weight.mul_(torch.as_tensor(unplaced, dtype=torch.float32)[:, None])
        else:
            _register_private_layers()
            # fixed: their per-sample gradients would be dense copies of the tables
            self.token.weight.requires_grad_(False)
            self.ordinal.requires_grad_(False)

    def token_table(self):
        """Every token's input embedding (n_tokens, E)."""
        places = torch.bmm(self.rank_features.to(self.ordinal.dtype), self.ordinal)
        places = torch.cat([places.flatten(0, 1), places.new_zeros(1, places.shape[-1])])
        return self.token.weight + places[self.token_slots]

    def forward(self, tokens, order=None):
        """Logits (B, T, V) of every column given the columns before it in ``order``.

        ``tokens`` (B, T + 1) is ``[prefix, s_0 .. s_{T-1}]`` in column order;
        ``order`` (B, T) a permutation of the columns per row (None: the
        columns' own order, or random subset-first orders for a share
        ``column_shuffle`` of the rows while training).
        """
        n_rows, n_cols = tokens.shape[0], tokens.shape[1] - 1
        if order is None and self.training and self.column_shuffle > 0:
            order = subset_first_orders(n_rows, n_cols, self.column_shuffle, tokens.device)
        if order is None:
            columns = torch.arange(n_cols, device=tokens.device)
            if self.private:  # per-sample gradients need the batch dimension on every input
                columns = columns.expand(n_rows, -1)
            return self.heads(self.hidden(tokens[:, :-1], columns))
        inputs = torch.cat([tokens[:, :1], tokens[:, 1:].gather(1, order[:, :-1])], dim=1)
        h = self.hidden(inputs, order)
        # back to column order: column j's state is that of the position predicting it
        where = torch.argsort(order, dim=1)
        return self.heads(h.gather(1, where[..., None].expand(-1, -1, h.shape[-1])))

    def embed(self, tokens, columns):
        if self.ordinal.requires_grad:
            embedded = F.embedding(tokens, self.token_table())
        else:  # DP-SGD: both tables are fixed, and Opacus hooks the embedding module
            embedded = self.token(tokens)
        return embedded + self.position(columns)

    def embed_step(self, state, token, column):
        return state["table"][token] + self.position.weight[column]


class RNNModule(_Base):
    """GRU or LSTM language model.

    With ``private=True`` (DP-SGD) the recurrent layer is :class:`PrivateGRU`
    or Opacus's ``DPLSTM``, whose weights have the names and shapes of
    ``nn.GRU``/``nn.LSTM``: a trained private module's state loads into an
    ordinary one. The symbol embeddings then stay at their random
    initialisation (a fixed random code per symbol): their per-sample
    gradients would be a dense copy of the whole table for every row, the
    largest cost and the largest share of the noise.
    """

    def __init__(self, n_tokens, n_positions, allowed, *, embedding_dim=64, hidden_size=128,
                 n_layers=1, dropout=0.0, cell="gru", private=False, column_shuffle=0.0,
                 ranks=None, token_columns=None, sub_bins=None):
        super().__init__(n_tokens, n_positions, embedding_dim, allowed, private, column_shuffle,
                         ranks, token_columns, sub_bins)
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        if private:
            from opacus.layers import DPLSTM

            rnn = PrivateGRU if cell == "gru" else DPLSTM
        self.rnn = rnn(embedding_dim, hidden_size, num_layers=n_layers, batch_first=True,
                       dropout=dropout if n_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.heads = _ColumnHeads(hidden_size, allowed)

    def hidden(self, tokens, columns):
        out, _ = self.rnn(self.drop(self.embed(tokens, columns)))
        return self.drop(out)

    def init_state(self, batch_size, device, dtype=torch.float32):
        # Cached input projections: the first layer's input at step t is
        # embedding(token) + position(t), so its projection is a table lookup
        # plus a per-position row instead of a matrix product per step.
        w_ih, b_ih = self.rnn.weight_ih_l0, self.rnn.bias_ih_l0
        hidden = torch.zeros(self.rnn.num_layers, batch_size, self.rnn.hidden_size, device=device,
                             dtype=dtype)
        return {
            "token_proj": self.token_table() @ w_ih.T,
            "position_proj": self.position.weight @ w_ih.T + b_ih,
            "h": list(hidden),
            "c": list(torch.zeros_like(hidden)) if isinstance(self.rnn, nn.LSTM) else None,
        }

    def step(self, state, token, t, column):
        rnn = self.rnn
        x_proj = state["token_proj"][token] + state["position_proj"][column]
        for layer in range(rnn.num_layers):
            if layer:
                x_proj = x_proj_from(rnn, layer, state["h"][layer - 1])
            h = state["h"][layer]
            h_proj = torch.addmm(getattr(rnn, f"bias_hh_l{layer}"), h,
                                 getattr(rnn, f"weight_hh_l{layer}").T)
            if state["c"] is None:  # GRU: gates r, z, n
                xr, xz, xn = x_proj.chunk(3, dim=1)
                hr, hz, hn = h_proj.chunk(3, dim=1)
                r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
                n = torch.tanh(xn + r * hn)
                state["h"][layer] = n + z * (h - n)
            else:  # LSTM: gates i, f, g, o
                i, f, g, o = (x_proj + h_proj).chunk(4, dim=1)
                c = torch.sigmoid(f) * state["c"][layer] + torch.sigmoid(i) * torch.tanh(g)
                state["c"][layer] = c
                state["h"][layer] = torch.sigmoid(o) * torch.tanh(c)
        return state["h"][-1], state


def x_proj_from(rnn, layer, h_below):
    """Input projection of a deeper recurrent layer."""
    return h_below @ getattr(rnn, f"weight_ih_l{layer}").T + getattr(rnn, f"bias_ih_l{layer}")


class _CachedSelfAttention(nn.Module):
    def __init__(self, dim, n_heads, dropout):
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.dropout = dropout

    def _split(self, x):
        b, t, d = x.shape
        return x.view(b, t, self.n_heads, d // self.n_heads).transpose(1, 2)

    def forward(self, x):
        q, k, v = (self._split(z) for z in self.qkv(x).chunk(3, dim=-1))
        y = F.scaled_dot_product_attention(
            q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0
        )
        return self.out(y.transpose(1, 2).reshape(x.shape))

    def step(self, x, cache, t):  # x: (B, 1, D); cache: preallocated (K, V)
        q, k, v = (self._split(z) for z in self.qkv(x).chunk(3, dim=-1))
        keys, values = cache
        keys[:, :, t] = k[:, :, 0]
        values[:, :, t] = v[:, :, 0]
        y = F.scaled_dot_product_attention(q, keys[:, :, : t + 1], values[:, :, : t + 1])
        return self.out(y.transpose(1, 2).reshape(x.shape))


class _Block(nn.Module):
    def __init__(self, dim, n_heads, dropout):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = _CachedSelfAttention(dim, n_heads, dropout)
        self.ln2 = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        x = x + self.drop(self.attn(self.ln1(x)))
        return x + self.drop(self.ff(self.ln2(x)))

    def step(self, x, cache, t):
        x = x + self.attn.step(self.ln1(x), cache, t)
        return x + self.ff(self.ln2(x))


class TransformerModule(_Base):
    """Decoder-only Transformer (pre-LayerNorm blocks, causal self-attention)."""

    def __init__(self, n_tokens, n_positions, allowed, *, embedding_dim=64, n_layers=4,
                 n_heads=4, dropout=0.0, private=False, column_shuffle=0.0,
                 ranks=None, token_columns=None, sub_bins=None):
        super().__init__(n_tokens, n_positions, embedding_dim, allowed, private, column_shuffle,
                         ranks, token_columns, sub_bins)
        self.blocks = nn.ModuleList(_Block(embedding_dim, n_heads, dropout) for _ in range(n_layers))
        self.ln = nn.LayerNorm(embedding_dim)
        self.drop = nn.Dropout(dropout)
        self.heads = _ColumnHeads(embedding_dim, allowed)
        self.n_heads = n_heads

    def hidden(self, tokens, columns):
        x = self.drop(self.embed(tokens, columns))
        for block in self.blocks:
            x = block(x)
        return self.ln(x)

    def init_state(self, batch_size, device, dtype=torch.float32):
        dim = self.token.embedding_dim
        shape = (batch_size, self.n_heads, self.n_positions, dim // self.n_heads)
        caches = [
            (torch.empty(shape, device=device, dtype=dtype),
             torch.empty(shape, device=device, dtype=dtype))
            for _ in self.blocks
        ]
        return {"table": self.token_table(), "caches": caches}

    def step(self, state, token, t, column):
        x = self.embed_step(state, token, column).unsqueeze(1)
        for block, cache in zip(self.blocks, state["caches"]):
            x = block.step(x, cache, t)
        return self.ln(x[:, 0]), state


class _GatedResidual(nn.Module):
    """A WaveNet layer: dilated causal convolution (kernel 2), gated activation,
    residual and skip outputs."""

    def __init__(self, channels, dilation, dropout):
        super().__init__()
        self.dilation = dilation
        self.conv = nn.Conv1d(channels, 2 * channels, kernel_size=2, dilation=dilation)
        self.residual = nn.Conv1d(channels, channels, 1)
        self.skip = nn.Conv1d(channels, channels, 1)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):  # x: (B, C, T)
        z = self.conv(F.pad(x, (self.dilation, 0)))
        filt, gate = z.chunk(2, dim=1)
        z = self.drop(torch.tanh(filt) * torch.sigmoid(gate))
        return x + self.residual(z), self.skip(z)

    def step(self, x, history, t):  # x: (B, C); history: (B, C, T) inputs seen so far
        history[:, :, t] = x
        past = history[:, :, t - self.dilation] if t >= self.dilation else torch.zeros_like(x)
        w = self.conv.weight  # (2C, C, 2): tap 0 reads t - dilation, tap 1 reads t
        z = past @ w[:, :, 0].T + x @ w[:, :, 1].T + self.conv.bias
        filt, gate = z.chunk(2, dim=1)
        z = torch.tanh(filt) * torch.sigmoid(gate)
        residual = x + z @ self.residual.weight[:, :, 0].T + self.residual.bias
        skip = z @ self.skip.weight[:, :, 0].T + self.skip.bias
        return residual, skip


class WaveNetModule(_Base):
    """WaveNet: stacks of dilated causal convolutions with doubling dilations."""

    def __init__(self, n_tokens, n_positions, allowed, *, embedding_dim=64, hidden_size=128,
                 n_layers=None, dropout=0.0, private=False, column_shuffle=0.0,
                 ranks=None, token_columns=None, sub_bins=None):
        super().__init__(n_tokens, n_positions, embedding_dim, allowed, private, column_shuffle,
                         ranks, token_columns, sub_bins)
        if n_layers is None:  # enough doublings for the receptive field to cover the row
            n_layers = max(1, math.ceil(math.log2(max(n_positions, 2))))
        self.inp = nn.Linear(embedding_dim, hidden_size)
        self.layers = nn.ModuleList(
            _GatedResidual(hidden_size, 2 ** (i % 10), dropout) for i in range(n_layers)
        )
        self.post = nn.Linear(hidden_size, hidden_size)
        self.heads = _ColumnHeads(hidden_size, allowed)
        if private:  # the last residual output is never read: no gradient for Opacus to clip
            self.layers[-1].residual.requires_grad_(False)

    def hidden(self, tokens, columns):
        x = self.inp(self.embed(tokens, columns)).transpose(1, 2)
        skips = 0
        for layer in self.layers:
            x, skip = layer(x)
            skips = skips + skip
        return torch.relu(self.post(torch.relu(skips.transpose(1, 2))))

    def init_state(self, batch_size, device, dtype=torch.float32):
        channels = self.inp.out_features
        histories = [torch.zeros(batch_size, channels, self.n_positions, device=device,
                                 dtype=dtype) for _ in self.layers]
        return {"table": self.token_table(), "histories": histories}

    def step(self, state, token, t, column):
        x = self.inp(self.embed_step(state, token, column))
        skips = 0
        for layer, history in zip(self.layers, state["histories"]):
            x, skip = layer.step(x, history, t)
            skips = skips + skip
        return torch.relu(self.post(torch.relu(skips))), state


class RowNLLLoss(nn.Module):
    """Cross-entropy summed over a row's symbols, averaged over rows (the paper's loss)."""

    def forward(self, logits, target):
        total = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                                reduction="sum")
        return total / target.shape[0]


ARCHITECTURES = {"rnn": RNNModule, "transformer": TransformerModule, "wavenet": WaveNetModule}
