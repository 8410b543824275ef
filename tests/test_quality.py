"""Quality flags: each check fires on a pair planted with its defect, and not on a clean one."""

import json

import pytest
from typer.testing import CliRunner

from pipeline.align import align
from pipeline.cli import app
from pipeline.document import Signature, TranslatedText
from pipeline.ingest import parse_page_copy
from pipeline.quality import CHECKS, check_pair
from pipeline.segment import segment
from pipeline.store import Store

SOURCE = "Mayor Ana Ruiz said the ferry carried 2,400 riders on Monday."
GOOD = {
    "zh": "市长安娜·鲁伊斯说，周一渡轮运送了2400名乘客。",
    "fr": "La maire Ana Ruiz a déclaré que le ferry avait transporté 2 400 passagers lundi.",
}
PLANTED = [
    ("empty", "zh", ""),
    ("wrong_language", "zh", "The mayor said the ferry carried many riders on Monday, a record."),
    ("wrong_language", "fr", "Der Bürgermeister sagte, die Fähre habe am Montag 2400 Fahrgäste befördert, Ana Ruiz."),
    ("traditional", "zh", "市長安娜·魯伊斯說，週一渡輪運送了2400名乘客。"),
    ("untranslated", "fr", SOURCE),
    ("repetition", "fr", "Ana Ruiz 2 400 le ferry le ferry le ferry le ferry le ferry le ferry le ferry le ferry."),
    ("length_ratio", "zh", "市长说。"),
    ("missing_numbers", "fr", "La maire Ana Ruiz a déclaré que le ferry avait transporté de nombreux passagers lundi."),
    ("missing_names", "fr", "La maire a déclaré que le ferry avait transporté 2 400 passagers lundi."),
    ("chatter", "fr", "Voici la traduction : La maire Ana Ruiz a déclaré que le ferry a transporté 2 400 passagers."),
]


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_a_clean_pair_raises_no_flag(lang):
    assert check_pair(SOURCE, GOOD[lang], tgt=lang) == []


@pytest.mark.parametrize("name, lang, target", PLANTED, ids=[f"{p[0]}-{p[1]}" for p in PLANTED])
def test_each_planted_defect_is_flagged_with_a_reason(name, lang, target):
    flags = check_pair(SOURCE, target, tgt=lang)
    assert name in [flag.name for flag in flags], flags
    assert all(flag.reason for flag in flags)


def test_every_check_is_planted_and_has_a_quality_level():
    from pipeline.quality import QUALITY, quality

    assert {name for name, _, _ in PLANTED} == set(CHECKS) == set(QUALITY)
    assert quality([]) == 1.0 and quality(["missing_names", "length_ratio"]) == 0.5


def test_flags_are_stored_shown_and_filtered(tmp_path):
    db = tmp_path / "bitext.db"
    article = parse_page_copy(f"Ferry record\n\n{SOURCE} Riders cheered loudly on the pier.\n", source="p")
    sentences = segment(article.paragraphs)
    sig = Signature("fake", "m@0")
    bad_fr = "Voici la traduction : le ferry le ferry le ferry le ferry le ferry le ferry le ferry."
    flags = {sentences[0].text: [(f.name, f.reason) for f in check_pair(sentences[0].text, bad_fr, tgt="fr")]}
    with Store(db) as store:
        store.save(align(article, sentences, [
            TranslatedText("fr", sig, "Record du ferry", (bad_fr, "Les passagers ont applaudi."), flags=flags),
            TranslatedText("zh", sig, "渡轮纪录", ("市长说渡轮运送了2400名乘客。", "乘客们在码头欢呼。")),
        ]))
    runner = CliRunner()
    shown = runner.invoke(app, ["show", "--db", str(db)])
    assert "⚑ chatter" in shown.stdout and "⚑ repetition" in shown.stdout
    out = tmp_path / "pairs.jsonl"
    assert runner.invoke(app, ["export", "--db", str(db), "-o", str(out)]).exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {f["name"] for f in records[0]["flags"]["fr"]} >= {"chatter", "repetition"}
    assert "flags" not in records[1] or records[1]["flags"] == {}
    for option, kept in (("all", 1), ("chatter", 1), ("traditional", 2)):
        result = runner.invoke(app, ["export", "--db", str(db), "-o", str(out), "--exclude-flagged", option])
        assert result.exit_code == 0, result.output
        assert len(out.read_text(encoding="utf-8").splitlines()) == kept
    for threshold, kept in (("1", 1), ("0.1", 1), ("0", 2)):
        result = runner.invoke(app, ["export", "--db", str(db), "-o", str(out), "--min-quality", threshold])
        assert result.exit_code == 0, result.output
        assert len(out.read_text(encoding="utf-8").splitlines()) == kept
    zh_only = runner.invoke(app, ["export", "--db", str(db), "-o", str(out), "--to", "zh", "--exclude-flagged", "all"])
    assert zh_only.exit_code == 0 and len(out.read_text(encoding="utf-8").splitlines()) == 2
    bad = runner.invoke(app, ["export", "--db", str(db), "-o", str(out), "--exclude-flagged", "ugly"])
    assert bad.exit_code == 1 and "unknown flag ugly" in bad.stderr
