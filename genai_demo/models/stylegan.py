"""A style-based generator in miniature: StyleGAN2 (Karras et al., "Analyzing and Improving the Image
Quality of StyleGAN", CVPR 2020) shrunk to 28x28 and 32x32 images.

What makes it style-based, as in the paper:

- a **mapping network** turns the latent z (normalised to the unit sphere's radius) into an
  intermediate latent w through a few fully connected layers (learning rate x0.01, section 2 of
  the StyleGAN paper, Karras et al. 2019);
- the image grows from a **learned constant** at the base resolution (7x7 for 28x28, 8x8 for 32x32),
  doubling twice or three times;
- every convolution is **modulated** by a style (an affine map of its own copy of w) and
  **demodulated** (each output channel rescaled to unit expected norm: StyleGAN2's replacement of
  AdaIN), written the cheap way (scale the input, convolve with the shared weight, scale the
  output: StyleGAN2's `fused_modconv=False`, the same maths without a grouped convolution);
- each convolution adds **per-pixel noise** with a learned strength; the noise is a fixed buffer
  (`noise_mode="const"`) when sampling, so a seed always gives the same image, fresh each step
  when training (`"random"`), or off (`"none"`), to show what it does;
- RGB (here grey) outputs at every resolution are summed with upsampling (the "skip" generator),
  then squashed by tanh into [-1, 1] like the other GANs here (StyleGAN's output is linear: on
  MNIST's exactly black background that let D win on the background's precision alone, and G
  collapsed to one digit by step 600 at the paper's learning rate; with tanh it drew varied digits);
- **style mixing**: w is one vector per layer (`num_ws` of them); layers before a crossover take
  one seed's w, the rest another's. The **truncation trick** pulls each w towards the average w,
  stored in the folder (`w_avg`, and `cluster_w_avg` per cluster for a self-conditioned model,
  which is pulled towards its own cluster's) for that purpose.

Every weight uses the equalised learning rate (Karras et al. 2018): stored N(0, 1), scaled by
1/sqrt(fan_in) when used. The discriminator is StyleGAN2's residual one with a minibatch standard
deviation layer; the trainer (`stylegan_trainer.py`) adds the non-saturating loss, the lazy R1
penalty and style-mixing regularisation. Left out, for a CPU budget: path length regularisation,
blurred (FIR) resampling (bilinear resizing here), and the progressive-growing-free "resnet"
generator variant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from genai_demo.models.config_checks import require_positive
from genai_demo.models.gan import GANPair

NOISE_MODES = ("const", "random", "none")
# Fixed noise buffers and the average w come from their own seeds, apart from the weights'.
_NOISE_SEED, _W_AVG_SEED, W_AVG_SAMPLES = 123, 456, 10_000


@dataclass
class StyleGANConfig:
    """Architecture of a style-based GAN; saved as `config.json` in the model folder."""

    latent_dim: int = 64  # z
    w_dim: int = 128  # w, and every style's source
    mapping_layers: int = 4
    mapping_lr_multiplier: float = 0.01
    image_channels: int = 1
    image_size: int = 28
    # Feature maps at the base resolution; each doubling halves them, down to min_features.
    generator_features: int = 64
    discriminator_features: int = 64
    min_features: int = 16
    # Self-conditioned (Liu et al. 2020), as the DCGAN can be: k-means clusters of the training images,
    # fixed at step 0; the cluster's one-hot code follows z into the mapping network (embedded, as
    # StyleGAN2-ADA embeds a class) and D judges each image with its cluster (a projection
    # discriminator). No labels; every cluster, so every digit, is drawn as often as it occurs.
    clusters: int = 0
    added_fields: ClassVar[tuple[str, ...]] = ("clusters",)

    def __post_init__(self) -> None:
        require_positive("StyleGAN", self, "latent_dim", "w_dim", "mapping_layers", "image_channels",
                         "generator_features", "discriminator_features", "min_features")
        if not 0 <= self.clusters <= 256 or self.clusters == 1:
            raise ValueError(f"StyleGAN clusters must be 0 (none) or 2 to 256, got {self.clusters}")
        if not 0 < self.mapping_lr_multiplier <= 1:
            raise ValueError(f"StyleGAN mapping_lr_multiplier must be in (0, 1], got {self.mapping_lr_multiplier}")
        self.base_size  # checks image_size

    @property
    def base_size(self) -> int:
        """The constant input's size: the image size halved until it is at most 8 (28 -> 7, 32 -> 4)."""
        size = self.image_size
        while size > 8 and size % 2 == 0:
            size //= 2
        if size > 8 or size < 3 or self.image_size < 8:
            raise ValueError(f"StyleGAN image_size must halve down to 3 to 8 pixels (28, 32, 64, ...), "
                             f"got {self.image_size}")
        return size

    @property
    def resolutions(self) -> list[int]:
        """The generator's resolutions, from the base to the image size."""
        sizes = [self.base_size]
        while sizes[-1] < self.image_size:
            sizes.append(sizes[-1] * 2)
        return sizes

    def features_at(self, index: int, base_features: int) -> int:
        return max(self.min_features, base_features >> index)

    @property
    def num_ws(self) -> int:
        """One w per convolution: one at the base resolution, two at each doubling."""
        return 1 + 2 * (len(self.resolutions) - 1)


