import pytest

from genai_demo.errors import InvalidInputError
from genai_demo.folders.registry import DATASET_CLASS_NAMES
from genai_demo.prompts import (
    AMBIGUOUS_SHOE_WORDS,
    CLASS_NAMES_ZH,
    DIGIT_WORDS,
    FILLER_WORDS,
    GARMENT_WORDS,
    MANY_DIGIT_WORDS,
    SLANT_WORDS,
    THICKNESS_WORDS,
    Condition,
    parse_prompt,
)

THIN, MEDIUM, THICK = 0, 1, 2
LEFT, UPRIGHT, RIGHT = 0, 1, 2
ENGLISH_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
CHINESE_DIGITS = "零一二三四五六七八九"


@pytest.mark.parametrize("digit", range(10))
def test_every_digit_as_numeral_english_word_chinese_numeral_and_full_width(digit):
    for text in (str(digit), f"a {digit}", f"digit {digit}", f"number {ENGLISH_DIGITS[digit]}",
                 ENGLISH_DIGITS[digit].capitalize(), CHINESE_DIGITS[digit], f"数字{digit}",
                 f"数字{CHINESE_DIGITS[digit]}", chr(ord("０") + digit), f"画一个{CHINESE_DIGITS[digit]}。"):
        assert parse_prompt(text, "mnist") == Condition(digit), text


@pytest.mark.parametrize(("text", "expected"), [
    ("〇", Condition(0)),
    ("两", Condition(2)),
    ("一个粗的3", Condition(3, THICK)),
    ("a thin slanted 7", Condition(7, THIN, RIGHT)),
    ("a bold seven leaning left", Condition(7, THICK, LEFT)),
    ("细细的、向右倾斜的 4", Condition(4, THIN, RIGHT)),
    ("A right-leaning 5!", Condition(5, None, RIGHT)),
    ("an italic 2", Condition(2, None, RIGHT)),
    ("a 9 slanted to the left, please", Condition(9, None, LEFT)),
    ("Draw me an upright, medium 8.", Condition(8, MEDIUM, UPRIGHT)),
    ("a heavy straight 1", Condition(1, THICK, UPRIGHT)),
    ("a skinny left-slanted six", Condition(6, THIN, LEFT)),
    ("a not slanted 4", Condition(4, None, UPRIGHT)),
    ("一个向左倾斜的粗体9。", Condition(9, THICK, LEFT)),
    ("请画一个纤细的、端正的五！", Condition(5, THIN, UPRIGHT)),
    ("中等粗细、右斜的数字2", Condition(2, MEDIUM, RIGHT)),
    ("不倾斜的7", Condition(7, None, UPRIGHT)),
    ("斜的1", Condition(1, None, RIGHT)),
    ("加粗 向左倒 的 〇", Condition(0, THICK, LEFT)),
    ("a THIN thin 7", Condition(7, THIN)),
    ("class 3", Condition(3)),
])
def test_digit_prompts_with_attributes(text, expected):
    assert parse_prompt(text, "mnist") == expected


@pytest.mark.parametrize(("text", "label"), [
    ("T-shirt", 0), ("a t shirt", 0), ("tee", 0), ("a top", 0), ("T恤", 0), ("一件短袖", 0), ("上衣", 0), ("Ｔ恤衫", 0),
    ("trousers", 1), ("pants", 1), ("jeans", 1), ("裤子", 1), ("一条长裤", 1), ("牛仔裤", 1),
    ("pullover", 2), ("a sweater", 2), ("jumper", 2), ("套头衫", 2), ("毛衣", 2), ("卫衣", 2),
    ("a dress", 3), ("连衣裙", 3), ("一条裙子", 3),
    ("coat", 4), ("a jacket", 4), ("外套", 4), ("大衣", 4), ("夹克", 4),
    ("sandals", 5), ("一双凉鞋", 5),
    ("a shirt", 6), ("衬衫", 6),
    ("sneakers", 7), ("trainers", 7), ("a running shoe", 7), ("运动鞋", 7), ("一双球鞋", 7),
    ("bag", 8), ("a handbag", 8), ("purse", 8), ("包", 8), ("手提包", 8), ("包包", 8),
    ("ankle boot", 9), ("ankle-boots", 9), ("a boot", 9), ("短靴", 9), ("踝靴", 9), ("靴子", 9),
])
def test_every_fashion_class_in_english_and_chinese(text, label):
    assert parse_prompt(text, "fashion-mnist") == Condition(label)


@pytest.mark.parametrize(("text", "expected"), [
    ("a bold sneaker", Condition(7, THICK)),
    ("一件细的外套", Condition(4, THIN)),
    ("a thin shirt leaning right", Condition(6, THIN, RIGHT)),
    ("一双向左倾斜的粗短靴", Condition(9, THICK, LEFT)),
    ("an upright bag", Condition(8, None, UPRIGHT)),
])
def test_fashion_prompts_with_attributes(text, expected):
    assert parse_prompt(text, "fashion-mnist") == expected


