import pytest

from pipeline.cleanup import clean_translation


@pytest.mark.parametrize(
    "output, source, tgt, expected",
    [
        ("Translation: Bonjour le monde.", "Hello world.", "fr", "Bonjour le monde."),
        ("Here is the translation in French:\n\nBonjour.", "Hello.", "fr", "Bonjour."),
        ('"Bonjour le monde."', "Hello world.", "fr", "Bonjour le monde."),
        ("Bonjour.\n\nNote: I kept the tone formal.", "Hello.", "fr", "Bonjour."),
        ("翻译：你好。", "Hello.", "zh", "你好。"),
        # the source is a quotation: the marks stay
        ('"Nous devons agir", a-t-il dit.', '"We must act," he said.', "fr", '"Nous devons agir", a-t-il dit.'),
        ('«Nous devons agir»', '"We must act."', "fr", "«Nous devons agir»"),
        # Chinese: full-width punctuation, Simplified characters, curly quotes
        ("中國將加強合作,專家說.", "China will...", "zh", "中国将加强合作，专家说。"),
        ('他说:"我们必须努力."', "x", "zh", "他说：“我们必须努力。”"),
        ("增长3.5%.", "x", "zh", "增长3.5%。"),
        ("他们去了(北京)", "x", "zh", "他们去了（北京）"),
        ("它每天开放， 赵敏说。", "x", "zh", "它每天开放，赵敏说。"),
    ],
)
def test_clean_translation(output, source, tgt, expected):
    assert clean_translation(output, source=source, tgt=tgt) == expected


def test_french_text_is_left_alone():
    text = "Le plan (2021-2025) prévoit 3,5 % de croissance : c'est ambitieux !"
    assert clean_translation(text, source="x", tgt="fr") == text