class EqualLinear(nn.Module):
    """A linear layer with the equalised learning rate (weights N(0, 1) / lr_mul, scaled at run time)."""

    def __init__(self, in_features: int, out_features: int, bias_init: float = 0.0, lr_multiplier: float = 1.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_multiplier)
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init)) / lr_multiplier)
        self.weight_gain = lr_multiplier / math.sqrt(in_features)
        self.lr_multiplier = lr_multiplier

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.linear(inputs, self.weight * self.weight_gain, self.bias * self.lr_multiplier)


def leaky_relu(features: torch.Tensor) -> torch.Tensor:
    """LeakyReLU(0.2) with StyleGAN's gain of sqrt(2), which keeps activations at unit variance."""
    return F.leaky_relu(features, 0.2) * math.sqrt(2)


def normalize(features: torch.Tensor) -> torch.Tensor:
    """Each row scaled to unit mean square (StyleGAN's pixel norm of z)."""
    return features * torch.rsqrt(features.square().mean(dim=1, keepdim=True) + 1e-8)


class MappingNetwork(nn.Module):
    """z (batch, latent_dim) -> w (batch, w_dim): pixel norm, then `mapping_layers` fully connected
    layers. A self-conditioned model's latents end with a one-hot cluster code, embedded and
    normalised beside z (StyleGAN2-ADA's conditioning)."""

    def __init__(self, config: StyleGANConfig):
        super().__init__()
        self.latent_dim = config.latent_dim
        self.embed = EqualLinear(config.clusters, config.latent_dim) if config.clusters else None
        widths = [config.latent_dim * (2 if config.clusters else 1)] + [config.w_dim] * config.mapping_layers
        self.layers = nn.ModuleList(
            EqualLinear(a, b, lr_multiplier=config.mapping_lr_multiplier) for a, b in zip(widths, widths[1:])
        )

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        features = normalize(latents[:, : self.latent_dim])
        if self.embed is not None:
            features = torch.cat([features, normalize(self.embed(latents[:, self.latent_dim :]))], dim=1)
        for layer in self.layers:
            features = leaky_relu(layer(features))
        return features


