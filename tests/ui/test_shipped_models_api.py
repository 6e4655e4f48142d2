"""Every shipped model generates through its tab's named endpoint (the zoo, as a user meets it)."""

import json

import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from genai_demo.folders.registry import SHIPPED_CHECKPOINTS


def family_of(folder) -> str:
    if (folder / "model_index.json").is_file():
        return "ddpm"
    return json.loads((folder / "config.json").read_text()).get("model_type", "")


# Every shipped generator; the classifiers are the metrics', they do not generate.
SHIPPED = sorted(path for path in SHIPPED_CHECKPOINTS.iterdir()
                 if ((path / "config.json").is_file() or (path / "model_index.json").is_file())
                 and family_of(path) != "classifier")


@pytest.fixture(scope="module")
def client(live_app):
    url, _ = live_app
    return Client(url, verbose=False)


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda path: path.name)
def test_shipped_model_generates_in_its_tab(client, folder):
    family, name = family_of(folder), folder.name
    if family == "ddpm":
        path, status = client.predict(name, "ddim", 10, 4, 0, "all", "sample", api_name="/sample_diffusion")
        assert "step 10/10" in status
    elif family in ("causal-lm", "char-lstm", "gpt2"):
        prompt = "《" if "tang" in name else "def "
        text = client.predict(name, prompt, 24, 0.8, 0, 1.0, 1.0, 0, api_name="/generate_text")
        assert len(text) >= 10, text
        return
    else:
        path, caption = client.predict(name, 16, 0, api_name="/generate_images")
        assert name in caption
    pixels = np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255
    # Digits or clothes on a dark background: mostly dark, some bright strokes, not a blank or noise image.
    darkest = 0.4 if "fashion" in name else 0.5
    assert darkest < (pixels < 0.25).mean() < 0.97 and (pixels > 0.75).mean() > 0.02
