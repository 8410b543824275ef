#!/usr/bin/env python3
"""How often each quality flag fires on correct translations, and whether it still fires on bad ones.

False alarms: FLORES-200 devtest (1,012 sentences) English with its human Chinese and
French references. A reference is a correct translation, so every flag raised on one is a
false alarm; the table gives, per flag, the references it fires on.

Catches: defects planted in the same references, each of which its flag should catch:
the English source returned as the translation (as it is, or one word shorter, which only
the language check can catch), a number of the source dropped from the translation, an
English word of the source left inside the Chinese, and in French a name of the source that
the reference writes as the English does (people, most places) dropped, or a letter of its
longest word added, dropped or changed. Recall is the share caught; precision, on each defect
set beside the references it was made from, the share of firings on defects.

Model output: ``--hyp-zh FILE`` / ``--hyp-fr FILE`` (one translation a line, in FLORES
order, the first N lines when the file has N) adds a column of how often each flag fires
on it, and one for the references of the same N lines.

    python scripts/bench_flags.py [--hyp-zh zh.txt] [--hyp-fr fr.txt] [--show FLAG]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter
from pathlib import Path

from pipeline.ingest import read_lines
from pipeline.languages import LANGUAGES, flores_devtest
from pipeline.quality import CHECKS, check_pair
from pipeline.text_measures import HAN, NAME

FLORES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "flores200-devtest"
ANY = "(any flag)"


def count_flags(sources: list[str], targets: list[str], lang: str, show: str | None, label: str) -> Counter:
    fired: Counter = Counter()
    for source, target in zip(sources, targets, strict=True):
        flags = check_pair(source, target, tgt=lang)
        fired[ANY] += bool(flags)
        for flag in flags:
            fired[flag.name] += 1
            if flag.name == show:
                print(f"[{label} {lang}] {flag.reason}\n  en: {source}\n  {lang}: {target}\n")
    return fired


# Lowercase English words long enough to be ordinary words, not units or particles.
_PLAIN_WORD = re.compile(r"\b[a-z]{5,}\b")


def planted(english: list[str], refs: dict[str, list[str]]) -> list[tuple[str, str, str, list[tuple[str, str, str]]]]:
    """(defect, language, the flags meant to catch it, [(source, reference, defective)]) per defect."""
    rng = random.Random(8)
    lines = {lang: list(zip(english, refs[lang], strict=True)) for lang in refs}
    defects = []
    for lang in refs:
        copies = [(en, ref, en) for en, ref in lines[lang]]
        # One word less, so that only the language check can tell it is still English.
        edited = [(en, ref, en.split(" ", 1)[1]) for en, ref in lines[lang] if " " in en]
        dropped = []
        for en, ref in lines[lang]:
            number = next((n for n in re.findall(r"\b[1-9]\d+\b", en) if re.search(rf"(?<!\d){n}(?!\d)", ref)), None)
            if number:
                dropped.append((en, ref, re.sub(rf"(?<!\d){number}(?!\d)", "", ref)))
        defects += [
            ("English copied through", lang, "wrong_language|untranslated", copies),
            ("English, one word less", lang, "wrong_language", edited),
            ("number dropped", lang, "missing_numbers", dropped),
        ]
    left_in = []
    for en, zh in lines["zh"]:
        words = _PLAIN_WORD.findall(en)
        # Between two Chinese characters, near the middle: where a model leaves a word.
        cuts = [i for i in range(1, len(zh)) if HAN.match(zh[i - 1]) and HAN.match(zh[i])]
        if words and cuts:
            cut = min(cuts, key=lambda i: abs(i - len(zh) // 2))
            left_in.append((en, zh, zh[:cut] + rng.choice(words) + zh[cut:]))
    defects.append(("English word left in", "zh", "untranslated_words", left_in))
    dropped_names, misspelt = [], []
    for en, fr in lines["fr"]:
        name = next((name for name in NAME.findall(en) if name in fr), None)
        if not name:
            continue
        dropped_names.append((en, fr, " ".join(fr.replace(name, "").split())))
        # A letter of the name's longest word, after the first, dropped, changed or added.
        word = max(name.split(), key=len)
        at = rng.randrange(1, len(word))
        letter = rng.choice([c for c in "aeiounrstlgk" if c != word[at]])
        changed = rng.choice([word[:at] + word[at + 1:], word[:at] + letter + word[at + 1:],
                              word[:at] + letter + word[at:]])
        misspelt.append((en, fr, fr.replace(name, name.replace(word, changed))))
    defects.append(("name dropped", "fr", "missing_names", dropped_names))
    defects.append(("name misspelt", "fr", "missing_names", misspelt))
    return defects


def fires(names: set[str], source: str, target: str, lang: str) -> bool:
    return bool(names & {flag.name for flag in check_pair(source, target, tgt=lang)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hyp-zh", type=Path, help="model output in Chinese, one line per FLORES sentence")
    parser.add_argument("--hyp-fr", type=Path, help="model output in French, one line per FLORES sentence")
    parser.add_argument("--show", metavar="FLAG", help="print every pair that raises FLAG")
    args = parser.parse_args()

    text = {lang: read_lines(FLORES / flores_devtest(lang)) for lang in LANGUAGES}
    english, n = text["en"], len(text["en"])
    started = time.perf_counter()
    # Column name: (flags counted, sentences).
    columns = {f"{lang} refs": (count_flags(english, text[lang], lang, args.show, "ref"), n) for lang in ("zh", "fr")}
    for lang, path in (("zh", args.hyp_zh), ("fr", args.hyp_fr)):
        if path:
            hyp = read_lines(path)
            m = len(hyp)
            if m > n:
                parser.error(f"{path}: {m} lines for {n} FLORES sentences")
            if m < n:  # the first m lines were translated (bitext eval --limit m): compare those
                columns[f"{lang} refs 1-{m}"] = (count_flags(english[:m], text[lang][:m], lang, None, "ref"), m)
            columns[f"{lang} hyp"] = (count_flags(english[:m], hyp, lang, args.show, "hyp"), m)
    seconds = time.perf_counter() - started

    print(f"Flags on FLORES-200 devtest, {n} sentences ({seconds:.1f} s); on references every firing is a false alarm")
    print(f"{'flag':<20}" + "".join(f"{name:>17}" for name in columns))
    for flag in (*CHECKS, ANY):
        cells = (f"{fired[flag]:>5} /{m:>5} {fired[flag] / m:>5.1%}" for fired, m in columns.values())
        print(f"{flag:<20}" + "".join(cells))

    print("\nPlanted defects, each beside the reference it was made from: recall is the share of")
    print("defects caught; precision the share of the flag's firings that fall on a defect")
    print(f"{'defect':<24}{'lang':>5}{'caught':>14}{'false alarms':>14}{'recall':>8}{'precision':>10}  flag")
    for defect, lang, wanted, triples in planted(english, {"zh": text["zh"], "fr": text["fr"]}):
        names = set(wanted.split("|"))
        caught = sum(fires(names, en, bad, lang) for en, _, bad in triples)
        false = sum(fires(names, en, ref, lang) for en, ref, _ in triples)
        m = len(triples)
        precision = caught / (caught + false) if caught + false else 0.0
        print(f"{defect:<24}{lang:>5}{caught:>7} /{m:>5}{false:>7} /{m:>5}"
              f"{caught / m:>8.1%}{precision:>10.1%}  {wanted}")


if __name__ == "__main__":
    main()
