"""Static checks of the chapter sources (book/NN_*.md), no build needed.

Each chapter links its lecture video, with timestamp links at its major sections that
are chapter starts of that video (as listed in the video's own description), the
repositories it follows and the papers it draws on; no line of code is too long to
read on the page; every chapter ends with a summary and a few "check your
understanding" questions with their answers in dropdowns; and the reference losses the
prose quotes are those of the committed records.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
RECORDS = ROOT / "autograder" / "records"
CHAPTERS = sorted(p.stem for p in BOOK.glob("[0-9][0-9]_*.md"))

MAX_CODE_LINE = 88      # characters, in code cells
MIN_TIMESTAMPS = 5      # distinct timestamp links per chapter

# Each lecture's video id and the start of every chapter of the video, from the
# "Chapters:" list of its YouTube description (Andrej Karpathy's). A timestamp link
# must point at one of these moments, so that it cannot be made up.
VIDEOS = {
    "01_micrograd": ("VMj-3S1tku0", """
        0:00:00 0:00:25 0:08:08 0:14:12 0:19:09 0:32:10 0:51:10 0:52:52 1:09:02
        1:17:32 1:22:28 1:27:05 1:39:31 1:43:55 1:51:04 1:57:56 2:01:12 2:14:03
        2:16:46 2:21:10 2:24:39 2:25:20"""),
    "02_bigram": ("PaCmpygFfXo", """
        0:00:00 0:03:03 0:06:24 0:09:24 0:12:45 0:18:19 0:20:54 0:24:02 0:36:17
        0:50:14 1:00:50 1:02:57 1:05:26 1:10:01 1:13:53 1:18:46 1:26:17 1:35:49
        1:38:36 1:42:55 1:47:49 1:50:18 1:54:31 1:56:16"""),
    "03_mlp": ("TCH_1BHY58I", """
        0:00:00 0:01:48 0:09:03 0:12:19 0:18:35 0:29:15 0:29:53 0:32:17 0:32:49
        0:37:56 0:41:25 0:45:40 0:53:20 1:00:49 1:05:27 1:07:16 1:11:46 1:13:24
        1:14:55"""),
    "04_batchnorm": ("P6sfmUTpUmc", """
        0:00:00 0:01:22 0:04:19 0:12:59 0:27:53 0:40:40 1:03:07 1:04:50 1:14:10
        1:18:35 1:26:51 1:30:54 1:32:07 1:36:15 1:39:55 1:46:04 1:51:34"""),
    "05_backprop_ninja": ("q8SA3rM6ckI", """
        0:00:00 0:07:26 0:13:01 1:05:17 1:26:31 1:36:37 1:50:02 1:54:24"""),
    "06_wavenet": ("t3YJ5hKiMQ0", """
        0:00:00 0:01:40 0:06:56 0:09:16 0:17:11 0:19:33 0:19:55 0:21:36 0:37:41
        0:38:50 0:45:21 0:46:07 0:46:58 0:47:44 0:51:34 0:52:28 0:54:17 0:55:26"""),
    "07_gpt": ("kCc8FmEb1nY", """
        0:00:00 0:07:52 0:09:28 0:14:27 0:22:11 0:34:53 0:38:00 0:42:13 0:47:11
        0:51:54 0:54:42 0:58:26 1:00:18 1:02:00 1:11:38 1:12:46 1:13:40 1:14:14
        1:15:39 1:16:56 1:19:11 1:21:59 1:24:25 1:26:48 1:32:51 1:37:49 1:42:39
        1:46:22 1:48:53 1:54:32"""),
    "08_tokenizer": ("zduSFxRajkE", """
        0:00:00 0:05:50 0:14:56 0:18:15 0:22:47 0:23:50 0:27:02 0:28:35 0:30:36
        0:34:58 0:39:20 0:42:47 0:48:21 0:57:36 1:11:38 1:14:59 1:18:26 1:25:28
        1:28:42 1:43:27 1:48:11 1:49:58 1:51:41 2:10:20 2:12:50"""),
}

BENGIO_2003 = "jmlr.org/papers/volume3/bengio03a"
GPT2_PAPER = "language_models_are_unsupervised_multitask_learners.pdf"

# What each chapter must cite: the repositories it follows (github.com/<repo>) and its
# papers (a piece of each paper's address).
CITES = {
    "01_micrograd": (["karpathy/micrograd", "karpathy/nn-zero-to-hero"], []),
    "02_bigram": (["karpathy/makemore", "karpathy/nn-zero-to-hero"], []),
    "03_mlp": (["karpathy/makemore", "karpathy/nn-zero-to-hero"], [BENGIO_2003]),
    "04_batchnorm": (["karpathy/makemore", "karpathy/nn-zero-to-hero"],
                     ["arxiv.org/abs/1502.03167", "arxiv.org/abs/1502.01852"]),
    "05_backprop_ninja": (["karpathy/makemore", "karpathy/nn-zero-to-hero"],
                          ["arxiv.org/abs/1502.03167"]),
    "06_wavenet": (["karpathy/makemore", "karpathy/nn-zero-to-hero"],
                   ["arxiv.org/abs/1609.03499"]),
    "07_gpt": (["karpathy/ng-video-lecture", "karpathy/nanoGPT",
                "karpathy/nn-zero-to-hero"],
               ["arxiv.org/abs/1706.03762", GPT2_PAPER]),
    "08_tokenizer": (["karpathy/minbpe", "karpathy/nn-zero-to-hero"],
                     ["arxiv.org/abs/1508.07909", GPT2_PAPER,
                      "arxiv.org/abs/1808.06226"]),
}

# Chapters whose prose quotes our own full-scale reference run (train / val loss).
QUOTES_RECORD = ["03_mlp", "04_batchnorm", "05_backprop_ninja", "06_wavenet"]

YOUTUBE = re.compile(r"https://(?:www\.youtube\.com/watch\?v=|youtu\.be/)([\w-]{11})"
                     r"(?:[?&]t=(\d+)s?)?")


def seconds(hms: str) -> int:
    h, m, s = (int(x) for x in hms.split(":"))
    return 3600 * h + 60 * m + s


def source(chapter: str) -> str:
    return (BOOK / f"{chapter}.md").read_text(encoding="utf-8")


def code_lines(text: str):
    """(line number, line) of every line inside a code cell."""
    inside = False
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("```{code-cell}"):
            inside = True
        elif inside and line.startswith("```"):
            inside = False
        elif inside:
            yield n, line


def prose(text: str) -> str:
    """The text outside code cells."""
    code = {n for n, _ in code_lines(text)}
    return "\n".join(line for n, line in enumerate(text.splitlines(), 1) if n not in code)


def test_the_tables_cover_every_chapter():
    assert CHAPTERS and set(CHAPTERS) == set(VIDEOS) == set(CITES)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_links_its_lecture_video(chapter):
    video, _ = VIDEOS[chapter]
    assert video in {m.group(1) for m in YOUTUBE.finditer(source(chapter))}, \
        f"no link to the lecture video {video}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_timestamp_links_are_chapter_starts_of_the_video(chapter):
    starts = {vid: {seconds(t) for t in ts.split()} for vid, ts in VIDEOS.values()}
    stamps = [(m.group(1), int(m.group(2))) for m in YOUTUBE.finditer(source(chapter))
              if m.group(2)]
    wrong = [(vid, t) for vid, t in stamps if t not in starts.get(vid, ())]
    assert not wrong, f"timestamps that start no chapter of their video: {wrong}"
    own = {t for vid, t in stamps if vid == VIDEOS[chapter][0]}
    assert len(own) >= MIN_TIMESTAMPS, \
        f"{len(own)} distinct timestamp links into the lecture, want {MIN_TIMESTAMPS}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_youtube_links_have_no_ampersand(chapter):
    # The build escapes the "&" of "watch?v=ID&t=NNs" twice ("&amp;amp;t="), and the
    # link opens at the start of the video: write a timestamp as youtu.be/ID?t=NN.
    bad = re.findall(r"https://www\.youtube\.com/watch\?v=[\w-]+&\S*", source(chapter))
    assert not bad, f"write these as https://youtu.be/ID?t=SECONDS: {bad}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_links_its_repositories_and_papers(chapter):
    text = source(chapter)
    repos, papers = CITES[chapter]
    missing = [r for r in repos if f"https://github.com/{r}" not in text]
    missing += [p for p in papers if p not in text]
    assert not missing, f"not cited: {missing}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_code_line_is_too_long(chapter):
    long = [f"line {n}: {len(line)} characters" for n, line in code_lines(source(chapter))
            if len(line) > MAX_CODE_LINE]
    assert not long, f"code lines over {MAX_CODE_LINE} characters:\n" + "\n".join(long)


def sections(text: str) -> dict[str, str]:
    """{title of a ## heading: its body up to the next ## heading}, outside code."""
    parts = re.split(r"^## +(.+)$", prose(text), flags=re.M)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2])}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_ends_with_a_summary_and_questions(chapter):
    secs = sections(source(chapter))
    assert "Summary" in secs and len(secs["Summary"].split()) > 40, "no summary"
    questions = secs.get("Check your understanding", "")
    answers = re.findall(r"^:::\{admonition\}.*\n:class: dropdown", questions, flags=re.M)
    assert 3 <= len(answers) <= 5, \
        f"{len(answers)} questions with a dropdown answer, want 3 to 5"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_glued_numbers_are_glued_in_the_chapter(chapter):
    text = source(chapter)
    used = set(re.findall(r"\{glue:text\}`([\w-]+)", text))
    glued = set(re.findall(r"""glue\(\s*["']([\w-]+)["']""", text))
    assert used <= glued, f"referenced but never glued: {sorted(used - glued)}"


@pytest.mark.parametrize("chapter", QUOTES_RECORD)
def test_quoted_reference_losses_are_the_records(chapter):
    record = RECORDS / chapter / "full.json"
    if not record.is_file():
        pytest.skip("no reference records in this copy (student release)")
    values = json.loads(record.read_text())["runs"][0]["values"]
    text = prose(source(chapter))
    for key in ("record/train_loss", "record/val_loss"):
        assert f"{values[key]:.4f}" in text, f"the prose does not quote {key} {values[key]:.4f}"
