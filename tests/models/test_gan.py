import pytest
import torch

from genai_demo.models import DCGAN, MLPGAN, DCGANConfig, MLPGANConfig


@pytest.mark.parametrize("channels,size", [(1, 28), (3, 32), (3, 64)])
def test_generator_and_discriminator_shapes_and_ranges(channels, size):
    torch.manual_seed(0)
    model = DCGAN(DCGANConfig(image_channels=channels, image_size=size, generator_features=8, discriminator_features=8))
    images = model.generator(torch.randn(5, 100))
    assert images.shape == (5, channels, size, size)
    assert images.min() >= -1 and images.max() <= 1
    assert images.std() > 0  # not a constant image
    logits = model.discriminator(images)
    assert logits.shape == (5,)
    assert torch.isfinite(logits).all()


def test_default_dcgan_is_small_enough_to_ship():
    model = DCGAN(DCGANConfig())
    parameters = sum(p.numel() for p in model.parameters())
    assert 200_000 < parameters < 2_000_000  # a few MB as float32


def test_sample_latents_depend_only_on_seed():
    model = DCGAN(DCGANConfig(latent_dim=16))
    assert torch.equal(model.sample_latents(4, seed=7), model.sample_latents(4, seed=7))
    assert not torch.equal(model.sample_latents(4, seed=7), model.sample_latents(4, seed=8))
    assert model.sample_latents(4, seed=7).shape == (4, 16)


def test_generate_uses_inference_batch_norm_and_restores_mode():
    model = DCGAN(DCGANConfig(latent_dim=8, generator_features=4, discriminator_features=4))
    model.train()
    latents = model.sample_latents(6, seed=0)
    alone = model.generate(latents[:1])
    together = model.generate(latents)
    # In eval mode an image does not depend on the rest of its batch.
    assert torch.allclose(alone[0], together[0], atol=1e-6)
    assert model.generator.training


def test_packed_discriminator_judges_images_in_groups():
    torch.manual_seed(0)
    model = DCGAN(DCGANConfig(generator_features=8, discriminator_features=8, pack=2))
    images = model.generator(torch.randn(7, 100))
    logits = model.discriminator(images)
    assert logits.shape == (3,)  # 7 images: three pairs, the odd one out dropped
    # A pack's logit depends on both of its images and on no other.
    changed = images.clone()
    changed[1] = -1
    moved = model.discriminator(changed)
    assert moved[0] != logits[0]
    model.discriminator.eval()
    with torch.no_grad():
        alone = model.discriminator(images[:2])
        # Equal up to float rounding: oneDNN may pick another kernel for another batch size.
        torch.testing.assert_close(model.discriminator(images[:4])[:1], alone, rtol=1e-4, atol=1e-9)
        other_pack_changed, own_pack_changed = images[:4].clone(), images[:4].clone()
        other_pack_changed[2], own_pack_changed[1] = -1, -1
        torch.testing.assert_close(model.discriminator(other_pack_changed)[:1], alone, rtol=1e-4, atol=1e-9)
        assert (model.discriminator(own_pack_changed)[0] - alone[0]).abs() > 100 * 1e-4 * alone.abs().max()


def test_spectral_norm_discriminator_judges_each_image_alone_and_round_trips(tmp_path):
    from genai_demo.folders.model_folder import load_model_folder, save_model_folder

    torch.manual_seed(0)
    model = DCGAN(DCGANConfig(generator_features=8, discriminator_features=8, spectral_norm=True))
    discriminator = model.discriminator
    assert not any(isinstance(layer, torch.nn.BatchNorm2d) for layer in discriminator.modules())
    images = model.generator(torch.randn(6, 100))
    for _ in range(20):  # power iterations run in training mode
        logits = discriminator(images)
    # Each image is judged on its own (no batch statistics), in training mode too.
    assert torch.allclose(discriminator(images[:1]), logits[:1], atol=1e-5)
    for layer in discriminator.net:
        if isinstance(layer, torch.nn.Conv2d):
            largest = torch.linalg.matrix_norm(layer.weight.detach().flatten(1), ord=2).item()
            assert largest == pytest.approx(1.0, abs=0.05)
    save_model_folder(tmp_path / "sn", model)
    loaded = load_model_folder(tmp_path / "sn")
    assert loaded.config.spectral_norm
    loaded.eval(), model.eval()
    assert torch.equal(loaded.discriminator(images), model.discriminator(images))


