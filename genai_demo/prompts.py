"""Prompts in English or Chinese -> the condition of a class-conditional image model: a class, and
optionally a thickness bin and a slant bin (`genai_demo.data.attributes`).

The parser is a small tokenizer over the vocabulary below: normalise the text (NFKC, lower case),
take the known phrases longest first (whole words for English, substrings for Chinese, which has no
spaces), and refuse a prompt with anything left over but filler and punctuation: a prompt it cannot
map must never give a random image.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from genai_demo.data.attributes import BIN_NAMES
from genai_demo.data.fashion_mnist import CLASS_NAMES as FASHION_CLASS_NAMES
from genai_demo.errors import InvalidInputError

DATASETS = ("mnist", "fashion-mnist")
MAX_PROMPT_CHARS = 200

CLASS_NAMES_ZH: dict[str, list[str]] = {
    "mnist": [f"数字 {digit}" for digit in range(10)],
    "fashion-mnist": ["T恤/上衣", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴"],
}
# What `Condition.describe` / `describe_zh` say: the class, then each bin in the order of `BIN_NAMES`.
DESCRIPTION_WORDS = {
    "en": {"any class": "any class", "class": "class {label}", "named class": "class {label} ({name})",
           "thickness": BIN_NAMES["thickness"], "slant": ("slanted left", "upright", "slanted right")},
    "zh": {"any class": "任意类别", "class": "类别 {label}", "named class": "类别 {label}（{name}）",
           "thickness": ("细", "中等", "粗"), "slant": ("向左倾斜", "端正", "向右倾斜")},
}

MNIST_HELP = ('Name a digit 0-9 ("7", "seven", "七"), optionally thin/medium/thick and slanted '
              'left/upright/right ("a thin slanted 7", "一个粗的3").')
FASHION_HELP = ("Name a garment: T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag or "
                'ankle boot ("T恤", "运动鞋"), optionally thin/medium/thick and slanted left/upright/right '
                '("a bold sneaker", "一件细的外套").')

# ---- The vocabulary. English phrases are written with spaces: a hyphen or any spacing matches them.

DIGIT_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
# Numbers of more than one digit: refused with "name one digit", never read as their digits.
MANY_DIGIT_WORDS = ("ten", "eleven", "twelve", "hundred", "thousand", "十", "百", "千")

GARMENT_WORDS: dict[str, int] = {
    # 0 T-shirt/top
    "t shirt": 0, "t shirts": 0, "tshirt": 0, "tshirts": 0, "tee": 0, "tees": 0, "tee shirt": 0, "top": 0, "tops": 0,
    "t恤": 0, "t恤衫": 0, "短袖": 0, "短袖衫": 0, "上衣": 0,
    # 1 Trouser
    "trouser": 1, "trousers": 1, "pants": 1, "jeans": 1, "slacks": 1,
    "裤子": 1, "长裤": 1, "裤": 1, "牛仔裤": 1,
    # 2 Pullover
    "pullover": 2, "pullovers": 2, "sweater": 2, "sweaters": 2, "jumper": 2, "jumpers": 2, "hoodie": 2,
    "hoodies": 2, "sweatshirt": 2, "套头衫": 2, "毛衣": 2, "卫衣": 2,
    # 3 Dress
    "dress": 3, "dresses": 3, "连衣裙": 3, "裙子": 3, "裙": 3,
    # 4 Coat
    "coat": 4, "coats": 4, "jacket": 4, "jackets": 4, "外套": 4, "大衣": 4, "夹克": 4,
    # 5 Sandal
    "sandal": 5, "sandals": 5, "凉鞋": 5,
    # 6 Shirt
    "shirt": 6, "shirts": 6, "衬衫": 6, "衬衣": 6,
    # 7 Sneaker
    "sneaker": 7, "sneakers": 7, "trainer": 7, "trainers": 7, "running shoe": 7, "running shoes": 7,
    "运动鞋": 7, "球鞋": 7, "跑鞋": 7,
    # 8 Bag
    "bag": 8, "bags": 8, "handbag": 8, "handbags": 8, "purse": 8, "purses": 8,
    "包": 8, "手提包": 8, "包包": 8, "手袋": 8,
    # 9 Ankle boot
    "ankle boot": 9, "ankle boots": 9, "boot": 9, "boots": 9, "短靴": 9, "踝靴": 9, "靴子": 9, "靴": 9,
}
# A shoe could be a sandal, a sneaker or an ankle boot: refused with the three to choose from.
AMBIGUOUS_SHOE_WORDS = ("shoe", "shoes", "footwear", "鞋", "鞋子")

THICKNESS_WORDS: dict[str, int] = {
    "thin": 0, "thinner": 0, "slim": 0, "slender": 0, "fine": 0, "light": 0, "skinny": 0, "narrow": 0,
    "细": 0, "纤细": 0, "瘦": 0, "细体": 0,
    "medium": 1, "regular": 1, "normal": 1, "average": 1,
    "中等": 1, "中等粗细": 1, "粗细适中": 1, "适中": 1, "正常": 1,
    "thick": 2, "thicker": 2, "bold": 2, "bolder": 2, "heavy": 2, "fat": 2,
    "粗": 2, "粗壮": 2, "加粗": 2, "粗体": 2,
}

_SLANT_VERBS = ("slanted", "slanting", "slants", "slant", "leaning", "leans", "lean", "tilted", "tilting", "tilts",
                "tilt", "sloped", "sloping", "inclined", "italic", "italics")
_DIRECTIONS = {"left": 0, "leftward": 0, "leftwards": 0, "right": 2, "rightward": 2, "rightwards": 2}
_CHINESE_SLANTS = {f"{towards}{side}{verb}": value for side, value in (("左", 0), ("右", 2))
                   for towards in ("向", "往", "朝", "") for verb in ("倾斜", "斜", "倾", "倒", "歪")}
SLANT_WORDS: dict[str, int] = {
    # "slanted right", "leaning to the left", "right-leaning"
    **{f"{verb} {towards}{direction}": value for verb in _SLANT_VERBS for direction, value in _DIRECTIONS.items()
       for towards in ("", "to the ", "toward the ", "towards the ", "to ")},
    **{f"{direction} {verb}": value for verb in _SLANT_VERBS for direction, value in _DIRECTIONS.items()},
    # A bare slant is the usual italic, leaning right.
    **{verb: 2 for verb in _SLANT_VERBS}, "倾斜": 2, "斜": 2, "斜体": 2, "斜着": 2,
    **_CHINESE_SLANTS,
    "upright": 1, "straight": 1, "vertical": 1, "unslanted": 1, "no slant": 1, "without slant": 1,
    **{f"not {verb}": 1 for verb in _SLANT_VERBS},
    "正": 1, "直立": 1, "端正": 1, "竖直": 1, "笔直": 1, "垂直": 1, "不倾斜": 1, "不斜": 1, "没有倾斜": 1,
}

FILLER_WORDS = (
    "a", "an", "the", "please", "draw", "me", "make", "generate", "create", "show", "give", "paint", "sketch",
    "write", "render", "i", "want", "would", "like", "can", "you", "could", "some", "of", "with", "and", "in",
    "very", "really", "quite", "slightly", "bit", "little", "pair", "image", "picture", "drawing", "sample",
    "handwritten", "written", "digit", "number", "numeral", "class", "stroke", "strokes", "stroked", "line",
    "lines", "style",
    "画", "请", "帮我", "给我", "我要", "我想要", "我", "要", "想", "生成", "来", "一个", "一只", "一件", "一条",
    "一双", "一张", "一幅", "一下", "个", "只", "件", "条", "双", "张", "的", "地", "很", "非常", "有点", "有点儿",
    "稍微", "比较", "和", "并且", "而且", "又", "手写", "写", "字", "数字", "类别", "图", "图片", "图像", "笔画",
    "笔触", "线条", "风格", "吧", "呢", "啊", "是",
)

# Each phrase's kind and value; `tests/test_prompts.py` checks that no phrase has two meanings.
VOCABULARY: dict[str, tuple[str, int | None]] = {
    **{phrase: ("digit", digit) for phrase, digit in DIGIT_WORDS.items()},
    **{phrase: ("many digits", None) for phrase in MANY_DIGIT_WORDS},
    **{phrase: ("garment", label) for phrase, label in GARMENT_WORDS.items()},
    **{phrase: ("shoe", None) for phrase in AMBIGUOUS_SHOE_WORDS},
    **{phrase: ("thickness", value) for phrase, value in THICKNESS_WORDS.items()},
    **{phrase: ("slant", value) for phrase, value in SLANT_WORDS.items()},
    **{phrase: ("filler", None) for phrase in FILLER_WORDS},
}


@dataclass(frozen=True)
class Condition:
    """What a prompt asks for: a class index and bin indices (`BIN_NAMES` order); None = not asked for."""

    label: int | None
    thickness: int | None = None
    slant: int | None = None

    def describe(self, class_names: list[str]) -> str:
        """What was understood, in English: "class 7 (digit 7) · thin · slanted right"."""
        return self._describe(class_names, "en")

    def describe_zh(self, class_names_zh: list[str]) -> str:
        """What was understood, in Chinese: "类别 7（数字 7）· 细 · 向右倾斜"."""
        return self._describe(class_names_zh, "zh")

    def _describe(self, class_names: list[str], language: str) -> str:
        words = DESCRIPTION_WORDS[language]
        if self.label is None:
            parts = [words["any class"]]
        elif self.label < len(class_names):
            parts = [words["named class"].format(label=self.label, name=class_names[self.label])]
        else:
            parts = [words["class"].format(label=self.label)]
        parts += [words[attribute][value] for attribute, value in (("thickness", self.thickness), ("slant", self.slant))
                  if value is not None]
        # A full-width bracket carries its own spacing: "（数字 7）· 细".
        return " · ".join(parts).replace("） · ", "）· ")


@functools.cache
def _phrase_pattern() -> re.Pattern:
    """Every phrase of the vocabulary and any run of ASCII digits, longest first. An English word
    matches whole (not "top" inside "laptop"); between the words of a phrase, spaces or hyphens."""
    alternatives = []
    for phrase in sorted(VOCABULARY, key=len, reverse=True):
        regex = r"[\s\-]+".join(re.escape(word) for word in phrase.split(" "))
        if phrase[0].isascii() and phrase[0].isalpha():
            regex = r"(?<![a-z])" + regex
        if phrase[-1].isascii() and phrase[-1].isalpha():
            regex += r"(?![a-z])"
        alternatives.append(regex)
    return re.compile("|".join(["[0-9]+", *alternatives]))


def _read(text: str) -> tuple[dict[str, list[tuple[str, int | None]]], list[str]]:
    """The phrases of a normalised prompt by kind, as (written, value), and the words left unknown."""
    found: dict[str, list[tuple[str, int | None]]] = {}
    for match in _phrase_pattern().finditer(text):
        written = match.group()
        if written.isdigit():
            kind, value = ("digit", int(written)) if len(written) == 1 else ("many digits", None)
        else:
            kind, value = VOCABULARY[re.sub(r"[\s\-]+", " ", written)]
        found.setdefault(kind, []).append((written, value))
    unknown = re.findall(r"[^\W_]+", _phrase_pattern().sub(" ", text))
    return found, unknown


def _quoted(phrases: list[tuple[str, int | None]] | list[str]) -> str:
    written = [phrase[0] if isinstance(phrase, tuple) else phrase for phrase in phrases]
    # Joined by commas, not "and": the values stay as they are in a translated message.
    return ", ".join(f"'{word}'" for word in dict.fromkeys(written))


def parse_prompt(text: str, dataset: str) -> Condition:
    """The condition a prompt asks of a model trained on `dataset` ("mnist" or "fashion-mnist"):
    "a thin slanted 7", "一个粗的3", "a bold sneaker", "一件细的外套". Raises InvalidInputError,
    saying what it understands, for a prompt it cannot map to exactly one class."""
    if dataset not in DATASETS:
        raise InvalidInputError(f"prompts are understood for {' and '.join(DATASETS)} models, not {dataset!r}")
    help_text = MNIST_HELP if dataset == "mnist" else FASHION_HELP
    if not text.strip():
        raise InvalidInputError(f"the prompt is empty. {help_text}")
    if len(text) > MAX_PROMPT_CHARS:
        raise InvalidInputError(f"the prompt has {len(text)} characters, more than {MAX_PROMPT_CHARS}. {help_text}")
    normalised = unicodedata.normalize("NFKC", text).lower()
    shown = repr(text.strip())
    found, unknown = _read(normalised)
    if unknown:
        raise InvalidInputError(
            f"I can't read {shown} as a prompt for {dataset}: did not understand {_quoted(unknown)}. {help_text}")
    if "many digits" in found:
        raise InvalidInputError(
            f"I can't read {shown} as a prompt for {dataset}: {_quoted(found['many digits'])} is more than one "
            f"digit; name one digit. {help_text}")
    digits, garments = found.get("digit", []), found.get("garment", []) + found.get("shoe", [])
    if dataset == "mnist" and garments:
        raise InvalidInputError(
            f"I can't read {shown} as a prompt for {dataset}: {_quoted(garments)} is a Fashion-MNIST garment, "
            f"which a fashion-mnist model draws; this model draws digits. {help_text}")
    if dataset == "fashion-mnist" and digits:
        raise InvalidInputError(
            f"I can't read {shown} as a prompt for {dataset}: {_quoted(digits)} is a digit, which an mnist "
            f"model draws; this model draws garments. {help_text}")
    if "shoe" in found:
        choices = ", ".join(FASHION_CLASS_NAMES[label] for label in (5, 7, 9))
        raise InvalidInputError(
            f"I can't read {shown} as a prompt for {dataset}: {_quoted(found['shoe'])} could be any of "
            f"{choices}; name one. {help_text}")
    named = digits or garments
    labels = list(dict.fromkeys(value for _, value in named))
    if len(labels) > 1:
        raise InvalidInputError(
            f"I can't read {shown} as a prompt for {dataset}: it names more than one class "
            f"({_quoted(named)}); name one. {help_text}")
    if not labels:
        raise InvalidInputError(f"I can't read {shown} as a prompt for {dataset}: it names no class. {help_text}")
    for attribute in ("thickness", "slant"):
        if len({value for _, value in found.get(attribute, [])}) > 1:
            raise InvalidInputError(
                f"I can't read {shown} as a prompt for {dataset}: {_quoted(found[attribute])} contradict each "
                f"other; choose one. {help_text}")
    thickness, slant = (found[attribute][0][1] if attribute in found else None for attribute in ("thickness", "slant"))
    return Condition(label=labels[0], thickness=thickness, slant=slant)
