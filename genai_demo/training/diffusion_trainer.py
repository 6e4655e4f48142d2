"""The diffusion trainer: DDPM's simplified loss (Ho et al. 2020, eq. 14) on diffusers' UNet2DModel.

    L_simple = E_{t, x_0, eps} || eps - eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t) ||^2

with t uniform over the training timesteps, optionally weighted per sample by min(SNR_t, gamma) / SNR_t
(min-SNR-gamma, Hang et al. 2023). A guided class-conditional model sees "no condition"
(its last class embedding) in place of the image's class CONDITION_DROPOUT of the time, so that
one network learns both predictions that classifier-free guidance mixes (Ho & Salimans 2022); with
attributes, the condition is the image's (class, thickness bin, slant bin), the bins measured on
the batch with the edges fitted once on the training images, or half of the time the class alone. The weights users get are an exponential moving
average (diffusers' EMAModel), which samples far better than the raw weights of a short run.
Mixed precision (bfloat16 autocast) is used on CUDA; CPU runs in float32 (on a CPU with bfloat16
instructions the UNet's step measured no faster in bfloat16: 167 against 170 samples/s).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from diffusers.training_utils import compute_snr

from genai_demo.data.attributes import AttributeBins, condition_counts
from genai_demo.errors import InvalidInputError
from genai_demo.folders.model_folder import load_model_folder
from genai_demo.models.diffusion import ATTRIBUTE_CELLS, DiffusionModel
from genai_demo.training.image_trainer import ImageTrainer, TrainingConfig
from genai_demo.training.loop import fused_optimizer_options


@dataclass
class DiffusionTrainingConfig(TrainingConfig):
    ema_decay: float | None = 0.999
    condition_dropout: float = 0.1  # a guided model's share of "no condition" (Ho & Salimans: 0.1-0.2)
    attribute_dropout: float = 0.5  # with attributes: the share trained on the class alone (attributes open)
    # The UNet (GroupNorm) trained 9% slower in NHWC on this project's CPU (samples/s, 1 thread).
    channels_last: bool = False
    init_from: str | None = None  # a diffusion folder whose UNet weights a new run starts from
    # Min-SNR-gamma loss weighting (Hang et al. 2023): each sample's noise MSE weighted by
    # min(SNR_t, gamma) / SNR_t, so the nearly clean timesteps stop dominating the gradient. None: off.
    min_snr_gamma: float | None = None


def warm_start_weights(source: DiffusionModel, target: DiffusionModel) -> dict[str, torch.Tensor]:
    """The UNet state of `target` taken from `source`'s (the same channels and levels): every
    weight of the same name and shape. An unconditional target from a guided source also folds the
    source's "no condition" embedding into the bias of the time embedding's last layer, to which the
    UNet adds the class embedding, so it starts as exactly the source's unconditional prediction.
    Class embeddings of another shape (other classes or attributes) start fresh."""
    source_state, target_state = source.unet.state_dict(), target.unet.state_dict()
    mismatched = [name for name, value in target_state.items() if "class_embedding" not in name
                  and (name not in source_state or source_state[name].shape != value.shape)]
    if mismatched:
        raise InvalidInputError(
            f"--init-from needs a UNet of this run's shape: the folder's has block channels "
            f"{','.join(map(str, source.config.block_out_channels))} on {source.config.image_channels}x"
            f"{source.config.image_size}px images, this run's {','.join(map(str, target.config.block_out_channels))} "
            f"on {target.config.image_channels}x{target.config.image_size}px (set --unet-channels to match)")
    state = {name: source_state[name] if name in source_state and source_state[name].shape == value.shape else value
             for name, value in target_state.items()}
    if not target.is_conditional and source.is_guided:
        null = source_state["class_embedding.weight"][source.null_condition]
        state["time_embedding.linear_2.bias"] = source_state["time_embedding.linear_2.bias"] + null
    return state


class DiffusionTrainer(ImageTrainer):
    config_class = DiffusionTrainingConfig
    bfloat16_on_cpu = False
    loss_names = ("loss",)  # noise-prediction MSE
    default_model_type = DiffusionModel.model_type
    steps_in_core_shards = True
    resume_keys = ImageTrainer.resume_keys + ("min_snr_gamma",)  # the loss a run optimises stays its own

    def __init__(self, dataset, *args, **kwargs):
        super().__init__(dataset, *args, **kwargs)
        config = self.model.config
        self.attribute_bins = None
        if config.attributes:
            if config.attribute_bins is None:  # a new run: the bins of these training images
                images = dataset.to_training_tensor(torch.device("cpu"))
                bins = AttributeBins.fit(images)
                config.attribute_bins = bins.to_json()
                config.attribute_counts = condition_counts(dataset.labels, bins.bin(images), config.num_class_embeds)
            self.attribute_bins = AttributeBins.from_json(config.attribute_bins)
        if self.config.init_from and self.step == 0:
            self._start_from(self.config.init_from)

    def _start_from(self, folder: str) -> None:
        source = load_model_folder(folder)
        if not isinstance(source, DiffusionModel):
            raise InvalidInputError(f"--init-from {folder}: a {source.model_type} folder, not a diffusion model")
        with torch.no_grad():
            self.model.unet.load_state_dict(warm_start_weights(source, self.model))
        self.ema = self._build_ema()  # the average starts from the loaded weights

    def conditions(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor | None:
        """The UNet's class-embedding index of each training image (None: unconditional)."""
        if not self.model.is_conditional:
            return None
        conditions = labels
        if self.attribute_bins is not None:
            bins = self.attribute_bins.bin(images).to(labels.device)
            open_both = torch.rand(len(labels), generator=self.noise_generator, device=self.device) < self.config.attribute_dropout
            conditions = torch.where(open_both, self.model.class_only_conditions(labels),
                                     labels * ATTRIBUTE_CELLS + bins[:, 0] * 3 + bins[:, 1])
        if self.model.is_guided:
            dropped = torch.rand(len(labels), generator=self.noise_generator, device=self.device) < self.config.condition_dropout
            conditions = torch.where(dropped, torch.full_like(conditions, self.model.null_condition), conditions)
        return conditions

    def loss_weights(self, timesteps: torch.Tensor) -> torch.Tensor:
        """Each sample's weight in the loss: 1, or min(SNR_t, gamma) / SNR_t under min-SNR-gamma."""
        gamma = self.config.min_snr_gamma
        if gamma is None:
            return torch.ones(len(timesteps), device=self.device)
        snr = compute_snr(self.model.noise_scheduler, timesteps)
        return torch.clamp(snr, max=gamma) / snr

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return {"unet": torch.optim.AdamW(self.model.unet.parameters(), self.config.learning_rate, weight_decay=0.0,
                                          **fused_optimizer_options(self.device))}

    def training_step(self, real_images: torch.Tensor, real_labels: torch.Tensor) -> torch.Tensor:
        scheduler = self.model.noise_scheduler
        noise = torch.randn(real_images.shape, generator=self.noise_generator, device=self.device)
        timesteps = torch.randint(
            0, scheduler.config.num_train_timesteps, (len(real_images),),
            generator=self.noise_generator, device=self.device,
        )
        noisy_images = scheduler.add_noise(real_images, noise, timesteps)
        batch_elements = noise.numel()
        conditions = self.conditions(real_images, real_labels)
        weights = self.loss_weights(timesteps)

        def shard_loss(shard_images, shard_timesteps, shard_noise, shard_labels, shard_weights) -> tuple[torch.Tensor, torch.Tensor]:
            class_labels = shard_labels if conditions is not None else None
            with self.autocast():
                predicted_noise = self.networks["unet"](shard_images, shard_timesteps, class_labels=class_labels).sample
            # The shard's share of the batch's (weighted) mean squared error.
            squared = (predicted_noise.float() - shard_noise).square().flatten(1).sum(dim=1)
            loss = (squared * shard_weights).sum() / batch_elements
            return loss, loss.detach()

        self.optimizers["unet"].zero_grad(set_to_none=True)
        loss = sum(self.core_shards.backward(shard_loss, self.model.unet.parameters(),
                                             noisy_images, timesteps, noise,
                                             conditions if conditions is not None else real_labels, weights))
        self.optimizers["unet"].step()
        self.after_optimizer_step()
        return loss.view(1)

    def trained_networks(self) -> dict[str, torch.nn.Module]:
        return {"unet": self.model.unet}

    def ema_parameters(self) -> list[torch.nn.Parameter]:
        return list(self.model.unet.parameters())

    def optimizer_summary(self) -> str:
        return f"AdamW(lr={self.config.learning_rate:g}), {self.precision_summary()}"