@pytest.mark.parametrize("bad", [dict(image_size=30), dict(image_size=4), dict(latent_dim=0), dict(pack=0),
                                 dict(categorical_code=1), dict(categorical_code=4, pack=2), dict(clusters=1),
                                 dict(clusters=300), dict(clusters=4, pack=2), dict(clusters=4, categorical_code=3)])
def test_invalid_config_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="DCGAN"):
        DCGANConfig(**bad)


def test_mlp_gan_has_the_textbook_layer_sizes():
    model = MLPGAN(MLPGANConfig())
    generator_linears = [layer for layer in model.generator.net if isinstance(layer, torch.nn.Linear)]
    discriminator_linears = [layer for layer in model.discriminator.net if isinstance(layer, torch.nn.Linear)]
    assert [(layer.in_features, layer.out_features) for layer in generator_linears] == [
        (100, 256), (256, 512), (512, 1024), (1024, 784)]
    assert [(layer.in_features, layer.out_features) for layer in discriminator_linears] == [
        (784, 512), (512, 256), (256, 1)]
    images = model.generate(model.sample_latents(5, seed=0))
    assert images.shape == (5, 1, 28, 28) and images.min() >= -1 and images.max() <= 1
    assert model.discriminator(images).shape == (5,)


def test_mlp_gan_config_round_trips_through_a_folder(tmp_path):
    from genai_demo.hub import load_model_folder, save_model_folder

    model = MLPGAN(MLPGANConfig(latent_dim=4, generator_hidden=[8], discriminator_hidden=[8]))
    save_model_folder(tmp_path, model)
    loaded = load_model_folder(tmp_path)
    assert isinstance(loaded, MLPGAN) and loaded.config == model.config
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, loaded.state_dict()[name])


def test_mlp_gan_without_hidden_layers_is_an_error():
    with pytest.raises(ValueError, match="at least one hidden layer"):
        MLPGANConfig(generator_hidden=[])


def test_clustered_dcgan_draws_clusters_by_size_and_round_trips(tmp_path):
    """A self-conditioned DCGAN: the one-hot cluster id in the latent follows the cluster sizes,
    D needs each image's cluster, and centres and sizes travel in the folder."""
    from genai_demo.folders.model_folder import load_model_folder, save_model_folder

    torch.manual_seed(0)
    model = DCGAN(DCGANConfig(generator_features=8, discriminator_features=8, latent_dim=6, clusters=3))
    centres = torch.stack([torch.full((784,), value) for value in (-1.0, 0.0, 1.0)])
    model.set_clusters(centres, torch.tensor([6.0, 3.0, 1.0]))  # normalised to shares
    assert torch.allclose(model.cluster_weights, torch.tensor([0.6, 0.3, 0.1]))
    latents = model.sample_latents(4000, seed=0)
    assert latents.shape == (4000, 9) and torch.equal(latents[:, 6:].sum(1), torch.ones(4000))
    shares = torch.bincount(latents[:, 6:].argmax(1), minlength=3) / 4000
    assert torch.allclose(shares, torch.tensor([0.6, 0.3, 0.1]), atol=0.03)
    images = model.generate(latents[:5])
    assert images.shape == (5, 1, 28, 28) and images.min() >= -1 and images.max() <= 1
    near = torch.stack([torch.full((1, 28, 28), value) for value in (0.9, -0.8, 0.1)])
    assert model.assign_clusters(near).tolist() == [2, 0, 1]
    with pytest.raises(ValueError, match="cluster id"):
        model.discriminator(images)
    assert model.discriminator(images, torch.tensor([0, 1, 2, 0, 1])).shape == (5,)
    save_model_folder(tmp_path / "clustered", model)
    loaded = load_model_folder(tmp_path / "clustered")
    assert loaded.config.clusters == 3
    assert torch.equal(loaded.cluster_centers, model.cluster_centers)
    assert torch.equal(loaded.cluster_weights, model.cluster_weights)
    assert torch.equal(loaded.sample_latents(10, seed=3), model.sample_latents(10, seed=3))
    with pytest.raises(ValueError, match="expected 3 cluster"):
        model.set_clusters(centres[:2], torch.ones(2))
