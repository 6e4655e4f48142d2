import json
import threading

import pytest
import torch
from safetensors.torch import load_file

from genai_demo.errors import CheckpointError, InvalidInputError
from genai_demo.training import (
    CheckpointEvent,
    GANTrainer,
    FinishedEvent,
    GANTrainingConfig,
    ProgressEvent,
    SampleEvent,
)


def _parameters(module):
    return [parameter.detach().clone() for parameter in module.parameters()]


@pytest.mark.parametrize("model_type", ["dcgan", "mlp-gan"])
def test_one_step_changes_both_networks(tiny_dataset, tmp_path, model_type):
    trainer = GANTrainer(
        tiny_dataset, tmp_path, GANTrainingConfig(max_steps=1, batch_size=32, log_every=1), model_type=model_type
    )
    generator_before = _parameters(trainer.model.generator)
    discriminator_before = _parameters(trainer.model.discriminator)
    events = list(trainer.train())
    for before, after in ((generator_before, trainer.model.generator), (discriminator_before, trainer.model.discriminator)):
        changed = [not torch.equal(old, new) for old, new in zip(before, after.parameters())]
        assert all(changed), "every parameter tensor of both networks must move after one step"
    progress = [event for event in events if isinstance(event, ProgressEvent)]
    assert progress[0].step == 1 and progress[0].epoch == 0
    assert set(progress[0].losses) == {"d_loss", "g_loss"}
    assert all(torch.isfinite(torch.tensor(value)) for value in progress[0].losses.values())
    assert progress[0].samples_per_second > 0


def test_event_stream_and_run_folder(tiny_dataset, tmp_path, train_tiny):
    trainer, events = train_tiny(tiny_dataset, tmp_path, steps=8, sample_every=4, save_every=5, log_every=2)
    kinds = [type(event).__name__ for event in events]
    assert kinds[0] == "SampleEvent" and kinds[-1] == "FinishedEvent"
    assert [event.step for event in events if isinstance(event, SampleEvent)] == [0, 4, 8]
    assert [event.step for event in events if isinstance(event, CheckpointEvent)] == [5, 8]
    assert [event.step for event in events if isinstance(event, ProgressEvent)] == [2, 4, 6, 8]
    finished = events[-1]
    assert isinstance(finished, FinishedEvent) and not finished.stopped and finished.step == 8
    metrics = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [record["step"] for record in metrics] == [2, 4, 6, 8]
    for name in ("config.json", "model.safetensors", "README.md", "sample_grid.png",
                 "training_state.safetensors", "training_state.json"):
        assert (tmp_path / name).is_file(), name
    assert json.loads((tmp_path / "training_state.json").read_text())["step"] == 8


def test_losses_fall_from_their_start_on_real_digits(tiny_dataset, tmp_path, train_tiny):
    """The discriminator learns to tell real digits from early fakes: its loss drops from ~2 ln 2."""
    _, events = train_tiny(tiny_dataset, tmp_path, steps=24, log_every=4, learning_rate=1e-3)
    d_losses = [event.losses["d_loss"] for event in events if isinstance(event, ProgressEvent)]
    assert d_losses[0] > d_losses[-1]
    assert d_losses[-1] < 2 * 0.6931  # better than chance


@pytest.mark.parametrize("model_type", ["dcgan", "mlp-gan"])
def test_resume_gives_the_same_weights_as_one_run(tiny_dataset, tmp_path, train_tiny, model_type):
    straight, _ = train_tiny(tiny_dataset, tmp_path / "straight", steps=10, model_type=model_type)
    # 4 steps: mid-epoch (8 steps per epoch)
    train_tiny(tiny_dataset, tmp_path / "split", steps=4, model_type=model_type)
    resumed, events = train_tiny(tiny_dataset, tmp_path / "split", steps=10, resume=True, model_type=model_type)
    assert resumed.step == 10
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name
    for name in straight.optimizers:
        assert torch.equal(
            straight.optimizers[name].state_dict()["state"][0]["exp_avg"],
            resumed.optimizers[name].state_dict()["state"][0]["exp_avg"],
        )
    steps = [json.loads(line)["step"] for line in (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 11))


def test_stop_flag_ends_within_one_step_and_saves(tiny_dataset, tmp_path, tiny_dcgan_config):
    stop = threading.Event()
    trainer = GANTrainer(
        tiny_dataset, tmp_path, GANTrainingConfig(max_steps=1000, batch_size=32, log_every=1),
        model_config=tiny_dcgan_config, stop_event=stop,
    )
    events = []
    for event in trainer.train():
        events.append(event)
        if isinstance(event, ProgressEvent) and event.step == 3:
            stop.set()
    finished = events[-1]
    assert isinstance(finished, FinishedEvent) and finished.stopped and finished.step == 3
    saved = load_file(tmp_path / "training_state.safetensors")
    assert torch.equal(saved["model.generator.net.0.weight"], trainer.model.generator.net[0].weight)
    assert json.loads((tmp_path / "training_state.json").read_text())["step"] == 3


