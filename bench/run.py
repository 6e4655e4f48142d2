"""Ours vs a reference, side by side in one run: training throughput, sampling latency, cold start.

    python bench/run.py --device cpu --json bench-cpu.json
    python bench/run.py --device cuda --json bench-gpu.json
    python bench/run.py --quick          # tiny sizes: checks that every row still runs

Each row times ours and a reference on the same model, batch and data, alternating repeats in
one process and taking the median. `ratio` > 1 means ours is better (faster, or more per second).
The references are written in the plain style of pytorch/examples: a DataLoader over a
TensorDataset, default eager settings, the loss printed with .item() every step.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from genai_demo import limits  # noqa: E402
from genai_demo.data import load_image_dataset  # noqa: E402
from genai_demo.models import DCGANConfig  # noqa: E402
from genai_demo.models.diffusion import DEFAULT_INFERENCE_STEPS  # noqa: E402
from genai_demo.models.gan import DCGAN  # noqa: E402
from genai_demo.models.vae import VAE, VAEConfig  # noqa: E402


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def side_by_side(ours: Callable[[], float], reference: Callable[[], float], repeats: int) -> tuple[float, float]:
    """Medians of alternating calls; each call returns its own figure (seconds or samples/s)."""
    ours_values, reference_values = [], []
    for _ in range(repeats):
        ours_values.append(ours())
        reference_values.append(reference())
    return statistics.median(ours_values), statistics.median(reference_values)


def row(name: str, unit: str, ours: float, reference: float, higher_is_better: bool, device, notes: str) -> dict:
    ratio = ours / reference if higher_is_better else reference / ours
    return {"name": name, "unit": unit, "ours": round(ours, 4), "reference": round(reference, 4),
            "ratio": round(ratio, 3), "device": str(device), "notes": notes}


# -- training throughput -------------------------------------------------------------------------

def _our_trainer_throughput(make_trainer: Callable[[Path, int, int], object], steps: int) -> float:
    """Samples/s of our trainer over its last `steps` steps: make_trainer(folder, max_steps, log_every)
    runs 2 * steps logged every `steps`, so the timed window, like the reference's, leaves out setup
    and the warm-up steps (oneDNN and cuDNN choose their kernels in the first steps)."""
    from genai_demo.training.events import ProgressEvent

    with tempfile.TemporaryDirectory() as folder:
        trainer = make_trainer(Path(folder) / "run", 2 * steps, steps)
        rates = [event.samples_per_second for event in trainer.train() if isinstance(event, ProgressEvent)]
    return rates[-1]


def _our_image_trainer_throughput(trainer_class, config_class, model_config, model_type: str, data, batch: int,
                                  steps: int, device) -> float:
    return _our_trainer_throughput(lambda out, max_steps, log_every: trainer_class(
        data, out, config_class(max_steps=max_steps, batch_size=batch, log_every=log_every, sample_every=10**6,
                                save_every=10**6),
        model_config=model_config, model_type=model_type, device=device), steps)


def _reference_throughput(step: Callable[[torch.Tensor], float], loader: DataLoader, steps: int, device) -> float:
    batches = iter(loader)
    for _ in range(2):  # warm-up, as ours (its first window includes no setup either)
        step(next(batches)[0].to(device))
    sync(device)
    started, seen = time.perf_counter(), 0
    for _ in range(steps):
        try:
            (images,) = next(batches)
        except StopIteration:
            batches = iter(loader)
            (images,) = next(batches)
        step(images.to(device))
        seen += len(images)
    sync(device)
    return seen / (time.perf_counter() - started)


def _precision(device) -> str:
    from genai_demo.device import has_fast_bfloat16

    return "bf16 here" if has_fast_bfloat16(device) else "float32 here"


def _core_shards(device, batch: int) -> str:
    from genai_demo.training.core_shards import shard_count

    count = shard_count(device, batch, torch.nn.Identity())
    return f"the batch in {count} per-core shards" if count > 1 else "the batch whole (no per-core shards here)"


def _plain_dcgan_step(model: DCGAN, device) -> Callable[[torch.Tensor], float]:
    """The pytorch/examples DCGAN training step on `model`: Adam(2e-4, (0.5, 0.999)) for both networks,
    D's weight gradients computed in G's step too, the losses read with .item() every step.
    A self-conditioned model (clusters) has D judge each image with its cluster, as ours does."""
    generator, discriminator = model.generator, model.discriminator
    optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    criterion = torch.nn.BCEWithLogitsLoss()
    clustered = bool(model.config.clusters)
    noise = torch.Generator(device=device).manual_seed(0)

    def step(real: torch.Tensor) -> float:
        real_condition = (model.assign_clusters(real),) if clustered else ()
        discriminator.zero_grad()
        output = discriminator(real, *real_condition).view(-1)
        error_real = criterion(output, torch.ones_like(output))
        error_real.backward()
        latents, codes = model.random_latents(len(real), noise, device)
        fake_condition = (codes,) if clustered else ()
        fake = generator(latents)
        output = discriminator(fake.detach(), *fake_condition).view(-1)
        error_fake = criterion(output, torch.zeros_like(output))
        error_fake.backward()
        optimizer_d.step()
        generator.zero_grad()
        output = discriminator(fake, *fake_condition).view(-1)
        error_g = criterion(output, torch.ones_like(output))
        error_g.backward()
        optimizer_g.step()
        return (error_real + error_fake).item() + error_g.item()  # printed every step in the example

    return step


def bench_dcgan_training(device, steps: int, batch: int, repeats: int) -> dict:
    from genai_demo.training import GANTrainer, GANTrainingConfig

    data = load_image_dataset("mnist", split="train", source="embedded")

    def ours() -> float:
        return _our_image_trainer_throughput(GANTrainer, GANTrainingConfig, DCGANConfig(), "dcgan", data, batch, steps,
                                             device)

    def reference() -> float:
        torch.manual_seed(0)
        model = DCGAN(DCGANConfig()).to(device)
        loader = DataLoader(TensorDataset(data.to_training_tensor("cpu")), batch_size=batch, shuffle=True, drop_last=True)
        return _reference_throughput(_plain_dcgan_step(model, device), loader, steps, device)

    ours_value, reference_value = side_by_side(ours, reference, repeats)
    return row("train_dcgan", "samples/s", ours_value, reference_value, True, device,
               f"DCGAN 28x28 (64 features), batch {batch}, {steps} steps; ours: data on the device, NHWC, D frozen in "
               "G's step, fused Adam, bf16 autocast where bf16 is fast (CUDA, CPUs with bf16 instructions): "
               f"{_precision(device)}; reference: pytorch/examples dcgan loop")


def bench_vae_training(device, steps: int, batch: int, repeats: int) -> dict:
    from genai_demo.training import VAETrainer, VAETrainingConfig

    data = load_image_dataset("mnist", split="train", source="embedded")

    def ours() -> float:
        return _our_image_trainer_throughput(VAETrainer, VAETrainingConfig, VAEConfig(), "vae", data, batch, steps,
                                             device)

    def reference() -> float:
        torch.manual_seed(0)
        model = VAE(VAEConfig()).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        images = (data.to_training_tensor("cpu") + 1) / 2  # pytorch/examples reads pixels in [0, 1]
        loader = DataLoader(TensorDataset(images), batch_size=batch, shuffle=True, drop_last=True)

        def step(batch_images: torch.Tensor) -> float:
            optimizer.zero_grad()
            mean, log_variance = model.encode(batch_images * 2 - 1)
            z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_variance)
            reconstruction = torch.sigmoid(model.decode_logits(z))
            loss = F.binary_cross_entropy(reconstruction, batch_images, reduction="sum")
            loss = loss - 0.5 * torch.sum(1 + log_variance - mean.pow(2) - log_variance.exp())
            loss.backward()
            optimizer.step()
            return loss.item()

        return _reference_throughput(step, loader, steps, device)

    ours_value, reference_value = side_by_side(ours, reference, repeats)
    return row("train_vae", "samples/s", ours_value, reference_value, True, device,
               f"conv VAE (16-d latent), batch {batch}, {steps} steps; ours: data on the device, NHWC, "
               f"{_core_shards(device, batch)}, fused Adam, bf16 autocast where fast: {_precision(device)}; "
               "reference: pytorch/examples vae loop")


def bench_gpt_training(device, steps: int, batch: int, block: int, repeats: int) -> dict:
    from genai_demo.data.text import load_text_corpus
    from genai_demo.models.tiny_gpt import TinyGPTConfig, build_tiny_gpt, build_tokenizer
    from genai_demo.training.text_trainer import TextTrainer, TextTrainingConfig

    corpus = load_text_corpus("python-code")
    model_settings = dict(n_layer=4, n_embd=128, n_head=4) if batch > 4 else dict(n_layer=1, n_embd=32, n_head=2)
    # The reference's data, once: fixed windows of the tokenized training text.
    config = TinyGPTConfig(n_positions=block, **model_settings)
    train_text, _ = corpus.split()
    tokenizer = build_tokenizer(train_text, config)
    ids = torch.tensor(tokenizer(train_text).input_ids)
    windows = ids[: len(ids) // (block + 1) * (block + 1)].view(-1, block + 1)

    def ours() -> float:  # tokens/s (the trainer reports windows/s)
        return block * _our_trainer_throughput(lambda out, max_steps, log_every: TextTrainer(
            corpus, out, TextTrainingConfig(max_steps=max_steps, batch_size=batch, block_size=block, log_every=log_every,
                                            eval_every=10**6, sample_every=10**6, save_every=10**6),
            "tiny-gpt", model_settings, device), steps)

    def reference() -> float:
        # pytorch/examples style: fixed windows in a TensorDataset, a shuffling DataLoader, AdamW with
        # its default (foreach) kernels, the loss read with .item() every step.
        torch.manual_seed(0)
        model = build_tiny_gpt(config, tokenizer).to(device).train()
        loader = DataLoader(TensorDataset(windows), batch_size=batch, shuffle=True, drop_last=True)
        optimizer = torch.optim.AdamW(model.parameters(), 2e-3, weight_decay=0.01)

        def step(batch_windows: torch.Tensor) -> float:
            optimizer.zero_grad()
            logits = model(input_ids=batch_windows[:, :-1]).logits
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch_windows[:, 1:].reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            return loss.item()

        return block * _reference_throughput(step, loader, steps, device)  # tokens/s

    ours_value, reference_value = side_by_side(ours, reference, repeats)
    return row("train_tiny_gpt", "tokens/s", ours_value, reference_value, True, device,
               f"tiny GPT ({model_settings['n_layer']} x {model_settings['n_embd']}, byte-level BPE), batch {batch} x "
               f"{block} tokens, {steps} steps; ours: windows gathered on the device, {_core_shards(device, batch)}, "
               "fused AdamW; reference: DataLoader over fixed windows, default AdamW")


# -- time to quality -----------------------------------------------------------------------------

# The DCGAN recipe both sides train: the one that reached 3x the floor on the embedded digits
# (self-conditioned on 50 clusters; the unconditional DCGAN plateaued at 4.6x).
QUALITY_RECIPE = {"model": {"clusters": 50}, "ema_decay": 0.999, "batch": 64}
QUALITY_TARGET = 3.0  # classifier-FID at most this many times the real-vs-real floor


def _reference_until_quality(data, probe, device, eval_every: int, budget_seconds: float):
    """The pytorch/examples DCGAN loop on the recipe, evaluated every `eval_every` steps with the
    same probe as ours; (seconds to the target or to the budget, best classifier-FID, steps)."""
    from diffusers.training_utils import EMAModel

    from genai_demo.training.clustering import kmeans

    started = time.perf_counter()
    torch.manual_seed(0)
    model = DCGAN(DCGANConfig(**QUALITY_RECIPE["model"])).to(device)
    if model.config.clusters:  # fitted inside the timed region, as ours does
        model.set_clusters(*kmeans(data.to_training_tensor(device).flatten(1), model.config.clusters, seed=0))
    generator, step = model.generator, _plain_dcgan_step(model, device)
    ema = EMAModel(generator.parameters(), decay=QUALITY_RECIPE["ema_decay"], use_ema_warmup=True)
    loader = DataLoader(TensorDataset(data.to_training_tensor("cpu")), batch_size=QUALITY_RECIPE["batch"],
                        shuffle=True, drop_last=True)
    steps, best = 0, float("inf")
    while True:
        for (real,) in loader:
            step(real.to(device))
            ema.step(generator.parameters())
            steps += 1
            if steps % eval_every == 0:
                ema.store(generator.parameters())
                ema.copy_to(generator.parameters())
                best = min(best, probe.measure(model)["classifier_fid"])
                ema.restore(generator.parameters())
                elapsed = time.perf_counter() - started
                if best <= QUALITY_TARGET * probe.floor or elapsed >= budget_seconds:
                    return elapsed, best, steps


def _ours_until_quality(data, probe, device, eval_every: int, budget_seconds: float):
    import threading

    from genai_demo.training import GANTrainer, GANTrainingConfig
    from genai_demo.training.events import ProgressEvent

    stop = threading.Event()
    best, elapsed, steps = float("inf"), 0.0, 0
    started = time.perf_counter()  # before the trainer is built: its k-means counts, as the reference's does
    with tempfile.TemporaryDirectory() as folder:
        trainer = GANTrainer(
            data, Path(folder) / "run",
            GANTrainingConfig(epochs=limits.EPOCHS.maximum, batch_size=QUALITY_RECIPE["batch"],
                              ema_decay=QUALITY_RECIPE["ema_decay"], eval_every=eval_every, log_every=eval_every, sample_every=10**6, save_every=10**6),
            model_config=DCGANConfig(**QUALITY_RECIPE["model"]), model_type="dcgan", device=device,
            stop_event=stop, quality_probe=probe)
        for event in trainer.train():
            if isinstance(event, ProgressEvent) and "classifier_fid" in event.losses:
                best, elapsed, steps = min(best, event.losses["classifier_fid"]), time.perf_counter() - started, event.step
                if best <= QUALITY_TARGET * probe.floor or elapsed >= budget_seconds:
                    stop.set()
    return elapsed, best, steps


def bench_time_to_quality(device, budget_seconds: float, eval_every: int, num_samples: int) -> dict:
    """Wall time until classifier-FID <= 3x the floor, ours vs the reference loop (one run each)."""
    from genai_demo.metrics.quality import ImageQualityProbe

    data = load_image_dataset("mnist", split="train", source="embedded")
    probe = ImageQualityProbe.for_training(data, "embedded", num_samples, 0, device)
    ours_seconds, ours_best, ours_steps = _ours_until_quality(data, probe, device, eval_every, budget_seconds)
    reference_seconds, reference_best, reference_steps = _reference_until_quality(
        data, probe, device, eval_every, budget_seconds)

    def outcome(best: float, steps: int) -> str:
        reached = "reached" if best <= QUALITY_TARGET * probe.floor else "NOT reached within the budget"
        return f"{reached} at step {steps} (best {best:.1f})"

    return row("dcgan_time_to_quality", "seconds", ours_seconds, reference_seconds, False, device,
               f"DCGAN {QUALITY_RECIPE}, embedded digits, classifier-FID of {probe.count} samples every {eval_every} "
               f"steps (evaluations counted on both sides), target {QUALITY_TARGET:g} x floor {probe.floor:.1f}; "
               f"ours {outcome(ours_best, ours_steps)}, reference {outcome(reference_best, reference_steps)}")


# -- sampling -------------------------------------------------------------------------------------

def _timed(function: Callable[[], object], device) -> float:
    sync(device)
    started = time.perf_counter()
    function()
    sync(device)
    return time.perf_counter() - started


def bench_gan_sampling(device, repeats: int) -> dict:
    model = DCGAN(DCGANConfig()).to(device).eval()
    latents = model.sample_latents(64, 0).to(device)

    def ours() -> float:
        return _timed(lambda: model.generate(latents), device)

    def reference() -> float:
        def plain():
            with torch.no_grad():
                return model.generator(latents)
        return _timed(plain, device)

    ours(), reference()  # warm-up
    ours_value, reference_value = side_by_side(ours, reference, repeats)
    return row("sample_gan_64", "seconds", ours_value, reference_value, False, device,
               "64 DCGAN samples; reference: generator(z) under torch.no_grad")


def bench_diffusion_sampling(device, steps: int, num: int, repeats: int) -> dict:
    from diffusers import DDIMPipeline, DDIMScheduler

    from genai_demo.models.diffusion import DiffusionConfig, DiffusionModel

    torch.manual_seed(0)
    model = DiffusionModel(DiffusionConfig(block_out_channels=[16, 32, 32])).to(device).eval()
    pipeline = DDIMPipeline(unet=model.unet, scheduler=DDIMScheduler.from_config(model.noise_scheduler.config))
    pipeline.set_progress_bar_config(disable=True)
    noise = model.sample_latents(num, 0).to(device)

    def ours() -> float:
        return _timed(lambda: model.generate(noise, sampler="ddim", num_inference_steps=steps), device)

    def reference() -> float:
        generator = torch.Generator(device="cpu").manual_seed(0)
        return _timed(lambda: pipeline(batch_size=num, generator=generator, num_inference_steps=steps, eta=0.0,
                                       output_type="np"), device)

    ours(), reference()
    ours_value, reference_value = side_by_side(ours, reference, repeats)
    return row(f"sample_diffusion_{num}", "seconds", ours_value, reference_value, False, device,
               f"{num} samples, {steps} DDIM steps, UNet [16, 32, 32]; reference: diffusers DDIMPipeline")


def bench_guided_sampling(device, steps: int, num: int, repeats: int, folder: Path | None = None) -> dict:
    """A guided class-conditional model (the shipped cddpm-mnist when present, else a random UNet of its
    shape) at the app's default sampler and guidance, against the folder's own diffusers pipeline
    (`class_conditional_pipeline.py`, what `DiffusionPipeline.from_pretrained(..., trust_remote_code=True)`
    runs) with the same UNet, scheduler config, steps and guidance."""
    from diffusers import DDIMScheduler

    from genai_demo.folders.class_conditional_pipeline import ClassConditionalDDPMPipeline
    from genai_demo.folders.model_folder import load_model_folder
    from genai_demo.models.diffusion import DEFAULT_GUIDANCE, DEFAULT_SAMPLER, DiffusionConfig, DiffusionModel

    torch.manual_seed(0)
    if folder is not None and (folder / "model_index.json").is_file():
        model, shape = load_model_folder(folder, device).eval(), folder.name
    else:
        config = DiffusionConfig(block_out_channels=[24, 48, 48], num_class_embeds=10, attributes=True)
        model, shape = DiffusionModel(config).to(device).eval(), "a random UNet [24, 48, 48]"
    pipeline = ClassConditionalDDPMPipeline(unet=model.unet, scheduler=DDIMScheduler.from_config(model.noise_scheduler.config))
    pipeline.set_progress_bar_config(disable=True)
    labels = torch.arange(num) % model.num_classes
    conditions = model.conditions(labels, None, torch.Generator().manual_seed(0)).tolist()
    noise = model.sample_latents(num, 0).to(device)

    def ours() -> float:
        return _timed(lambda: model.generate(noise, labels, sampler=DEFAULT_SAMPLER, num_inference_steps=steps,
                                             guidance_scale=DEFAULT_GUIDANCE), device)

    def reference() -> float:
        generator = torch.Generator(device="cpu").manual_seed(0)
        return _timed(lambda: pipeline(conditions, generator=generator, num_inference_steps=steps, sampler=DEFAULT_SAMPLER,
                                       guidance_scale=DEFAULT_GUIDANCE, output_type="np"), device)

    ours(), reference()
    ours_value, reference_value = side_by_side(ours, reference, repeats)
    return row(f"sample_guided_diffusion_{num}", "seconds", ours_value, reference_value, False, device,
               f"{num} samples of {shape}, {steps} {DEFAULT_SAMPLER} steps, guidance {DEFAULT_GUIDANCE:g}; "
               "reference: the folder's diffusers pipeline (ClassConditionalDDPMPipeline)")


def bench_repair(device, steps: int, repeats: int, folder: Path | None = None) -> dict:
    """One RePaint inpainting (the lower half of a held-out digit) with the shipped ddpm-mnist (a random
    UNet of its shape when absent), ours (genai_demo.repair.repaint, streamed step by step) against
    diffusers' RePaintPipeline on the same UNet, steps and resampling (jump length and count 5)."""
    from diffusers import RePaintPipeline

    from genai_demo import repair
    from genai_demo.generation import load_cached_model
    from genai_demo.models.diffusion import DiffusionConfig, DiffusionModel

    if folder is not None and folder.is_dir():
        model = load_cached_model(folder, device)
    else:
        torch.manual_seed(0)
        model = DiffusionModel(DiffusionConfig(block_out_channels=[16, 32, 32])).to(device).eval()
    digit = load_image_dataset("mnist", split="test", source="embedded").to_training_tensor("cpu")[:1].to(device)
    known = repair.named_mask("lower-half", digit.shape[-1]).to(device)
    damaged = repair.hide(digit, known)
    pipeline = RePaintPipeline(unet=model.unet, scheduler=repair.repaint_scheduler(model))
    pipeline.set_progress_bar_config(disable=True)

    def ours() -> float:
        return _timed(lambda: repair.finish(repair.repaint(model, damaged, known, seed=0, steps=steps)), device)

    def reference() -> float:
        generator = torch.Generator(device="cpu").manual_seed(0)
        return _timed(lambda: pipeline(damaged, known, num_inference_steps=steps, jump_length=5, jump_n_sample=5,
                                       generator=generator, output_type="np"), device)

    ours(), reference()
    ours_value, reference_value = side_by_side(ours, reference, repeats)
    return row("repaint_inpaint_1", "seconds", ours_value, reference_value, False, device,
               f"one 28x28 digit, lower half hidden, RePaint {steps} steps, jumps 5x5; "
               "reference: diffusers' RePaintPipeline on the same UNet")


