import pytest
import torch

from genai_demo.models.diffusion import SAMPLERS, DiffusionConfig, DiffusionModel

TINY = dict(block_out_channels=[8, 16], attention=False, num_train_timesteps=100)


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(0)
    return DiffusionModel(DiffusionConfig(**TINY)).eval()


@pytest.mark.parametrize("sampler", list(SAMPLERS))
def test_every_sampler_gives_images_in_range(tiny_model, sampler):
    images = tiny_model.generate(tiny_model.sample_latents(3, 0), sampler=sampler, num_inference_steps=4)
    assert images.shape == (3, 1, 28, 28)
    assert images.min() >= -1 and images.max() <= 1
    assert images.std() > 0.01


def test_same_seed_same_images_other_seed_other_images(tiny_model):
    first = tiny_model.generate(tiny_model.sample_latents(2, 5), num_inference_steps=3)
    again = tiny_model.generate(tiny_model.sample_latents(2, 5), num_inference_steps=3)
    other = tiny_model.generate(tiny_model.sample_latents(2, 6), num_inference_steps=3)
    assert torch.equal(first, again)
    assert not torch.allclose(first, other)
    # DDPM adds fresh noise each step: its seed makes that reproducible too.
    ddpm = [tiny_model.generate(tiny_model.sample_latents(2, 5), sampler="ddpm", num_inference_steps=3, seed=1)
            for _ in range(2)]
    assert torch.equal(*ddpm)


def test_denoise_streams_every_step_and_ends_at_generate(tiny_model):
    noise = tiny_model.sample_latents(2, 1)
    steps = list(tiny_model.denoise(noise, num_inference_steps=5))
    assert [step.index for step in steps] == [1, 2, 3, 4, 5]
    assert all(step.total == 5 for step in steps)
    assert all(step.predicted_original.abs().max() <= 1 for step in steps)
    # The stream starts from noise and moves: early and late samples differ.
    assert not torch.allclose(steps[0].sample, steps[-1].sample)
    assert torch.equal(steps[-1].sample, tiny_model.generate(noise, num_inference_steps=5))


def test_class_conditional_model_checks_and_uses_labels():
    torch.manual_seed(0)
    model = DiffusionModel(DiffusionConfig(**TINY, num_class_embeds=10)).eval()
    assert model.is_conditional and model.num_classes == 10
    noise = model.sample_latents(2, 0)
    threes = model.generate(noise, torch.tensor([3, 3]), num_inference_steps=3)
    sevens = model.generate(noise, torch.tensor([7, 7]), num_inference_steps=3)
    assert not torch.allclose(threes, sevens)
    with pytest.raises(ValueError, match="class labels must be in 0..9"):
        model.generate(noise, torch.tensor([0, 10]), num_inference_steps=2)
    latents, labels = model.class_rows(model.sample_latents(2, 0))
    assert latents.shape == (20, 1, 28, 28) and labels.tolist()[:4] == [0, 0, 1, 1]


def test_unknown_sampler(tiny_model):
    with pytest.raises(ValueError, match="unknown sampler 'euler'"):
        tiny_model.generate(tiny_model.sample_latents(1, 0), sampler="euler")


@pytest.mark.parametrize(
    "settings, message",
    [
        (dict(block_out_channels=[12, 16]), "multiples of 8"),
        (dict(image_size=30, block_out_channels=[8, 16, 16]), "divisible by 4"),
        (dict(num_class_embeds=1), "at least 2"),
        (dict(beta_schedule="cubic"), "unknown beta_schedule"),
    ],
)
def test_invalid_configs(settings, message):
    with pytest.raises(ValueError, match=message):
        DiffusionConfig(**settings)
