"""Quality flags: each check fires on a pair planted with its defect, and not on a clean one."""

import json
import re

import pytest

from pipeline.cli import app
from pipeline.numerals import chinese_numbers, numbers_in, source_numbers
from pipeline.quality import CHECKS, check_pair

SOURCE = "Mayor Ana Ruiz said the ferry carried 2,400 riders on Monday."
GOOD = {
    "zh": "市长安娜·鲁伊斯说，周一渡轮运送了2400名乘客。",
    "fr": "La maire Ana Ruiz a déclaré que le ferry avait transporté 2 400 passagers lundi.",
}
# What a newsroom glossary requires of these translations (see pipeline/glossary.py).
TERMS = {"zh": (("Ana Ruiz", "安娜·鲁伊斯"),), "fr": (("ferry", "ferry"),)}
PLANTED = [
    ("empty", "zh", ""),
    ("wrong_language", "zh", "The mayor said the ferry carried many riders on Monday, a record."),
    ("wrong_language", "fr", "Der Bürgermeister sagte, die Fähre habe am Montag 2400 Fahrgäste befördert, Ana Ruiz."),
    ("traditional", "zh", "市長安娜·魯伊斯說，週一渡輪運送了2400名乘客。"),
    ("untranslated", "fr", SOURCE),
    ("untranslated_words", "zh", "市长安娜·鲁伊斯说，周一渡轮运送了2400名riders。"),
    ("repetition", "fr", "Ana Ruiz 2 400 le ferry le ferry le ferry le ferry le ferry le ferry le ferry le ferry."),
    ("length_ratio", "zh", "市长说。"),
    ("missing_numbers", "fr", "La maire Ana Ruiz a déclaré que le ferry avait transporté de nombreux passagers lundi."),
    ("missing_names", "fr", "La maire a déclaré que le ferry avait transporté 2 400 passagers lundi."),
    ("chatter", "fr", "Voici la traduction : La maire Ana Ruiz a déclaré que le ferry a transporté 2 400 passagers."),
    ("glossary", "zh", "市长安娜·罗伊斯说，周一渡轮运送了2400名乘客。"),
]


@pytest.mark.parametrize("lang", ["zh", "fr"])
def test_a_clean_pair_raises_no_flag(lang):
    assert check_pair(SOURCE, GOOD[lang], tgt=lang, terms=TERMS[lang]) == []


@pytest.mark.parametrize("name, lang, target", PLANTED, ids=[f"{p[0]}-{p[1]}" for p in PLANTED])
def test_each_planted_defect_is_flagged_with_a_reason(name, lang, target):
    flags = check_pair(SOURCE, target, tgt=lang, terms=TERMS[lang])
    assert name in [flag.name for flag in flags], flags
    assert all(flag.reason for flag in flags)


def test_every_check_is_planted_and_has_a_quality_level():
    from pipeline.quality import QUALITY, quality

    assert {name for name, _, _ in PLANTED} == set(CHECKS) == set(QUALITY)
    assert quality([]) == 1.0 and quality(["missing_names", "length_ratio"]) == 0.5


# The order flags come in and the serious set, as they were before the checks became one table.
ORDER = ("empty", "wrong_language", "traditional", "untranslated", "untranslated_words", "repetition",
         "length_ratio", "missing_numbers", "missing_names", "chatter", "glossary")
RETRIED = {"empty", "wrong_language", "untranslated", "untranslated_words", "repetition", "chatter",
           "missing_numbers", "length_ratio", "glossary"}


def test_the_checks_run_in_their_order_and_keep_their_levels():
    from pipeline.quality import QUALITY, QUALITY_CHECKS

    assert CHECKS == ORDER
    assert QUALITY == {"empty": 0.0, "wrong_language": 0.0, "untranslated": 0.0, "repetition": 0.0, "chatter": 0.2,
                       "traditional": 0.5, "untranslated_words": 0.5, "length_ratio": 0.5, "missing_numbers": 0.5,
                       "missing_names": 0.8, "glossary": 0.5}
    assert len({check.find for check in QUALITY_CHECKS}) == len(QUALITY_CHECKS)  # one function per check
    assert all(check.description and "\n" not in check.description for check in QUALITY_CHECKS)
    # A pair with several defects lists its flags in table order.
    names = [flag.name for flag in check_pair(SOURCE, "Voici la traduction : le maire a parlé.", tgt="fr",
                                              terms=TERMS["fr"])]
    assert len(names) >= 4 and names == sorted(names, key=CHECKS.index), names
    # An empty translation raises that flag alone: nothing else in it can be checked.
    assert [flag.name for flag in check_pair(SOURCE, "  ", tgt="fr", terms=TERMS["fr"])] == ["empty"]


