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


class MLPGenerator(nn.Module):
    """``x + f(x)``: a residual MLP, so an untrained generator is the identity
    and training learns the change between domains."""

    def __init__(self, n_features, hidden_size=256):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden_size), nn.LeakyReLU(0.2),
            nn.Linear(hidden_size, hidden_size), nn.LeakyReLU(0.2),
            nn.Linear(hidden_size, n_features),
        )
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, x):
        return x + self.net(x)


class MLPDiscriminator(nn.Module):
    def __init__(self, n_features, hidden_size=256):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden_size), nn.LeakyReLU(0.2),
            nn.Linear(hidden_size, hidden_size // 2), nn.LeakyReLU(0.2),
            nn.Linear(hidden_size // 2, 1),
        )

    def forward(self, x):
        return self.net(x)[:, 0]


class ConvGenerator(nn.Module):
    """Two stride-2 convolutions down, two transposed convolutions up, added
    to the input and clipped to [-1, 1] (images are scaled to that range);
    height and width must be multiples of 4. The change is added in pixel
    space, so dark and bright pixels move as easily as grey ones."""

    def __init__(self, channels, width=32):
        super().__init__()
        self.down = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.InstanceNorm2d(2 * width), nn.LeakyReLU(0.2),
        )
        self.up = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.InstanceNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, 2, 1),
        )
        nn.init.zeros_(self.up[-1].weight)
        nn.init.zeros_(self.up[-1].bias)

    def forward(self, x):
        return (x + self.up(self.down(x))).clamp(-1.0, 1.0)


class ConvDiscriminator(nn.Module):
    """A patch discriminator: the mean of a map of local real/fake scores."""

    def __init__(self, channels, width=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.InstanceNorm2d(2 * width), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 1, 3, 1, 1),
        )

    def forward(self, x):
        return self.net(x).mean(dim=(1, 2, 3))


class CycleGAN(nn.Module):
    """The four networks: ``G_s2r``, ``G_r2s`` (generators) and ``D_s2r``,
    ``D_r2s`` (the discriminators of the risky and of the safe domain)."""

    def __init__(self, kind, n_features=None, image_shape=None, hidden_size=256):
        super().__init__()
        if kind == "mlp":
            self.G_s2r, self.G_r2s = MLPGenerator(n_features, hidden_size), MLPGenerator(n_features, hidden_size)
            self.D_s2r, self.D_r2s = MLPDiscriminator(n_features, hidden_size), MLPDiscriminator(n_features, hidden_size)
        else:
            channels = image_shape[0]
            self.G_s2r, self.G_r2s = ConvGenerator(channels), ConvGenerator(channels)
            self.D_s2r, self.D_r2s = ConvDiscriminator(channels), ConvDiscriminator(channels)
        self.image_shape = None if kind == "mlp" else tuple(image_shape)

    def shape(self, x):
        return x if self.image_shape is None else x.reshape(x.shape[0], *self.image_shape)

    def forward(self, safe, risky):
        return self.G_s2r(self.shape(safe)), self.G_r2s(self.shape(risky))


class CycleGANNet(NeuralNet):
    """skorch net for the CycleGAN: two Adam optimizers (generators,
    discriminators) and a ``train_step`` that updates the generators with the
    least-squares adversarial loss plus ``cycle_weight`` times the L1 cycle
    loss (plus ``identity_weight`` times it times the L1 identity loss), then
    the discriminators with the least-squares loss."""

    def __init__(self, *args, cycle_weight=10.0, identity_weight=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle_weight = cycle_weight
        self.identity_weight = identity_weight

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

        self.optimizer_g_.zero_grad()
        fake_risky, fake_safe = net.G_s2r(safe), net.G_r2s(risky)
        adversarial = (F.mse_loss(net.D_s2r(fake_risky), torch.ones(len(safe), device=self.device))
                       + F.mse_loss(net.D_r2s(fake_safe), torch.ones(len(risky), device=self.device)))
        cycle = F.l1_loss(net.G_r2s(fake_risky), safe) + F.l1_loss(net.G_s2r(fake_safe), risky)
        loss_g = adversarial + self.cycle_weight * cycle
        if self.identity_weight > 0:
            identity = F.l1_loss(net.G_r2s(safe), safe) + F.l1_loss(net.G_s2r(risky), risky)
            loss_g = loss_g + self.identity_weight * self.cycle_weight * identity
        loss_g.backward()
        self.optimizer_g_.step()

        self.optimizer_d_.zero_grad()
        ones_r, zeros_s = torch.ones(len(risky), device=self.device), torch.zeros(len(safe), device=self.device)
        ones_s, zeros_r = torch.ones(len(safe), device=self.device), torch.zeros(len(risky), device=self.device)
        loss_d = (F.mse_loss(net.D_s2r(risky), ones_r) + F.mse_loss(net.D_s2r(fake_risky.detach()), zeros_s)
                  + F.mse_loss(net.D_r2s(safe), ones_s) + F.mse_loss(net.D_r2s(fake_safe.detach()), zeros_r))
        loss_d.backward()
        self.optimizer_d_.step()

        self.history.record_batch("loss_g", loss_g.item())
        self.history.record_batch("loss_d", loss_d.item())
        self.history.record_batch("cycle", cycle.item())
        return {"loss": loss_g, "y_pred": None}