def test_existing_run_needs_resume_and_resume_needs_a_run(tiny_dataset, tmp_path, train_tiny):
    with pytest.raises(CheckpointError, match="nothing to resume"):
        train_tiny(tiny_dataset, tmp_path / "empty", steps=2, resume=True)
    train_tiny(tiny_dataset, tmp_path / "run", steps=2)
    with pytest.raises(CheckpointError, match="--resume"):
        train_tiny(tiny_dataset, tmp_path / "run", steps=2)
    with pytest.raises(CheckpointError, match="batch_size=32"):
        train_tiny(tiny_dataset, tmp_path / "run", steps=4, resume=True, batch_size=16)
    with pytest.raises(CheckpointError, match="holds a dcgan, not a mlp-gan"):
        train_tiny(tiny_dataset, tmp_path / "run", steps=4, resume=True, model_type="mlp-gan")


def test_unknown_gan_family(tiny_dataset, tmp_path):
    with pytest.raises(InvalidInputError, match="unknown model .stylegan. for GANTrainer"):
        GANTrainer(tiny_dataset, tmp_path, model_type="stylegan")


def test_corrupt_training_state_is_a_clear_error_and_the_model_survives(tiny_dataset, tmp_path, train_tiny):
    train_tiny(tiny_dataset, tmp_path, steps=2)
    model_bytes = (tmp_path / "model.safetensors").read_bytes()
    (tmp_path / "training_state.safetensors").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="corrupt"):
        train_tiny(tiny_dataset, tmp_path, steps=4, resume=True)
    assert (tmp_path / "model.safetensors").read_bytes() == model_bytes


def test_diverging_run_stops_without_overwriting_the_checkpoint(tiny_dataset, tmp_path, train_tiny):
    from genai_demo.training import TrainingDivergedError

    trainer, _ = train_tiny(tiny_dataset, tmp_path, steps=2)
    saved = (tmp_path / "model.safetensors").read_bytes()
    with torch.no_grad():
        trainer.model.discriminator.net[0].weight.fill_(float("nan"))
    trainer.total_steps = 4
    with pytest.raises(TrainingDivergedError, match="non-finite at step 3"):
        list(trainer.train())
    assert (tmp_path / "model.safetensors").read_bytes() == saved


@pytest.mark.parametrize(
    "settings,message",
    [
        (dict(batch_size=0), "batch size"),
        (dict(learning_rate=float("nan")), "learning rate"),
        (dict(epochs=-1), "epochs"),
        (dict(beta1=1.5), "betas"),
    ],
)
def test_invalid_training_config(settings, message):
    with pytest.raises(InvalidInputError, match=message):
        GANTrainingConfig(**settings)


def test_batch_larger_than_dataset(tiny_dataset, tmp_path):
    with pytest.raises(InvalidInputError, match="larger than the dataset"):
        GANTrainer(tiny_dataset, tmp_path, GANTrainingConfig(batch_size=512))


def test_conditional_gan_trains_and_resumes_exactly(tiny_dataset, tmp_path):
    from genai_demo.models import ConditionalDCGANConfig

    tiny = ConditionalDCGANConfig(latent_dim=8, generator_features=4, discriminator_features=4, label_embedding_dim=3)

    def run(folder, steps, resume=False):
        trainer = GANTrainer(tiny_dataset, folder, GANTrainingConfig(max_steps=steps, batch_size=32, log_every=1,
                             sample_every=1000, save_every=1000, num_sample_images=20),
                             model_config=tiny, model_type="cdcgan", resume=resume)
        return trainer, list(trainer.train())

    straight, events = run(tmp_path / "straight", 6)
    run(tmp_path / "split", 3)
    resumed, _ = run(tmp_path / "split", 6, resume=True)
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name
    # Label embeddings learn too.
    assert not torch.equal(straight.model.generator.label_embedding.weight,
                           GANTrainer(tiny_dataset, tmp_path / "fresh", model_config=tiny,
                                      model_type="cdcgan").model.generator.label_embedding.weight)
    from PIL import Image

    with Image.open(tmp_path / "straight" / "sample_grid.png") as grid:
        assert grid.size == (2 * 30 + 2, 10 * 30 + 2)  # 20 samples: 2 per class, one row per class


def test_diffaugment_translation_shifts_fills_background_and_passes_gradients():
    from genai_demo.training.gan_trainer import random_translation

    images = torch.zeros(64, 1, 8, 8, requires_grad=True)
    shifted = random_translation(images, 2, torch.Generator().manual_seed(0))
    assert shifted.shape == images.shape
    # Zero images shifted: the border that came in is background (-1), the rest is the image (0).
    assert set(shifted.unique().tolist()) == {-1.0, 0.0}
    border = (shifted == -1).flatten(1).sum(dim=1)
    assert border.min() == 0 and border.max() > 0  # some images stay put, some move
    shifted.sum().backward()
    assert images.grad.abs().sum() > 0