class ModulatedConv2d(nn.Module):
    """A 3x3 (or 1x1) convolution whose input channels are scaled by a style from w, then, with
    `demodulate`, each output channel divided by its expected norm (StyleGAN2 eq. 1-3).

    Written as scale, convolve, scale: `conv(x * s, W) * d` with `d = 1 / sqrt(sum (W s)^2 + eps)`,
    the same as convolving with the modulated, demodulated weight."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, w_dim: int, demodulate: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.weight_gain = 1 / math.sqrt(in_channels * kernel_size * kernel_size)
        self.affine = EqualLinear(w_dim, in_channels, bias_init=1.0)  # styles start at one
        self.demodulate, self.padding = demodulate, kernel_size // 2

    def styles(self, w: torch.Tensor) -> torch.Tensor:
        return self.affine(w)

    def forward(self, features: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        styles = self.styles(w)  # (batch, in)
        weight = self.weight * self.weight_gain
        output = F.conv2d(features * styles[:, :, None, None].to(features.dtype), weight.to(features.dtype),
                          padding=self.padding)
        if self.demodulate:
            # sum over (in, kh, kw) of (W[o, i] s[b, i])^2 = (s^2) @ (sum over kh, kw of W^2)^T
            norms = styles.square() @ weight.square().sum(dim=(2, 3)).t()  # (batch, out)
            output = output * torch.rsqrt(norms + 1e-8)[:, :, None, None].to(output.dtype)
        return output


class StyledLayer(nn.Module):
    """Modulated 3x3 convolution (after a 2x upsampling where asked), noise, bias, LeakyReLU."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, resolution: int, upsample: bool):
        super().__init__()
        self.upsample = upsample
        self.conv = ModulatedConv2d(in_channels, out_channels, 3, w_dim)
        self.noise_strength = nn.Parameter(torch.zeros(()))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        generator = torch.Generator().manual_seed(_NOISE_SEED + resolution * 31 + out_channels + int(upsample))
        self.register_buffer("noise_const", torch.randn(1, 1, resolution, resolution, generator=generator))

    def forward(self, features: torch.Tensor, w: torch.Tensor, noise_mode: str = "random",
                noise_generator: torch.Generator | None = None) -> torch.Tensor:
        if self.upsample:
            features = F.interpolate(features, scale_factor=2, mode="bilinear", align_corners=False)
        features = self.conv(features, w)
        if noise_mode == "random":
            size = features.shape[-1]
            noise = torch.randn(features.shape[0], 1, size, size, device=features.device, generator=noise_generator)
            features = features + noise.to(features.dtype) * self.noise_strength.to(features.dtype)
        elif noise_mode == "const":
            features = features + self.noise_const.to(features.dtype) * self.noise_strength.to(features.dtype)
        return leaky_relu(features + self.bias.to(features.dtype)[None, :, None, None])


