import json

import pytest
import torch
from diffusers import DiffusionPipeline, UNet2DModel

from genai_demo.data import ImageDataset
from genai_demo.errors import CheckpointError
from genai_demo.folders.model_folder import load_model_folder, read_model_config
from genai_demo.models.diffusion import DiffusionConfig
from genai_demo.training.diffusion_trainer import DiffusionTrainer, DiffusionTrainingConfig
from genai_demo.training.events import FinishedEvent, ProgressEvent

TINY_UNET = dict(block_out_channels=[8, 16], attention=False, num_train_timesteps=100)


def train_tiny_diffusion(dataset, folder, steps, resume=False, conditional=False, attributes=False, **overrides):
    settings = dict(max_steps=steps, epochs=1000, batch_size=16, log_every=1, sample_every=1000, save_every=1000,
                    learning_rate=2e-3, ema_decay=0.9, num_sample_images=4)
    settings.update(overrides)
    classes = {"num_class_embeds": 10, "attributes": attributes} if conditional else {}
    trainer = DiffusionTrainer(
        dataset, folder, DiffusionTrainingConfig(**settings),
        model_config=DiffusionConfig(**TINY_UNET, **classes), device="cpu", resume=resume,
    )
    return trainer, list(trainer.train())


@pytest.fixture(scope="module")
def fixed_batch(tiny_dataset) -> ImageDataset:
    """16 digits, one batch: every step sees the same images."""
    return ImageDataset(name="mnist", split="train", images=tiny_dataset.images[:16].clone(),
                        labels=tiny_dataset.labels[:16].clone(), class_names=tiny_dataset.class_names,
                        source="test batch", hub_dataset_id=None)


def test_noise_prediction_loss_falls_on_a_fixed_batch(fixed_batch, tmp_path):
    _, events = train_tiny_diffusion(fixed_batch, tmp_path, steps=60)
    losses = [event.losses["loss"] for event in events if isinstance(event, ProgressEvent)]
    assert len(losses) == 60
    # The first steps predict noise barely better than zero (MSE ~1); training must beat that clearly.
    assert sum(losses[:5]) / 5 > 0.5
    assert sum(losses[-10:]) / 10 < 0.6 * sum(losses[:5]) / 5