def test_the_serious_flags_are_real_checks():
    from pipeline.quality import SERIOUS
    from pipeline.translate import SERIOUS_FLAGS

    assert SERIOUS_FLAGS == RETRIED == set(SERIOUS) and set(SERIOUS) <= set(CHECKS)
    assert list(SERIOUS) == [name for name in CHECKS if name in RETRIED]


def _help(command: str, option: str) -> str:
    import typer.main

    click_command = typer.main.get_command(app)
    for name in command.split():
        click_command = click_command.commands[name]
    return next(param.help for param in click_command.params if option in param.opts)


def test_the_help_texts_name_the_checks():
    from pipeline.quality import QUALITY, SERIOUS

    assert all(name in _help("export", "--exclude-flagged") for name in CHECKS)
    levels = _help("export", "--min-quality")
    assert all(f"{QUALITY[name]:g}: " in levels and name in levels for name in CHECKS)
    for command in ("run", "eval"):
        retries = _help(command, "--retries")
        assert [name for name in CHECKS if re.search(rf"\b{name}\b", retries)] == list(SERIOUS), command


def test_the_docs_list_the_checks_as_the_table_does():
    from pathlib import Path

    from pipeline.quality import QUALITY, SERIOUS

    docs = Path(__file__).parent.parent / "docs"
    outputs = (docs / "inputs-and-outputs.md").read_text(encoding="utf-8")
    listed = outputs[outputs.index("**Quality flags**"):]
    listed = listed[listed.index("filterable: "):listed.index("Each has a")]
    assert re.findall(r"`(\w+)`", listed) == list(CHECKS)
    levels = outputs[outputs.index("a pair is as good as its worst\nflag: "):]
    levels = levels[:levels.index(").")]
    stated = {name: float(level) for level, names in re.findall(r"(\d(?:\.\d+)?) for ((?:`\w+`(?:,\s*)?)+)", levels)
              for name in re.findall(r"`(\w+)`", names)}
    assert stated == QUALITY
    commands = (docs / "commands.md").read_text(encoding="utf-8")
    retries = next(line for line in commands.splitlines() if line.startswith("| `--retries N` |"))
    assert re.findall(r"`(\w+)`", retries.split("|")[2]) == list(SERIOUS)


def test_flags_are_stored_shown_and_filtered(tmp_path, stored, cli):
    page = f"Ferry record\n\n{SOURCE} Riders cheered loudly on the pier.\n"
    bad_fr = "Voici la traduction : le ferry le ferry le ferry le ferry le ferry le ferry le ferry."
    made = {
        "fr": {"Ferry record": "Record du ferry", SOURCE: bad_fr,
               "Riders cheered loudly on the pier.": "Les passagers ont applaudi."},
        "zh": {"Ferry record": "渡轮纪录", SOURCE: "市长说渡轮运送了2400名乘客。",
               "Riders cheered loudly on the pier.": "乘客们在码头欢呼。"},
    }
    db = stored(page, translate=lambda text, lang: made[lang][text],
                flags={"fr": {SOURCE: check_pair(SOURCE, bad_fr, tgt="fr")}})
    shown = cli.invoke(app, ["show", "--db", str(db)])
    assert "⚑ chatter" in shown.stdout and "⚑ repetition" in shown.stdout
    out = tmp_path / "pairs.jsonl"

    def exported_sentences():  # titles are exported as pairs too; these checks are on sentences
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        return [record for record in records if record["kind"] == "sentence"]

    assert cli.invoke(app, ["export", "--db", str(db), "-o", str(out)]).exit_code == 0
    records = exported_sentences()
    assert {f["name"] for f in records[0]["flags"]["fr"]} >= {"chatter", "repetition"}
    assert "flags" not in records[1] or records[1]["flags"] == {}
    for option, kept in (("all", 1), ("chatter", 1), ("traditional", 2)):
        result = cli.invoke(app, ["export", "--db", str(db), "-o", str(out), "--exclude-flagged", option])
        assert result.exit_code == 0, result.output
        assert len(exported_sentences()) == kept
    for threshold, kept in (("1", 1), ("0.1", 1), ("0", 2)):
        result = cli.invoke(app, ["export", "--db", str(db), "-o", str(out), "--min-quality", threshold])
        assert result.exit_code == 0, result.output
        assert len(exported_sentences()) == kept
    zh_only = cli.invoke(app, ["export", "--db", str(db), "-o", str(out), "--to", "zh", "--exclude-flagged", "all"])
    assert zh_only.exit_code == 0 and len(exported_sentences()) == 2
    bad = cli.invoke(app, ["export", "--db", str(db), "-o", str(out), "--exclude-flagged", "ugly"])
    assert bad.exit_code == 1 and "unknown flag ugly" in bad.stderr
    for empty in ("", ",", " , "):  # naming no flag must not mean "any flag"
        refused = cli.invoke(app, ["export", "--db", str(db), "-o", str(out), "--exclude-flagged", empty])
        assert refused.exit_code == 1 and "names no flag" in refused.stderr and "repetition" in refused.stderr


