"""A class-conditional DDPM/DDIM pipeline for diffusers, copied into class-conditional model folders.

diffusers' own DDPMPipeline takes no class labels. This file travels with the folder, so anyone
can sample it with diffusers alone (no genai-demo needed):

    pipeline = DiffusionPipeline.from_pretrained(folder, trust_remote_code=True)
    images = pipeline(class_labels=[3, 3, 7], guidance_scale=2.0).images  # DPM-Solver++, 10 steps

`class_labels` are the UNet's class-embedding indices: the class itself, or for a folder whose
`conditioning.json` has "attributes" (C classes), class * 9 + thickness bin * 3 + slant bin (bins
0-2: thin to thick, slanted left to right), or 9C + class for the class with its attributes left open. A guided folder ("guided" in `conditioning.json`) was trained with
its last embedding meaning "no condition": `guidance_scale` w mixes the two predictions,
eps = eps(none) + w (eps(class) - eps(none)) (classifier-free guidance; 0: unconditional, 1: plain
conditional). It samples with DPM-Solver++ (`sampler="dpm-solver++"`, 10 steps by default),
DDIM (`"ddim"`; without clipping its x_0 guess under guidance above 1, where clipping breaks the
images) or the folder's own scheduler, DDPM's ancestral sampling (`"folder"`). It imports only
torch and diffusers on purpose.
"""

from __future__ import annotations

import torch
from diffusers import DDIMScheduler, DiffusionPipeline, DPMSolverMultistepScheduler, ImagePipelineOutput


class ClassConditionalDDPMPipeline(DiffusionPipeline):
    model_cpu_offload_seq = "unet"

    def __init__(self, unet, scheduler):
        super().__init__()
        self.register_modules(unet=unet, scheduler=scheduler)

    @torch.no_grad()
    def __call__(
        self,
        class_labels,
        generator=None,
        num_inference_steps: int = 10,
        sampler: str = "dpm-solver++",
        guidance_scale: float = 1.0,
        output_type: str = "pil",
        return_dict: bool = True,
    ):
        labels = torch.as_tensor(class_labels, dtype=torch.long, device=self.device).view(-1)
        size = self.unet.config.sample_size
        shape = (len(labels), self.unet.config.in_channels, size, size)
        image = torch.randn(shape, generator=generator, device="cpu").to(self.device, self.unet.dtype)
        if sampler == "dpm-solver++":
            scheduler = DPMSolverMultistepScheduler.from_config(self.scheduler.config, algorithm_type="dpmsolver++",
                                                                solver_order=2)
        elif sampler == "ddim":
            extra = {"clip_sample": False} if guidance_scale > 1 else {}
            scheduler = DDIMScheduler.from_config(self.scheduler.config, **extra)
        elif sampler == "folder":
            scheduler = self.scheduler
        else:
            raise ValueError(f"unknown sampler {sampler!r}: use 'dpm-solver++', 'ddim' or 'folder'")
        scheduler.set_timesteps(num_inference_steps, device=self.device)
        unconditioned = torch.full_like(labels, self.unet.config.num_class_embeds - 1)
        for timestep in self.progress_bar(scheduler.timesteps):
            if guidance_scale == 1:
                noise_prediction = self.unet(image, timestep, class_labels=labels).sample
            else:
                both = self.unet(torch.cat([image, image]), timestep, class_labels=torch.cat([labels, unconditioned]))
                conditional, unconditional = both.sample.chunk(2)
                noise_prediction = unconditional + guidance_scale * (conditional - unconditional)
            image = scheduler.step(noise_prediction, timestep, image).prev_sample
        image = (image / 2 + 0.5).clamp(0, 1).cpu().permute(0, 2, 3, 1).float().numpy()
        if output_type == "pil":
            image = self.numpy_to_pil(image)
        if not return_dict:
            return (image,)
        return ImagePipelineOutput(images=image)
