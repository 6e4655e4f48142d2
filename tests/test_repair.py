"""genai_demo.repair: the damage, the baselines and the diffusion methods' guarantees, on a tiny
untrained UNet (what they promise holds whatever the model draws)."""

import pytest
import torch

from genai_demo import repair
from genai_demo.errors import InvalidInputError
from genai_demo.models.diffusion import DiffusionConfig, DiffusionModel

TINY = dict(block_out_channels=[8, 16], attention=False, num_train_timesteps=100)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return DiffusionModel(DiffusionConfig(**TINY)).eval()


@pytest.fixture(scope="module")
def digits(tiny_dataset):
    return tiny_dataset.to_training_tensor("cpu")[:3]


def test_named_masks_hide_what_they_say():
    lower = repair.named_mask("lower-half", 28)
    assert lower[..., :14, :].all() and not lower[..., 14:, :].any()
    box = repair.named_mask("centre-box", 28)
    assert box.mean() == pytest.approx(0.75) and box[0, 0, 14, 14] == 0 and box[0, 0, 0, 0] == 1
    pixels = repair.named_mask("random-pixels", 28, count=2, seed=1)
    assert 0.4 < pixels.mean() < 0.6 and torch.equal(pixels, repair.named_mask("random-pixels", 28, count=2, seed=1))
    with pytest.raises(InvalidInputError, match="unknown mask 'upper-half'"):
        repair.named_mask("upper-half", 28)


def test_inpainting_keeps_the_known_pixels_exactly(model, digits):
    known = repair.named_mask("lower-half", 28, len(digits))
    damaged = repair.hide(digits, known)
    steps = list(repair.null_space(model, "inpaint", damaged, known, steps=4))
    assert [step.index for step in steps] == [1, 2, 3, 4] and steps[-1].total == 4
    assert torch.allclose(steps[-1].image * known, digits * known, atol=1e-6)
    painted = repair.finish(repair.repaint(model, damaged, known, steps=4, jump_length=2, jump_n_sample=2))
    assert torch.allclose(painted * known, digits * known, atol=1e-6)
    filled = repair.plain_fill("inpaint", damaged, known)
    assert torch.allclose(filled * known, digits * known) and filled.shape == digits.shape


def test_upscaling_reproduces_the_small_image_exactly(model, digits):
    small = repair.downsample(digits, 4)
    assert small.shape[-1] == 7
    for method in (lambda: repair.null_space(model, "upscale", small, scale=4, steps=4),
                   lambda: repair.ilvr_upscale(model, small, 4, steps=4)):
        result = repair.finish(method())
        assert result.shape == digits.shape
        assert torch.allclose(repair.downsample(result, 4), small.clamp(-1, 1), atol=1e-5)
    with pytest.raises(InvalidInputError, match="needs a 14px image, got 7px"):
        repair.finish(repair.null_space(model, "upscale", small, scale=2, steps=2))


def test_denoising_starts_where_the_noise_matches(model, digits):
    step = repair.noise_level_step(model, 0.5)
    alpha_bar = model.noise_scheduler.alphas_cumprod[step]
    assert (1 - alpha_bar) / alpha_bar == pytest.approx(0.25, rel=0.1)
    assert repair.noise_level_step(model, 0.1) < step < repair.noise_level_step(model, 1.0)
    noisy = repair.add_noise(digits, 0.5, seed=3)
    result = repair.finish(repair.diffusion_denoise(model, noisy, 0.5, steps=5))
    assert result.shape == digits.shape and result.abs().max() <= 1
    blurred = repair.plain_fill("denoise", noisy, sigma=0.5)
    assert (blurred - digits).pow(2).mean() < (noisy - digits).pow(2).mean()  # the blur baseline does help


def test_sdedit_at_low_strength_keeps_the_drawing(model, digits):
    kept = repair.finish(repair.sdedit(model, digits, strength=0.02, steps=10))
    assert (kept - digits).abs().mean() < 0.1
    with pytest.raises(InvalidInputError, match="strength must be above 0 and at most 1, got 1.5"):
        repair.sdedit(model, digits, strength=1.5)


@pytest.mark.parametrize("known,message", [
    (torch.ones(1, 1, 14, 14), "the mask is 14x14px but the image 28x28px"),
    (torch.ones(1, 1, 28, 28), "the mask hides nothing"),
    (torch.zeros(1, 1, 28, 28), "the mask hides the whole image"),
])
def test_bad_masks_are_refused_clearly(model, digits, known, message):
    with pytest.raises(InvalidInputError, match=message):
        repair.finish(repair.null_space(model, "inpaint", digits[:1], known, steps=2))


