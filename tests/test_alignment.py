"""n:m sentence alignment: known beads from made-up embeddings, the real embedder on short
texts we wrote, and `bitext align --presegmented` end to end."""

import json

import numpy as np
import pytest

from pipeline.alignment import AlignSettings, Bead, align_sentences
from pipeline.alignment.beads import align_embeddings, quote_agreement
from pipeline.alignment.clauses import edges
from pipeline.alignment.path import band_cells
from pipeline.alignment.quotes import balance
from pipeline.cli import app

RNG = np.random.default_rng(7)
DIM = 64


@pytest.fixture(autouse=True)
def fresh_random():
    """Each test's random vectors from the same seed, whatever ran before it."""
    global RNG
    RNG = np.random.default_rng(7)


def unit(vector):
    return vector / np.linalg.norm(vector)


def topics(count):
    return [unit(RNG.normal(size=DIM)) for _ in range(count)]


def made_up(plan):
    """Source and target embeddings and lengths for a plan of beads: (a, b) with a, b in
    0..2. Each bead gets a topic; a side of two sentences splits it between them (each
    half the topic, half a detail of its own); a sentence with no counterpart gets a topic
    nobody else has."""
    src, tgt, src_len, tgt_len, gold = [], [], [], [], []
    for a, b in plan:
        topic = topics(1)[0]
        bead = ([], [])
        for side, count, vectors, lengths, length in ((0, a, src, src_len, 60), (1, b, tgt, tgt_len, 66)):
            for _ in range(count):
                detail = topics(1)[0]
                bead[side].append(len(vectors))
                vectors.append(unit(topic + detail) if count > 1 else unit(topic + 0.3 * detail))
                lengths.append(length // count)
        gold.append((tuple(bead[0]), tuple(bead[1])))
    return np.array(src, dtype=np.float32), np.array(tgt, dtype=np.float32), src_len, tgt_len, gold


PLAN = [(1, 1), (1, 1), (1, 2), (1, 1), (2, 1), (1, 1), (1, 0), (1, 1), (1, 1), (1, 2), (1, 1), (1, 1),
        (2, 1), (1, 1), (1, 1)]


@pytest.mark.parametrize("skip", [None, 0.0, -1.0])
def test_known_beads_come_back_from_made_up_embeddings(skip):
    src, tgt, src_len, tgt_len, gold = made_up(PLAN)
    # A skip score other than 0 once made rounding pass for a 0-1 bead in the row's running
    # maximum, and the traceback wandered off the best path.
    settings = AlignSettings() if skip is None else AlignSettings(skip=skip)
    beads = align_embeddings(src, tgt, src_lengths=src_len, tgt_lengths=tgt_len, settings=settings)
    assert [(b.src, b.tgt) for b in beads] == gold
    assert all(b.score > 0.5 for b in beads if b.src and b.tgt)
    assert [b.score for b in beads if not b.tgt] == [0.0]


def test_every_sentence_is_in_exactly_one_bead_in_order():
    src, tgt, src_len, tgt_len, _ = made_up(PLAN)
    shuffled = tgt[RNG.permutation(len(tgt))]  # nothing lines up: the beads must still cover all
    for target in (tgt, shuffled, tgt[:3], tgt[:0]):
        beads = align_embeddings(src, target, src_lengths=src_len, tgt_lengths=tgt_len[: len(target)])
        assert [i for b in beads for i in b.src] == list(range(len(src)))
        assert [j for b in beads for j in b.tgt] == list(range(len(target)))
        assert all(b.src or b.tgt for b in beads)


@pytest.mark.parametrize("n", range(5))
@pytest.mark.parametrize("m", range(5))
def test_texts_of_every_small_size_align(n, m):
    src, tgt = np.array(topics(n) or np.zeros((0, DIM))), np.array(topics(m) or np.zeros((0, DIM)))
    beads = align_embeddings(src.reshape(n, DIM), tgt.reshape(m, DIM), src_lengths=[10] * n, tgt_lengths=[12] * m)
    assert [i for b in beads for i in b.src] == list(range(n)) and [j for b in beads for j in b.tgt] == list(range(m))


class CountingEmbedder:
    """Stands in for a sentence embedder: fixed random vectors per text, counting calls."""

    name = "counting"

    def __init__(self):
        self.calls = []
        self.vectors = {}

    def embed(self, texts):
        self.calls.append(list(texts))
        rows = [self.vectors.setdefault(t, unit(RNG.normal(size=DIM))) for t in texts]
        return np.array(rows, dtype=np.float32).reshape(len(texts), DIM)

    def signature(self):
        return "counting@0"


def test_sentences_are_embedded_once_in_one_batch(monkeypatch):
    from pipeline.alignment import embeddings

    fake = CountingEmbedder()
    monkeypatch.setattr(embeddings, "get_embedder", lambda name: fake)
    src, tgt = ["One.", "Two.", "Three."], ["Un.", "Deux.", "Trois."]
    align_sentences(src, tgt, src_lang="en", tgt_lang="fr")
    assert fake.calls == [src + tgt]


# Our own short texts: the French splits the second sentence in two; the Chinese joins
# the third and fourth.
ENGLISH = [
    "The old ferry returned to the river on Monday after two years of repairs.",
    "Hundreds of riders cheered from the pier as it docked, and the mayor thanked the shipyard workers.",
    "The new timetable starts next week.",
    "Tickets will cost the same as before.",
    "A bridge planned for the same crossing has been delayed until 2028.",
]
FRENCH = [
    "Le vieux bac a retrouvé la rivière lundi après deux ans de réparations.",
    "Des centaines de passagers l'ont acclamé depuis le quai à son arrivée.",
    "Le maire a remercié les ouvriers du chantier naval.",
    "Le nouvel horaire entre en vigueur la semaine prochaine.",
    "Les billets coûteront le même prix qu'avant.",
    "Un pont prévu au même endroit a été reporté à 2028.",
]
CHINESE = [
    "经过两年的维修，这艘旧渡轮周一重返河面。",
    "渡轮靠岸时，数百名乘客在码头欢呼，市长感谢了造船厂的工人。",
    "新时刻表下周开始实行，票价与以前相同。",
    "计划在同一渡口修建的大桥已推迟到2028年。",
]


@pytest.mark.parametrize("target, lang, expected", [
    (FRENCH, "fr", [((0,), (0,)), ((1,), (1, 2)), ((2,), (3,)), ((3,), (4,)), ((4,), (5,))]),
    (CHINESE, "zh", [((0,), (0,)), ((1,), (1,)), ((2, 3), (2,)), ((4,), (3,))]),
])
def test_the_real_embedder_finds_splits_and_joins(target, lang, expected):
    beads = align_sentences(ENGLISH, target, src_lang="en", tgt_lang=lang)
    assert [(b.src, b.tgt) for b in beads] == expected
    assert all(isinstance(b, Bead) and 0 < b.score <= 1 for b in beads)


def test_chinese_source_and_english_target_align_too():
    beads = align_sentences(CHINESE, ENGLISH, src_lang="zh", tgt_lang="en")
    assert [(b.src, b.tgt) for b in beads] == [((0,), (0,)), ((1,), (1,)), ((2,), (2, 3)), ((3,), (4,))]


def test_the_real_embedder_keeps_order_across_batches_run_side_by_side():
    from pipeline.alignment import embeddings

    model = embeddings.get_embedder("use")
    texts = [f"{sentence} ({n})" for n in range(embeddings.BATCH // 4 + 1) for sentence in ENGLISH + CHINESE]
    assert len(texts) > 2 * embeddings.BATCH  # at least three batches, shared among the threads
    together = model.embed(texts)
    alone = np.concatenate([model.embed([text]) for text in texts[:: embeddings.BATCH // 2]])
    assert together.shape == (len(texts), 512)
    assert np.allclose(together[:: embeddings.BATCH // 2], alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-5)


def test_align_presegmented_files_writes_every_line_once(tmp_path, cli):
    src, tgt, out = tmp_path / "text.en", tmp_path / "text.fr", tmp_path / "beads.jsonl"
    src.write_text("\n".join(ENGLISH) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(FRENCH) + "\n", encoding="utf-8")
    result = cli.invoke(app, ["align", str(src), str(tgt), "--presegmented", "--beads", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["src"], r["tgt"]) for r in records][:2] == [([0], [0]), ([1], [1, 2])]
    assert sorted(i for r in records for i in r["src"]) == list(range(len(ENGLISH)))
    assert sorted(j for r in records for j in r["tgt"]) == list(range(len(FRENCH)))
    assert "en->fr" in result.stderr


@pytest.mark.parametrize("content, options, message", [
    ("", [], "no sentences (the file is empty)"),
    ("Der Hund schläft im Garten, und die Katze sitzt auf dem Dach.\n", [], "cannot align this file: it reads as"),
    ("\n".join(FRENCH), ["--tgt-lang", "de"], "'de' was given"),
])
def test_bad_alignment_input_is_one_line(tmp_path, cli, content, options, message):
    src, tgt, out = tmp_path / "text.en", tmp_path / "text.x", tmp_path / "beads.jsonl"
    src.write_text("\n".join(ENGLISH), encoding="utf-8")
    tgt.write_text(content, encoding="utf-8")
    result = cli.invoke(app, ["align", str(src), str(tgt), "--presegmented", "--beads", str(out), *options])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()



@pytest.mark.parametrize("sentence, expected", [
    ('"We wanted the building to tell the story," said the mayor.', 0),
    ("'But you're quick all the same!", 1),
    ("A few more goes and I'd have had you, though—'", -1),
    ("市长说：“我们希望这座建筑讲述港口的故事。", 1),
    ("« Chaque salle montre un siècle différent. »", 0),
    ("Il dit : « Viens", 1),
    ("the boys' toys and l'île", 0),
    ('" What does Bessie say I have done ? "', 0),  # tokenised
    ("Be seated somewhere ; and remain silent . \"", -1),
])
def test_quotation_marks_are_counted_where_they_face(sentence, expected):
    assert balance(sentence) == expected


def quoted_story(favour):
    """Six source sentences and eight target ones. Source 0 is a whole quotation that the
    target splits over three sentences (quotes: open, none, close); target 2 is as close to
    source 1 as to source 0, give or take ``favour``. Sources 2-5 and targets 4-7 open and
    close quotations alike, 1-1, so the texts are seen to quote alike."""
    rng = np.random.default_rng(11)  # its own: the story must not depend on the tests run before
    t = [unit(rng.normal(size=DIM)) for _ in range(8)]
    src = np.array(t[:6], dtype=np.float32)
    middle = unit(t[0] + (1 + favour) * t[1])
    tgt = np.array([unit(t[0] + 0.5 * t[6]), unit(t[0] + 0.5 * t[7]), middle, t[1], t[2], t[3], t[4], t[5]],
                   dtype=np.float32)
    return src, tgt, [0, 0, 1, -1, 1, -1], [1, 0, -1, 0, 1, -1, 1, -1]


def test_quotation_marks_keep_a_split_quotation_in_one_bead():
    src, tgt, src_quotes, tgt_quotes = quoted_story(favour=0.5)
    lengths = dict(src_lengths=[75, 45, 30, 30, 30, 30], tgt_lengths=[30, 30, 30, 30, 30, 30, 30, 30])
    without = align_embeddings(src, tgt, **lengths)
    assert [(b.src, b.tgt) for b in without][:2] == [((0,), (0, 1)), ((1,), (2, 3))]  # embeddings alone
    beads = align_embeddings(src, tgt, **lengths, src_quotes=src_quotes, tgt_quotes=tgt_quotes)
    assert [(b.src, b.tgt) for b in beads][:2] == [((0,), (0, 1, 2)), ((1,), (3,))]
    assert quote_agreement(beads, src_quotes, tgt_quotes) == 1.0
    # Texts that do not quote alike (French dialogue between « » over many sentences): no quote penalty.
    unlike = align_embeddings(src, tgt, **lengths, src_quotes=src_quotes, tgt_quotes=[1, 0, 0, 0, 0, 0, 0, -1])
    assert [(b.src, b.tgt) for b in unlike] == [(b.src, b.tgt) for b in without]


@pytest.mark.parametrize("sentence, expected", [
    ("经过两年的维修，这艘旧渡轮周一重返河面。", ("经过两年的维修", "这艘旧渡轮周一重返河面。")),
    ("More than 3,000 people queued, he said: all day.", ("More than 3,000 people queued", "all day.")),
    ("'I can see you've never done any wrestling,' laughed Misty.", ("'I can see you've never done any wrestling",
                                                                     "laughed Misty.")),
    ("Il part à 12:30 ; elle reste.", ("Il part à 12:30", "elle reste.")),
    ("One clause only.", ("One clause only.", "One clause only.")),
])
def test_a_sentence_has_a_first_and_a_last_clause(sentence, expected):
    assert edges(sentence) == expected


def test_clauses_are_embedded_in_the_sentences_batch_once(monkeypatch):
    from pipeline.alignment import embeddings

    fake = CountingEmbedder()
    monkeypatch.setattr(embeddings, "get_embedder", lambda name: fake)
    src, tgt = ["One, two, three.", "Four."], ["Un, deux, trois.", "Quatre."]
    align_sentences(src, tgt, src_lang="en", tgt_lang="fr")
    assert fake.calls == [src + tgt + ["One", "Un", "three.", "trois."]]


def test_first_and_last_clauses_tell_where_a_bead_ends():
    """Target 1 is as close to source 1 as to source 0 as a whole sentence, but it ends
    with source 0's last clause, and source 1 begins with target 2's first clause."""
    rng = np.random.default_rng(5)
    t = [unit(rng.normal(size=DIM)) for _ in range(30)]
    src = np.array([t[0], t[1], t[2], t[3], t[4], t[5]], dtype=np.float32)
    tgt = np.array([unit(t[0] + 0.5 * t[20]), unit(t[0] + 1.5 * t[1]), t[1], t[2], t[3], t[4], t[5]],
                   dtype=np.float32)
    # Clauses: (first, last) of each sentence; unshared ones get topics of their own.
    src_first = [t[10], t[12], t[2], t[3], t[4], t[5]]
    src_last = [t[11], t[13], t[2], t[3], t[4], t[5]]
    tgt_first = [t[10], t[21], t[12], t[2], t[3], t[4], t[5]]
    tgt_last = [t[22], t[11], t[13], t[2], t[3], t[4], t[5]]
    clauses = [np.array(side, dtype=np.float32) for side in (src_first, src_last, tgt_first, tgt_last)]
    lengths = dict(src_lengths=[40, 50, 30, 30, 30, 30], tgt_lengths=[30, 30, 30, 30, 30, 30, 30])
    without = align_embeddings(src, tgt, **lengths)
    assert [(b.src, b.tgt) for b in without][:2] == [((0,), (0,)), ((1,), (1, 2))]  # sentences alone
    beads = align_embeddings(src, tgt, **lengths, src_clauses=tuple(clauses[:2]), tgt_clauses=tuple(clauses[2:]))
    assert [(b.src, b.tgt) for b in beads][:2] == [((0,), (0, 1)), ((1,), (2,))]


def test_big_texts_go_coarse_to_fine_within_a_band_and_find_the_exact_beads(monkeypatch):
    """A small exact_cells sends a text through the coarse-to-fine search: halved until the
    coarsest level fits, then banded. Its beads are the exact search's, and no pass keeps
    a choice for more than a band around the path."""
    from pipeline.alignment import beads as module

    plan = PLAN * 30  # 450 beads
    src, tgt, src_len, tgt_len, gold = made_up(plan)
    quotes = [0] * len(src), [0] * len(tgt)
    for k, (bead_src, bead_tgt) in enumerate(b for b in gold if b[0] and b[1]):  # they quote alike
        quotes[0][bead_src[0]] = quotes[1][bead_tgt[0]] = (1, -1, 0)[k % 3]
    clauses = [tuple(unit(side + 0.2 * RNG.normal(size=side.shape)).astype(np.float32) for _ in range(2))
               for side in (src, tgt)]
    kwargs = dict(src_lengths=src_len, tgt_lengths=tgt_len, src_quotes=quotes[0], tgt_quotes=quotes[1],
                  src_clauses=clauses[0], tgt_clauses=clauses[1])
    exact = align_embeddings(src, tgt, **kwargs)

    searched = []
    search = module.best_path

    def spy(sides, n, m, settings, *, lo, hi, **options):
        searched.append((n, m, band_cells(lo, hi)))
        return search(sides, n, m, settings, lo=lo, hi=hi, **options)

    monkeypatch.setattr(module, "best_path", spy)
    reported = []
    settings = AlignSettings(exact_cells=10_000, band=8)
    banded = align_embeddings(src, tgt, **kwargs, settings=settings, progress=lambda *args: reported.append(args))
    assert banded == exact
    n, m = len(src), len(tgt)
    assert [(rows, columns) for rows, columns, _ in searched[-2:]] == [(n, m), (n, m)]  # two passes: quotes agree
    assert (searched[0][0] + 1) * (searched[0][1] + 1) <= settings.exact_cells < (n + 1) * (m + 1)
    for rows, _, cells in searched[1:]:  # every finer level: a band around the path
        assert cells <= (rows + 1) * 6 * settings.band, searched
    assert searched[-1][2] < (n + 1) * (m + 1) / 5  # not the whole matrix
    passes = len(searched) - 1
    assert [message for message, _, _ in dict.fromkeys(reported)][:1] == ["aligning, pass 1 of %d" % passes]
    assert reported[-1] == ("aligning, pass with quotation marks", n, n)
    assert {message for message, _, _ in reported} == {f"aligning, pass {k} of {passes}" for k in
                                                       range(1, passes + 1)} | {"aligning, pass with quotation marks"}


def test_the_band_follows_a_path_far_from_the_diagonal():
    """A target with a long stretch the source lacks (300 sentences of 0-1 beads): the
    coarse path runs along it and the band with it."""
    plan = PLAN * 4 + [(0, 1)] * 300 + PLAN * 4
    src, tgt, src_len, tgt_len, gold = made_up(plan)
    exact = align_embeddings(src, tgt, src_lengths=src_len, tgt_lengths=tgt_len, settings=AlignSettings(skip=-0.2))
    banded = align_embeddings(src, tgt, src_lengths=src_len, tgt_lengths=tgt_len,
                              settings=AlignSettings(skip=-0.2, exact_cells=2_000))
    assert [(b.src, b.tgt) for b in banded] == [(b.src, b.tgt) for b in exact]
    assert sum(1 for b in banded if not b.src) >= 300


def test_sentences_are_embedded_in_chunks_with_progress(monkeypatch):
    import pipeline.alignment as alignment
    from pipeline.alignment import embed_texts, embeddings

    fake = CountingEmbedder()
    monkeypatch.setattr(embeddings, "get_embedder", lambda name: fake)
    src = [f"Sentence {n}, with a clause." for n in range(7)]
    tgt = [f"Phrase {n}." for n in range(5)]
    whole = embed_texts([(src, "en"), (tgt, "fr")])
    monkeypatch.setattr(alignment, "EMBED_CHUNK", 4)
    reported = []
    chunked = embed_texts([(src, "en"), (tgt, "fr")], progress=lambda *args: reported.append(args))
    texts = len(src) + len(tgt) + 7 + 1  # new clauses: "Sentence 0" to "Sentence 6", and "with a clause."
    assert [len(call) for call in fake.calls[1:]] == [4, 4, 4, 4, 4]
    assert reported == [("embedding sentences", done, texts) for done in (0, 4, 8, 12, 16, 20)]
    for one, other in zip(whole, chunked, strict=True):
        assert np.array_equal(one.vectors, other.vectors)
        assert all(np.array_equal(a, b) for a, b in zip(one.clauses, other.clauses, strict=True))


def test_alignment_reports_embedding_then_the_path_search(monkeypatch):
    from pipeline.alignment import embeddings

    monkeypatch.setattr(embeddings, "get_embedder", lambda name: CountingEmbedder())
    reported = []
    align_sentences(["One.", "Two."], ["Un.", "Deux."], src_lang="en", tgt_lang="fr",
                    progress=lambda *args: reported.append(args))
    assert [message for message in dict.fromkeys(message for message, _, _ in reported)] == [
        "embedding sentences", "aligning, pass 1 of 1"]
    assert reported[-1] == ("aligning, pass 1 of 1", 2, 2)


@pytest.mark.parametrize("target, options, message", [
    (CHINESE, ["--tgt-lang", "fr"],
     "text.tgt: reads as Simplified Chinese, not French as --tgt-lang says; give --force"),
    (ENGLISH, [], "text.tgt: is English, as "),
    (FRENCH, ["--src-lang", "fr"], "text.src: reads as English, not French as --src-lang says"),
])
def test_presegmented_files_in_the_wrong_or_the_same_language_are_refused(tmp_path, cli, target, options, message):
    src, tgt, out = tmp_path / "text.src", tmp_path / "text.tgt", tmp_path / "beads.jsonl"
    src.write_text("\n".join(ENGLISH) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(target) + "\n", encoding="utf-8")
    result = cli.invoke(app, ["align", str(src), str(tgt), "--presegmented", "--beads", str(out), *options])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not out.exists()
    forced = cli.invoke(app, ["align", str(src), str(tgt), "--presegmented", "--beads", str(out), *options, "--force"])
    assert forced.exit_code == 0, forced.output
    assert out.exists()


def test_a_file_aligned_with_itself_is_refused(tmp_path, cli):
    src, out = tmp_path / "text.en", tmp_path / "beads.jsonl"
    src.write_text("\n".join(ENGLISH) + "\n", encoding="utf-8")
    result = cli.invoke(app, ["align", str(src), str(src), "--presegmented", "--beads", str(out)])
    assert result.exit_code == 1 and "is English, as" in result.stderr and not out.exists()
