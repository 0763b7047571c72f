"""Private torch parts of the neural classifiers of ``sklearn_synth.privacy``:
the networks (an MLP for rows, a small GroupNorm CNN for images), batch
augmentation, the skorch nets with RelaxLoss's training rule, and the
dataset whose samples are renewed every epoch."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import torch
import torch.nn.functional as F
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.dataset import unpack_data
from torch import nn


class MLP(nn.Module):
    """One hidden ReLU layer; logits out."""

    def __init__(self, n_features, n_classes, hidden_size=256):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_features, hidden_size), nn.ReLU(),
                                 nn.Linear(hidden_size, n_classes))

    def forward(self, x):
        return self.net(x)


class SmallCNN(nn.Module):
    """Three blocks of 3 x 3 convolution, GroupNorm, ReLU and 2 x 2 max-pooling
    (``width``, ``2 width``, ``4 width`` channels), then a linear layer on the
    flattened maps: about 34k parameters at ``width=16`` on 32 x 32 images.
    GroupNorm rather than BatchNorm, so that Opacus can clip per-sample
    gradients; a flattened head rather than global pooling, so that the
    network can fit (and memorize) a small training set, as the models that
    membership attacks target do."""

    def __init__(self, image_shape, n_classes, width=16):
        super().__init__()
        self.image_shape = tuple(image_shape)
        channels, blocks = image_shape[0], []
        height, wide = image_shape[1:]
        for out in (width, 2 * width, 4 * width):
            blocks += [nn.Conv2d(channels, out, 3, padding=1), nn.GroupNorm(min(4, out), out),
                       nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True)]
            channels, height, wide = out, -(-height // 2), -(-wide // 2)
        self.features = nn.Sequential(*blocks)
        self.head = nn.Linear(channels * height * wide, n_classes)

    def forward(self, x):
        x = x.reshape(x.shape[0], *self.image_shape)
        return self.head(self.features(x).flatten(1))


def augment_images(x, image_shape, kind, generator):
    """Random crops (zero padding of an eighth of the side, at least one pixel)
    and, for ``"crop_flip"``, horizontal flips of a batch of flattened images."""
    n = x.shape[0]
    c, h, w = image_shape
    images = x.reshape(n, c, h, w)
    pad_h, pad_w = max(1, h // 8), max(1, w // 8)
    padded = F.pad(images, (pad_w, pad_w, pad_h, pad_h))
    dy = torch.randint(0, 2 * pad_h + 1, (n,), generator=generator).to(x.device)
    dx = torch.randint(0, 2 * pad_w + 1, (n,), generator=generator).to(x.device)
    rows = (dy[:, None] + torch.arange(h, device=x.device))[:, None, :, None]
    cols = (dx[:, None] + torch.arange(w, device=x.device))[:, None, None, :]
    batch = torch.arange(n, device=x.device)[:, None, None, None]
    channel = torch.arange(c, device=x.device)[None, :, None, None]
    out = padded[batch, channel, rows, cols]
    if kind == "crop_flip":
        flip = (torch.rand(n, generator=generator) < 0.5).to(x.device)
        out = torch.where(flip[:, None, None, None], out.flip(-1), out)
    return out.reshape(n, -1)


class AugmentingMixin:
    """A net that augments every training batch (``augment``: None, ``"crop"``
    or ``"crop_flip"``) with its own seeded ``torch.Generator``."""

    def __init__(self, *args, augment=None, image_shape=None, augment_seed=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.augment = augment
        self.image_shape = image_shape
        self.augment_seed = augment_seed

    def initialize(self):
        self.augment_generator_ = torch.Generator().manual_seed(int(self.augment_seed))
        return super().initialize()

    def train_step_single(self, batch, **fit_params):
        if self.augment is None:
            return super().train_step_single(batch, **fit_params)
        Xi, yi = unpack_data(batch)
        Xi = augment_images(Xi.to(self.device), self.image_shape, self.augment,
                            self.augment_generator_)
        return super().train_step_single((Xi, yi), **fit_params)


class ClassifierNet(AugmentingMixin, NeuralNet):
    """Cross-entropy training (with the criterion's label smoothing)."""


class RelaxLossNet(ClassifierNet):
    """RelaxLoss (Chen, Yu and Fritz, ICLR 2022) while training.

    Epochs are counted from 0, as in the authors' code. Even epochs minimise
    ``|loss - alpha|`` for the batch's mean cross-entropy: descent above
    ``alpha``, ascent below it. Odd epochs descend while the loss is above
    ``alpha``; below it they flatten the posterior: each sample's loss is
    minus its cross-entropy (ascent, which lowers the confidence of the
    samples the network already gets right) plus, for misclassified samples
    only, the cross-entropy against soft targets (the true class at its
    predicted probability capped at ``upper``, the rest of the mass spread
    evenly over the other classes). ``alpha=0`` is plain cross-entropy. The
    validation loss stays the plain cross-entropy.
    """

    def __init__(self, *args, alpha=1.0, upper=1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpha = alpha
        self.upper = upper

    def get_loss(self, y_pred, y_true, X=None, training=False):
        ce = super().get_loss(y_pred, y_true, X=X, training=training)
        if not training or self.alpha == 0:
            return ce
        epoch = len(self.history) - 1  # the history has a row for the running epoch
        if epoch % 2 == 0:
            return (ce - self.alpha).abs()
        if ce > self.alpha:
            return ce
        y_true = y_true.to(y_pred.device)
        n_classes = y_pred.shape[1]
        log_proba = F.log_softmax(y_pred, dim=1)
        target = log_proba.exp().gather(1, y_true[:, None])[:, 0].clamp(0.0, self.upper)
        others = (1.0 - target) / max(n_classes - 1, 1)
        onehot = F.one_hot(y_true, n_classes).to(y_pred.dtype)
        soft = onehot * target[:, None] + (1.0 - onehot) * others[:, None]
        wrong = (y_pred.argmax(dim=1) != y_true).to(y_pred.dtype)
        soft_ce = -(soft * log_proba).sum(dim=1)
        each = F.cross_entropy(y_pred, y_true, reduction="none")
        return (wrong * soft_ce - each).mean()


class EpochData(torch.utils.data.Dataset):
    """Samples and labels that ``renew()`` (numpy arrays of a fixed count)
    replaces before every epoch, through :class:`RenewEachEpoch`."""

    def __init__(self, renew):
        self.renew = renew
        self.refresh()

    def refresh(self):
        X, y = self.renew()
        self.X = torch.as_tensor(X, dtype=torch.float32)
        self.y = torch.as_tensor(y, dtype=torch.int64)

    def release(self):
        """Drop the samples and the way to make more, once training is over."""
        self.renew = None
        self.X = self.y = torch.zeros(0)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


class RenewEachEpoch(Callback):
    """Renew an :class:`EpochData` before every epoch but the first."""

    def __init__(self, data):
        self.data = data

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) > 1:
            self.data.refresh()
