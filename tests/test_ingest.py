import pytest

from pipeline.errors import InputError
from pipeline.ingest import parse_page_copy, read_article

PAGE = """Global EditionASIA 中文双语Français
World
Home / World / Europe

Port city votes to keep its old ferry line

By ANNA KOWALSKI, PIERRE DUBOIS and LI NA | Example Daily | Updated: 2026-03-04 7:05
Share
Share - WeChat

The ferry line that has linked the two banks since 1921 will keep running, the council decided on Monday.

"It is part of who we are," Mayor Ruth Berg said.

Top
BACK TO THE TOP
English
Copyright 1995 - . All rights reserved. The content may not be republished.
License for publishing multimedia online 0000000

Registration Number: 000000
FOLLOW US
"""


def test_page_copy_keeps_title_byline_date_and_body_only():
    article = parse_page_copy(PAGE, source="page.txt")
    assert article.title == "Port city votes to keep its old ferry line"
    assert article.authors == ("ANNA KOWALSKI", "PIERRE DUBOIS", "LI NA")
    assert article.outlet == "Example Daily"
    assert article.published == "2026-03-04T07:05"
    assert article.paragraphs == (
        "The ferry line that has linked the two banks since 1921 will keep running, the council decided on Monday.",
        '"It is part of who we are," Mayor Ruth Berg said.',
    )
    assert "Share" not in article.body and "Copyright" not in article.body


def test_doc_id_is_stable_and_depends_on_content():
    first = parse_page_copy(PAGE, source="a.txt")
    again = parse_page_copy(PAGE, source="b.txt")
    changed = parse_page_copy(PAGE.replace("Monday", "Tuesday"), source="a.txt")
    assert first.doc_id == again.doc_id
    assert first.doc_id != changed.doc_id


def test_page_without_byline_takes_first_line_as_title():
    article = parse_page_copy("A headline without a stop\n\nFirst paragraph. Second sentence.\n")
    assert article.title == "A headline without a stop"
    assert article.paragraphs == ("First paragraph. Second sentence.",)
    assert article.authors == () and article.published is None


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"\x00\x01\x02binary", "binary"),
        (b"caf\xe9 au lait", "not UTF-8"),
        (b"Only a title\n", "no article text"),
        (b"<html><body><nav>Home</nav></body></html>", "no article found in the HTML page"),
        (b"\xff\xfe" + "Title\n\nText here.".encode("utf-16-le")[:5] + b"\x00\xd8", "UTF-16"),
    ],
)
def test_bad_input_is_a_clear_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        read_article(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "nope.txt")


NONCHARACTERS = ["\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0001ffff", "\U0010fffe", "\U0010ffff"]
BIDI_CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
                 "\u200e", "\u200f", "\u061c"]


def test_plain_text_drops_noncharacters_and_bidi_controls_and_replaces_lone_surrogates():
    from pipeline.ingest import plain_text

    text = "Ferry" + "".join(NONCHARACTERS + BIDI_CONTROLS) + " returns \ud800and \udfffsails"
    assert plain_text(text) == "Ferry returns \ufffdand \ufffdsails"
    kept = "a\u200db \u200cc 😀 \ufffd é"  # joiners, an emoji and the replacement character are text
    assert plain_text(kept) == kept


def test_shown_drops_bidi_controls():
    from pipeline.view import shown

    assert shown("Ferry \u202eseruter\u202c \u2067returns\u2069").plain == "Ferry seruter returns"


def test_a_record_whose_article_already_knows_its_id_is_copied_not_rebuilt(monkeypatch):
    """An article copied with a changed field once its cached doc_id was read: building it
    again from its __dict__ passed doc_id back as a keyword (TypeError)."""
    from pipeline import ingest

    real = ingest.parse_html

    def read_once(*args, **kwargs):
        article = real(*args, **kwargs)
        assert article.doc_id  # cached on the instance now
        return article

    monkeypatch.setattr(ingest, "parse_html", read_once)
    html = "<html><body><article><h1>Ferry back</h1><p>The ferry returned on Monday after two years.</p>" \
           "<p>Riders cheered on the pier.</p></article></body></html>"
    article = ingest.article_from_record({"html": html, "url": "https://example.org/ferry"}, source="a.jsonl:1")
    assert article.url == "https://example.org/ferry" and article.title == "Ferry back"