def flag_names(source, target, lang):
    return [flag.name for flag in check_pair(source, target, tgt=lang)]


# Numbers written the way each language writes them: none of these loses a number.
SAME_NUMBERS = [
    ("zh", "The 15th Five-Year Plan ends in 2025.", "第十五个五年规划于2025年结束。"),
    ("zh", "The 14th Five-Year Plan sets new goals.", "“十四五”规划设定了新目标。"),
    ("zh", "Prices rose 15% in 2021.", "二〇二一年物价上涨了百分之十五。"),
    ("zh", "Prices rose 15% in 2021.", "二零二一年物价上涨百分之十五。"),
    ("zh", "The town has 105 doctors, 21 clinics and 3,500 nurses.",
     "该镇有一百零五名医生、二十一家诊所和三千五百名护士。"),
    ("zh", "About 35,000 people marched.", "约3.5万人参加了游行。"),
    ("zh", "About 35,000 people marched.", "约三万五千人参加了游行。"),
    ("zh", "The bridge cost 120 million yuan.", "这座桥耗资1.2亿元。"),
    ("zh", "The city has 3.5 million people.", "该市有350万人口。"),
    ("zh", "The plan covers 2 provinces.", "该计划涵盖两个省。"),
    ("zh", "It was the 15th meeting this year.", "这是今年第十五次会议。"),
    ("zh", "Fifteen boats and twenty-one barges arrived.", "15艘船和21艘驳船抵达。"),
    ("zh", "The meeting began at 10:30 p.m.", "会议于晚上10点30分开始。"),
    ("zh", "The truck was towed away at about 1200 GMT.", "卡车于格林尼治时间1200左右被拖走。"),
    ("zh", "Music of the 1960s and the 1800s.", "20世纪60年代和19世纪的音乐。"),
    ("fr", "Music of the 1960s and the 1800s.", "La musique des années 60 et du XIXe siècle."),
    ("fr", "The mayor said 15 ferries and 21 buses were used.",
     "Le maire a dit que quinze ferries et vingt-et-un bus ont été utilisés."),
    ("fr", "Between 70 and 99 people came.", "Entre soixante-dix et quatre-vingt-dix-neuf personnes sont venues."),
    ("fr", "2,000 people came for the 100th anniversary.",
     "Deux mille personnes sont venues pour le centième anniversaire."),
    ("fr", "It was the 1st time and the 2nd try.", "C'était la première fois et le deuxième essai."),
    ("fr", "Cathedrals of the 15th and the 21st century.", "Des cathédrales du XVe et du XXIe siècle."),
    ("fr", "The 15th edition opened.", "La 15e édition a ouvert."),
    ("fr", "The 15th edition opened.", "La quinzième édition a ouvert."),
    ("fr", "Fifteen boats arrived.", "15 bateaux sont arrivés."),
    ("fr", "The ferry carried 3.5 tonnes and 2,400 riders.",
     "Le ferry a transporté 3,5 tonnes et 2\u202f400 passagers."),
    ("fr", "Turnout reached 3.5 million.", "La participation a atteint 3,5 millions."),
    ("fr", "The fire was out by 11:35 pm.", "Le feu était éteint à 23 h 35."),
]


@pytest.mark.parametrize("lang, source, target", SAME_NUMBERS, ids=[t for _, _, t in SAME_NUMBERS])
def test_numbers_written_in_words_or_numerals_are_not_missing(lang, source, target):
    assert "missing_numbers" not in flag_names(source, target, lang), check_pair(source, target, tgt=lang)


@pytest.mark.parametrize("lang, source, target, lost", [
    ("zh", "The 15th Five-Year Plan ends in 2025.", "第十四个五年规划于2025年结束。", "15"),
    # A plan's short name is its number: “十三五” is the 13th plan, “十四五” the 14th, never "14 or 15".
    ("zh", "During the 15th Five-Year Plan period, we must act.", "在“十三五”规划期间，我们必须行动。", "15"),
    ("zh", "The 15th Five-Year Plan sets new goals.", "“十四五”规划设定了新目标。", "15"),
    ("zh", "The ferry carried 2,400 riders.", "渡轮运送了两千五百名乘客。", "2,400"),
    ("zh", "About 35,000 people marched.", "约3.6万人参加了游行。", "35,000"),
    ("fr", "Fifteen boats arrived.", "Douze bateaux sont arrivés.", "15"),
    ("fr", "The 15th edition opened.", "La 14e édition a ouvert.", "15"),
])
def test_a_number_changed_or_dropped_is_still_missing(lang, source, target, lost):
    flags = {flag.name: flag.reason for flag in check_pair(source, target, tgt=lang)}
    assert lost in flags["missing_numbers"]


