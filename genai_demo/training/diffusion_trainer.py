"""The diffusion trainer: DDPM's simplified loss (Ho et al. 2020, eq. 14) on diffusers' UNet2DModel.

    L_simple = E_{t, x_0, eps} || eps - eps_theta(sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, t) ||^2

with t uniform over the training timesteps. The weights users get are an exponential moving
average (diffusers' EMAModel), which samples far better than the raw weights of a short run.
Mixed precision (bfloat16 autocast) is used on CUDA; CPU runs in float32 (on a CPU with bfloat16
instructions the UNet's step measured no faster in bfloat16: 167 against 170 samples/s).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from genai_demo.models.diffusion import DiffusionModel
from genai_demo.training.image_trainer import ImageTrainer, TrainingConfig
from genai_demo.training.loop import fused_optimizer_options


@dataclass
class DiffusionTrainingConfig(TrainingConfig):
    ema_decay: float | None = 0.999
    # The UNet (GroupNorm) trained 9% slower in NHWC on this project's CPU (samples/s, 1 thread).
    channels_last: bool = False


class DiffusionTrainer(ImageTrainer):
    config_class = DiffusionTrainingConfig
    bfloat16_on_cpu = False
    loss_names = ("loss",)  # noise-prediction MSE
    default_model_type = DiffusionModel.model_type
    steps_in_core_shards = True

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

        def shard_loss(shard_images, shard_timesteps, shard_noise, shard_labels) -> tuple[torch.Tensor, torch.Tensor]:
            class_labels = shard_labels if self.model.is_conditional else None
            with self.autocast():
                predicted_noise = self.networks["unet"](shard_images, shard_timesteps, class_labels=class_labels).sample
            # The shard's share of the batch's mean squared error.
            loss = F.mse_loss(predicted_noise.float(), shard_noise, reduction="sum") / batch_elements
            return loss, loss.detach()

        self.optimizers["unet"].zero_grad(set_to_none=True)
        loss = sum(self.core_shards.backward(shard_loss, self.model.unet.parameters(),
                                             noisy_images, timesteps, noise, real_labels))
        self.optimizers["unet"].step()
        self.after_optimizer_step()
        return loss.view(1)

    def trained_networks(self) -> dict[str, torch.nn.Module]:
        return {"unet": self.model.unet}

    def ema_parameters(self) -> list[torch.nn.Parameter]:
        return list(self.model.unet.parameters())

    def optimizer_summary(self) -> str:
        return f"AdamW(lr={self.config.learning_rate:g}), {self.precision_summary()}"
