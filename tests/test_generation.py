import pytest
import torch

from genai_demo.generation import generate_image_grid, generate_images


def test_same_seed_same_grid_other_seed_other_grid(tiny_model_folder):
    cpu = torch.device("cpu")
    first = generate_image_grid(tiny_model_folder, 16, 123, cpu)
    again = generate_image_grid(tiny_model_folder, 16, 123, cpu)
    other = generate_image_grid(tiny_model_folder, 16, 124, cpu)
    assert first.tobytes() == again.tobytes()
    assert first.tobytes() != other.tobytes()


def test_a_sample_does_not_depend_on_how_many_are_drawn(tiny_model_folder):
    cpu = torch.device("cpu")
    few = generate_images(tiny_model_folder, 2, 5, cpu)
    many = generate_images(tiny_model_folder, 9, 5, cpu)
    assert few.shape == (2, 1, 28, 28) and many.shape == (9, 1, 28, 28)
    assert torch.allclose(few, many[:2], atol=1e-6)
    assert many.min() >= -1 and many.max() <= 1


def test_slerp_ends_at_both_latents_and_keeps_the_norm():
    from genai_demo.generation import slerp

    generator = torch.Generator().manual_seed(0)
    start, end = torch.randn(100, generator=generator), torch.randn(100, generator=generator)
    path = slerp(start, end, torch.linspace(0, 1, 9))
    assert path.shape == (9, 100)
    assert torch.allclose(path[0], start, atol=1e-5) and torch.allclose(path[-1], end, atol=1e-5)
    # Midway, the arc keeps Gaussian-like norm; the straight line would shrink it.
    assert path[4].norm() > 0.9 * min(start.norm(), end.norm())
    assert ((start + end) / 2).norm() < 0.8 * path[4].norm()
    assert torch.allclose(slerp(start, start, torch.tensor([0.5]))[0], start)


def test_interpolation_goes_from_one_seed_to_the_other(tiny_model_folder):
    from genai_demo.generation import interpolate_images

    cpu = torch.device("cpu")
    frames = interpolate_images(tiny_model_folder, 3, 4, 5, cpu)
    assert frames.shape == (5, 1, 28, 28)
    assert torch.allclose(frames[0], generate_images(tiny_model_folder, 1, 3, cpu)[0], atol=1e-5)
    assert torch.allclose(frames[-1], generate_images(tiny_model_folder, 1, 4, cpu)[0], atol=1e-5)


def test_interpolation_blends_a_cluster_code_linearly_and_arcs_the_noise():
    from genai_demo.generation import interpolate_latents, slerp
    from genai_demo.models import DCGAN, DCGANConfig

    model = DCGAN(DCGANConfig(latent_dim=8, clusters=4, generator_features=4, discriminator_features=4))
    model.set_clusters(torch.zeros(4, 784), torch.tensor([1.0, 0.0, 0.0, 1.0]))
    seed_start, seed_end = next((a, b) for a in range(50) for b in range(50)  # two seeds drawing different clusters
                                if model.sample_latents(1, a)[0, 8:].argmax() != model.sample_latents(1, b)[0, 8:].argmax())
    start, end = model.sample_latents(1, seed_start)[0], model.sample_latents(1, seed_end)[0]
    path = interpolate_latents(model, seed_start, seed_end, 5)
    assert path.shape == (5, 12)
    assert torch.allclose(path[0], start, atol=1e-5) and torch.allclose(path[-1], end, atol=1e-5)
    assert torch.allclose(path[:, 8:].sum(1), torch.ones(5))  # every step's code is a mixture of clusters
    assert torch.allclose(path[2, 8:], (start[8:] + end[8:]) / 2)
    assert torch.allclose(path[:, :8], slerp(start[:8], end[:8], torch.linspace(0, 1, 5)), atol=1e-6)


def test_conditional_grid_has_one_row_per_class_and_class_choice(tmp_path):
    from genai_demo.errors import InvalidInputError
    from genai_demo.generation import generate_image_grid
    from genai_demo.hub import save_model_folder
    from genai_demo.models import ConditionalDCGAN, ConditionalDCGANConfig

    torch.manual_seed(0)
    save_model_folder(tmp_path, ConditionalDCGAN(ConditionalDCGANConfig(latent_dim=8, generator_features=4,
                                                                         discriminator_features=4)))
    cpu = torch.device("cpu")
    assert generate_image_grid(tmp_path, 64, 0, cpu).size == (6 * 30 + 2, 10 * 30 + 2)
    sevens = generate_images(tmp_path, 4, 0, cpu, class_label="7")
    threes = generate_images(tmp_path, 4, 0, cpu, class_label=3)
    assert sevens.shape == (4, 1, 28, 28) and not torch.allclose(sevens, threes)
    with pytest.raises(InvalidInputError, match="class"):
        generate_images(tmp_path, 4, 0, cpu, class_label="12")
