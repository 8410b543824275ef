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
        ('"Nous devons agir", a-t-il dit.', '"We must act," he said.', "fr",
         "«\u00a0Nous devons agir\u00a0», a-t-il dit."),
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
    ("Le plan prévoit 3,5 % de croissance : c'est ambitieux !",
     "Le plan prévoit 3,5 % de croissance\u00a0: c'est ambitieux\u00a0!"),
    ("Pourquoi?", "Pourquoi\u00a0?"),
    ('Il a dit: "Non."', "Il a dit\u00a0: «\u00a0Non.\u00a0»"),
    ("“Oui”, répond-elle.", "«\u00a0Oui\u00a0», répond-elle."),
    # times, addresses and an odd quotation mark are left as they are
    ("Ouvert de 9:30 à 18:00 sur https://example.org/a:b", "Ouvert de 9:30 à 18:00 sur https://example.org/a:b"),
    ('Un pouce fait 2,54 cm (1").', 'Un pouce fait 2,54 cm (1").'),
])
def test_french_typography(output, expected):
    assert clean_translation(output, source="x", tgt="fr") == expected


@pytest.mark.parametrize("output, source, tgt, expected", [
    # English thousands copied into French are grouped the French way ("2,400" reads as 2.4 there)
    ("Le bac a transporté 2,400 passagers.", "The ferry carried 2,400 riders.", "fr",
     "Le bac a transporté 2\u00a0400 passagers."),
    ("Un budget de 1,250,000 euros.", "A budget of 1,250,000 euros.", "fr", "Un budget de 1\u00a0250\u00a0000 euros."),
    # a French decimal, or a number the source does not write so, is left alone
    ("Une hausse de 3,5 %.", "A rise of 3.5%.", "fr", "Une hausse de 3,5 %."),
    ("Entre 1,200 et 1,300.", "Between 1.2 and 1.3 thousand.", "fr", "Entre 1,200 et 1,300."),
    # full-width digits become the source's ASCII digits
    ("渡轮运送了２４００名乘客。", "The ferry carried 2,400 riders.", "zh", "渡轮运送了2400名乘客。"),
    ("Le 1ᵉʳ mai 2026", "May 1, 2026", "fr", "Le 1ᵉʳ mai 2026"),
])
def test_numbers_as_the_source_writes_them(output, source, tgt, expected):
    assert clean_translation(output, source=source, tgt=tgt) == expected
