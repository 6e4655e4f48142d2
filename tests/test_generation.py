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