@pytest.mark.parametrize("written, value", [
    ("十五", "15"), ("二十一", "21"), ("一百零五", "105"), ("二〇二一年", "2021"), ("三千五百", "3500"),
    ("三千五", "3500"), ("一万二", "12000"), ("3.5万", "35000"), ("三万五千", "35000"), ("1.2亿", "120000000"),
    ("三亿五千万", "350000000"), ("百分之十五", "15"), ("两个", "2"), ("十四五", "14"), ("33 万", "330000"),
    ("十四五个人", "15"),  # neighbouring digits: "14 or 15"
])
def test_chinese_numerals_are_read(written, value):
    assert value in {format(v.normalize(), "f") for v in chinese_numbers(written)}


def test_source_numbers_are_read_with_their_scale_and_in_words():
    values = {n.text: n.values for n in source_numbers("4.2-3.9 million years, 2,400 riders, twenty-one boats")}
    assert "4200000" in values["4.2"] and "3900000" in values["3.9 million"] and values["2,400"] == {"2400"}
    assert any(v == {"21"} for v in values.values())
    # Small words are left out: "two legs" is often 双腿, "hundreds of" no count at all.
    assert source_numbers("two legs and hundreds of people, the first time") == []
    french = "quinze, vingt-et-un, soixante-dix, quatre-vingt-dix-neuf, premier"
    assert {"15", "21", "70", "99", "1"} <= numbers_in(french, "fr")


UNTRANSLATED = [
    ("China will deepen engagement with multilateral institutions.", "中国将深化与多边机构的 engagement。",
     "engagement"),
    ("It will play an active role in agenda setting.", "积极发挥agenda设定作用。", "agenda"),
    # Capitalised, yet an ordinary word of the source, not a name.
    ("The minister praised the engagement of the agency.", "部长赞扬了该机构的Engagement。", "Engagement"),
]


@pytest.mark.parametrize("source, target, word", UNTRANSLATED, ids=[w for _, _, w in UNTRANSLATED])
def test_english_words_left_in_chinese_are_flagged_by_name(source, target, word):
    flags = {flag.name: flag.reason for flag in check_pair(source, target, tgt="zh")}
    assert word in flags["untranslated_words"]


KEPT_IN_CHINESE = [
    ("Padma Choling told Xinhua the news.", "Padma Choling 对Xinhua 讲述了这一消息。"),
    ("The UN, WHO and GDP data on COVID-19 matter.", "UN、WHO和GDP关于COVID-19的数据很重要。"),
    ("The farm makes 500 MW on 10 km of land, up 5%.", "该农场在10 km的土地上发电500 MW，增长5%。"),
    ("Details are at https://example.org/report or press@example.org.",
     "详情见 https://example.org/report 或发邮件至 press@example.org。"),
    ("The new iPhone15 runs iOS and the H5N1 test uses pcr_v2.", "新款iPhone15运行iOS，H5N1检测使用pcr_v2。"),
    ("She met Charles de Gaulle at the University of Dundee.",
     "她在邓迪大学 (University of Dundee) 见到了戴高乐 (Charles de Gaulle)。"),
    ("The term safari means an overland trip.", "“游猎”(safari)一词指陆路旅行。"),
]


@pytest.mark.parametrize("source, target", KEPT_IN_CHINESE, ids=range(len(KEPT_IN_CHINESE)))
def test_names_acronyms_units_addresses_and_codes_in_chinese_are_not_flagged(source, target):
    assert "untranslated_words" not in flag_names(source, target, "zh"), check_pair(source, target, tgt="zh")


# Correct French carrying several English names, which a detector reads as English.
FRENCH_WITH_NAMES = [
    ("According to Xinhua, Padma Choling met Barack Obama and Hillary Clinton in Washington.",
     "Selon Xinhua, Padma Choling a rencontré Barack Obama et Hillary Clinton à Washington."),
    ("John Smith and Mary Johnson joined Goldman Sachs in New York.",
     "John Smith et Mary Johnson ont rejoint Goldman Sachs à New York."),
    ("The Wall Street Journal quotes Jerome Powell of the Federal Reserve Bank of New York.",
     "Le Wall Street Journal cite Jerome Powell, de la Federal Reserve Bank of New York."),
    ("Apple, Microsoft and Google said Tim Cook and Satya Nadella will go to Boston.",
     "Apple, Microsoft et Google ont annoncé que Tim Cook et Satya Nadella iront à Boston."),
]