def bench_text_sampling(device, tokens: int, repeats: int) -> dict:
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast
    from tokenizers import Tokenizer, models, pre_tokenizers

    from genai_demo.models.causal_lm import CausalLM
    from genai_demo.text_generation import SamplingSettings, stream_text

    vocabulary = {chr(code): index for index, code in enumerate(range(32, 127))}
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel(vocabulary, unk_token=" ")))
    tokenizer._tokenizer.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    torch.manual_seed(0)
    network = GPT2LMHeadModel(GPT2Config(vocab_size=len(vocabulary), n_positions=512, n_embd=128, n_layer=4,
                                         n_head=4, bos_token_id=0, eos_token_id=0)).to(device).eval()
    model = CausalLM(network, tokenizer)
    settings = SamplingSettings(max_new_tokens=tokens, temperature=1.0, seed=0)
    prompt_ids = torch.tensor([[vocabulary["d"]]], device=device)

    def ours() -> float:
        return tokens / _timed(lambda: list(stream_text(model, "d", settings)), device)

    def reference() -> float:
        return tokens / _timed(lambda: network.generate(prompt_ids, max_new_tokens=tokens, min_new_tokens=tokens,
                                                        do_sample=True, pad_token_id=0), device)

    ours(), reference()
    ours_value, reference_value = side_by_side(ours, reference, repeats)
    return row("tiny_gpt_tokens_per_second", "tokens/s", ours_value, reference_value, True, device,
               f"{tokens} tokens, GPT-2 4 x 128; ours streams each token; reference: model.generate")


