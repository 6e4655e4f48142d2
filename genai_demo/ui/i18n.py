"""English and Simplified Chinese: the page follows the browser's language (Gradio's `gr.I18n`).

The tabs are written in English. After they are built, `localize` walks the Blocks and marks every
string a person reads (tab names, labels, help texts, placeholders, button texts, choices, Markdown)
that has a Chinese translation in `translations_zh.py`; Gradio's frontend then shows it in the
browser's language, and its Settings panel (footer) switches the language by hand. Strings
with no translation stay English; `untranslated(demo)` lists them (a test keeps it empty).

What the server writes while the app runs (status lines, progress, toasts, errors) goes through
`say`, which translates it on the server for a Chinese reader: the page keeps the language it shows
in a cookie (`LANGUAGE_COOKIE_JS`, so the Settings switch counts too), and without one the browser's
Accept-Language decides. Messages built from values are found by template
(`translations_zh_messages.py`: "{0} must be a whole number" → "{0} 必须是整数"); the values are kept.
"""

from __future__ import annotations

import functools
import hashlib
import re
import string

import gradio as gr
from gradio.context import LocalContext
from gradio.i18n import I18nData

from genai_demo.ui.translations_zh import ZH, ZH_PATTERNS
from genai_demo.ui.translations_zh_messages import ZH_MESSAGES

# Component attributes that hold text a person reads.
TEXT_ATTRIBUTES = ("label", "info", "placeholder")
# Components whose `value` is text a person reads (not data).
TEXT_VALUE_TYPES = (gr.Button, gr.Markdown, gr.DownloadButton, gr.UploadButton, gr.ClearButton)
LOCALES = ("zh-CN", "zh")  # Simplified Chinese; English is the text itself


LANGUAGE_COOKIE = "genai_demo_language"
# Page head: keep the language the page shows (Gradio's frontend sets <html lang>, from the browser's
# language or the Settings switch) in a cookie that every later request of the page carries.
LANGUAGE_COOKIE_JS = f"""<script>
(() => {{
  const keep = () => {{
    const language = document.documentElement.lang || navigator.language || "en";
    document.cookie = "{LANGUAGE_COOKIE}=" + encodeURIComponent(language) + "; path=/; SameSite=Lax";
  }};
  keep();
  new MutationObserver(keep).observe(document.documentElement, {{attributes: true, attributeFilter: ["lang"]}});
}})();
</script>"""


def translate(text: str) -> str | None:
    """The Chinese for an English string of the page or a message of the server, or None."""
    text = text.strip()
    if text in ZH:
        return ZH[text]
    for pattern, template in ZH_PATTERNS:
        match = re.fullmatch(pattern, text, flags=re.DOTALL)
        if match:
            return match.expand(template)
    return translate_message(text)


@functools.cache
def _message_patterns() -> list[tuple[re.Pattern, str]]:
    """(regex of the English, Chinese template) for each message template, the most specific first."""
    patterns = []
    for english, chinese in ZH_MESSAGES.items():
        pieces, literal_length = [], 0
        for literal, field, _, _ in string.Formatter().parse(english):
            pieces.append(re.escape(literal))
            literal_length += len(literal.strip())
            if field is not None:
                pieces.append("(.*?)")
        patterns.append((literal_length, re.compile("".join(pieces), flags=re.DOTALL), chinese))
    return [(pattern, chinese) for _, pattern, chinese in sorted(patterns, key=lambda item: -item[0])]


def translate_message(text: str, depth: int = 0) -> str | None:
    """The Chinese for a message built from a template of `ZH_MESSAGES`, its values kept; a value that
    is itself a message (an error inside an error) is translated too."""
    for pattern, chinese in _message_patterns():
        match = pattern.fullmatch(text)
        if match:
            values = [(translate_message(value, depth + 1) or value) if _is_message(value) and depth < 3 else value
                      for value in match.groups()]
            return chinese.format(*values)
    return None


def _is_message(value: str) -> bool:
    """Whether a value inside a message is a message too (a sentence, or a word such as a run's state)."""
    return " " in value.strip() or value in ZH_MESSAGES


def reader_language() -> str:
    """"zh" when the person the server is answering reads Chinese, else "en": the page's language
    cookie, or without it the browser's Accept-Language; "en" outside a request (the CLI, tests)."""
    request = LocalContext.request.get(None)
    if request is None:
        return "en"
    try:
        cookie = dict(request.cookies).get(LANGUAGE_COOKIE) or ""
        accepted = dict(request.headers).get("accept-language") or ""
    except (AttributeError, TypeError):
        return "en"
    first = (cookie or accepted).split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") and not first.startswith(("zh-tw", "zh-hk", "zh-hant")) else "en"


def say(text: str) -> str:
    """A message the server shows the reader (a status line, a toast, progress, an error), in the
    reader's language; the text unchanged where it has no translation."""
    if reader_language() != "zh" or not text.strip():
        return text
    translated = translate(text)
    if translated is None:
        return text
    return text[: len(text) - len(text.lstrip())] + translated + text[len(text.rstrip()):]


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
    for block in list(demo.blocks.values()):
        for name, text in _texts(block):
            translated = translate(text)
            if translated is None:
                continue
            key = key_of(text)
            english[key], chinese[key] = text, translated
            if name == "choices":
                block.choices = [(I18nData(key) if label == text else label, value) for label, value in block.choices]
            elif name != "headers":  # the frontend does not translate those: `translate_example_headers` does
                setattr(block, name, I18nData(key))
    return gr.I18n(en=english, **{locale: chinese for locale in LOCALES})


def translate_example_headers(demo: gr.Blocks) -> None:
    """Inside `with demo`, after the tabs: the Examples tables' column names, which the frontend does
    not translate, sent in the reader's language when the page loads. (Added later, the event would
    make Gradio build the page's config and server app once more: a sixth of a second of the start.)"""
    tables = [block for block in demo.blocks.values()
              if any(name == "headers" and translate(text) is not None for name, text in _texts(block))]
    if tables:
        demo.load(_table_headers(tables), None, tables, api_visibility="private", queue=False)


def _table_headers(tables: list[gr.Dataset]):
    """A page-load handler: the Examples tables' column names in the reader's language."""
    headers = [list(table.headers) for table in tables]

    def translated():
        if reader_language() != "zh":
            return [gr.skip() for _ in tables] if len(tables) > 1 else gr.skip()
        updates = [gr.Dataset(headers=[say(header) for header in names]) for names in headers]
        return updates if len(tables) > 1 else updates[0]

    return translated


def marked(text: str) -> str:
    """A string of the page outside `localize`'s walk (a plot's title), marked for the frontend to
    show in the page's language where it has a translation."""
    return str(I18nData(key_of(text))) if translate(text) is not None else text
