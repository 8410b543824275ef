import pytest

from pipeline.segment import segment, split_paragraph


def sentences(text):
    return [text[start:end] for start, end in split_paragraph(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # a quotation holding two sentences is split between them
        (
            '"We must uphold the principle. We must ensure people\'s well-being," Padma said.',
            ['"We must uphold the principle.', 'We must ensure people\'s well-being," Padma said.'],
        ),
        (
            "“Dr. Li met U.S. envoys. They agreed,” said the No. 2 official.",
            ["“Dr. Li met U.S. envoys.", "They agreed,” said the No. 2 official."],
        ),
        # attributions stay with their quotation
        ('"It works," he said. Then he left.', ['"It works," he said.', "Then he left."]),
        ('"Is it ready?" she asked. Nobody answered.', ['"Is it ready?" she asked.', "Nobody answered."]),
        (
            "China should deepen engagement, he said. More than 170 people attended.",
            ["China should deepen engagement, he said.", "More than 170 people attended."],
        ),
        # numbers, ranges and abbreviations are not boundaries
        (
            "The 14th Five-Year Plan period (2021-25) ends. The CPC Central Committee met.",
            ["The 14th Five-Year Plan period (2021-25) ends.", "The CPC Central Committee met."],
        ),
        ("Growth was 3.5 percent in the U.S. last year.", ["Growth was 3.5 percent in the U.S. last year."]),
        ("Dr. Smith lives at No. 5 Main Street. He is 60.", ["Dr. Smith lives at No. 5 Main Street.", "He is 60."]),
        # a sentence ending in a quotation, then a new sentence
        ('He said "Stop." Then he went.', ['He said "Stop."', "Then he went."]),
    ],
)
def test_news_sentences(text, expected):
    assert sentences(text) == expected


def test_headings_without_full_stop_stay_alone_and_offsets_point_into_body():
    paragraphs = ["Key points", "The plan was adopted. It takes effect in May.", "What comes next"]
    body = "\n\n".join(paragraphs)
    result = segment(paragraphs)
    assert [s.text for s in result] == [
        "Key points",
        "The plan was adopted.",
        "It takes effect in May.",
        "What comes next",
    ]
    assert [s.paragraph for s in result] == [0, 1, 1, 2]
    assert [s.index for s in result] == [0, 1, 2, 3]
    for sentence in result:
        assert body[sentence.start : sentence.end] == sentence.text


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("J. K. Rowling met Gov. Smith in St. Louis on Jan. 5. They talked.", "en",
         ["J. K. Rowling met Gov. Smith in St. Louis on Jan. 5.", "They talked."]),
        ("1. The council voted. 2. The mayor agreed.", "en", ["1. The council voted.", "2. The mayor agreed."]),
        ("He was born in the U.S. He moved to China later.", "en",
         ["He was born in the U.S.", "He moved to China later."]),
        ("« Nous devons agir. C’est urgent », a déclaré M. Dupont. Mme Martin a répondu : « Oui ! » L’art. 5 s’applique.", "fr",  # noqa: E501
         ["« Nous devons agir.", "C’est urgent », a déclaré M. Dupont.", "Mme Martin a répondu : « Oui ! »",
          "L’art. 5 s’applique."]),
        ("« Est-ce prêt ? » a-t-il demandé. Personne ne répond.", "fr",
         ["« Est-ce prêt ? » a-t-il demandé.", "Personne ne répond."]),
        ("他说：“我们必须努力。明天再来。”然后他离开了。会议于周五举行！真的吗？是的……", "zh",
         ["他说：“我们必须努力。", "明天再来。”", "然后他离开了。", "会议于周五举行！", "真的吗？", "是的……"]),
    ],
)
def test_more_languages_and_news_cases(text, lang, expected):
    assert [text[a:b] for a, b in split_paragraph(text, lang=lang)] == expected


def test_french_no_break_spaces_before_punctuation():
    text = "Le maire a dit\u00a0: «\u00a0Nous devons agir\u00a0!\u00a0» Puis il est parti. Pourquoi\u202f? Personne ne sait."  # noqa: E501
    assert [text[a:b] for a, b in split_paragraph(text, lang="fr")] == [
        "Le maire a dit\u00a0: «\u00a0Nous devons agir\u00a0!\u00a0»",
        "Puis il est parti.",
        "Pourquoi\u202f?",
        "Personne ne sait.",
    ]


def test_bullets_stay_with_their_items():
    text = "• The council voted to keep the ferry. • The mayor agreed."
    assert [text[a:b] for a, b in split_paragraph(text)] == ["• The council voted to keep the ferry.",
                                                             "• The mayor agreed."]