def test_augmented_gan_trains_and_says_so_in_its_card(tiny_dataset, tmp_path, train_tiny):
    trainer, events = train_tiny(tiny_dataset, tmp_path, steps=3, augment=True)
    assert trainer.step == 3
    assert "DiffAugment translation" in (tmp_path / "README.md").read_text()


def test_generator_ema_is_saved_and_resumes_exactly(tiny_dataset, tmp_path, train_tiny):
    from genai_demo.hub import load_model_folder

    straight, _ = train_tiny(tiny_dataset, tmp_path / "straight", steps=6, ema_decay=0.9)
    saved = load_model_folder(tmp_path / "straight")
    for saved_weight, shadow in zip(saved.generator.parameters(), straight.ema.shadow_params):
        assert torch.equal(saved_weight, shadow)
    assert not torch.equal(next(saved.generator.parameters()), next(straight.model.generator.parameters()))
    assert "EMA decay 0.9" in (tmp_path / "straight" / "README.md").read_text()
    train_tiny(tiny_dataset, tmp_path / "split", steps=2, ema_decay=0.9)
    resumed, _ = train_tiny(tiny_dataset, tmp_path / "split", steps=6, resume=True, ema_decay=0.9)
    for ours, theirs in zip(straight.ema.shadow_params, resumed.ema.shadow_params):
        assert torch.equal(ours, theirs)


def test_infogan_code_is_learned_and_read_back(tiny_dataset, tmp_path):
    """DCGAN with a categorical code: G's output comes to depend on the code, and D's code head
    reads it back better than chance after a few dozen steps."""
    from genai_demo.models import DCGANConfig

    config = DCGANConfig(generator_features=8, discriminator_features=8, latent_dim=8, categorical_code=4)
    trainer = GANTrainer(tiny_dataset, tmp_path, GANTrainingConfig(max_steps=60, batch_size=32, log_every=20,
                                                                   learning_rate=1e-3),
                         model_config=config, model_type="dcgan")
    head_before = _parameters(trainer.model.discriminator.code_head)
    list(trainer.train())
    assert all(not torch.equal(old, new) for old, new in zip(head_before, trainer.model.discriminator.code_head.parameters()))
    model = trainer.model
    latents = model.sample_latents(256, seed=1)
    assert latents.shape == (256, 12) and torch.equal(latents[:, 8:].sum(1), torch.ones(256))
    codes = latents[:, 8:].argmax(1)
    with torch.no_grad():
        model.eval()
        _, code_logits = model.discriminator.forward_with_code(model.generate(latents))
    accuracy = (code_logits.argmax(1) == codes).float().mean().item()
    assert accuracy > 0.5  # chance is 0.25


def test_clustered_dcgan_fits_clusters_trains_and_resumes_with_them(tiny_dataset, tmp_path):
    """Self-conditioned DCGAN: the clusters come from the training images at step 0, D's real side
    gets each image's cluster, and a resumed run keeps the saved clusters."""
    from genai_demo.models import DCGANConfig

    config = DCGANConfig(generator_features=8, discriminator_features=8, latent_dim=8, clusters=4)
    training = GANTrainingConfig(max_steps=4, batch_size=32, log_every=2)
    trainer = GANTrainer(tiny_dataset, tmp_path, training, model_config=config, model_type="dcgan")
    model = trainer.model
    images = tiny_dataset.to_training_tensor("cpu")
    assignment = model.assign_clusters(images)
    shares = torch.bincount(assignment, minlength=4) / len(images)
    assert torch.allclose(model.cluster_weights, shares) and (shares > 0).all()
    assert model.cluster_centers.min() >= -1 and model.cluster_centers.max() <= 1
    plane_before = model.discriminator.cluster_plane.weight.detach().clone()
    events = list(trainer.train())
    assert isinstance(events[-1], FinishedEvent)
    assert not torch.equal(plane_before, model.discriminator.cluster_plane.weight)
    assert "self-conditioned on 4 k-means clusters" in (tmp_path / "README.md").read_text()
    resumed = GANTrainer(tiny_dataset, tmp_path, GANTrainingConfig(max_steps=6, batch_size=32, log_every=2),
                         model_type="dcgan", resume=True)
    assert torch.equal(resumed.model.cluster_centers, model.cluster_centers)
    list(resumed.train())
    assert resumed.step == 6


def test_more_clusters_than_images_is_a_clear_error(tiny_dataset, tmp_path):
    import dataclasses

    from genai_demo.models import DCGANConfig

    few = dataclasses.replace(tiny_dataset, images=tiny_dataset.images[:100], labels=tiny_dataset.labels[:100])
    with pytest.raises(InvalidInputError, match="200 clusters need at least as many training images; this dataset has 100"):
        GANTrainer(few, tmp_path, GANTrainingConfig(max_steps=1, batch_size=32),
                   model_config=DCGANConfig(generator_features=8, discriminator_features=8, clusters=200),
                   model_type="dcgan")
