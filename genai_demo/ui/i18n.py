"""English and Simplified Chinese: the page follows the browser's language (Gradio's `gr.I18n`).

The tabs are written in English. After they are built, `localize` walks the Blocks and marks every
string a person reads (tab names, labels, help texts, placeholders, button texts, choices, Markdown)
that has a Chinese translation in `translations_zh.py`; Gradio's frontend then shows it in the
browser's language, and its Settings panel (footer) switches the language by hand. Strings
with no translation stay English; `untranslated(demo)` lists them (a test keeps it empty).
"""

from __future__ import annotations

import hashlib
import re

import gradio as gr
from gradio.i18n import I18nData

from genai_demo.ui.translations_zh import ZH, ZH_PATTERNS

# Component attributes that hold text a person reads.
TEXT_ATTRIBUTES = ("label", "info", "placeholder")
# Components whose `value` is text a person reads (not data).
TEXT_VALUE_TYPES = (gr.Button, gr.Markdown, gr.DownloadButton, gr.UploadButton, gr.ClearButton)
LOCALES = ("zh-CN", "zh")  # Simplified Chinese; English is the text itself


def translate(text: str) -> str | None:
    """The Chinese for an English string of the page, or None."""
    text = text.strip()
    if text in ZH:
        return ZH[text]
    for pattern, template in ZH_PATTERNS:
        match = re.fullmatch(pattern, text, flags=re.DOTALL)
        if match:
            return match.expand(template)
    return None


def _texts(block) -> list[tuple[str, str]]:
    """(attribute, text) of what a person reads on this block; "choices" for each choice's label."""
    found = [(name, getattr(block, name)) for name in TEXT_ATTRIBUTES if isinstance(getattr(block, name, None), str)]
    if isinstance(block, TEXT_VALUE_TYPES) and isinstance(getattr(block, "value", None), str):
        found.append(("value", block.value))
    if isinstance(block, gr.Dataset):  # the column names of an Examples table are the inputs' labels
        found.extend(("headers", header) for header in block.headers or () if isinstance(header, str))
    for choice in getattr(block, "choices", None) or ():
        if isinstance(choice, tuple) and isinstance(choice[0], str):
            found.append(("choices", choice[0]))
    return [(name, text) for name, text in found if text.strip()]


def visible_texts(demo: gr.Blocks) -> list[str]:
    """Every string of the page a person reads, in the order of the blocks."""
    return list(dict.fromkeys(text for block in demo.blocks.values() for _, text in _texts(block)))


def is_data(text: str) -> bool:
    """Names the page shows as they are, in either language: a model entry ("dcgan · dcgan-mnist"), a
    model card, a dataset, a Hub id, a number."""
    return (" · " in text or text.startswith("# ") and "with genai-demo" in text
            or re.fullmatch(r"[\w.-]+(/[\w.-]+)?", text) is not None and (text.islower() or not text.isalpha()))


def untranslated(demo: gr.Blocks) -> list[str]:
    """What a Chinese reader would still see in English, beyond names and data."""
    return [text for text in visible_texts(demo) if translate(text) is None and not is_data(text)]


def key_of(text: str) -> str:
    """The translation key of a string: the string itself, or for one with braces (LaTeX), which the
    frontend cannot find its way through in a marked string, a short name made from its hash."""
    if "{" in text or "}" in text:
        return "text-" + hashlib.sha1(text.strip().encode()).hexdigest()[:12]
    return text


def localize(demo: gr.Blocks) -> gr.I18n:
    """Mark the page's translated strings for the frontend; returns the `i18n` to launch with."""
    english = {key_of(text): text.strip() for text in ZH}
    chinese = {key_of(text): translated for text, translated in ZH.items()}  # for messages sent later too
    for block in demo.blocks.values():
        for name, text in _texts(block):
            translated = translate(text)
            if translated is None:
                continue
            key = key_of(text)
            english[key], chinese[key] = text, translated
            if name == "choices":
                block.choices = [(I18nData(key) if label == text else label, value) for label, value in block.choices]
            elif name == "headers":  # the frontend does not translate them: an Examples table goes without
                block.headers = []
            else:
                setattr(block, name, I18nData(key))
    return gr.I18n(en=english, **{locale: chinese for locale in LOCALES})


def message(text: str) -> str:
    """A message the server shows (a status line, a toast) in the reader's language where it has a
    translation: the frontend translates the marked string."""
    return str(I18nData(key_of(text))) if translate(text) is not None else text
