import json

import pytest
import torch

from genai_demo.models.diffusion import DEFAULT_GUIDANCE, SAMPLERS, DiffusionConfig, DiffusionModel

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


# ---- Classifier-free guidance and attribute conditions ----

GUIDED = dict(TINY, num_class_embeds=10)


def test_a_guided_model_has_a_no_condition_embedding_and_one_per_attribute_cell():
    assert DiffusionConfig(**GUIDED).unet_class_embeds == 11
    assert DiffusionConfig(**GUIDED, guided=False).unet_class_embeds == 10
    assert DiffusionConfig(**GUIDED, attributes=True).unet_class_embeds == 101  # 90 cells, 10 classes alone, none
    model = DiffusionModel(DiffusionConfig(**GUIDED, attributes=True))
    assert model.unet.config.num_class_embeds == 101 and model.null_condition == 100
    with pytest.raises(ValueError, match="class-conditional"):
        DiffusionConfig(**TINY, attributes=True)


def _predictions(model, scale, labels, noise):
    timestep = model.noise_scheduler.timesteps[0]
    predict, _ = model.noise_predictor(len(labels), labels, scale, None, torch.Generator().manual_seed(0))
    with torch.no_grad():
        return predict(noise, timestep), timestep


def test_guidance_mixes_the_conditional_and_unconditional_predictions():
    torch.manual_seed(0)
    model = DiffusionModel(DiffusionConfig(**GUIDED)).eval()
    with torch.no_grad():  # a trained-looking embedding table: classes differ from "no condition"
        model.unet.class_embedding.weight.normal_(0, 3)
    labels, noise = torch.tensor([3, 7]), torch.randn(2, 1, 28, 28)
    unconditional, timestep = _predictions(model, 0, labels, noise)
    conditional, _ = _predictions(model, 1, labels, noise)
    with torch.no_grad():
        assert torch.allclose(unconditional, model.unet(noise, timestep, class_labels=torch.tensor([10, 10])).sample)
        assert torch.allclose(conditional, model.unet(noise, timestep, class_labels=labels).sample)
    assert not torch.allclose(conditional, unconditional, atol=1e-3)
    for scale in (2.0, 4.0):
        mixed, _ = _predictions(model, scale, labels, noise)
        assert torch.allclose(mixed, unconditional + scale * (conditional - unconditional), atol=1e-5)


def test_an_unguided_model_refuses_a_guidance_scale_but_takes_one():
    model = DiffusionModel(DiffusionConfig(**GUIDED, guided=False)).eval()
    noise = model.sample_latents(2, 0)
    model.generate(noise, torch.tensor([1, 2]), num_inference_steps=2, guidance_scale=1)
    with pytest.raises(ValueError, match="without guidance"):
        model.generate(noise, torch.tensor([1, 2]), num_inference_steps=2, guidance_scale=3)


def test_conditions_keep_the_asked_bins_and_draw_the_others_from_the_classs_own_frequencies():
    counts = [[0] * 9 for _ in range(10)]
    counts[7] = [0, 0, 0, 0, 0, 0, 500, 0, 0]  # every 7 is thick (bin 2) and slanted left (bin 0): cell 6
    model = DiffusionModel(DiffusionConfig(**GUIDED, attributes=True, attribute_counts=counts))
    labels = torch.full((200,), 7)
    assert (model.conditions(labels, None, torch.Generator().manual_seed(0)) == 90 + 7).all()  # the class alone
    thick = torch.tensor([[2, -1]] * 200)  # thick, any slant: drawn as the 7s are, slanted left
    drawn = model.conditions(labels, thick, torch.Generator().manual_seed(0))
    assert (drawn // 9 == 7).all() and (drawn % 9 == 6).float().mean() > 0.95
    asked = torch.tensor([[0, 2]] * 200)  # thin, slanted right: cell 2, whatever the data's frequencies
    assert (model.conditions(labels, asked, torch.Generator().manual_seed(0)) == 7 * 9 + 2).all()
    half = torch.tensor([[-1, 1]] * 200)  # upright, any thickness: cells 1, 4, 7 only
    cells = model.conditions(labels, half, torch.Generator().manual_seed(0)) % 9
    assert set(cells.tolist()) <= {1, 4, 7}


def test_a_folder_can_set_its_own_default_guidance(tmp_path):
    from genai_demo.folders.pipeline_folder import load_pipeline_folder, save_pipeline_folder

    model = DiffusionModel(DiffusionConfig(**GUIDED, default_guidance=3.0))
    assert model.default_guidance == 3.0 and DiffusionModel(DiffusionConfig(**GUIDED)).default_guidance == DEFAULT_GUIDANCE
    save_pipeline_folder(tmp_path, model)
    assert json.loads((tmp_path / "conditioning.json").read_text())["default_guidance"] == 3.0
    loaded = load_pipeline_folder(tmp_path)
    assert loaded.default_guidance == 3.0
    labels, noise = torch.tensor([1, 2]), torch.randn(2, 1, 28, 28)
    with torch.no_grad():
        assert torch.equal(loaded.generate(noise, labels, num_inference_steps=2),
                           loaded.generate(noise, labels, num_inference_steps=2, guidance_scale=3.0))
    with pytest.raises(ValueError, match="default_guidance must be from 0 to 10"):
        DiffusionConfig(**GUIDED, default_guidance=11)