def test_run_folder_is_a_plain_diffusers_pipeline_with_ema_weights(fixed_batch, tmp_path):
    trainer, events = train_tiny_diffusion(fixed_batch, tmp_path, steps=6)
    assert isinstance(events[-1], FinishedEvent) and not events[-1].stopped
    for name in ("model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                 "scheduler/scheduler_config.json", "README.md", "sample_grid.png", "training_state.safetensors"):
        assert (tmp_path / name).is_file(), name
    assert read_model_config(tmp_path)[0] == "ddpm"
    # The saved UNet holds the moving average, not the last training weights.
    saved = UNet2DModel.from_pretrained(tmp_path / "unet")
    shadow = trainer.ema.shadow_params[0]
    first_saved = next(saved.parameters())
    assert torch.allclose(first_saved, shadow)
    assert not torch.allclose(first_saved, next(trainer.model.unet.parameters()))
    # diffusers alone loads and samples it.
    pipeline = DiffusionPipeline.from_pretrained(tmp_path)
    result = pipeline(batch_size=2, num_inference_steps=3, generator=torch.Generator().manual_seed(0), output_type="np")
    assert result.images.shape == (2, 28, 28, 1)
    assert 0 <= result.images.min() and result.images.max() <= 1
    card = (tmp_path / "README.md").read_text()
    assert "ddpm" in card.lower() and "EMA decay 0.9" in card


def test_resume_restores_weights_optimizer_and_ema_exactly(fixed_batch, tmp_path):
    straight, _ = train_tiny_diffusion(fixed_batch, tmp_path / "straight", steps=8)
    train_tiny_diffusion(fixed_batch, tmp_path / "split", steps=3)
    resumed, _ = train_tiny_diffusion(fixed_batch, tmp_path / "split", steps=8, resume=True)
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name
    for ours, theirs in zip(straight.ema.shadow_params, resumed.ema.shadow_params):
        assert torch.equal(ours, theirs)
    assert straight.ema.optimization_step == resumed.ema.optimization_step == 8
    steps = [json.loads(line)["step"] for line in (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 9))


def test_class_conditional_run_saves_its_pipeline_class(fixed_batch, tmp_path):
    train_tiny_diffusion(fixed_batch, tmp_path, steps=3, conditional=True)
    index = json.loads((tmp_path / "model_index.json").read_text())
    assert index["_class_name"] == ["class_conditional_pipeline", "ClassConditionalDDPMPipeline"]
    model = load_model_folder(tmp_path)
    assert model.is_conditional and model.num_classes == 10
    pipeline = DiffusionPipeline.from_pretrained(tmp_path, trust_remote_code=True)
    images = pipeline(class_labels=[1, 7], num_inference_steps=2, output_type="np").images
    assert images.shape == (2, 28, 28, 1)


def test_a_guided_run_drops_the_condition_now_and_then_and_fits_attribute_bins(fixed_batch, tmp_path):
    trainer, _ = train_tiny_diffusion(fixed_batch, tmp_path, steps=2, conditional=True, condition_dropout=0.5)
    images = fixed_batch.to_training_tensor()
    drawn = torch.cat([trainer.conditions(images, fixed_batch.labels) for _ in range(20)])
    dropped = (drawn == trainer.model.null_condition).float().mean()
    assert 0.35 < dropped < 0.65  # 320 draws at p = 0.5
    kept = drawn[drawn != trainer.model.null_condition]
    assert set(kept.tolist()) <= set(fixed_batch.labels.tolist())

    folder = tmp_path / "attributes"
    trainer, _ = train_tiny_diffusion(fixed_batch, folder, steps=2, conditional=True, attributes=True,
                                      condition_dropout=0.0)
    conditioning = json.loads((folder / "conditioning.json").read_text())
    assert conditioning["attributes"] and conditioning["guided"] and conditioning["num_classes"] == 10
    assert sum(map(sum, conditioning["attribute_counts"])) == len(fixed_batch)
    conditions = trainer.conditions(images, fixed_batch.labels)
    cells = conditions < 90  # class * 9 + thickness * 3 + slant; else 90 + class (the class alone)
    assert (conditions[cells] // 9 == fixed_batch.labels[cells]).all()
    assert (conditions[~cells] - 90 == fixed_batch.labels[~cells]).all() and 0 < cells.sum() < len(cells)
    loaded = load_model_folder(folder)
    assert loaded.has_attributes and loaded.config.attribute_bins == conditioning["attribute_bins"]


def test_the_folders_own_pipeline_guides_as_ours_does(fixed_batch, tmp_path):
    train_tiny_diffusion(fixed_batch, tmp_path, steps=3, conditional=True)
    ours = load_model_folder(tmp_path)
    noise = torch.randn((2, 1, 28, 28), generator=torch.Generator().manual_seed(5))
    pipeline = DiffusionPipeline.from_pretrained(tmp_path, trust_remote_code=True)
    for sampler in ("ddim", "dpm-solver++"):  # DDIM under guidance above 1 does not clip: both sides must agree
        expected = ours.generate(noise, torch.tensor([1, 7]), sampler=sampler, num_inference_steps=3, guidance_scale=2.5)
        images = pipeline(class_labels=[1, 7], num_inference_steps=3, guidance_scale=2.5, output_type="np",
                          sampler=sampler, generator=torch.Generator().manual_seed(5)).images
        assert torch.allclose(torch.from_numpy(images).permute(0, 3, 1, 2), (expected / 2 + 0.5).clamp(0, 1), atol=1e-4)


def test_an_unconditional_run_starts_from_a_guided_folder_as_its_no_condition_prediction(fixed_batch, tmp_path):
    train_tiny_diffusion(fixed_batch, tmp_path / "guided", steps=3, conditional=True)
    guided = load_model_folder(tmp_path / "guided").eval()
    trainer = DiffusionTrainer(
        fixed_batch, tmp_path / "plain", DiffusionTrainingConfig(max_steps=1, batch_size=16, ema_decay=0.9,
                                                               init_from=str(tmp_path / "guided")),
        model_config=DiffusionConfig(**TINY_UNET), device="cpu")
    noise, timesteps = torch.randn(4, 1, 28, 28), torch.tensor([3, 30, 60, 99])
    with torch.no_grad():
        expected = guided.unet(noise, timesteps, class_labels=torch.full((4,), guided.null_condition)).sample
        started = trainer.model.unet.eval()(noise, timesteps).sample
    assert torch.allclose(started, expected, atol=1e-5)
    assert torch.allclose(trainer.ema.shadow_params[0], next(trainer.model.unet.parameters()))  # EMA from the start


def test_init_from_a_folder_of_another_shape_is_refused_clearly(fixed_batch, tmp_path, run_cli_here):
    train_tiny_diffusion(fixed_batch, tmp_path / "small", steps=1)
    result = run_cli_here("train", "ddpm", "--max-steps", "1", "--data-source", "embedded", "--unet-channels", "8,16,16",
                          "--init-from", tmp_path / "small", "--out", tmp_path / "run")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "the folder's has block channels 8,16 on 1x28px images, this run's 8,16,16" in result.stderr
    result = run_cli_here("train", "dcgan", "--max-steps", "1", "--init-from", tmp_path / "small", "--out", tmp_path / "gan")
    assert result.returncode != 0 and "--init-from applies to ddpm only" in result.stderr


def test_min_snr_weighting_caps_the_clean_timesteps_and_survives_a_resume(fixed_batch, tmp_path):
    trainer, _ = train_tiny_diffusion(fixed_batch, tmp_path, steps=2, min_snr_gamma=5.0)
    scheduler = trainer.model.noise_scheduler
    timesteps = torch.tensor([0, 10, 50, 99])
    alpha_bar = scheduler.alphas_cumprod[timesteps]
    snr = alpha_bar / (1 - alpha_bar)
    weights = trainer.loss_weights(timesteps)
    assert torch.allclose(weights, torch.clamp(snr, max=5.0) / snr)
    assert weights[0] < 0.01 and weights[-1] == 1  # the nearly clean step counts little, the noisy ones fully
    plain, _ = train_tiny_diffusion(fixed_batch, tmp_path / "plain", steps=1)
    assert torch.equal(plain.loss_weights(timesteps), torch.ones(4))
    # The weighting is part of the run: a resume must go on with it, not switch it off unnoticed.
    with pytest.raises(CheckpointError, match="the run used min_snr_gamma=5.0, not None"):
        list(train_tiny_diffusion(fixed_batch, tmp_path, steps=3, resume=True))
    resumed, events = train_tiny_diffusion(fixed_batch, tmp_path, steps=3, resume=True, min_snr_gamma=5.0)
    assert isinstance(events[-1], FinishedEvent) and resumed.step == 3