HOW_MNIST = r"Name a digit 0-9 .*optionally thin/medium/thick and slanted left/upright/right"
HOW_FASHION = r"Name a garment: T-shirt/top, trouser, .*ankle boot.*optionally thin/medium/thick"


@pytest.mark.parametrize(("text", "dataset", "match"), [
    ("", "mnist", "the prompt is empty. " + HOW_MNIST),
    ("   \n", "fashion-mnist", "the prompt is empty. " + HOW_FASHION),
    ("7" + " " * 200, "mnist", "201 characters, more than 200"),
    ("a cat", "mnist", r"I can't read 'a cat' as a prompt for mnist: did not understand 'cat'. " + HOW_MNIST),
    ("a cute 7", "mnist", "did not understand 'cute'"),
    ("一只猫", "mnist", "did not understand '猫'"),
    ("a laptop", "fashion-mnist", "did not understand 'laptop'. " + HOW_FASHION),
    ("not thin 7", "mnist", "did not understand 'not'"),
    ("3 and 7", "mnist", r"names more than one class \('3', '7'\); name one"),
    ("七和8", "mnist", r"names more than one class \('七', '8'\)"),
    ("a 12", "mnist", "'12' is more than one digit; name one digit"),
    ("ten", "mnist", "'ten' is more than one digit"),
    ("a shirt and a dress", "fashion-mnist", r"names more than one class \('shirt', 'dress'\)"),
    ("thin thick 7", "mnist", "'thin', 'thick' contradict each other; choose one. " + HOW_MNIST),
    ("细的粗3", "mnist", "'细', '粗' contradict each other; choose one"),
    ("an upright italic 7", "mnist", "'upright', 'italic' contradict each other; choose one"),
    ("a shoe", "fashion-mnist", "'shoe' could be any of Sandal, Sneaker, Ankle boot; name one. " + HOW_FASHION),
    ("一双鞋", "fashion-mnist", "'鞋' could be any of Sandal, Sneaker, Ankle boot"),
    ("a 7", "fashion-mnist", "'7' is a digit, which an mnist model draws; this model draws garments"),
    ("a sneaker", "mnist", "'sneaker' is a Fashion-MNIST garment, which a fashion-mnist model draws; this model draws digits"),
    ("运动鞋", "mnist", "'运动鞋' is a Fashion-MNIST garment"),
    ("a thin slanted", "mnist", "it names no class. " + HOW_MNIST),
    ("!!!", "fashion-mnist", "it names no class"),
])
def test_refusals_say_what_is_understood(text, dataset, match):
    with pytest.raises(InvalidInputError, match=match):
        parse_prompt(text, dataset)


def test_an_unknown_dataset_is_refused():
    with pytest.raises(InvalidInputError, match="mnist and fashion-mnist models, not 'cifar10'"):
        parse_prompt("a 7", "cifar10")


def test_no_phrase_of_the_vocabulary_has_two_meanings():
    tables = [DIGIT_WORDS, MANY_DIGIT_WORDS, GARMENT_WORDS, AMBIGUOUS_SHOE_WORDS, THICKNESS_WORDS, SLANT_WORDS,
              FILLER_WORDS]
    phrases = [phrase for table in tables for phrase in table]
    assert len(phrases) == len(set(phrases)), sorted({phrase for phrase in phrases if phrases.count(phrase) > 1})
    assert all(phrase == phrase.lower() and "-" not in phrase for phrase in phrases)


def test_describe_in_english_and_chinese():
    condition = Condition(7, THIN, RIGHT)
    assert condition.describe(DATASET_CLASS_NAMES["mnist"]) == "class 7 (digit 7) · thin · slanted right"
    assert condition.describe_zh(CLASS_NAMES_ZH["mnist"]) == "类别 7（数字 7）· 细 · 向右倾斜"
    sneaker = parse_prompt("一双粗的、向左倾斜的运动鞋", "fashion-mnist")
    assert sneaker.describe(DATASET_CLASS_NAMES["fashion-mnist"]) == "class 7 (Sneaker) · thick · slanted left"
    assert sneaker.describe_zh(CLASS_NAMES_ZH["fashion-mnist"]) == "类别 7（运动鞋）· 粗 · 向左倾斜"
    assert Condition(0).describe(DATASET_CLASS_NAMES["fashion-mnist"]) == "class 0 (T-shirt/top)"
    assert Condition(3, MEDIUM, UPRIGHT).describe_zh(CLASS_NAMES_ZH["mnist"]) == "类别 3（数字 3）· 中等 · 端正"
    assert Condition(None, THICK).describe([]) == "any class · thick"
    assert Condition(12).describe_zh([]) == "类别 12"


def test_chinese_class_names_match_the_english_ones():
    for dataset in ("mnist", "fashion-mnist"):
        assert len(CLASS_NAMES_ZH[dataset]) == len(DATASET_CLASS_NAMES[dataset]) == 10
