"""English and Chinese: every string a person reads on the page has a Chinese translation, and
`localize` marks each one for Gradio's frontend, which picks the browser's language."""

import pytest
import torch
from gradio.i18n import I18nData

from genai_demo.folders.registry import SHIPPED_CHECKPOINTS
from genai_demo.jobs import JobManager
from genai_demo.ui.app import build_app
from genai_demo.ui.i18n import is_data, localize, translate, untranslated, visible_texts
from genai_demo.ui.state import AppState


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    state = AppState(device=torch.device("cpu"), model_roots=[SHIPPED_CHECKPOINTS], jobs=JobManager(home / "runs"))
    return build_app(state)


def test_every_label_help_text_and_tab_has_chinese(demo):
    assert untranslated(demo) == []
    texts = visible_texts(demo)
    assert {"Images", "Train", "Learn", "Generate", "Seed"} <= set(texts)  # the walk sees the page


def test_localize_marks_every_translated_string_for_the_frontend(demo):
    i18n = localize(demo)
    chinese = i18n.translations_dict["zh-CN"]
    marked = 0
    for block in demo.blocks.values():
        for name in ("label", "info", "placeholder", "value"):
            value = getattr(block, name, None)
            if isinstance(value, I18nData):
                marked += 1
                assert chinese[value.key] == translate(i18n.translations_dict["en"][value.key])
            elif isinstance(value, str) and name != "value":
                assert not value.strip() or is_data(value), f"{name} {value!r} left in English"
    assert marked > 100
    assert chinese["Generate"] == "生成" and i18n.translations_dict["en"]["Generate"] == "Generate"


def test_data_stays_as_it_is():
    assert is_data("dcgan · dcgan-mnist") and is_data("google/ddpm-cifar10-32") and is_data("28")
    assert not is_data("Images") and not is_data("Model card")


def test_a_value_in_the_header_is_carried_into_the_translation():
    header = ("# genai-demo\nGenerate images with GANs, a VAE and diffusion models, and text with an LSTM and a "
              "tiny GPT, all trained by this project. Running on **cuda**.")
    assert "**cuda**" in translate(header) and "运行在" in translate(header)