@pytest.mark.parametrize("source, target", FRENCH_WITH_NAMES, ids=range(len(FRENCH_WITH_NAMES)))
def test_french_full_of_english_names_is_french(source, target):
    assert "wrong_language" not in flag_names(source, target, "fr"), check_pair(source, target, tgt="fr")


@pytest.mark.parametrize("source, target", FRENCH_WITH_NAMES, ids=range(len(FRENCH_WITH_NAMES)))
def test_english_returned_for_french_is_still_caught_among_names(source, target):
    # Not a copy (which "untranslated" would catch): reworded English, names and all.
    reworded = source.replace(" and ", " as well as ").replace(" in ", " at ") + " He said so."
    assert "wrong_language" in flag_names(source, reworded, "fr")


def test_names_kept_in_latin_script_do_not_make_chinese_read_as_english():
    source = "Lakeside Drive beaches are near Mission Bay and St Heliers in Central Auckland."
    target = "Lakeside Drive 海滩位于 Central Auckland 的 Mission Bay 和 St Heliers 附近。"
    assert flag_names(source, target, "zh") == []


# Names French rightly translates or spells its own way: none of these loses a name.
NAMES_TRANSLATED = [
    ("South Africa and New Zealand signed the deal.", "L'Afrique du Sud et la Nouvelle-Zélande ont signé l'accord."),
    ("The Milky Way holds billions of stars.", "La Voie lactée compte des milliards d'étoiles."),
    ("She studied at the Swedish Academy of Music.", "Elle a étudié à l'Académie suédoise de musique."),
    ("Queen Elizabeth met the Prime Minister.", "La reine Élisabeth a rencontré le Premier ministre."),
    ("Several Bishkek residents protested.", "Plusieurs habitants de Bichkek ont manifesté."),
    ("The storm reached the Atlantic Ocean on Monday.", "La tempête a atteint l'océan Atlantique lundi."),
    ("Central American farmers met in the United States.",
     "Des agriculteurs d'Amérique centrale se sont réunis aux États-Unis."),
    ("José Martí wrote Ana Ruiz's favourite poem.", "Jose Marti a écrit le poème préféré d'Ana Ruiz."),
]


@pytest.mark.parametrize("source, target", NAMES_TRANSLATED, ids=range(len(NAMES_TRANSLATED)))
def test_names_french_translates_are_not_missing(source, target):
    assert "missing_names" not in flag_names(source, target, "fr"), check_pair(source, target, tgt="fr")


@pytest.mark.parametrize("source, target, reason", [
    ("Zhao Min said the talks went well.", "Zhao Ming a déclaré que les discussions s'étaient bien passées.",
     "Min as Ming"),
    ("The storm hit Tamaki Drive at noon.", "La tempête a frappé Tamki Drive à midi.", "Tamaki as Tamki"),
    ("José Martí wrote the poem in New York.", "Le poète a écrit ce poème à New York.", "José Martí"),
    ("Prime Minister Jacinda Ardern visited Auckland.", "La Première ministre a visité Auckland.",
     "Prime Minister Jacinda Ardern"),
], ids=["garbled", "garbled-alone", "accented-dropped", "dropped-with-title"])
def test_a_name_dropped_or_garbled_is_still_missing(source, target, reason):
    flags = {flag.name: flag.reason for flag in check_pair(source, target, tgt="fr")}
    assert reason in flags.get("missing_names", ""), flags


def test_years_in_chinese_are_no_repetition_loop():
    source = "The plan ran in 1975, 1976, 1977 and 1978, and again in 1979."
    assert "repetition" not in flag_names(source, "该计划在1975年、1976年、1977年和1978年实施，1979年再次实施。", "zh")
    loop = "该计划实施了多年多年多年多年多年多年多年多年多年。"
    assert "repetition" in flag_names(source, loop, "zh")


def test_chinese_with_an_english_word_left_is_chinese_but_english_with_a_few_characters_is_not():
    source = "Editor Mia Lund voiced her frustration with the new tool."
    flags = flag_names(source, "编辑 Mia Lund 表达了对新工具的 frustration。", "zh")
    assert "untranslated_words" in flags and "wrong_language" not in flags
    assert "wrong_language" in flag_names(source, "编辑说 Mia Lund voiced her frustration with the tool.", "zh")