class _LinearGenerator(torch.nn.Module):
    """A generator whose images depend on every latent coordinate: tanh(W z), 28x28."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(784, 4, generator=torch.Generator().manual_seed(0)) * 0.8)

    def sample_latents(self, count, seed):
        return torch.randn(count, 4, generator=torch.Generator().manual_seed(seed))

    @torch.no_grad()
    def generate(self, latents):  # as the real models' generate: no gradients
        return self.decode(latents)

    def decode(self, latents):
        return torch.tanh(latents @ self.weight.T).view(-1, 1, 28, 28)


def test_latent_inversion_finds_the_latent_of_an_image_the_generator_made():
    generator = _LinearGenerator().eval()
    with torch.no_grad():
        target = generator.generate(generator.sample_latents(2, seed=7))
    known = repair.named_mask("lower-half", 28, 2)
    damaged = repair.hide(target, known)
    found = repair.invert_latent(generator, "inpaint", damaged, known, steps=150, restarts=2)
    start = repair.plain_fill("inpaint", damaged, known)
    hidden = 1 - known
    # The hidden half comes back far closer than the plain fill's, and the kept half is untouched.
    assert ((found - target) * hidden).pow(2).sum() < 0.1 * ((start - target) * hidden).pow(2).sum()
    assert torch.allclose(found * known, target * known)
    small = repair.downsample(target, 2)
    upscaled = repair.invert_latent(generator, "upscale", small, scale=2, steps=150, restarts=2)
    assert (upscaled - target).pow(2).mean() < 0.1 * (repair.plain_fill("upscale", small, scale=2) - target).pow(2).mean()


def test_each_task_runs_through_the_one_entry_point_and_bad_choices_are_refused(model, digits):
    known = repair.named_mask("centre-box", 28, len(digits))
    assert repair.methods_for(model, "inpaint") == ("ddnm", "repaint", "fill")
    cases = {"inpaint": dict(damaged=repair.hide(digits, known), known=known),
             "upscale": dict(damaged=repair.downsample(digits, 2), scale=2),
             "denoise": dict(damaged=repair.add_noise(digits, 0.3), sigma=0.3),
             "sketch": dict(damaged=digits, strength=0.3)}
    for task, inputs in cases.items():
        for method in repair.methods_for(model, task):
            result = repair.finish(repair.run_repair(model, task, method=method, steps=3, **inputs))
            assert result.shape == digits.shape and result.abs().max() <= 1, (task, method)
    with pytest.raises(InvalidInputError, match="method 'inversion' cannot do the inpaint task"):
        repair.run_repair(model, "inpaint", cases["inpaint"]["damaged"], known, method="inversion")
    with pytest.raises(InvalidInputError, match="inpainting needs a mask"):
        repair.run_repair(model, "inpaint", digits)
    with pytest.raises(InvalidInputError, match="unknown task 'colourise'"):
        repair.run_repair(model, "colourise", digits)


@pytest.mark.parametrize("family", ["vae", "dcgan"])
def test_inversion_of_the_real_models_moves_the_latent_towards_the_damaged_image(family):
    """The shipped families' `generate` runs without gradients; inversion must optimise through
    `decode`, or it returns the prior's guess whatever the image (a bug that scored chance)."""
    from genai_demo.models import DCGANConfig
    from genai_demo.models.gan import DCGAN
    from genai_demo.models.vae import VAE, VAEConfig

    torch.manual_seed(0)
    model = (VAE(VAEConfig(latent_dim=8)) if family == "vae"
             else DCGAN(DCGANConfig(latent_dim=8, generator_features=8, discriminator_features=8))).eval()
    latents = model.sample_latents(2, 3).requires_grad_(True)
    model.decode(latents).sum().backward()
    assert latents.grad is not None and latents.grad.abs().sum() > 0
    if family == "dcgan":  # an untrained DCGAN draws nearly the same grey whatever the latent
        return
    target = model.generate(model.sample_latents(2, 7))  # an image the model can make
    small = repair.downsample(target, 4)
    start = model.generate(model.sample_latents(2 * 4, 0)).view(4, 2, *target.shape[1:])
    start_error = (start - target).pow(2).mean()
    found = repair.invert_latent(model, "upscale", small, scale=4, steps=100)
    assert (found - target).pow(2).mean() < 0.5 * start_error


def test_consensus_keeps_the_candidate_where_the_others_crowd():
    """Three candidates of the first image are near A and one is B: a near-A one is kept; the second
    image's candidates crowd at B, whatever their order."""
    a, b = torch.full((1, 4, 4), -1.0), torch.full((1, 4, 4), 1.0)

    def touched(image, row, value):  # one pixel changed: off the line between the two
        image = image.clone()
        image[0, row, 0] = value
        return image

    first = torch.stack([b, touched(a, 0, -0.5), a, touched(a, 1, -0.5)])
    second = torch.stack([touched(b, 0, 0.5), a, touched(b, 1, 0.5), b])
    chosen = repair.consensus(torch.stack([first, second], dim=1))
    assert chosen.shape == (2, 1, 4, 4)
    assert torch.equal(chosen[0], a) and torch.equal(chosen[1], b)


def test_candidates_repair_in_one_batch_and_keep_their_consensus(model, digits):
    known = repair.named_mask("lower-half", 28, len(digits))
    damaged = repair.hide(digits, known)
    steps = list(repair.run_repair(model, "inpaint", damaged, known, "ddnm", seed=3, steps=4, candidates=5))
    assert [step.index for step in steps] == [1, 2, 3, 4] and all(step.image.shape == digits.shape for step in steps)
    # The same method on five copies in one batch, then the medoid of each image's five.
    batch = repair.finish(repair.null_space(model, "inpaint", damaged.repeat(5, 1, 1, 1), known.repeat(5, 1, 1, 1),
                                            seed=3, steps=4))
    expected = repair.consensus(batch.view(5, len(digits), *digits.shape[1:]))
    assert torch.equal(steps[-1].image, expected)
    assert not torch.equal(batch[: len(digits)], expected)  # not simply the first copies
    assert torch.allclose(steps[-1].image * known, digits * known, atol=1e-6)
    # A baseline has no randomness: one run, whatever the candidates.
    fill = repair.finish(repair.run_repair(model, "inpaint", damaged, known, "fill", candidates=8))
    assert torch.equal(fill, repair.plain_fill("inpaint", damaged, known))
    for bad in (0, 33, 2.5):
        with pytest.raises(InvalidInputError, match=r"candidates per repair \(consensus\) must be a whole number from 1 to 32"):
            repair.run_repair(model, "inpaint", damaged, known, "ddnm", candidates=bad)