# -- app cold start -------------------------------------------------------------------------------

def _seconds_to_first_answer(command: list[str], port: int, call: Callable[[str], None]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        while time.perf_counter() - started < 180:
            try:
                call(url)
                return time.perf_counter() - started
            except Exception:
                assert process.poll() is None, f"{command} exited"
                time.sleep(0.1)
        raise TimeoutError(f"{command} did not answer in 180 s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def bench_cold_start(repeats: int) -> dict:
    import socket

    from gradio_client import Client

    def free_port() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def ours() -> float:
        port = free_port()
        return _seconds_to_first_answer(
            [sys.executable, "app.py", "--port", str(port), "--device", "cpu"], port,
            lambda url: Client(url, verbose=False).predict("dcgan-mnist", 4, 0, "all", api_name="/generate_images"))

    def reference() -> float:
        port = free_port()
        script = ("import gradio as gr; gr.Interface(lambda text: text, 'text', 'text', api_name='echo')"
                  f".launch(server_port={port})")
        return _seconds_to_first_answer([sys.executable, "-c", script], port,
                                        lambda url: Client(url, verbose=False).predict("hi", api_name="/echo"))

    ours_value, reference_value = side_by_side(ours, reference, repeats)
    return row("app_cold_start", "seconds", ours_value, reference_value, False, "cpu",
               "python app.py to the first /generate_images answer; reference: a one-textbox gradio echo app "
               "(targets: under 15 s, and at most 1.5x the reference)")


def report(rows: list[dict], columns: list[tuple[str, str, str]], json_path: Path | None, caption: str = "") -> None:
    """Print `rows` as a table, their name then `columns` ((key, header format, value format)), and
    write them to `json_path` as a JSON list when one is given."""
    width = max(len(item["name"]) for item in rows)
    print(f"{'name':<{width}}" + "".join(f"  {key:{header}}" for key, header, _ in columns) + caption)
    for item in rows:
        print(f"{item['name']:<{width}}" + "".join(f"  {item[key]:{value}}" for key, _, value in columns))
    if json_path:
        json_path.write_text(json.dumps(rows, indent=2) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: every row runs, the figures mean little")
    parser.add_argument("--json", type=Path, default=None, help="write the rows to this JSON file")
    parser.add_argument("--time-to-quality", type=float, default=None, metavar="BUDGET_SECONDS",
                        help="add the DCGAN time-to-quality row, each side stopping at the target or after this "
                             "many seconds (default: on in a full cuda run, with a 600 s budget)")
    parser.add_argument("--only", default=None, metavar="ROW[,ROW]",
                        help="run only these rows: dcgan_training, vae_training, gpt_training, gan_sampling, diffusion_sampling, "
                             "guided_sampling, "
                             "text_sampling, repair, time_to_quality (with --time-to-quality), cold_start")
    args = parser.parse_args()
    device = torch.device(args.device)
    quick = args.quick
    budget = args.time_to_quality
    if budget is None and device.type == "cuda" and not quick:
        budget = 600.0
    benches = {
        "dcgan_training": lambda: bench_dcgan_training(device, steps=3 if quick else 60, batch=16 if quick else 64,
                                                       repeats=1 if quick else 3),
        "vae_training": lambda: bench_vae_training(device, steps=3 if quick else 100, batch=16 if quick else 128,
                                                   repeats=1 if quick else 3),
        "gpt_training": lambda: bench_gpt_training(device, steps=2 if quick else 20, batch=4 if quick else 32,
                                                   block=16 if quick else 128, repeats=1 if quick else 3),
        "gan_sampling": lambda: bench_gan_sampling(device, repeats=3 if quick else 10),
        "diffusion_sampling": lambda: bench_diffusion_sampling(device, steps=2 if quick else 20, num=4 if quick else 64,
                                                               repeats=1 if quick else 3),
        "guided_sampling": lambda: bench_guided_sampling(device, steps=2 if quick else DEFAULT_INFERENCE_STEPS,
                                                         num=4 if quick else 16, repeats=1 if quick else 5,
                                                         folder=None if quick else REPO_ROOT / "checkpoints" / "cddpm-mnist"),
        "text_sampling": lambda: bench_text_sampling(device, tokens=8 if quick else 200, repeats=1 if quick else 5),
        "repair": lambda: bench_repair(device, steps=4 if quick else 50, repeats=1 if quick else 5,
                                       folder=None if quick else REPO_ROOT / "checkpoints" / "ddpm-mnist"),
    }
    if budget is not None:
        benches["time_to_quality"] = lambda: bench_time_to_quality(device, budget, eval_every=2 if quick else 200,
                                                                   num_samples=64 if quick else 500)
    if not quick:
        benches["cold_start"] = lambda: bench_cold_start(repeats=3)
    chosen = args.only.split(",") if args.only else list(benches)
    unknown = [name for name in chosen if name not in benches]
    if unknown:
        parser.error(f"--only: unknown or disabled row(s) {', '.join(unknown)}; this run has {', '.join(benches)}")
    rows = [benches[name]() for name in chosen]
    report(rows, [("unit", "<10", "<10"), ("ours", ">10", ">10.4g"), ("reference", ">10", ">10.4g"),
                  ("ratio", ">7", ">7.3f"), ("device", "<6", "<6")], args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
