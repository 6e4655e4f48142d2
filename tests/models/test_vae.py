import pytest
import torch

from genai_demo.models import VAE, VAEConfig
from genai_demo.models.vae import negative_elbo_terms


def test_shapes_ranges_and_reparameterisation():
    torch.manual_seed(0)
    model = VAE(VAEConfig(latent_dim=6, hidden_features=8))
    images = torch.rand(4, 1, 28, 28) * 2 - 1
    mean, log_variance = model.encode(images)
    assert mean.shape == log_variance.shape == (4, 6)
    assert model.decode_logits(mean).shape == (4, 1, 28, 28)
    generated = model.generate(model.sample_latents(3, seed=1))
    assert generated.shape == (3, 1, 28, 28) and generated.min() >= -1 and generated.max() <= 1
    assert model.reconstruct(images).shape == images.shape
    # z = mu + sigma * eps: zero noise gives the mean; gradients reach mu and log-variance.
    noise = torch.randn(4, 6)
    mean.retain_grad()
    log_variance.retain_grad()
    model.reparameterize(mean, log_variance, noise).sum().backward()
    assert mean.grad is not None and log_variance.grad is not None
    assert torch.equal(model.reparameterize(mean, log_variance, torch.zeros(4, 6)), mean)


def test_kl_term_matches_the_closed_form_and_is_zero_at_the_prior():
    model = VAE(VAEConfig(latent_dim=2, hidden_features=4))
    images = torch.zeros(1, 1, 28, 28)
    with torch.no_grad():  # force q(z|x) = N(0, I): weights zero, biases zero
        for layer in (model.to_mean, model.to_log_variance):
            layer.weight.zero_()
            layer.bias.zero_()
    _, kl = negative_elbo_terms(model, images, torch.zeros(1, 2))
    assert kl.item() == pytest.approx(0.0, abs=1e-6)
    with torch.no_grad():
        model.to_mean.bias.fill_(1.0)  # mu = 1 in both dimensions: KL = 1/2 * (1 + 1) = 1
    _, kl = negative_elbo_terms(model, images, torch.zeros(1, 2))
    assert kl.item() == pytest.approx(1.0, abs=1e-6)


def test_invalid_vae_config():
    with pytest.raises(ValueError, match="VAE latent_dim"):
        VAEConfig(latent_dim=0)


def test_grayscale_vae_binarises_its_data_and_colour_keeps_intensities():
    torch.manual_seed(0)
    model = VAE(VAEConfig())
    assert model.config.binarize is True
    images = torch.rand(3, 1, 28, 28) * 2 - 1
    noise = torch.randn(3, model.config.latent_dim)
    with torch.no_grad():
        grey = negative_elbo_terms(model, images, noise)
        binary = negative_elbo_terms(model, torch.where(images > 0, 1.0, -1.0), noise)
    assert torch.allclose(grey[0], binary[0]) and torch.allclose(grey[1], binary[1])
    assert VAE(VAEConfig(image_channels=3)).config.binarize is False
