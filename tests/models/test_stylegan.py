"""The style-based generator's parts: modulated convolution, mapping network, style mixing, truncation."""

import pytest
import torch

from genai_demo.folders.model_folder import load_model_folder, save_model_folder
from genai_demo.models.stylegan import ModulatedConv2d, StyleGAN, StyleGANConfig, mix_ws

TINY = StyleGANConfig(latent_dim=8, w_dim=16, mapping_layers=2, generator_features=16, discriminator_features=16,
                      min_features=4)


def test_a_style_of_ones_leaves_each_demodulated_output_channel_at_unit_norm():
    torch.manual_seed(0)
    conv = ModulatedConv2d(32, 8, 3, w_dim=16)
    with torch.no_grad():
        conv.affine.weight.zero_()  # styles = the affine's bias, which starts at one
        conv.weight.mul_(3.0)  # weights of any scale
    assert torch.equal(conv.styles(torch.randn(4, 16)), torch.ones(4, 32))
    features = torch.randn(64, 32, 12, 12)  # unit-variance inputs
    with torch.no_grad():
        output = conv(features, torch.randn(64, 16))[:, :, 1:-1, 1:-1]  # inside the zero padding
    per_channel = output.square().mean(dim=(0, 2, 3)).sqrt()
    assert per_channel == pytest.approx(torch.ones(8), abs=0.05)
    # Without demodulation the norm is the weights': three times larger.
    conv.demodulate = False
    with torch.no_grad():
        raw = conv(features, torch.randn(64, 16))[:, :, 1:-1, 1:-1].square().mean(dim=(0, 2, 3)).sqrt()
    assert raw.mean().item() == pytest.approx(3.0, rel=0.15)


def test_demodulation_cancels_a_style_scale_but_not_a_style_shape():
    torch.manual_seed(1)
    conv = ModulatedConv2d(6, 5, 3, w_dim=4)
    features = torch.randn(1, 6, 9, 9)
    ones, doubled, shaped = torch.ones(1, 6), torch.full((1, 6), 2.0), torch.tensor([[3.0, 0.1, 1, 1, 1, 1]])
    conv.styles = lambda w: w  # feed styles directly
    with torch.no_grad():
        assert torch.allclose(conv(features, ones), conv(features, doubled), atol=1e-5)
        assert not torch.allclose(conv(features, ones), conv(features, shaped), atol=1e-2)


def test_the_mapping_network_maps_z_to_w_and_ignores_zs_scale():
    model = StyleGAN(TINY)
    z = torch.randn(5, 8)
    with torch.no_grad():
        w = model.generator.mapping(z)
        assert w.shape == (5, 16)
        assert torch.allclose(model.generator.mapping(3 * z), w, atol=1e-5)  # pixel norm first
        assert not torch.allclose(model.generator.mapping(torch.randn(5, 8)), w)
    # Its learning rate is 100 times smaller: stored weights are scaled by 0.01 / sqrt(fan in).
    layer = model.generator.mapping.layers[0]
    assert layer.weight_gain == pytest.approx(0.01 / 8**0.5)
    assert model.generator.ws(z).shape == (5, TINY.num_ws, 16)


def test_mixing_takes_layers_before_the_crossover_from_the_coarse_ws():
    coarse, fine = torch.zeros(3, 5, 2), torch.ones(3, 5, 2)
    mixed = mix_ws(coarse, fine, torch.tensor([0, 2, 5]))  # one crossover per row
    assert mixed[0].eq(1).all() and mixed[2].eq(0).all()
    assert mixed[1, :2].eq(0).all() and mixed[1, 2:].eq(1).all()
    assert torch.equal(mix_ws(coarse, fine, 3)[:, :3], coarse[:, :3])


def test_mixed_images_are_the_sources_at_the_ends_and_a_blend_between():
    torch.manual_seed(2)
    model = StyleGAN(TINY).eval()
    with torch.no_grad():  # give the styles something to do
        for parameter in model.generator.parameters():
            parameter.add_(0.3 * torch.randn_like(parameter))
    a, b = model.sample_latents(4, seed=0), model.sample_latents(4, seed=1)
    image_a, image_b = model.generate(a), model.generate(b)
    assert torch.equal(model.mix(a, b, model.num_ws), image_a)
    assert torch.equal(model.mix(a, b, 0), image_b)
    assert torch.equal(model.mix(a, a, 2), image_a)
    middle = model.mix(a, b, 2)
    assert not torch.equal(middle, image_a) and not torch.equal(middle, image_b)
    with pytest.raises(ValueError, match="crossover"):
        model.mix(a, b, model.num_ws + 1)


def test_truncation_pulls_every_image_to_the_average_ws():
    model = StyleGAN(TINY).eval()
    model.set_w_avg(2000)
    latents = model.sample_latents(6, seed=3)
    at_average = model.generate(latents, truncation=0.0)
    assert torch.allclose(at_average, at_average[:1].expand_as(at_average), atol=1e-6)
    assert torch.equal(model.generate(latents, truncation=1.0), model.generate(latents))
    spread = [model.generate(latents, truncation=psi).std(dim=0).mean().item() for psi in (0.25, 0.5, 1.0)]
    assert spread == sorted(spread) and spread[0] < spread[-1]


def test_a_seed_gives_one_image_with_fixed_noise_and_noise_changes_it():
    model = StyleGAN(TINY).eval()
    with torch.no_grad():
        for layer in model.generator.synthesis.layers:
            layer.noise_strength.fill_(0.5)
    latents = model.sample_latents(2, seed=4)
    assert torch.equal(model.generate(latents), model.generate(latents))
    assert not torch.equal(model.generate(latents), model.generate(latents, noise_mode="none"))
    with pytest.raises(ValueError, match="noise_mode"):
        model.generate(latents, noise_mode="loud")


@pytest.mark.parametrize("size, base", [(28, 7), (32, 8)])
def test_28_and_32_pixel_images(size, base):
    config = StyleGANConfig(**{**TINY.__dict__, "image_size": size})
    model = StyleGAN(config)
    assert config.base_size == base and config.num_ws == 5 and model.default_crossover == 3
    images = model.generate(model.sample_latents(3, seed=0))
    assert images.shape == (3, 1, size, size) and images.abs().max() <= 1
    assert model.discriminator(images).shape == (3,)
    with pytest.raises(ValueError, match="image_size"):
        StyleGANConfig(image_size=30)


def test_the_folder_keeps_the_average_w_and_the_noise(tmp_path):
    model = StyleGAN(TINY).eval()
    model.set_w_avg(500)
    save_model_folder(tmp_path / "m", model)
    loaded = load_model_folder(tmp_path / "m")
    latents = model.sample_latents(3, seed=5)
    assert torch.equal(loaded.generator.w_avg, model.generator.w_avg) and loaded.generator.w_avg.abs().sum() > 0
    assert torch.equal(loaded.generate(latents, truncation=0.7), model.generate(latents, truncation=0.7))
