import pytest
import torch
from PIL import Image

from genai_demo.images import make_grid, save_png, to_uint8


def test_to_uint8_maps_the_range_ends():
    pixels = to_uint8(torch.tensor([-1.0, 0.0, 1.0, 3.0]).view(1, 1, 1, 4))
    assert pixels.reshape(-1).tolist() == [0, 128, 255, 255]


@pytest.mark.parametrize("count,columns,size", [(64, None, (242, 242)), (10, None, (122, 92)), (3, 5, (92, 32))])
def test_grid_layout(count, columns, size):
    grid = make_grid(torch.zeros(count, 1, 28, 28), num_columns=columns)
    assert grid.size == size and grid.mode == "L"


def test_grid_places_each_image():
    images = -torch.ones(4, 3, 2, 2)
    images[3] = 1.0  # last image white
    grid = make_grid(images, num_columns=2, padding=1)
    assert grid.mode == "RGB"
    assert grid.getpixel((4, 4)) == (255, 255, 255)  # bottom-right cell
    assert grid.getpixel((1, 1)) == (0, 0, 0)


def test_png_round_trip_keeps_pixels_and_metadata(tmp_path):
    grid = make_grid(torch.rand(4, 1, 8, 8) * 2 - 1)
    path = save_png(grid, tmp_path / "grid.png", {"seed": "5"})
    with Image.open(path) as loaded:
        assert loaded.tobytes() == grid.tobytes()
        assert loaded.text["seed"] == "5"


def test_empty_grid_is_an_error():
    with pytest.raises(ValueError, match="zero images"):
        make_grid(torch.zeros(0, 1, 4, 4))


def test_gif_loops_forward_and_back(tmp_path):
    from genai_demo.images import save_gif

    frames = [make_grid(torch.full((1, 1, 4, 4), value), padding=0) for value in (-1.0, 0.0, 1.0)]
    path = save_gif(frames, tmp_path / "walk.gif", scale=2)
    with Image.open(path) as gif:
        assert gif.n_frames == 4  # 0, 1, 2, 1
        assert gif.size == (8, 8)
        assert gif.info["loop"] == 0


def _drawing(mode_background, ink, size=(300, 200)):
    from PIL import ImageDraw

    image = Image.new("RGBA", size, mode_background)
    ImageDraw.Draw(image).line([(100, 40), (110, 160)], fill=ink, width=14)  # a "1"
    return image


@pytest.mark.parametrize(
    "background,ink",
    [((0, 0, 0, 0), (0, 0, 0, 255)),          # sketchpad: black strokes on transparent
     ((255, 255, 255, 255), (0, 0, 0, 255)),  # ink on paper
     ((0, 0, 0, 255), (255, 255, 255, 255))], # already MNIST-like
)
def test_digit_from_drawing_is_mnist_like(background, ink):
    from genai_demo.images import digit_from_drawing

    digit = digit_from_drawing(_drawing(background, ink))
    assert digit.shape == (1, 1, 28, 28)
    assert digit.min() >= -1 and digit.max() <= 1
    assert digit[0, 0, 0, 0] == -1  # dark corners
    bright_rows = (digit[0, 0] > 0).any(dim=1).nonzero().flatten()
    assert 18 <= len(bright_rows) <= 21  # the stroke's height fills 20 of 28 rows
    assert abs((bright_rows.min() + bright_rows.max()).item() / 2 - 13.5) <= 1.5  # centred


@pytest.mark.parametrize("image", [Image.new("RGBA", (50, 50), (0, 0, 0, 0)), Image.new("L", (50, 50), 200)])
def test_blank_drawing_is_a_clear_error(image):
    from genai_demo.images import digit_from_drawing

    with pytest.raises(ValueError, match="empty|no strokes"):
        digit_from_drawing(image)
