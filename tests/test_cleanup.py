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
        ('"Nous devons agir", a-t-il dit.', '"We must act," he said.', "fr", "«\u00a0Nous devons agir\u00a0», a-t-il dit."),
        ('«Nous devons agir»', '"We must act."', "fr", "«\u00a0Nous devons agir\u00a0»"),
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


@pytest.mark.parametrize("output, expected", [
    # French typography: a no-break space before ; : ! ? and inside « »
    ("Le plan prévoit 3,5 % de croissance : c'est ambitieux !", "Le plan prévoit 3,5 % de croissance\u00a0: c'est ambitieux\u00a0!"),
    ("Pourquoi?", "Pourquoi\u00a0?"),
    ('Il a dit: "Non."', "Il a dit\u00a0: «\u00a0Non.\u00a0»"),
    ("“Oui”, répond-elle.", "«\u00a0Oui\u00a0», répond-elle."),
    # times, addresses and an odd quotation mark are left as they are
    ("Ouvert de 9:30 à 18:00 sur https://example.org/a:b", "Ouvert de 9:30 à 18:00 sur https://example.org/a:b"),
    ('Un pouce fait 2,54 cm (1").', 'Un pouce fait 2,54 cm (1").'),
])
def test_french_typography(output, expected):
    assert clean_translation(output, source="x", tgt="fr") == expected
