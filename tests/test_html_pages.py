"""Reading an HTML page: its headline and byline are not body text, and its date is the one
it states (metadata or byline), never one guessed from its footer."""

import pytest

from pipeline.ingest import parse_html
from tests.webserver import ARTICLE_HTML, ZH_EDITION_HTML

UNDATED = ARTICLE_HTML.replace(" | Updated: 2026-05-01 10:00", "")  # and its footer: "Copyright 2026 ..."
HEADLINE = "<h1>河畔渡輪停航兩年後恢復運營</h1>"


@pytest.mark.parametrize("html, date", [
    (ARTICLE_HTML, "2026-05-01"),  # the byline's
    (UNDATED, None),  # not 2026-01-01 from "Copyright 2026"
    (UNDATED.replace("Copyright 2026", "© 2025"), None),
    (UNDATED.replace("</head>", '<meta property="article:published_time" content="2025-11-29T08:13:00Z"></head>'),
     "2025-11-29"),
    (UNDATED.replace("</head>", '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
                                '"NewsArticle", "headline": "Riverside ferry", "datePublished": "2025-11-28"}'
                                '</script></head>'), "2025-11-28"),
    (UNDATED.replace("By Jo Lee</p>", 'By Jo Lee, <time datetime="2025-11-27">Nov. 27</time></p>'), "2025-11-27"),
])
def test_a_date_is_the_pages_own_or_none(html, date):
    assert parse_html(html).published == date


@pytest.mark.parametrize("byline, authors, date", [
    ('<p class="byline">By Lin Mei</p>', ("Lin Mei",), None),
    ("<p>By Lin Mei</p>", (), None),
    ("<p>作者：林梅 | 示例日报 | 更新时间：2026-05-01 10:00</p>", ("林梅",), "2026-05-01"),
])
def test_the_headline_and_byline_of_a_short_page_are_not_its_body(byline, authors, date):
    article = parse_html(ZH_EDITION_HTML.replace(HEADLINE, HEADLINE + byline))
    assert article.title == "河畔渡輪停航兩年後恢復運營"
    assert article.paragraphs == (
        "停航兩年進行維修的過江渡輪於週一恢復運營。「它回來了，我們很高興，」市長安娜·魯伊斯說。市政府為這項工程支付了1200萬元。",
        "當第一艘船於早上7點離開碼頭時，乘客們歡呼起來。有些人從黎明就開始等候。")
    assert (article.authors, article.published) == (authors, date)


def test_a_byline_in_plain_text_under_an_english_headline_goes_too():
    article = parse_html(ARTICLE_HTML.replace('<p class="byline">', "<p>"))
    assert article.paragraphs[0].startswith("The ferry across the river") and article.published == "2026-05-01"
