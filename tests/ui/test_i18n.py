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
    header = ("# genai-demo\nGenerate images with GANs, a VAE and diffusion models, repair damaged ones with them, "
              "and text with an LSTM and a tiny GPT, all trained by this project. Running on **cuda**.")
    assert "**cuda**" in translate(header) and "运行在" in translate(header)


# ---- What the server writes at run time: `say` ----

import contextlib  # noqa: E402
import string  # noqa: E402

import gradio as gr  # noqa: E402
from gradio.context import LocalContext  # noqa: E402
from message_templates import has_words, sites, templates  # noqa: E402

from genai_demo.ui.i18n import LANGUAGE_COOKIE, say  # noqa: E402
from genai_demo.ui.translations_zh_messages import ZH_MESSAGES  # noqa: E402


@contextlib.contextmanager
def answering(accept_language: str = "", cookie: str | None = None):
    """As inside a handler that answers a browser with these headers."""
    token = LocalContext.request.set(gr.Request(headers={"accept-language": accept_language},
                                                cookies={LANGUAGE_COOKIE: cookie} if cookie else {}))
    try:
        yield
    finally:
        LocalContext.request.reset(token)


def test_every_message_the_app_can_show_has_chinese():
    found = templates()
    assert len(found) > 200  # the walk sees the errors, the UI's messages, the jobs' and the comparisons'
    assert [template for template in sorted(found) if translate(template) is None] == []


def test_a_message_is_found_in_the_source_where_it_is_written():
    by_template = {site.template: site for site in sites()}
    assert by_template["{0} must be a whole number"].path == "genai_demo/ui/train.py"
    assert "cancelled before it started" in by_template  # a job's message, assigned
    assert "{0}: {1} samples, timed" in by_template  # a comparison's progress
    assert not has_words("{0}: {1}") and has_words("failed: {0}")


def test_each_translation_keeps_every_value():
    for english, chinese in ZH_MESSAGES.items():
        holes = sorted(field for _, field, _, _ in string.Formatter().parse(english) if field is not None)
        kept = sorted(field.split(":")[0] for _, field, _, _ in string.Formatter().parse(chinese) if field is not None)
        assert kept == holes, english


def test_a_chinese_browser_reads_the_servers_messages_in_chinese_with_their_values():
    message = "finished at step 400; saved to /runs/dcgan-1"
    with answering("zh-CN,zh;q=0.9,en;q=0.8"):
        said = say(message)
        assert said == "已完成于第 400 步；已保存到 /runs/dcgan-1"
        assert say("batch size must be a whole number").endswith("必须是整数")
        # an error inside an error: both translated, the values kept
        assert say("failed: run 'x' has no saved checkpoint to resume") == "失败：运行 'x' 没有可用于继续训练的已保存检查点"
        assert say("  Stopped.\n") == "  已停止。\n"  # the spacing around it stays
        assert say("dcgan-mnist") == "dcgan-mnist"  # a name is not a message
    with answering("en-US,en;q=0.9"):
        assert say(message) == message
    assert say(message) == message  # outside a request (the CLI, a test): English


def test_the_pages_language_cookie_beats_the_browsers_language():
    with answering("zh-CN", cookie="en"):
        assert say("Stopped.") == "Stopped."
    with answering("en-US", cookie="zh-CN"):
        assert say("Stopped.") == "已停止。"
    with answering("zh-TW"):  # traditional Chinese: no translation, English
        assert say("Stopped.") == "Stopped."
