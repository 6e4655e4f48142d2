import pytest
import torch

from genai_demo.models import ConditionalDCGAN, ConditionalDCGANConfig

TINY = ConditionalDCGANConfig(latent_dim=8, generator_features=4, discriminator_features=4, label_embedding_dim=3)


def test_labels_change_the_image_and_the_verdict():
    torch.manual_seed(0)
    model = ConditionalDCGAN(TINY)
    latents = model.sample_latents(2, seed=0)[:1].repeat(2, 1)
    images = model.generate(latents, torch.tensor([1, 7]))
    assert images.shape == (2, 1, 28, 28) and images.min() >= -1 and images.max() <= 1
    assert not torch.allclose(images[0], images[1])  # same noise, other class
    logits = model.discriminator(images[:1].repeat(2, 1, 1, 1), torch.tensor([1, 7]))
    assert logits.shape == (2,) and logits[0] != logits[1]


def test_default_labels_cycle_and_bad_labels_are_refused():
    model = ConditionalDCGAN(TINY)
    assert model.default_labels(12).tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert model.generate(model.sample_latents(3, seed=0)).shape == (3, 1, 28, 28)
    with pytest.raises(ValueError, match="class labels must be in 0..9"):
        model.generate(model.sample_latents(1, seed=0), torch.tensor([10]))


def test_invalid_conditional_config():
    with pytest.raises(ValueError, match="num_classes"):
        ConditionalDCGANConfig(num_classes=1)
