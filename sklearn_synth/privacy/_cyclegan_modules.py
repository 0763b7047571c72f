"""Private torch modules of the privacy-domain CycleGAN: generators and
discriminators for flat rows (MLPs) and for images (small convolutional
encoder-decoders), and the skorch net whose ``train_step`` alternates
generator and discriminator updates."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import torch
import torch.nn.functional as F
from skorch import NeuralNet
from torch import nn


def with_code(x, code, n_codes):
    """``x`` with the one-hot class code appended: as features for rows, as
    constant channels for images. ``n_codes=0`` (unconditional) returns ``x``."""
    if not n_codes:
        return x
    onehot = F.one_hot(code, n_codes).to(x.dtype)
    if x.dim() == 2:
        return torch.cat([x, onehot], dim=1)
    maps = onehot[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
    return torch.cat([x, maps], dim=1)


class MLPGenerator(nn.Module):
    """``x + f(x, class)``: a residual MLP, so an untrained generator is the
    identity and training learns the change between domains."""

    def __init__(self, n_features, hidden_size=256, n_codes=0):
        super().__init__()
        self.n_codes = n_codes
        self.net = nn.Sequential(
            nn.Linear(n_features + n_codes, hidden_size), nn.LeakyReLU(0.2),
            nn.Linear(hidden_size, hidden_size), nn.LeakyReLU(0.2),
            nn.Linear(hidden_size, n_features),
        )
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, x, code=None):
        return x + self.net(with_code(x, code, self.n_codes))


class MLPDiscriminator(nn.Module):
    def __init__(self, n_features, hidden_size=256, n_codes=0):
        super().__init__()
        self.n_codes = n_codes
        self.net = nn.Sequential(
            nn.Linear(n_features + n_codes, hidden_size), nn.LeakyReLU(0.2),
            nn.Linear(hidden_size, hidden_size // 2), nn.LeakyReLU(0.2),
            nn.Linear(hidden_size // 2, 1),
        )

    def forward(self, x, code=None):
        return self.net(with_code(x, code, self.n_codes))[:, 0]


class ConvGenerator(nn.Module):
    """Two stride-2 convolutions down, two transposed convolutions up, added
    to the input and clipped to [-1, 1] (images are scaled to that range);
    height and width must be multiples of 4. The change is added in pixel
    space, so dark and bright pixels move as easily as grey ones."""

    def __init__(self, channels, width=32, n_codes=0):
        super().__init__()
        self.n_codes = n_codes
        self.down = nn.Sequential(
            nn.Conv2d(channels + n_codes, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.InstanceNorm2d(2 * width), nn.LeakyReLU(0.2),
        )
        self.up = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.InstanceNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, 2, 1),
        )
        nn.init.zeros_(self.up[-1].weight)
        nn.init.zeros_(self.up[-1].bias)

    def forward(self, x, code=None):
        return (x + self.up(self.down(with_code(x, code, self.n_codes)))).clamp(-1.0, 1.0)


class ConvDiscriminator(nn.Module):
    """A patch discriminator: the mean of a map of local real/fake scores."""

    def __init__(self, channels, width=32, n_codes=0):
        super().__init__()
        self.n_codes = n_codes
        self.net = nn.Sequential(
            nn.Conv2d(channels + n_codes, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.InstanceNorm2d(2 * width), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 1, 3, 1, 1),
        )

    def forward(self, x, code=None):
        return self.net(with_code(x, code, self.n_codes)).mean(dim=(1, 2, 3))


class CycleGAN(nn.Module):
    """The four networks: ``G_s2r``, ``G_r2s`` (generators) and ``D_s2r``,
    ``D_r2s`` (the discriminators of the risky and of the safe domain).

    With ``n_classes``, every network also reads a one-hot class code of
    ``n_classes + 1`` entries, the last one meaning "any class" (what a
    sample of unknown class gets; training shows it to a share of samples)."""

    def __init__(self, kind, n_features=None, image_shape=None, hidden_size=256, n_classes=0):
        super().__init__()
        n_codes = n_classes + 1 if n_classes else 0
        self.n_classes = n_classes
        if kind == "mlp":
            G, D, size = MLPGenerator, MLPDiscriminator, n_features
            options = {"hidden_size": hidden_size, "n_codes": n_codes}
        else:
            G, D, size = ConvGenerator, ConvDiscriminator, image_shape[0]
            options = {"n_codes": n_codes}
        self.G_s2r, self.G_r2s = G(size, **options), G(size, **options)
        self.D_s2r, self.D_r2s = D(size, **options), D(size, **options)
        self.image_shape = None if kind == "mlp" else tuple(image_shape)

    def shape(self, x):
        return x if self.image_shape is None else x.reshape(x.shape[0], *self.image_shape)

    def forward(self, safe, risky, safe_class=None, risky_class=None):
        return (self.G_s2r(self.shape(safe), safe_class),
                self.G_r2s(self.shape(risky), risky_class))


class CycleGANNet(NeuralNet):
    """skorch net for the CycleGAN: two Adam optimizers (generators,
    discriminators) and a ``train_step`` that updates the generators with the
    least-squares adversarial loss plus ``cycle_weight`` times the L1 cycle
    loss (plus ``identity_weight`` times it times the L1 identity loss), then
    the discriminators with the least-squares loss."""

    def __init__(self, *args, cycle_weight=10.0, identity_weight=0.0, any_class_share=0.2,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle_weight = cycle_weight
        self.identity_weight = identity_weight
        self.any_class_share = any_class_share

    def _codes(self, Xi, key, n):
        """The class codes of a batch, a share of them replaced by "any class"."""
        n_classes = self.module_.n_classes
        if not n_classes:
            return None
        code = Xi[key].to(self.device)
        anyone = torch.rand(n, device=self.device) < self.any_class_share
        return torch.where(anyone, torch.full_like(code, n_classes), code)

    def initialize_optimizer(self, *_, **__):
        generators = [p for name, p in self.module_.named_parameters() if name.startswith("G_")]
        discriminators = [p for name, p in self.module_.named_parameters() if name.startswith("D_")]
        # betas of the CycleGAN paper: a short memory of the first moment
        self.optimizer_g_ = self.optimizer(generators, lr=self.lr, betas=(0.5, 0.999))
        self.optimizer_d_ = self.optimizer(discriminators, lr=self.lr, betas=(0.5, 0.999))
        return self

    def train_step(self, batch, **fit_params):
        self.module_.train()
        Xi, _ = batch
        net = self.module_
        safe = net.shape(Xi["safe"].to(self.device))
        risky = net.shape(Xi["risky"].to(self.device))
        c_safe, c_risky = self._codes(Xi, "safe_class", len(safe)), self._codes(Xi, "risky_class", len(risky))
        ones_s, zeros_s = torch.ones(len(safe), device=self.device), torch.zeros(len(safe), device=self.device)
        ones_r, zeros_r = torch.ones(len(risky), device=self.device), torch.zeros(len(risky), device=self.device)

        self.optimizer_g_.zero_grad()
        # a translated sample keeps the class of its source
        fake_risky, fake_safe = net.G_s2r(safe, c_safe), net.G_r2s(risky, c_risky)
        adversarial = (F.mse_loss(net.D_s2r(fake_risky, c_safe), ones_s)
                       + F.mse_loss(net.D_r2s(fake_safe, c_risky), ones_r))
        cycle = (F.l1_loss(net.G_r2s(fake_risky, c_safe), safe)
                 + F.l1_loss(net.G_s2r(fake_safe, c_risky), risky))
        loss_g = adversarial + self.cycle_weight * cycle
        if self.identity_weight > 0:
            identity = (F.l1_loss(net.G_r2s(safe, c_safe), safe)
                        + F.l1_loss(net.G_s2r(risky, c_risky), risky))
            loss_g = loss_g + self.identity_weight * self.cycle_weight * identity
        loss_g.backward()
        self.optimizer_g_.step()

        self.optimizer_d_.zero_grad()
        loss_d = (F.mse_loss(net.D_s2r(risky, c_risky), ones_r)
                  + F.mse_loss(net.D_s2r(fake_risky.detach(), c_safe), zeros_s)
                  + F.mse_loss(net.D_r2s(safe, c_safe), ones_s)
                  + F.mse_loss(net.D_r2s(fake_safe.detach(), c_risky), zeros_r))
        loss_d.backward()
        self.optimizer_d_.step()

        self.history.record_batch("loss_g", loss_g.item())
        self.history.record_batch("loss_d", loss_d.item())
        self.history.record_batch("cycle", cycle.item())
        return {"loss": loss_g, "y_pred": None}
