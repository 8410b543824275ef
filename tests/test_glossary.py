"""The glossary: reading it, finding its terms in a sentence, telling the model, checking."""

import pytest

from pipeline.engines.prompts import Hints, chat_messages
from pipeline.errors import InputError
from pipeline.glossary import missing_renderings, read_glossary
from pipeline.quality import check_pair


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_without_header_reads_as_en_zh_fr(tmp_path):
    glossary = read_glossary(write(tmp_path, "terms.csv",
                                   '14th Five-Year Plan,"""十四五""规划",14e plan quinquennal\n'))
    (term,) = glossary.terms
    assert term.source == "14th Five-Year Plan"
    assert term.rendering("zh") == '"十四五"规划' and term.rendering("fr") == "14e plan quinquennal"


def test_quotation_marks_in_a_tsv_are_text(tmp_path):
    glossary = read_glossary(write(tmp_path, "terms.tsv", '14th Five-Year Plan\t"十四五"规划\t14e plan quinquennal\n'))
    assert glossary.terms[0].rendering("zh") == '"十四五"规划'


def test_a_header_orders_the_columns_and_a_language_may_be_left_out(tmp_path):
    glossary = read_glossary(write(tmp_path, "terms.tsv", "en\tfr\tzh\n# people\nPadma Choling\t\t白玛赤林\n"))
    (term,) = glossary.terms
    assert term.rendering("zh") == "白玛赤林" and term.rendering("fr") is None
    assert glossary.for_text("Padma Choling spoke.", "fr") == ()


def test_terms_are_found_longest_first_whatever_their_case(tmp_path):
    glossary = read_glossary(write(tmp_path, "terms.tsv",
                                   "Five-Year Plan\t五年规划\n14th Five-Year Plan\t十四五规划\n"))
    assert glossary.for_text("Under the 14th five-year plan, output grew.", "zh") == (
        ("14th five-year plan", "十四五规划"),)
    assert glossary.for_text("A new Five-Year Plan.", "zh") == (("Five-Year Plan", "五年规划"),)
    assert glossary.for_text("Planned years.", "zh") == ()


def test_the_digest_follows_the_content_not_the_file(tmp_path):
    one = read_glossary(write(tmp_path, "a.tsv", "Ana Ruiz\t安娜·鲁伊斯\n"))
    same = read_glossary(write(tmp_path, "b.csv", "Ana Ruiz,安娜·鲁伊斯\n"))
    other = read_glossary(write(tmp_path, "c.tsv", "Ana Ruiz\t安娜·鲁伊兹\n"))
    assert one.digest == same.digest != other.digest


@pytest.mark.parametrize("text, message", [
    ("en\tzh\nAna Ruiz\n", "needs its English form and at least one rendering"),
    ("zh\ten\n白玛赤林\tPadma Choling\n", "first column must hold the English terms"),
    ("Ana Ruiz\t安娜\tAna\textra\n", "4 columns"),
])
def test_bad_glossaries_say_which_line(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_glossary(write(tmp_path, "terms.tsv", text))


def test_a_missing_glossary_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such glossary file"):
        read_glossary(tmp_path / "nowhere.tsv")


def test_renderings_are_checked_apart_from_quotes_spacing_and_case():
    terms = (("14th Five-Year Plan", '"十四五"规划'),)
    assert missing_renderings("这是“十四五”规划的重点。", terms) == []
    assert missing_renderings("这是第十三个五年规划的重点。", terms) == list(terms)
    assert missing_renderings("Le 14E Plan quinquennal.", (("x", "14e plan quinquennal"),)) == []


def test_a_missing_rendering_raises_the_glossary_flag():
    flags = check_pair("Padma Choling spoke.", "帕德玛·乔林发言。", tgt="zh", terms=(("Padma Choling", "白玛赤林"),))
    assert [flag.name for flag in flags] == ["glossary"]
    assert "Padma Choling should be 白玛赤林" in flags[0].reason
    assert check_pair("Padma Choling spoke.", "白玛赤林发言。", tgt="zh", terms=(("Padma Choling", "白玛赤林"),)) == []


def test_the_required_renderings_follow_the_sentence_in_its_own_turn():
    plain = chat_messages("Padma Choling spoke.", src="en", tgt="zh", examples=True)
    told = chat_messages("Padma Choling spoke.", src="en", tgt="zh", examples=True,
                         hints=Hints(terms=(("Padma Choling", "白玛赤林"),)))
    assert told[:-1] == plain[:-1]  # system message and examples unchanged: the cached prompt holds
    assert told[-1]["content"].startswith(plain[-1]["content"])
    assert "Padma Choling = 白玛赤林" in told[-1]["content"]