class ToImage(nn.Module):
    """A modulated 1x1 convolution to the image channels, without demodulation (StyleGAN2's toRGB)."""

    def __init__(self, in_channels: int, image_channels: int, w_dim: int):
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, image_channels, 1, w_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(image_channels))

    def forward(self, features: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return self.conv(features, w) + self.bias.to(features.dtype)[None, :, None, None]


class SynthesisNetwork(nn.Module):
    """ws (batch, num_ws, w_dim) -> images (batch, C, size, size) in [-1, 1]: the constant, then per
    resolution its styled layers and a toRGB whose outputs are upsampled and summed, then tanh."""

    def __init__(self, config: StyleGANConfig):
        super().__init__()
        features = [config.features_at(index, config.generator_features) for index in range(len(config.resolutions))]
        base = config.base_size
        self.constant = nn.Parameter(torch.randn(features[0], base, base))
        self.layers = nn.ModuleList([StyledLayer(features[0], features[0], config.w_dim, base, upsample=False)])
        self.to_images = nn.ModuleList([ToImage(features[0], config.image_channels, config.w_dim)])
        for index, resolution in enumerate(config.resolutions[1:], start=1):
            self.layers.append(StyledLayer(features[index - 1], features[index], config.w_dim, resolution, upsample=True))
            self.layers.append(StyledLayer(features[index], features[index], config.w_dim, resolution, upsample=False))
            self.to_images.append(ToImage(features[index], config.image_channels, config.w_dim))

    def forward(self, ws: torch.Tensor, noise_mode: str = "random",
                noise_generator: torch.Generator | None = None) -> torch.Tensor:
        features = self.constant.to(ws.dtype).unsqueeze(0).expand(ws.shape[0], -1, -1, -1)
        features = self.layers[0](features, ws[:, 0], noise_mode, noise_generator)
        image = self.to_images[0](features, ws[:, 0])
        for stage, to_image in enumerate(self.to_images[1:], start=1):
            first, second = 2 * stage - 1, 2 * stage
            features = self.layers[first](features, ws[:, first], noise_mode, noise_generator)
            features = self.layers[second](features, ws[:, second], noise_mode, noise_generator)
            image = F.interpolate(image, scale_factor=2, mode="bilinear", align_corners=False) + to_image(features, ws[:, second])
        return torch.tanh(image)


class StyleGenerator(nn.Module):
    """z -> w (mapping) -> one w per layer (optionally truncated, optionally mixed) -> image."""

    def __init__(self, config: StyleGANConfig):
        super().__init__()
        self.config = config
        self.mapping = MappingNetwork(config)
        self.synthesis = SynthesisNetwork(config)
        self.register_buffer("w_avg", torch.zeros(config.w_dim))  # for truncation; set when saved
        if config.clusters:
            # A self-conditioned model truncates towards its cluster's average w, not the overall one,
            # which lies between the clusters (blends of digits): as StyleGAN2-ADA's conditional models
            # truncate towards their class's centre.
            self.register_buffer("cluster_w_avg", torch.zeros(config.clusters, config.w_dim))

    def truncation_centre(self, latents: torch.Tensor) -> torch.Tensor:
        """The w each latent is pulled towards: its cluster's average w, or the average w."""
        if not self.config.clusters:
            return self.w_avg
        return self.cluster_w_avg[latents[:, self.config.latent_dim :].argmax(dim=1)]

    def ws(self, latents: torch.Tensor, truncation: float = 1.0) -> torch.Tensor:
        """(batch, num_ws, w_dim): each latent's w, repeated for every layer, pulled towards the
        average w (its cluster's, for a self-conditioned model) by `truncation` (psi; 1 = off, 0 = the
        average image)."""
        w = self.mapping(latents)
        if truncation != 1.0:
            centre = self.truncation_centre(latents).to(w.dtype)
            w = centre + truncation * (w - centre)
        return w.unsqueeze(1).repeat(1, self.config.num_ws, 1)

    def forward(self, latents: torch.Tensor, truncation: float = 1.0, noise_mode: str = "random",
                noise_generator: torch.Generator | None = None, mix_latents: torch.Tensor | None = None,
                crossover: torch.Tensor | None = None) -> torch.Tensor:
        """Images in [-1, 1]; with `mix_latents`, layers from each row's `crossover` on take their styles."""
        ws = self.ws(latents, truncation)
        if mix_latents is not None:
            ws = mix_ws(ws, self.ws(mix_latents, truncation), crossover)
        return self.synthesis(ws, noise_mode, noise_generator)


def mix_ws(coarse: torch.Tensor, fine: torch.Tensor, crossover: int | torch.Tensor) -> torch.Tensor:
    """Layers before `crossover` from `coarse`'s ws, the rest from `fine`'s ((batch, num_ws, w_dim) each;
    `crossover` an int, or one per row)."""
    layer = torch.arange(coarse.shape[1], device=coarse.device).view(1, -1, 1)
    crossover = torch.as_tensor(crossover, device=coarse.device).view(-1, 1, 1)
    return torch.where(layer < crossover, coarse, fine)


class GroupedMinibatchStd(nn.Module):
    """StyleGAN's minibatch standard deviation: the batch is split into groups of `group_size`; each
    image gets one more feature map, its group's standard deviation averaged over features and pixels.
    Small groups give each image a signal of its own neighbours' variety (a whole-batch average is
    one number for all, and a weak gradient)."""

    def __init__(self, group_size: int = 4):
        super().__init__()
        self.group_size = group_size

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        count, channels, height, width = features.shape
        group = min(self.group_size, count)
        while count % group:
            group -= 1
        grouped = features.float().reshape(group, count // group, channels, height, width)
        spread = grouped.var(dim=0, unbiased=False).add(1e-8).sqrt().mean(dim=(1, 2, 3))  # (count // group,)
        plane = spread.repeat(group).view(count, 1, 1, 1).expand(count, 1, height, width)
        return torch.cat([features, plane.to(features.dtype)], dim=1)


class ResidualBlock(nn.Module):
    """StyleGAN2's discriminator block: two 3x3 convolutions and a 2x downsampling, with a 1x1
    skip path, summed and scaled by 1/sqrt(2)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv1 = EqualConv2d(in_channels, in_channels, 3)
        self.conv2 = EqualConv2d(in_channels, out_channels, 3)
        self.skip = EqualConv2d(in_channels, out_channels, 1, bias=False)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        skip = self.skip(F.avg_pool2d(features, 2))
        features = leaky_relu(self.conv1(features))
        features = leaky_relu(self.conv2(F.avg_pool2d(features, 2)))
        return (skip + features) / math.sqrt(2)


class EqualConv2d(nn.Module):
    """A convolution with the equalised learning rate."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, bias: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.weight_gain, self.padding = 1 / math.sqrt(in_channels * kernel_size * kernel_size), kernel_size // 2

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        bias = None if self.bias is None else self.bias.to(features.dtype)
        return F.conv2d(features, (self.weight * self.weight_gain).to(features.dtype), bias, padding=self.padding)


class StyleDiscriminator(nn.Module):
    """Images -> one logit each: fromRGB, residual blocks down to the base resolution, minibatch
    standard deviation, a 3x3 convolution and two fully connected layers."""

    def __init__(self, config: StyleGANConfig):
        super().__init__()
        resolutions = config.resolutions[::-1]  # image size first
        features = [config.features_at(len(resolutions) - 1 - index, config.discriminator_features)
                    for index in range(len(resolutions))]
        self.from_image = EqualConv2d(config.image_channels, features[0], 1)
        self.blocks = nn.ModuleList(ResidualBlock(a, b) for a, b in zip(features, features[1:]))
        self.minibatch_std = GroupedMinibatchStd()
        self.conv = EqualConv2d(features[-1] + 1, features[-1], 3)
        self.fc = EqualLinear(features[-1] * config.base_size**2, features[-1])
        self.out = EqualLinear(features[-1], 1)
        # A self-conditioned D projects its features on the cluster's embedding (Miyato & Koyama 2018).
        self.cluster_embedding = nn.Embedding(config.clusters, features[-1]) if config.clusters else None

    def forward(self, images: torch.Tensor, clusters: torch.Tensor | None = None) -> torch.Tensor:
        features = leaky_relu(self.from_image(images))
        for block in self.blocks:
            features = block(features)
        features = leaky_relu(self.conv(self.minibatch_std(features)))
        features = leaky_relu(self.fc(features.flatten(1)))
        logits = self.out(features).view(-1)
        if self.cluster_embedding is not None:
            if clusters is None:
                raise ValueError("this discriminator judges an image with its cluster id: pass clusters")
            embedded = self.cluster_embedding(clusters).to(features.dtype)
            logits = logits + (features * embedded).sum(dim=1) / math.sqrt(features.shape[1])
        return logits


class StyleGAN(GANPair):
    """A style-based generator and its discriminator in one folder."""

    model_type = "stylegan"
    config_class = StyleGANConfig
    is_style_based = True

    def __init__(self, config: StyleGANConfig):
        super().__init__()
        self.config = config
        self.generator = StyleGenerator(config)
        self.discriminator = StyleDiscriminator(config)
        self.register_clusters(config)

    @property
    def num_ws(self) -> int:
        return self.config.num_ws

    def decode(self, latents: torch.Tensor, truncation: float = 1.0, noise_mode: str = "const") -> torch.Tensor:
        """Images in [-1, 1] with gradients to the latents; fixed noise, so a latent gives one image."""
        return self.synthesize(self.generator.ws(latents, truncation), noise_mode)

    @torch.no_grad()
    def generate(self, latents: torch.Tensor, truncation: float = 1.0, noise_mode: str = "const") -> torch.Tensor:
        return self.decode(latents, truncation, noise_mode)

    def synthesize(self, ws: torch.Tensor, noise_mode: str = "const") -> torch.Tensor:
        """Images in [-1, 1] from per-layer ws (batch, num_ws, w_dim)."""
        if noise_mode not in NOISE_MODES:
            raise ValueError(f"noise_mode must be one of {', '.join(NOISE_MODES)}, got {noise_mode!r}")
        generator = None if noise_mode != "random" else torch.Generator(device=ws.device).manual_seed(_NOISE_SEED)
        return self.generator.synthesis(ws, noise_mode, generator)

    @torch.no_grad()
    def mix(self, coarse_latents: torch.Tensor, fine_latents: torch.Tensor, crossover: int,
            truncation: float = 1.0, noise_mode: str = "const") -> torch.Tensor:
        """One image per pair: layers before `crossover` styled by `coarse_latents`, the rest by `fine_latents`."""
        if not 0 <= crossover <= self.num_ws:
            raise ValueError(f"crossover must be 0 to {self.num_ws}, got {crossover}")
        ws = mix_ws(self.generator.ws(coarse_latents, truncation), self.generator.ws(fine_latents, truncation), crossover)
        return self.synthesize(ws, noise_mode)

    @torch.no_grad()
    def interpolate(self, start: torch.Tensor, end: torch.Tensor, fractions: torch.Tensor,
                    truncation: float = 1.0, noise_mode: str = "const") -> torch.Tensor:
        """Images along the straight line in w from latent `start`'s w to `end`'s (each (1, latent_dim))."""
        w_start, w_end = self.generator.ws(start, truncation)[:, 0], self.generator.ws(end, truncation)[:, 0]
        w = torch.lerp(w_start, w_end, fractions.to(w_start).view(-1, 1))
        return self.synthesize(w.unsqueeze(1).repeat(1, self.num_ws, 1), noise_mode)

    @torch.no_grad()
    def set_w_avg(self, num_samples: int = W_AVG_SAMPLES) -> None:
        """The average w over `num_samples` fixed latents (the truncation trick's centre); for a
        self-conditioned model also each cluster's, over as many latents again spread evenly over them."""
        generator = self.generator
        latents, _ = self.random_latents(num_samples, torch.Generator().manual_seed(_W_AVG_SEED), "cpu")
        generator.w_avg.copy_(generator.mapping(latents.to(generator.w_avg.device)).mean(dim=0))
        clusters = self.config.clusters
        if clusters:
            per_cluster = max(1, num_samples // clusters)
            z = torch.randn(per_cluster * clusters, self.config.latent_dim,
                            generator=torch.Generator().manual_seed(_W_AVG_SEED + 1))
            codes = torch.arange(clusters).repeat_interleave(per_cluster)
            latents = torch.cat([z, F.one_hot(codes, clusters).to(z.dtype)], dim=1).to(generator.w_avg.device)
            w = generator.mapping(latents).view(clusters, per_cluster, -1)
            generator.cluster_w_avg.copy_(w.mean(dim=1))

    @property
    def default_crossover(self) -> int:
        """Coarse styles are those of the layers at the two smallest resolutions (7x7 and 14x14 for
        28x28 images): the first layer at the image's own resolution and those after it are fine."""
        return self.layer_resolutions().index(self.config.resolutions[-1]) if len(self.config.resolutions) > 2 else 1

    def layer_resolutions(self) -> list[int]:
        """The resolution each w styles, by layer index."""
        resolutions = self.config.resolutions
        return [resolutions[0]] + [size for size in resolutions[1:] for _ in range(2)]
