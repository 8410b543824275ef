"""`bitext eval`: the same numbers as sacrebleu run by hand."""

import re

import sacrebleu

from pipeline.cli import app

SOURCES = ["The ferry is back.", "Riders cheered on Monday.", "The bridge will wait until 2028."]
REFS_ZH = ["渡轮回来了。", "周一乘客们欢呼。", "这座桥要等到2028年。"]
HYPS_ZH = ["渡轮回来了。", "乘客们在周一欢呼。", "这座桥将等到2028年。"]
REFS_FR = ["Le ferry est de retour.", "Les passagers ont applaudi lundi.", "Le pont attendra 2028."]
HYPS_FR = ["Le ferry est revenu.", "Les passagers ont applaudi lundi.", "Le pont attendra jusqu'en 2028."]


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_scores_match_sacrebleu(tmp_path, cli):
    src = write(tmp_path, "src.en", SOURCES)
    for lang, refs, hyps, tokenize in (("zh", REFS_ZH, HYPS_ZH, "zh"), ("fr", REFS_FR, HYPS_FR, "13a")):
        result = cli.invoke(app, ["eval", "--src", src, "--ref", write(tmp_path, f"ref.{lang}", refs),
                                  "--hyp", write(tmp_path, f"hyp.{lang}", hyps), "--to", lang])
        assert result.exit_code == 0, result.output
        bleu = sacrebleu.corpus_bleu(hyps, [refs], tokenize=tokenize)
        chrf = sacrebleu.corpus_chrf(hyps, [refs])
        assert f"BLEU {bleu.score:.1f}" in result.stdout and f"tok:{tokenize}" in result.stdout
        assert f"chrF {chrf.score:.1f}" in result.stdout and "nc:6" in result.stdout


def test_eval_translates_with_a_model(tiny_qwen, model_cache, tmp_path, cli):
    out = tmp_path / "hyp.txt"
    result = cli.invoke(app, ["eval", "--src", write(tmp_path, "src.en", SOURCES),
                              "--ref", write(tmp_path, "ref.fr", REFS_FR), "--to", "fr", "--limit", "2",
                              "--model", str(tiny_qwen), "--cache-dir", str(model_cache), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert re.search(r"^2 sentences, en->fr", result.stdout, re.M)
    assert "translated by engine:ctranslate2|model:tiny-qwen@" in result.stdout
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_misaligned_files_are_a_clear_error(tmp_path, cli):
    result = cli.invoke(app, ["eval", "--src", write(tmp_path, "s", SOURCES), "--ref", write(tmp_path, "r", REFS_FR),
                              "--hyp", write(tmp_path, "h", HYPS_FR[:2]), "--to", "fr"])
    assert result.exit_code == 1
    assert "2 hypotheses for 3 references" in result.stderr


def test_sources_and_references_of_different_lengths_are_one_line(tmp_path, cli):
    result = cli.invoke(app, ["eval", "--src", write(tmp_path, "s", SOURCES[:2]),
                              "--ref", write(tmp_path, "r", REFS_FR),
                              "--hyp", write(tmp_path, "h", HYPS_FR), "--to", "fr"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: 2 source lines for 3 references: the files must align"
    assert isinstance(result.exception, SystemExit)
