# %% [markdown]
# # Exercise 8: the GPT tokenizer, byte-pair encoding
#
# A language model never sees text: it sees a list of integers, the *tokens*. In this
# exercise you build the tokenizers of GPT-2 and GPT-4 from nothing: byte-pair
# encoding (BPE) trained on UTF-8 bytes, the regex that splits text before BPE, special
# tokens, saving and loading, and finally GPT-4's own tokenizer, whose output must be
# identical to OpenAI's `tiktoken` (`cl100k_base`). The API is the one of Karpathy's
# *minbpe*: `train(text, vocab_size)`, `encode(text)`, `decode(ids)`.
#
# Work top to bottom. Each task has a cell with `# YOUR CODE HERE`: replace the
# `raise NotImplementedError(...)` line with your code, then run the test cell below
# it. The grader also runs hidden tests on other inputs.
#
# Tasks and points: `get_stats` (1), `merge` (1), `BasicTokenizer` training (2) and
# encode/decode (2), `RegexTokenizer` training and encoding (2) and special tokens (2),
# save/load (2), GPT-4's merges recovered from its ranks (2), `GPT4Tokenizer` (3).
# Total 17.

# %%
import base64
import os
import tempfile
import time
import unicodedata

try:
    import regex as re   # like `re`, plus \p{L} (any letter) and \p{N} (any number)
except ImportError:      # Colab has it; elsewhere: pip install regex
    import subprocess
    import sys
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "regex"])
    import regex as re

# %% inputs
# The hidden inputs of this submission, drawn from `rng` (a random.Random seeded per
# submission): _zth_in.NAME in the hidden tests (kernel) and in the checks (grader).
_WORDS = ["the", "cat", "sat", "on", "mat", "hello", "world", "there", "thing", "ring", "in", "ing",
          "er", "aa", "abab", "über", "naïve", "café", "안녕", "하세요", "東京", "日本", "😉", "👋🏽",
          "🙂", "12", "345", "2024", "1234567", "don't", "it's", "we'll", "THEY'RE", "I'VE", "x", "ok"]
_SEPS = [" ", " ", " ", " ", "  ", "\n", "\n\n", "\t", ", ", "! ", "? ", "... ", " (", ") ", "\r\n", "   "]
_NAMES = ["endoftext", "sep", "pad", "bos", "eos", "user", "system", "im_start", "im_end", "mask",
          "cls", "fim_prefix", "tool", "think"]
_SWIFT_CHARS = 185_000         # taylorswift.txt has 185,561 characters: slices end below this


def _text(n_words):
    """Words of several scripts, digits and contractions, with varied whitespace."""
    return "".join(rng.choice(_WORDS) + rng.choice(_SEPS) for _ in range(n_words))


def _swift(length):
    """A slice [start, stop) of taylorswift.txt (the data file is read where it is used)."""
    start = rng.randrange(_SWIFT_CHARS - length)
    return (start, start + length)


# Task 1: get_stats
_pool = rng.sample(range(300), 4)
stats_ids = [rng.choice(_pool) for _ in range(rng.randint(12, 20))]
stats_start = {(rng.choice(_pool), rng.choice(_pool)): rng.randint(1, 9) for _ in range(3)}
stats_more = [rng.choice(_pool) for _ in range(rng.randint(8, 14))]
stats_text = _text(rng.randint(8, 14)) * 2

# Task 2: merge (ids, pair, new id); runs of a repeated id test overlapping occurrences
merge_cases = []
for _n in (0, 1, 2, 5, 9, 14, 20, 30):
    _p = rng.sample(range(256), 3)
    _a = rng.choice(_p)
    _b = _a if rng.random() < 0.4 else rng.choice(_p)
    merge_cases.append(([rng.choice(_p) for _ in range(_n)], (_a, _b), rng.randrange(256, 2000)))
_a = rng.randrange(256)
merge_cases.append(([_a] * rng.randint(3, 7) + [rng.randrange(256)] + [_a] * rng.randint(3, 7), (_a, _a), 256))

# Task 3: BasicTokenizer.train: (what, text, number of merges); the last one runs out of pairs
_letters = rng.sample("abcdefghij", 4) + [" "]
basic_runs = [("a short text of a few letters", "".join(rng.choice(_letters) for _ in range(rng.randint(25, 40))),
               rng.randint(5, 9)),
              ("a text in several scripts", _text(rng.randint(12, 16)), rng.randint(8, 12)),
              ("a text of 3 characters", "".join(rng.sample("xyzuvw", 3)), 5)]
basic_swift = (_swift(3000), rng.randint(30, 40))   # (slice of taylorswift.txt, merges)


# A hand-made tokenizer for Tasks 4-7: the merges (a, b) -> 256, 257, ... that BPE learns
# on a drawn text of a few made-up words; the tests' texts are made of the same words
def _valid(b):
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


_chars = rng.sample("etaoinshrdlu", 6) + [rng.choice(["é", "ü", "안", "😉", "東"])]
_lexicon = ["".join(rng.choice(_chars) for _ in range(rng.randint(2, 6))) for _ in range(10)]


def _hand_text(n):
    """n made-up words with separators (spaces, digits, punctuation, an emoji)."""
    return "".join(rng.choice(_lexicon) + rng.choice([" ", " ", " ", "", "\n", ", ", "123", "'s ", "!? ", " 😉 "])
                   for _ in range(n))


_corpus, _bytes, hand_pairs = list(_hand_text(60).encode("utf-8")), {i: bytes([i]) for i in range(256)}, []
while len(hand_pairs) < 28:
    _stats = {}
    for _p in zip(_corpus, _corpus[1:]):
        _stats[_p] = _stats.get(_p, 0) + 1
    _pair, _idx = max(_stats, key=_stats.get), 256 + len(hand_pairs)
    _out, _i = [], 0
    while _i < len(_corpus):
        if _i + 1 < len(_corpus) and _corpus[_i] == _pair[0] and _corpus[_i + 1] == _pair[1]:
            _out.append(_idx)
            _i += 2
        else:
            _out.append(_corpus[_i])
            _i += 1
    _corpus = _out
    hand_pairs.append(_pair)
    _bytes[_idx] = _bytes[_pair[0]] + _bytes[_pair[1]]
_n_ids = 256 + len(hand_pairs)


def _ids(n):
    """Token ids of the hand-made tokenizer, at least one of them merged."""
    ids = [rng.randrange(256, _n_ids)] + [rng.randrange(_n_ids) for _ in range(n)]
    rng.shuffle(ids)
    return ids


def _bad_ids(n):
    """Ids whose bytes are not valid UTF-8 (a continuation byte first, a cut character last)."""
    return [rng.randrange(0x80, 0xC0)] + _ids(n) + [0xF0, 0x9F]


basic_texts = [_hand_text(rng.randint(3, 12)) for _ in range(8)]
basic_dec_ids = [_ids(rng.randint(2, 8)) for _ in range(4)] + [_bad_ids(3)]

# Task 5: RegexTokenizer: training texts and encode_ordinary texts
regex_text = _text(rng.randint(25, 35))
regex_merges = rng.randint(8, 12)
regex_swift = (_swift(5000), rng.randint(30, 40))
regex_texts = [_hand_text(rng.randint(4, 14)) for _ in range(7)] + [
    _hand_text(3) + "<|endoftext|>" + _hand_text(3), _hand_text(4) + _text(3)]
regex_dec_ids = [_ids(rng.randint(2, 8)) for _ in range(3)] + [_bad_ids(2)]

# Task 6: special tokens (no special token occurs inside another, nor overlaps one)
_sp = rng.sample(_NAMES, 4)
special_tokens = {f"<|{w}|>": i for w, i in zip(_sp[:3], rng.sample(range(1000, 60000), 3))}
special_allowed = set(rng.sample(sorted(special_tokens), rng.randint(1, 2)))
_fake = [f"<|{_sp[3]}|>", f"<|{_sp[0]}", f"{_sp[1]}|>"]   # look special, are not (nor are two together)


def _special_text(k, specials):
    parts = list(specials) + [rng.choice(_fake) for _ in range(2)] + [_hand_text(rng.randint(1, 4))
                                                                        for _ in range(k)]
    rng.shuffle(parts)
    return "".join(parts)


special_texts = [_special_text(3, special_tokens),
                 _special_text(2, rng.sample(sorted(special_tokens), 2)),
                 _special_text(2, [rng.choice(sorted(special_tokens))] * 2),
                 rng.choice(sorted(special_tokens)) + _hand_text(3),
                 _special_text(3, [])]
_whole = list(range(128)) + [i for i in range(256, _n_ids) if _valid(_bytes[i])]
special_dec_ids = [rng.choice(_whole) for _ in range(6)] + list(special_tokens.values())   # valid UTF-8
rng.shuffle(special_dec_ids)

# Task 7: save (the hand-made tokenizer with special tokens) and load (.model files)
save_special = {f"<|{w}|>": i for w, i in zip(rng.sample(_NAMES, 2), rng.sample(range(_n_ids, 5000), 2))}
save_pattern = rng.choice([r"\s+|\w+", r"\p{L}+|\p{N}+|\s+|[^\s\p{L}\p{N}]+",
                           r"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"])


def _model(n_merges, n_special):
    """([(a, b), ...], {special: id}) of a .model file: merge i makes id 256 + i."""
    merges = []
    while len(merges) < n_merges:
        idx = 256 + len(merges)
        pair = (rng.randrange(idx), rng.randrange(idx))
        if pair not in merges:
            merges.append(pair)
    top = 256 + n_merges
    specials = {f"<|{w}|>": i for w, i in zip(rng.sample(_NAMES, n_special), rng.sample(range(top, top + 500), n_special))}
    return merges, specials


_m, _s = _model(rng.randint(15, 25), rng.randint(2, 3))
load_models = {"regex": (rng.choice([r"\s+|\w+", r"\p{L}+|\p{N}+|\s+|[^\s\p{L}\p{N}]+"]), _s, _m),
               "basic": ("", {}, _model(rng.randint(15, 25), 0)[0])}

# Task 8: cl100k ranks and merges (sampled ranks), and a small ranks table whose merges
# recover as exactly two parts
cl100k_ranks_sample = sorted(rng.sample(range(100256), 40))
cl100k_merges_sample = sorted(rng.sample(range(256, 100256), 40))


def _bpe(token, table):
    parts = [bytes([b]) for b in token]
    while len(parts) > 1:
        cands = [(table[parts[i] + parts[i + 1]], i) for i in range(len(parts) - 1)
                 if parts[i] + parts[i + 1] in table]
        if not cands:
            break
        i = min(cands)[1]
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return parts


toy_ranks = {bytes([b]): r for r, b in enumerate(rng.sample(list(b"abcdexyz"), 5))}
_toks, _tries = list(toy_ranks), 0
while len(toy_ranks) < 20 and _tries < 1000:
    _tries += 1
    _t = rng.choice(_toks) + rng.choice(_toks)
    if _t not in toy_ranks and len(_t) <= 8 and len(_bpe(_t, toy_ranks)) == 2:
        toy_ranks[_t] = len(toy_ranks)
        _toks.append(_t)

# Task 9: GPT4Tokenizer against tiktoken
_G4 = ["hello", " world", "    def f(x):\n        return x ** 2\n\n\n", "1234567", " + 89 = ", "I'm",
       " you'll", " THEY'RE", " SolidGoldMagikarp", "👋🏽", " 👨‍👩‍👧", " 🇫🇷", "東京は日本の首都です。", "   ",
       "\n\n\r\n", "\t tabs\t\t", "Ünïcödé", " ∑∫ ≈ ½", "안녕하세요", "!!!?", " (ok)", "<|endoftext", "'s",
       "\n", "it's", " 42", "ﬁ", "z̆"]
_G4_SPECIAL = ["<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>"]
gpt4_texts = ["".join(rng.choice(_G4) for _ in range(rng.randint(2, 8))) for _ in range(12)]
gpt4_swift = _swift(10_000)
gpt4_special_texts = []
for _ in range(2):
    _parts = rng.sample(_G4_SPECIAL, rng.randint(2, 4)) + [rng.choice(_G4) for _ in range(3)]
    rng.shuffle(_parts)
    gpt4_special_texts.append("".join(_parts))
# ids to decode; ranks 94-123 are single continuation bytes: first, they are invalid UTF-8
gpt4_dec_ids = [[rng.randrange(100256) for _ in range(rng.randint(1, 8))] for _ in range(4)] + [
    [rng.randrange(94, 124), rng.randrange(188, 100256)]]

# %% [markdown]
# ## Text, code points, bytes
#
# A Python string is a sequence of Unicode *code points* (`ord(c)`, about 150,000 in
# use). UTF-8 writes each code point as 1 to 4 bytes: ASCII takes one byte, Korean
# three, most emoji four. Byte-level BPE starts from these bytes, so its first 256
# tokens are the 256 possible byte values and any text at all can be encoded.

# %%
sample = "hello 👋 안녕"
print([ord(c) for c in sample])
print(list(sample.encode("utf-8")))
print(len(sample), "characters,", len(sample.encode("utf-8")), "bytes")

# %% [markdown]
# ## Task 1: `get_stats` (1 point)
#
# BPE repeatedly merges the most frequent pair of neighbouring tokens. Write
# `get_stats(ids, counts=None)`: count every consecutive pair in the list `ids` and
# return a dict `{(a, b): count}`. If a dict `counts` is given, add to it (in place)
# and return it; this lets you count over many lists. Keep the pairs in the order in
# which they first occur (a plain dict does that): the training rule below relies
# on it.

# %% solution="get_stats"
def get_stats(ids, counts=None):
    """Count consecutive pairs in ids, adding to (and returning) `counts` if given.

    >>> get_stats([1, 2, 3, 1, 2])
    {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    """
    ### BEGIN SOLUTION
    counts = {} if counts is None else counts
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + 1
    return counts
    ### END SOLUTION


# %% probes
# Helpers of the hidden tests, shared by them (graded notebook only). The hidden inputs
# are _zth_in.NAME (see the inputs cell of the source).
def _zth_with_ref(fn, **extra):
    """fn() with correct get_stats and merge (and `extra`) in place of the student's:
    a task is graded on its own code, not on the helpers graded in other tasks."""
    names = {"get_stats": _zth_get_stats, "merge": _zth_merge, **extra}
    g = globals()
    saved = {k: g.get(k) for k in names}
    g.update(names)
    try:
        return fn()
    finally:
        g.update(saved)


def _zth_hand(tok):
    """tok with the hand-made merges of _zth_in.hand_pairs (ids 256, 257, ...) and their vocab."""
    tok.merges, tok.vocab = {}, {i: bytes([i]) for i in range(256)}
    for idx, (a, b) in enumerate(_zth_in.hand_pairs, start=256):
        tok.merges[(a, b)] = idx
        tok.vocab[idx] = tok.vocab[a] + tok.vocab[b]
    return tok


def _zth_swift(span):
    return load_text("taylorswift.txt")[span[0]:span[1]]


def _zth_ints(ids):
    return [int(v) for v in ids]


def _zth_outcome(fn):
    """The ids fn() returns, or "raised" if it raises any exception."""
    try:
        out = fn()
    except Exception:
        return "raised"
    return _zth_ints(out)


# %% checks
# Helpers shared by the checks of this chapter (trusted, grader side). The hidden inputs
# are _zth_in.NAME, as in the kernel.
import regex as re

GPT2 = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
GPT4 = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|"""
        r""" ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")


def swift(span):
    return load_text("taylorswift.txt")[span[0]:span[1]]


def ref_train(chunks, n_merges):
    """minbpe training over lists of ids (pairs never cross lists), stopping when no
    pair is left: [merges as [a, b, id], the new vocab entries as byte lists]."""
    merges, vocab = [], {i: bytes([i]) for i in range(256)}
    for idx in range(256, 256 + n_merges):
        stats = {}
        for ids in chunks:
            for p in zip(ids, ids[1:]):
                stats[p] = stats.get(p, 0) + 1
        if not stats:
            break
        best = max(stats.values())
        pair = next(p for p, n in stats.items() if n == best)   # first seen among the most frequent
        new = []
        for ids in chunks:
            out, i = [], 0
            while i < len(ids):
                if tuple(ids[i:i + 2]) == pair:
                    out.append(idx)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            new.append(out)
        chunks = new
        merges.append([pair[0], pair[1], idx])
        vocab[idx] = vocab[pair[0]] + vocab[pair[1]]
    return [merges, [list(vocab[m[2]]) for m in merges]]


def ref_encode(ids, ranks):
    """Apply merges by rank, the lowest-ranked pair present first (minbpe's encode)."""
    while True:
        present = [(ranks[p], p) for p in zip(ids, ids[1:]) if p in ranks]
        if not present:
            return ids
        r, pair = min(present)
        out, i = [], 0
        while i < len(ids):
            if tuple(ids[i:i + 2]) == pair:
                out.append(r)
                i += 2
            else:
                out.append(ids[i])
                i += 1
        ids = out


def hand():
    """The hand-made tokenizer of the hidden tests: ({pair: id}, {id: bytes})."""
    ranks, vocab = {}, {i: bytes([i]) for i in range(256)}
    for idx, (a, b) in enumerate(_zth_in.hand_pairs, start=256):
        ranks[(a, b)] = idx
        vocab[idx] = vocab[a] + vocab[b]
    return ranks, vocab


def ordinary(text, pattern, ranks):
    """encode_ordinary: split with the pattern, merge inside each chunk."""
    return [j for c in re.findall(pattern, text) for j in ref_encode(list(c.encode("utf-8")), ranks)]


def decoded(ids, vocab):
    return b"".join(vocab[j] for j in ids).decode("utf-8", errors="replace")


# %% test="get_stats" points=1
### BEGIN HIDDEN TESTS
def _zth_items(d):
    return [[int(k[0]), int(k[1]), int(v)] for k, v in d.items()]
_zth_export("stats/ids", lambda: [_zth_items(get_stats(list(_zth_in.stats_ids))),
                                  _zth_items(get_stats(_zth_in.stats_ids[:1])), _zth_items(get_stats([]))])
def _zth_counts():
    c = dict(_zth_in.stats_start)
    out = get_stats(list(_zth_in.stats_more), c)
    return [out is c, _zth_items(c)]
_zth_export("stats/counts", _zth_counts)
_zth_export("stats/text", lambda: _zth_items(get_stats(list(_zth_in.stats_text.encode("utf-8")))))
### END HIDDEN TESTS
assert get_stats([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}, get_stats([1, 2, 3, 1, 2])
assert get_stats([]) == {} and get_stats([4]) == {}, "fewer than two ids have no pairs"
assert list(get_stats([5, 1, 5, 1, 1, 5])) == [(5, 1), (1, 5), (1, 1)], \
    "keep the pairs in the order they first occur"
_c = {(1, 2): 10}
assert get_stats([1, 2, 2], _c) is _c and _c == {(1, 2): 11, (2, 2): 1}, \
    "with counts given, add to that dict and return it"
print("ok")

# %% check="get_stats"
def ref_stats(ids, counts=None):
    out = {} if counts is None else counts
    for i in range(len(ids) - 1):
        out[(ids[i], ids[i + 1])] = out.get((ids[i], ids[i + 1]), 0) + 1
    return [[a, b, n] for (a, b), n in out.items()]


def check(x, t):
    ids = _zth_in.stats_ids
    t.equal(x["stats/ids"], [ref_stats(ids), [], []],
            "get_stats of a list of ids (and of its first id alone, and of []), as [a, b, count] in dict order",
            hint="count every consecutive pair, in the order the pairs first occur")
    t.equal(x["stats/counts"], [True, ref_stats(_zth_in.stats_more, dict(_zth_in.stats_start))],
            "get_stats(ids, counts): returns `counts` itself, updated in place",
            hint="add to the dict you were given (keeping its entries, new pairs after them) and return it")
    t.equal(x["stats/text"], ref_stats(list(_zth_in.stats_text.encode("utf-8"))),
            "pair counts of the UTF-8 bytes of a text, in first-seen order")


# %% [markdown]
# ## Task 2: `merge` (1 point)
#
# Write `merge(ids, pair, idx)`: a new list in which every occurrence of `pair` is
# replaced by the single new token `idx`, scanning left to right. Occurrences can
# overlap: in `[97, 97, 97]` ("aaa") the pair `(97, 97)` occurs twice, but once the
# first two are merged the third `97` has no partner left, so the answer is
# `[idx, 97]`. After a merge, continue *after* the merged pair.

# %% solution="merge"
def merge(ids, pair, idx):
    """Replace each occurrence of `pair` in ids by idx, left to right.

    >>> merge([5, 6, 6, 7, 9, 1], (6, 7), 99)
    [5, 6, 99, 9, 1]
    >>> merge([97, 97, 97], (97, 97), 256)
    [256, 97]
    """
    ### BEGIN SOLUTION
    out, i = [], 0
    while i < len(ids):
        if i < len(ids) - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(idx)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
    ### END SOLUTION


# %% test="merge" points=1
### BEGIN HIDDEN TESTS
def _zth_merge_case(ids, pair, idx):
    ids = list(ids)
    out = merge(ids, pair, idx)
    return [_zth_ints(out), ids]     # the result, and the input list afterwards (unchanged)
for _i, (_ids, _p, _idx) in enumerate(_zth_in.merge_cases):
    _zth_export(f"merge/{_i}", lambda: _zth_merge_case(_ids, _p, _idx))
### END HIDDEN TESTS
assert merge([5, 6, 6, 7, 9, 1], (6, 7), 99) == [5, 6, 99, 9, 1], merge([5, 6, 6, 7, 9, 1], (6, 7), 99)
assert merge([97, 97, 97], (97, 97), 256) == [256, 97], \
    f"merge('aaa', (a, a)) gave {merge([97, 97, 97], (97, 97), 256)}: skip past a merged pair"
assert merge([1, 2, 1, 2], (1, 2), 256) == [256, 256], "replace every occurrence"
assert merge([1, 2], (2, 1), 256) == [1, 2], "no occurrence: the list is unchanged"
print("ok")

# %% check="merge"
def ref_merge(ids, pair, idx):
    out, i = [], 0
    while i < len(ids):
        if tuple(ids[i:i + 2]) == tuple(pair):
            out.append(idx)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def check(x, t):
    for i, (ids, pair, idx) in enumerate(_zth_in.merge_cases):
        t.equal(x[f"merge/{i}"], [ref_merge(ids, pair, idx), list(ids)],
                f"merge case {i + 1}: the new list, and the input list afterwards",
                hint="scan left to right; after a merge continue after the pair; keep everything else; "
                     "return a new list and leave the input as it was")


# %% [markdown]
# ## The tokenizers
#
# Every tokenizer here keeps its state in three attributes: `merges`, a dict
# `{(a, b): idx}` of the merges in the order they were learned (new ids 256, 257,
# ...); `vocab`, a dict `{idx: bytes}` from every token id to the bytes it stands for;
# and `special_tokens`, a dict `{str: idx}`. `encode` and `decode` must use nothing
# else (that is all that `save`/`load` keep, and the tests set these attributes
# directly). The base class below builds `vocab` from `merges`; its `save` and `load`
# are Task 7, later: leave them for now.
#
# `render_token` makes a token printable (control characters escaped).

# %%
def render_token(token: bytes) -> str:
    """A printable form of a token's bytes: invalid UTF-8 as �, control characters escaped."""
    s = token.decode("utf-8", errors="replace")
    return "".join(c if unicodedata.category(c)[0] != "C" else f"\\u{ord(c):04x}" for c in s)


# %% solution="tokenizer_io"
class Tokenizer:
    """The state every tokenizer shares, and save/load (Task 7)."""

    def __init__(self):
        self.merges = {}            # (int, int) -> int, in the order they were learned
        self.pattern = ""           # the regex split pattern (RegexTokenizer only)
        self.special_tokens = {}    # str -> int, e.g. {'<|endoftext|>': 100257}
        self.vocab = self._build_vocab()   # int -> bytes

    def _build_vocab(self):
        vocab = {idx: bytes([idx]) for idx in range(256)}
        for (p0, p1), idx in self.merges.items():
            vocab[idx] = vocab[p0] + vocab[p1]
        for special, idx in self.special_tokens.items():
            vocab[idx] = special.encode("utf-8")
        return vocab

    def save(self, file_prefix):
        """Write file_prefix + ".model" (for load) and file_prefix + ".vocab" (for people)."""
        ### BEGIN SOLUTION
        with open(file_prefix + ".model", "w", encoding="utf-8") as f:
            f.write("minbpe v1\n")
            f.write(f"{self.pattern}\n")
            f.write(f"{len(self.special_tokens)}\n")
            for special, idx in self.special_tokens.items():
                f.write(f"{special} {idx}\n")
            for (p0, p1), idx in sorted(self.merges.items(), key=lambda kv: kv[1]):
                f.write(f"{p0} {p1}\n")
        parents = {idx: pair for pair, idx in self.merges.items()}
        with open(file_prefix + ".vocab", "w", encoding="utf-8") as f:
            for idx, token in self.vocab.items():
                if idx in parents:
                    p0, p1 = parents[idx]
                    f.write(f"[{render_token(self.vocab[p0])}][{render_token(self.vocab[p1])}]"
                            f" -> [{render_token(token)}] {idx}\n")
                else:
                    f.write(f"[{render_token(token)}] {idx}\n")
        ### END SOLUTION

    def load(self, model_file):
        """Restore merges, pattern, special tokens and vocab from a .model file."""
        assert model_file.endswith(".model")
        ### BEGIN SOLUTION
        merges, special_tokens = {}, {}
        with open(model_file, encoding="utf-8") as f:
            assert f.readline().strip() == "minbpe v1", "not a minbpe v1 model file"
            pattern = f.readline().rstrip("\n")
            for _ in range(int(f.readline())):
                special, idx = f.readline().rstrip("\n").rsplit(" ", 1)
                special_tokens[special] = int(idx)
            for idx, line in enumerate(f, start=256):
                p0, p1 = line.split()
                merges[(int(p0), int(p1))] = idx
        self.pattern, self.merges, self.special_tokens = pattern, merges, special_tokens
        self.vocab = self._build_vocab()
        ### END SOLUTION


# %% [markdown]
# ## Tasks 3 and 4: `BasicTokenizer` (2 + 2 points)
#
# **Training** (Task 3). `train(text, vocab_size, verbose=False)` starts from the
# UTF-8 bytes of `text` and performs `vocab_size - 256` merges. Each step counts the
# pairs (`get_stats`), picks the most frequent pair, gives it the next new id (256,
# 257, ...), and replaces it everywhere (`merge`). **Ties**: among pairs with the same
# count, pick the one that occurs first in the current ids, which is exactly what
# `max(stats, key=stats.get)` does on a dict in first-seen order. Stop early if no
# pair is left. Set `self.merges` and `self.vocab` (`vocab[idx]` is the bytes of
# both halves concatenated).
#
# **Encoding and decoding** (Task 4). `encode(text)` starts from the bytes and applies
# the learned merges *in the order they were learned*: repeatedly find, among the
# pairs present, the one with the lowest merge id, and merge it; stop when no pair
# present is in `self.merges`. `decode(ids)` joins the bytes of the tokens and
# decodes them as UTF-8. Not every id list is valid UTF-8 (try `decode([128])`): use
# `errors="replace"`, which turns invalid bytes into "�" instead of raising.

# %% solution="basic"
class BasicTokenizer(Tokenizer):
    """Byte-level BPE on the raw UTF-8 bytes of a text.

    >>> tok = BasicTokenizer()
    >>> tok.train("aaabdaaabac", 256 + 3)
    >>> tok.encode("aaabdaaabac")
    [258, 100, 258, 97, 99]
    >>> tok.decode([258, 100, 258, 97, 99])
    'aaabdaaabac'
    """

    def train(self, text, vocab_size, verbose=False):
        ### BEGIN SOLUTION
        assert vocab_size >= 256
        ids = list(text.encode("utf-8"))
        merges, vocab = {}, {idx: bytes([idx]) for idx in range(256)}
        for idx in range(256, vocab_size):
            stats = get_stats(ids)
            if not stats:
                break                            # a single token is left
            pair = max(stats, key=stats.get)     # most frequent; a tie goes to the first seen
            ids = merge(ids, pair, idx)
            merges[pair] = idx
            vocab[idx] = vocab[pair[0]] + vocab[pair[1]]
            if verbose:
                print(f"merge {idx - 255}/{vocab_size - 256}: {pair} -> {idx} "
                      f"[{render_token(vocab[idx])}], {stats[pair]} occurrences")
        self.merges, self.vocab = merges, vocab
        ### END SOLUTION

    def encode(self, text):
        ### BEGIN SOLUTION
        ids = list(text.encode("utf-8"))
        while len(ids) >= 2:
            stats = get_stats(ids)
            pair = min(stats, key=lambda p: self.merges.get(p, float("inf")))  # earliest merge
            if pair not in self.merges:
                break                            # nothing left to merge
            ids = merge(ids, pair, self.merges[pair])
        return ids
        ### END SOLUTION

    def decode(self, ids):
        ### BEGIN SOLUTION
        text_bytes = b"".join(self.vocab[idx] for idx in ids)
        return text_bytes.decode("utf-8", errors="replace")
        ### END SOLUTION


# %% test="basic_train" points=2
### BEGIN HIDDEN TESTS
# Reference get_stats and merge enter the kernel only after their own tests have
# run, so no answer can lean on them; later tasks use them through _zth_with_ref.
def _zth_get_stats(ids, counts=None):
    counts = {} if counts is None else counts
    for _p in zip(ids, ids[1:]):
        counts[_p] = counts.get(_p, 0) + 1
    return counts


def _zth_merge(ids, pair, idx):
    out, i = [], 0
    while i < len(ids):
        if i < len(ids) - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(idx)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
# your get_stats and merge are graded in Tasks 1 and 2: here the tokenizer runs on correct ones
def _zth_trained(tok, text, vocab_size):
    tok.train(text, vocab_size)
    merges = [[int(a), int(b), int(i)] for (a, b), i in tok.merges.items()]
    return [merges, [list(tok.vocab[i]) for i in range(256, 256 + len(merges))]]
for _i, (_what, _txt, _n) in enumerate(_zth_in.basic_runs):
    _zth_export(f"basic_train/{_i}", lambda: _zth_with_ref(lambda: _zth_trained(BasicTokenizer(), _txt, 256 + _n)))
_zth_export("basic_train/swift", lambda: _zth_with_ref(lambda: _zth_trained(
    BasicTokenizer(), _zth_swift(_zth_in.basic_swift[0]), 256 + _zth_in.basic_swift[1])))
### END HIDDEN TESTS
_tok = BasicTokenizer()
_tok.train("aaabdaaabac", 256 + 3)
assert _tok.merges == {(97, 97): 256, (256, 97): 257, (257, 98): 258}, \
    f"merges {_tok.merges}; in a tie pick the pair seen first (max over the dict)"
assert _tok.vocab[258] == b"aaab", f"vocab[258] is {_tok.vocab.get(258)}, expected b'aaab'"
print("ok")

# %% check="basic_train"
def check(x, t):
    hint = ("most frequent pair first, ties to the pair seen first; vocab = bytes of both halves; "
            "stop when no pair is left")
    for i, (what, text, n) in enumerate(_zth_in.basic_runs):
        t.equal(x[f"basic_train/{i}"], ref_train([list(text.encode("utf-8"))], n),
                f"BasicTokenizer trained on {what}: [merges, new vocab entries]", hint=hint)
    span, n = _zth_in.basic_swift
    t.equal(x["basic_train/swift"], ref_train([list(swift(span).encode("utf-8"))], n),
            "BasicTokenizer trained on a slice of taylorswift.txt: [merges, new vocab entries]", hint=hint)


# %% test="basic_encode_decode" points=2
### BEGIN HIDDEN TESTS
_zth_bt = _zth_hand(BasicTokenizer())
for _i, _txt in enumerate(_zth_in.basic_texts):
    _zth_export(f"basic_enc/{_i}", lambda: _zth_with_ref(lambda: _zth_ints(_zth_bt.encode(_txt))))
for _i, _ids in enumerate(_zth_in.basic_dec_ids):
    _zth_export(f"basic_dec/{_i}", lambda: _zth_bt.decode(list(_ids)))
### END HIDDEN TESTS
_tok = BasicTokenizer()
_tok.train("aaabdaaabac", 256 + 3)
assert _tok.encode("aaabdaaabac") == [258, 100, 258, 97, 99], _tok.encode("aaabdaaabac")
assert _tok.encode("") == [] and _tok.decode([]) == "", "the empty string encodes to [] and back"
for _s in ["aaabdaaabac", "hello 👋 안녕", "aaaa"]:
    assert _tok.decode(_tok.encode(_s)) == _s, f"decode(encode({_s!r})) = {_tok.decode(_tok.encode(_s))!r}"
assert _tok.decode([128]) == "\ufffd", "an invalid byte decodes to the replacement character"
print("ok")

# %% check="basic_encode_decode"
def check(x, t):
    ranks, vocab = hand()
    for i, text in enumerate(_zth_in.basic_texts):
        t.equal(x[f"basic_enc/{i}"], ref_encode(list(text.encode("utf-8")), ranks),
                f"encode() of text {i + 1} with a given set of merges",
                hint="apply the merge with the lowest id among the pairs present, until none applies")
    for i, ids in enumerate(_zth_in.basic_dec_ids):
        t.equal(x[f"basic_dec/{i}"], decoded(ids, vocab), f"decode() of id list {i + 1}",
                hint="join the tokens' bytes, then decode with errors='replace'")


# %% [markdown]
# ## Tasks 5 and 6: `RegexTokenizer` (2 + 2 points)
#
# Plain BPE happily merges across words and punctuation ("dog." "dog!" "dog?" become
# different tokens). GPT-2 and GPT-4 first *split* the text with a regex into chunks
# (words with their leading space, runs of up to 3 digits, punctuation, whitespace)
# and run BPE inside each chunk only: no merge ever crosses a chunk boundary.
#
# **Task 5**: `train` (like `BasicTokenizer.train`, but count pairs over all chunks
# together with `get_stats(chunk_ids, stats)` and merge inside each chunk: ties again
# go to the pair seen first), `encode_ordinary(text)` (split with `self.pattern`,
# encode each chunk's bytes with `_encode_chunk`, concatenate) and `decode` (as
# before, plus special tokens). Use `re.findall(self.pattern, text)` at each call,
# because `load` may change the pattern.
#
# **Task 6**: special tokens such as `<|endoftext|>` are not text: they are inserted
# by the program, must come out as their own single id, and must never be seen by
# the split pattern (which would cut `<|endoftext|>` into `<|`, `endoftext`, `|>`).
# `register_special_tokens({str: id})` registers them (and lets `decode` show them);
# `encode(text, allowed_special)` handles them:
#
# * `"all"`: every registered special token in the text becomes its id;
# * `"none"`: special tokens are treated as ordinary text;
# * `"none_raise"` (the default, like tiktoken): like `"none"`, but raise an error
#   (any exception) if the text contains a registered special token;
# * a set of strings: only those special tokens become ids; the others are ordinary
#   text (no error).
#
# To handle them, split the text *around* the allowed special tokens first
# (`re.split` with a capturing group of the escaped tokens keeps the separators),
# then `encode_ordinary` the pieces in between. You may assume that no special token
# occurs inside another one (as with GPT-4's five).

# %%
GPT2_SPLIT_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
GPT4_SPLIT_PATTERN = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|"""
                      r""" ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")
print(re.findall(GPT4_SPLIT_PATTERN, "Hello've world123456 how's   it going!!!?\n\n  ok"))


# %% solution="regex"
class RegexTokenizer(Tokenizer):
    """BPE inside the chunks of a regex split, with special tokens.

    >>> tok = RegexTokenizer()
    >>> tok.train("aaabdaaabac", 256 + 3)
    >>> tok.encode_ordinary("aaabdaaabac")
    [258, 100, 258, 97, 99]
    """

    def __init__(self, pattern=None):
        super().__init__()
        self.pattern = GPT4_SPLIT_PATTERN if pattern is None else pattern

    def train(self, text, vocab_size, verbose=False):
        ### BEGIN SOLUTION
        assert vocab_size >= 256
        chunks = [list(ch.encode("utf-8")) for ch in re.findall(self.pattern, text)]
        merges, vocab = {}, {idx: bytes([idx]) for idx in range(256)}
        for idx in range(256, vocab_size):
            stats = {}
            for ids in chunks:
                get_stats(ids, stats)            # pairs inside each chunk, counted together
            if not stats:
                break
            pair = max(stats, key=stats.get)     # ties: the pair seen first, as before
            chunks = [merge(ids, pair, idx) for ids in chunks]
            merges[pair] = idx
            vocab[idx] = vocab[pair[0]] + vocab[pair[1]]
            if verbose:
                print(f"merge {idx - 255}/{vocab_size - 256}: {pair} -> {idx} "
                      f"[{render_token(vocab[idx])}], {stats[pair]} occurrences")
        self.merges, self.vocab = merges, vocab
        ### END SOLUTION

    def register_special_tokens(self, special_tokens):
        """special_tokens: {str: int}, e.g. {"<|endoftext|>": 100257}."""
        ### BEGIN SOLUTION
        self.special_tokens = dict(special_tokens)
        for special, idx in self.special_tokens.items():
            self.vocab[idx] = special.encode("utf-8")
        ### END SOLUTION

    def decode(self, ids):
        ### BEGIN SOLUTION
        inverse = {idx: special for special, idx in self.special_tokens.items()}
        parts = []
        for idx in ids:
            if idx in inverse:
                parts.append(inverse[idx].encode("utf-8"))
            elif idx in self.vocab:
                parts.append(self.vocab[idx])
            else:
                raise ValueError(f"invalid token id {idx}")
        return b"".join(parts).decode("utf-8", errors="replace")
        ### END SOLUTION

    def _encode_chunk(self, text_bytes):
        """The ids of one chunk (bytes), merged in the order the merges were learned."""
        ### BEGIN SOLUTION
        ids = list(text_bytes)
        while len(ids) >= 2:
            stats = get_stats(ids)
            pair = min(stats, key=lambda p: self.merges.get(p, float("inf")))
            if pair not in self.merges:
                break
            ids = merge(ids, pair, self.merges[pair])
        return ids
        ### END SOLUTION

    def encode_ordinary(self, text):
        """Encode text, ignoring special tokens."""
        ### BEGIN SOLUTION
        ids = []
        for chunk in re.findall(self.pattern, text):
            ids.extend(self._encode_chunk(chunk.encode("utf-8")))
        return ids
        ### END SOLUTION

    def encode(self, text, allowed_special="none_raise"):
        """Encode text; allowed_special is "all", "none", "none_raise" or a set of strings."""
        ### BEGIN SOLUTION
        if allowed_special == "all":
            special = dict(self.special_tokens)
        elif allowed_special == "none":
            special = {}
        elif allowed_special == "none_raise":
            special = {}
            found = [s for s in self.special_tokens if s in text]
            if found:
                raise ValueError(f"the text contains special tokens {found}; pass allowed_special")
        elif isinstance(allowed_special, (set, frozenset)):
            special = {s: i for s, i in self.special_tokens.items() if s in allowed_special}
        else:
            raise ValueError(f"allowed_special={allowed_special!r} is not understood")
        if not special:
            return self.encode_ordinary(text)
        # split around the special tokens (the longest first), keeping them: the pattern never sees them
        alternatives = sorted(special, key=len, reverse=True)
        special_pattern = "(" + "|".join(re.escape(s) for s in alternatives) + ")"
        ids = []
        for part in re.split(special_pattern, text):
            if part in special:
                ids.append(special[part])
            else:
                ids.extend(self.encode_ordinary(part))
        return ids
        ### END SOLUTION


# %% test="regex_train" points=2
### BEGIN HIDDEN TESTS
_zth_export("regex_train/gpt4", lambda: _zth_with_ref(lambda: _zth_trained(
    RegexTokenizer(), _zth_in.regex_text, 256 + _zth_in.regex_merges)))
_zth_export("regex_train/gpt2", lambda: _zth_with_ref(lambda: _zth_trained(
    RegexTokenizer(GPT2_SPLIT_PATTERN), _zth_in.regex_text, 256 + _zth_in.regex_merges)))
_zth_export("regex_train/swift", lambda: _zth_with_ref(lambda: _zth_trained(
    RegexTokenizer(), _zth_swift(_zth_in.regex_swift[0]), 256 + _zth_in.regex_swift[1])))
_zth_rt4, _zth_rt2 = _zth_hand(RegexTokenizer()), _zth_hand(RegexTokenizer(GPT2_SPLIT_PATTERN))
for _i, _txt in enumerate(_zth_in.regex_texts):
    _zth_export(f"regex_enc4/{_i}", lambda: _zth_with_ref(lambda: _zth_ints(_zth_rt4.encode_ordinary(_txt))))
    _zth_export(f"regex_enc2/{_i}", lambda: _zth_with_ref(lambda: _zth_ints(_zth_rt2.encode_ordinary(_txt))))
for _i, _ids in enumerate(_zth_in.regex_dec_ids):
    _zth_export(f"regex_dec/{_i}", lambda: _zth_rt4.decode(list(_ids)))
### END HIDDEN TESTS
_tok = RegexTokenizer()
_tok.train("aaabdaaabac", 256 + 3)
assert _tok.encode_ordinary("aaabdaaabac") == [258, 100, 258, 97, 99], _tok.encode_ordinary("aaabdaaabac")
_tok = RegexTokenizer()
_tok.train("ab ab ab ab", 256 + 2)
assert _tok.merges == {(97, 98): 256, (32, 256): 257}, \
    f"merges {_tok.merges}: count pairs inside the chunks 'ab', ' ab', ...; never across two chunks"
for _s in ["", "hello 👋 안녕", "ab ab  abab\n\n"]:
    assert _tok.decode(_tok.encode_ordinary(_s)) == _s, f"round trip of {_s!r}"
assert _tok.decode([240, 159]) == "\ufffd", "invalid UTF-8 decodes to the replacement character"
print("ok")

# %% check="regex_train"
def check(x, t):
    hint = "split with self.pattern, count pairs inside every chunk (together), merge inside each chunk"
    text, n = _zth_in.regex_text, _zth_in.regex_merges
    span, n_swift = _zth_in.regex_swift
    for key, pattern, what, n_merges in (("gpt4", GPT4, "GPT-4 pattern, a mixed text", n),
                                         ("gpt2", GPT2, "GPT-2 pattern, a mixed text", n),
                                         ("swift", GPT4, "GPT-4 pattern, a slice of taylorswift.txt", n_swift)):
        source = swift(span) if key == "swift" else text
        chunks = [list(c.encode("utf-8")) for c in re.findall(pattern, source)]
        t.equal(x[f"regex_train/{key}"], ref_train(chunks, n_merges),
                f"RegexTokenizer training ({what}): [merges, new vocab entries]", hint=hint)
    ranks, vocab = hand()
    for i, text in enumerate(_zth_in.regex_texts):
        for key, pattern, name in (("regex_enc4", GPT4, "GPT-4"), ("regex_enc2", GPT2, "GPT-2")):
            t.equal(x[f"{key}/{i}"], ordinary(text, pattern, ranks),
                    f"encode_ordinary() of text {i + 1} with the {name} pattern and given merges",
                    hint="split with self.pattern, then merge inside each chunk by merge id")
    for i, ids in enumerate(_zth_in.regex_dec_ids):
        t.equal(x[f"regex_dec/{i}"], decoded(ids, vocab), f"decode() of id list {i + 1}",
                hint="join the bytes, decode with errors='replace'")


# %% test="regex_special" points=2
### BEGIN HIDDEN TESTS
_zth_sp = _zth_hand(RegexTokenizer())
_zth_sp.register_special_tokens(dict(_zth_in.special_tokens))
for _i, _txt in enumerate(_zth_in.special_texts):
    _zth_export(f"special/{_i}/all", lambda: _zth_with_ref(lambda: _zth_ints(_zth_sp.encode(_txt, allowed_special="all"))))
    _zth_export(f"special/{_i}/none", lambda: _zth_with_ref(lambda: _zth_ints(_zth_sp.encode(_txt, allowed_special="none"))))
    _zth_export(f"special/{_i}/set", lambda: _zth_with_ref(lambda: _zth_ints(
        _zth_sp.encode(_txt, allowed_special=set(_zth_in.special_allowed)))))
    # the text, then the text without its special tokens: raises, then encodes
    _zth_clean = _txt
    for _s in _zth_in.special_tokens:
        _zth_clean = _zth_clean.replace(_s, " ")
    _zth_export(f"special/{_i}/none_raise", lambda: _zth_with_ref(lambda: [
        _zth_outcome(lambda: _zth_sp.encode(_txt, allowed_special="none_raise")),
        _zth_outcome(lambda: _zth_sp.encode(_zth_clean, allowed_special="none_raise"))]))
    _zth_export(f"special/{_i}/default", lambda: _zth_with_ref(lambda: [
        _zth_outcome(lambda: _zth_sp.encode(_txt)), _zth_outcome(lambda: _zth_sp.encode(_zth_clean))]))
_zth_export("special/decode", lambda: _zth_sp.decode(list(_zth_in.special_dec_ids)))
### END HIDDEN TESTS
_tok = RegexTokenizer()
_tok.train("hello hello world", 256 + 5)
_tok.register_special_tokens({"<|endoftext|>": 300})
_ids = _tok.encode("hello<|endoftext|>world", allowed_special="all")
assert _ids[len(_tok.encode_ordinary("hello"))] == 300 and _ids.count(300) == 1, \
    f"{_ids}: '<|endoftext|>' must become the single id 300"
assert 300 not in _tok.encode("hello<|endoftext|>world", allowed_special="none"), \
    "with allowed_special='none' the special token is ordinary text"
try:
    _tok.encode("hello<|endoftext|>world")
    _raised = False
except Exception:      # any exception will do
    _raised = True
assert _raised, "by default ('none_raise') a special token in the text must raise an error"
assert _tok.decode(_ids) == "hello<|endoftext|>world", _tok.decode(_ids)
print("ok")

# %% check="regex_special"
def check(x, t):
    ranks, vocab = hand()
    special = dict(_zth_in.special_tokens)
    allowed = {s: i for s, i in special.items() if s in _zth_in.special_allowed}

    def plain(text):
        return ordinary(text, GPT4, ranks)

    def with_special(text, allowed):
        # no special token of these tests occurs inside another or overlaps one, so any
        # splitting around them gives this
        if not allowed:
            return plain(text)
        out = []
        for part in re.split("(" + "|".join(re.escape(s) for s in allowed) + ")", text):
            out += [allowed[part]] if part in allowed else plain(part)
        return out

    for k, text in enumerate(_zth_in.special_texts):
        has = any(s in text for s in special)
        clean = text
        for s in special:
            clean = clean.replace(s, " ")
        what = f"text {k + 1} ({'with' if has else 'without'} special tokens)"
        t.equal(x[f"special/{k}/all"], with_special(text, special), f"encode({what}, allowed_special='all')",
                hint="split around the allowed special tokens first; encode_ordinary the pieces in between")
        t.equal(x[f"special/{k}/none"], plain(text), f"encode({what}, allowed_special='none')",
                hint="'none' encodes special tokens as ordinary text")
        t.equal(x[f"special/{k}/set"], with_special(text, allowed),
                f"encode({what}, allowed_special=a set of some of the special tokens)",
                hint="a set allows only those special tokens; the others are ordinary text")
        raised = ["raised" if has else plain(text), plain(clean)]
        t.equal(x[f"special/{k}/none_raise"], raised,
                f"encode({what}, allowed_special='none_raise'), then the same text without its special tokens",
                hint="raise (any exception) exactly when the text contains a registered special token; "
                     "otherwise encode it as ordinary text")
        t.equal(x[f"special/{k}/default"], raised,
                f"encode({what}) with the default allowed_special, then without its special tokens",
                hint="the default is 'none_raise'")
    t.equal(x["special/decode"], decoded(_zth_in.special_dec_ids, {**vocab, **{i: s.encode() for s, i in special.items()}}),
            "decode() of ids with special tokens among them",
            hint="a special token's id decodes to its text")


# %% [markdown]
# ## Task 7: save and load (2 points)
#
# Go back to the `Tokenizer` class and write `save(file_prefix)` and
# `load(model_file)`. `save` writes two files. `file_prefix + ".model"` is for `load`,
# in this exact format (minbpe's):
#
# ```
# minbpe v1
# <the pattern, on one line; empty for BasicTokenizer>
# <the number of special tokens>
# <special token> <its id>        one line per special token
# <a> <b>                         one line per merge, in the order of their ids 256, 257, ...
# ```
#
# A special token contains no whitespace. `file_prefix + ".vocab"` is for people: one
# line per token of `vocab`, ending with its id, e.g. `[ the] 262` or, for a merged
# token, `[ t][he] -> [ the] 262` (use `render_token`). `load` reads a
# `.model` file back into `self.pattern`, `self.special_tokens` and `self.merges`
# (ids 256, 257, ... in file order) and rebuilds `self.vocab` with `_build_vocab()`.

# %% test="save_load" points=2
### BEGIN HIDDEN TESTS
def _zth_saved(make, special):
    """The .model lines and the .vocab ids that save() writes for the hand-made tokenizer."""
    folder = tempfile.mkdtemp()
    tok = _zth_hand(make())
    tok.special_tokens = dict(special)
    for _s, _i in special.items():
        tok.vocab[_i] = _s.encode("utf-8")
    tok.save(os.path.join(folder, "tok"))
    with open(os.path.join(folder, "tok.model"), encoding="utf-8") as f:
        model = f.read().rstrip("\n").split("\n")
    with open(os.path.join(folder, "tok.vocab"), encoding="utf-8") as f:
        vocab = [ln.rsplit(" ", 1)[-1] for ln in f.read().split("\n") if ln.strip()]
    return model, vocab
for _name, _make, _special in (("regex", lambda: RegexTokenizer(_zth_in.save_pattern), _zth_in.save_special),
                               ("basic", BasicTokenizer, {})):
    _zth_export(f"save/{_name}/model", lambda: _zth_saved(_make, _special)[0])
    _zth_export(f"save/{_name}/vocab", lambda: _zth_saved(_make, _special)[1])
def _zth_loaded(name):
    """The state load() restores from a .model file written here in the stated format."""
    pattern, special, merges = _zth_in.load_models[name]
    path = os.path.join(tempfile.mkdtemp(), f"{name}.model")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"minbpe v1\n{pattern}\n{len(special)}\n")
        f.writelines(f"{s} {i}\n" for s, i in special.items())
        f.writelines(f"{a} {b}\n" for a, b in merges)
    tok = RegexTokenizer() if name == "regex" else BasicTokenizer()
    tok.load(path)
    return [tok.pattern, {str(k): int(v) for k, v in tok.special_tokens.items()},
            sorted(([int(a), int(b), int(i)] for (a, b), i in tok.merges.items()), key=lambda m: m[2]),
            [[int(i), list(tok.vocab[i])] for i in sorted(tok.vocab) if i >= 256]]
for _name in ("regex", "basic"):
    _zth_export(f"load/{_name}", lambda: _zth_loaded(_name))
### END HIDDEN TESTS
_folder = tempfile.mkdtemp()
_tok = RegexTokenizer()
_tok.train("aaabdaaabac", 256 + 3)
_tok.register_special_tokens({"<|endoftext|>": 259})
_tok.save(os.path.join(_folder, "toy"))
print(open(os.path.join(_folder, "toy.model")).read())
print(open(os.path.join(_folder, "toy.vocab")).read()[-120:])
_new = RegexTokenizer("x")
_new.load(os.path.join(_folder, "toy.model"))
assert _new.merges == _tok.merges, f"loaded merges {_new.merges} != saved {_tok.merges}"
assert _new.special_tokens == {"<|endoftext|>": 259}, f"special tokens: {_new.special_tokens}"
assert _new.pattern == GPT4_SPLIT_PATTERN, "load must restore the pattern"
assert _new.vocab[258] == b"aaab", "rebuild the vocab after loading"
print("ok")

# %% check="save_load"
def check(x, t):
    ranks, vocab = hand()
    merges = sorted(ranks.items(), key=lambda kv: kv[1])
    for name, pattern, special in (("regex", _zth_in.save_pattern, _zth_in.save_special), ("basic", "", {})):
        lines = (["minbpe v1", pattern, str(len(special))] + [f"{s} {i}" for s, i in special.items()]
                 + [f"{a} {b}" for (a, b), _ in merges])
        t.equal(x[f"save/{name}/model"], lines, f"{name}: the .model file written by save()",
                hint="follow the format exactly: version, pattern, count, special tokens, merges by id")
        got = x[f"save/{name}/vocab"]
        ids = sorted(str(i) for i in [*vocab, *special.values()])
        ok = isinstance(got, list) and all(isinstance(v, str) for v in got)
        t.equal(sorted(got) if ok else got, ids, f"{name}: the .vocab file written by save()",
                hint="one line per token of vocab, ending with its id")
    for name in ("regex", "basic"):
        pattern, special, pairs = _zth_in.load_models[name]
        table = {i: bytes([i]) for i in range(256)}
        for idx, (a, b) in enumerate(pairs, start=256):
            table[idx] = table[a] + table[b]
        table.update({i: s.encode("utf-8") for s, i in special.items()})
        want = [pattern, dict(special), [[a, b, idx] for idx, (a, b) in enumerate(pairs, start=256)],
                [[i, list(table[i])] for i in sorted(table) if i >= 256]]
        got = x[f"load/{name}"]
        ok = isinstance(got, list) and len(got) == 4
        for i, part in enumerate(["pattern", "special tokens", "merges", "vocab (ids >= 256)"]):
            t.equal(got[i] if ok else got, want[i], f"load() of a .model file ({name}): {part}",
                    hint="load restores the pattern, the special tokens and the merges (new ids 256, 257, ... "
                         "in file order), then rebuilds the vocab")


# %% [markdown]
# ## Task 8: GPT-4's merges (2 points)
#
# OpenAI publishes GPT-4's tokenizer as a file of *ranks*: each line is a token's
# bytes in base64 and its rank, `IQ== 0` (`b"!"` has rank 0), ..., 100,256 lines. The
# rank is the token's id and also the order of the merges: a token of rank `r` was
# made by merging two tokens of lower rank. The merges themselves are not in the file,
# but they can be recovered: run BPE on the token's own bytes using only the ranks
# below `r` (merge the adjacent pair whose concatenation has the lowest rank, again
# and again); it stops at exactly two parts, the pair that makes the token.
#
# Write `load_cl100k_ranks()` (read the file with `load_text("cl100k_base.tiktoken")`,
# return `{token bytes: rank}`) and `recover_merges(ranks)` (return `{(rank of the
# left part, rank of the right part): rank}` for every token longer than one byte).
# The latter takes a few seconds for the 100k tokens.

# %% solution="cl100k"
def load_cl100k_ranks():
    """{token bytes: rank} from the cl100k_base.tiktoken file."""
    ### BEGIN SOLUTION
    ranks = {}
    for line in load_text("cl100k_base.tiktoken").splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks
    ### END SOLUTION


def recover_merges(ranks):
    """{(left rank, right rank): rank} for every token of more than one byte.

    >>> recover_merges({b"a": 0, b"b": 1, b"ab": 2, b"abb": 3})
    {(0, 1): 2, (2, 1): 3}
    """
    ### BEGIN SOLUTION
    def split(token, max_rank):
        parts = [bytes([b]) for b in token]
        while len(parts) > 2:
            best = None     # (rank, position) of the lowest-ranked pair below max_rank
            for i in range(len(parts) - 1):
                r = ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < max_rank and (best is None or r < best[0]):
                    best = (r, i)
            if best is None:
                break
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        return parts

    merges = {}
    for token, rank in ranks.items():
        if len(token) > 1:
            left, right = split(token, rank)
            merges[(ranks[left], ranks[right])] = rank
    return merges
    ### END SOLUTION


# %% test="cl100k_merges" points=2
### BEGIN HIDDEN TESTS
def _zth_rank_sample():
    got = load_cl100k_ranks()
    inv = {int(r): list(t) for t, r in got.items()}
    return [len(got), [[r, inv.get(r)] for r in _zth_in.cl100k_ranks_sample]]
_zth_export("cl100k/ranks", _zth_rank_sample)
# our reader of the ranks enters the kernel here, once yours has been called
_zth_cache = {}
def _zth_ranks():
    """{token bytes: rank} of cl100k, read here (the student's reader is graded in Task 8)."""
    if "ranks" not in _zth_cache:
        import base64 as _b64
        ranks = {}
        for line in load_text("cl100k_base.tiktoken").splitlines():
            if line:
                tok, r = line.split()
                ranks[_b64.b64decode(tok)] = int(r)
        _zth_cache["ranks"] = ranks
    return dict(_zth_cache["ranks"])
def _zth_merge_sample():
    merges = recover_merges(_zth_ranks())
    by_rank = {int(r): [int(a), int(b)] for (a, b), r in merges.items()}
    return [len(merges), [[r, by_rank.get(r)] for r in _zth_in.cl100k_merges_sample]]
_zth_export("cl100k/merges", _zth_merge_sample)
_zth_export("cl100k/toy", lambda: sorted([int(a), int(b), int(r)]
                                         for (a, b), r in recover_merges(dict(_zth_in.toy_ranks)).items()))
### END HIDDEN TESTS
assert recover_merges({b"a": 0, b"b": 1, b"ab": 2, b"abb": 3}) == {(0, 1): 2, (2, 1): 3}
_ranks = load_cl100k_ranks()
assert len(_ranks) == 100256 and _ranks[b"!"] == 0 and _ranks[b" hello"] == 24748, "read every line: base64, rank"
_t0 = time.time()
_merges = recover_merges({tok: r for tok, r in _ranks.items() if r < 25_000})   # the first 25k, to save time
print(f"recovered {len(_merges)} merges in {time.time() - _t0:.1f} s")
assert len(_merges) == 25_000 - 256, f"{len(_merges)} merges, expected {25_000 - 256}"
assert _merges.get((_ranks[b" h"], _ranks[b"ello"])) == 24748, "' hello' (24748) is made of ' h' + 'ello'"
print("ok")

# %% check="cl100k_merges"
def check(x, t):
    from tiktoken.load import load_tiktoken_bpe
    from autograder.data import data_path
    ranks = load_tiktoken_bpe(str(data_path("cl100k_base.tiktoken")))
    inv = {r: tok for tok, r in ranks.items()}
    t.equal(x["cl100k/ranks"], [len(ranks), [[r, list(inv[r])] for r in _zth_in.cl100k_ranks_sample]],
            "load_cl100k_ranks(): its size and a sample of [rank, token bytes]",
            hint="each line is 'base64 rank': decode the first field with base64")

    def split(token, max_rank, table):   # minbpe's bpe(): merge by rank, only ranks below max_rank
        parts = [bytes([b]) for b in token]
        while True:
            cands = [(table.get(parts[i] + parts[i + 1], math.inf), i) for i in range(len(parts) - 1)]
            r, i = min(cands) if cands else (math.inf, 0)
            if r >= max_rank:
                return parts
            parts = parts[:i] + [parts[i] + parts[i + 1]] + parts[i + 2:]

    def pair(r):
        left, right = split(inv[r], r, ranks)
        return [ranks[left], ranks[right]]
    t.equal(x["cl100k/merges"], [len(ranks) - 256, [[r, pair(r)] for r in _zth_in.cl100k_merges_sample]],
            "recover_merges(cl100k ranks): its size and a sample of [rank, [left rank, right rank]]",
            hint="run BPE on the token's bytes with only the ranks below its own; it ends in two parts")
    toy = dict(_zth_in.toy_ranks)
    want = sorted([*[toy[p] for p in split(tok, r, toy)], r] for tok, r in toy.items() if len(tok) > 1)
    t.equal(x["cl100k/toy"], want, "recover_merges on a small hand-made ranks table",
            hint="use the ranks of the table you are given (a single byte's rank need not be its value)")


# %% [markdown]
# ## Task 9: `GPT4Tokenizer` (3 points)
#
# Now GPT-4's tokenizer is a `RegexTokenizer` with the GPT-4 pattern, the merges you
# just recovered, and five special tokens. One quirk: in cl100k the token id of a
# single byte is its rank, and the 256 single bytes are *not* ranked in byte order
# (`b"!"` is 0, the letter `a` is 64). So before merging, map each byte of a chunk to
# its rank (`self.byte_shuffle[b] = ranks[bytes([b])]`); the merges then work on ranks
# and the results are GPT-4's token ids. For decoding, the simplest is a `vocab` that
# maps each id (= rank) to its token's bytes: the inherited `decode` then works as it is.
#
# Write `__init__` (load the ranks, recover the merges, build `byte_shuffle` and
# `vocab`, register `GPT4_SPECIAL_TOKENS`) and `_encode_chunk`. The result must equal
# `tiktoken.get_encoding("cl100k_base")` token for token.

# %%
GPT4_SPECIAL_TOKENS = {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                       "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}


# %% solution="gpt4"
class GPT4Tokenizer(RegexTokenizer):
    """GPT-4's tokenizer (tiktoken's cl100k_base), rebuilt from its ranks.

    >>> GPT4Tokenizer().encode("hello world")
    [15339, 1917]
    """

    def __init__(self):
        super().__init__(pattern=GPT4_SPLIT_PATTERN)
        ### BEGIN SOLUTION
        ranks = load_cl100k_ranks()
        self.merges = recover_merges(ranks)
        self.byte_shuffle = {b: ranks[bytes([b])] for b in range(256)}
        self.vocab = {rank: token for token, rank in ranks.items()}
        self.register_special_tokens(GPT4_SPECIAL_TOKENS)
        ### END SOLUTION

    def _encode_chunk(self, text_bytes):
        ### BEGIN SOLUTION
        shuffled = bytes(self.byte_shuffle[b] for b in text_bytes)   # the single bytes' ids
        return super()._encode_chunk(shuffled)
        ### END SOLUTION


# %%
_t0 = time.time()
gpt4 = GPT4Tokenizer()
print(f"GPT4Tokenizer() built in {time.time() - _t0:.1f} s")
print(gpt4.encode("hello123!!!? (안녕하세요!) 😉"))

# %% test="gpt4" points=3
### BEGIN HIDDEN TESTS
# graded here: your GPT4Tokenizer; the ranks, merges and special-token splitting it uses are
# replaced by correct ones (they are graded in their own tasks)
def _zth_merges_ref(ranks):
    def split(token, max_rank):
        parts = [bytes([b]) for b in token]
        while len(parts) > 2:
            best = None
            for i in range(len(parts) - 1):
                r = ranks.get(parts[i] + parts[i + 1])
                if r is not None and r < max_rank and (best is None or r < best[0]):
                    best = (r, i)
            if best is None:
                break
            i = best[1]
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        return parts
    merges = {}
    for token, rank in ranks.items():
        if len(token) > 1:
            a, b = split(token, rank)
            merges[(ranks[a], ranks[b])] = rank
    return merges
def _zth_encode_special(tok, text):
    pat = "(" + "|".join(re.escape(s) for s in tok.special_tokens) + ")"
    out = []
    for part in re.split(pat, text):
        out += [tok.special_tokens[part]] if part in tok.special_tokens else tok.encode_ordinary(part)
    return out
_zth_gpt4 = _zth_with_ref(GPT4Tokenizer, load_cl100k_ranks=_zth_ranks, recover_merges=_zth_merges_ref)
for _i, _txt in enumerate(_zth_in.gpt4_texts):
    _zth_export(f"gpt4/enc/{_i}", lambda: _zth_with_ref(lambda: _zth_ints(_zth_gpt4.encode_ordinary(_txt))))
_zth_export("gpt4/swift", lambda: _zth_with_ref(lambda: _zth_ints(_zth_gpt4.encode_ordinary(
    _zth_swift(_zth_in.gpt4_swift)))))
for _i, _txt in enumerate(_zth_in.gpt4_special_texts):
    _zth_export(f"gpt4/special/{_i}", lambda: _zth_with_ref(lambda: _zth_ints(_zth_encode_special(_zth_gpt4, _txt))))
for _i, _ids in enumerate(_zth_in.gpt4_dec_ids):
    _zth_export(f"gpt4/dec/{_i}", lambda: _zth_gpt4.decode(list(_ids)))
### END HIDDEN TESTS
_ids = gpt4.encode("hello123!!!? (안녕하세요!) 😉")
assert _ids == [15339, 4513, 12340, 30, 320, 31495, 230, 75265, 243, 92245, 16715, 57037], _ids
assert gpt4.encode("<|endoftext|>hello world", allowed_special="all") == [100257, 15339, 1917]
assert gpt4.decode(_ids) == "hello123!!!? (안녕하세요!) 😉", gpt4.decode(_ids)
assert gpt4.encode("") == [] and gpt4.decode([]) == ""
print("ok")

# %% check="gpt4"
def cl100k():
    """tiktoken's cl100k_base, loaded offline from the course data file."""
    import shutil
    import tempfile
    import os
    import tiktoken
    from autograder.data import data_path
    folder = tempfile.mkdtemp()
    shutil.copyfile(data_path("cl100k_base.tiktoken"),
                    os.path.join(folder, "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"))  # sha1 of its URL
    saved = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = folder
    try:
        return tiktoken.get_encoding("cl100k_base")
    finally:
        if saved is None:
            del os.environ["TIKTOKEN_CACHE_DIR"]
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = saved
        shutil.rmtree(folder, ignore_errors=True)


def check(x, t):
    enc = cl100k()
    hint = "map every byte through byte_shuffle before merging"
    for i, text in enumerate(_zth_in.gpt4_texts):
        t.equal(x[f"gpt4/enc/{i}"], enc.encode_ordinary(text), f"encode_ordinary() of text {i + 1} vs tiktoken",
                hint=hint)
    t.equal(x["gpt4/swift"], enc.encode_ordinary(swift(_zth_in.gpt4_swift)),
            "encode_ordinary() of a slice of taylorswift.txt vs tiktoken", hint=hint)
    for i, text in enumerate(_zth_in.gpt4_special_texts):
        t.equal(x[f"gpt4/special/{i}"], enc.encode(text, allowed_special="all"),
                f"text {i + 1} with GPT-4's special tokens in it, allowed, vs tiktoken",
                hint="register GPT4_SPECIAL_TOKENS")
    for i, ids in enumerate(_zth_in.gpt4_dec_ids):
        t.equal(x[f"gpt4/dec/{i}"], enc.decode(ids), f"decode() of id list {i + 1} vs tiktoken",
                hint="each id (= rank) stands for its token's bytes, before the shuffle; errors='replace'")


# %% [markdown]
# ## Looking at tokens
#
# The function below colours each token of a text, so you can see where the
# boundaries fall. Compare your own tokenizers with GPT-4's. Things to notice: a
# space usually belongs to the *next* word; numbers are cut into groups of up to 3
# digits; a Korean syllable or an emoji can take several tokens; Python indentation
# is grouped into runs of spaces.

# %%
from IPython.display import HTML, display


def show_tokens(tok, text):
    """HTML with one coloured span per token of `text` (hover for the ids). Tokens that
    share a character (its UTF-8 bytes are split between them) are drawn in one dashed box."""
    colours = ["#fde2e4", "#cde7f0", "#d8f3dc", "#fff1c1", "#e2d4f5", "#ffd8be"]
    ids = tok.encode(text, allowed_special="all") if isinstance(tok, RegexTokenizer) else tok.encode(text)
    spans, buf, group = [], b"", []
    for idx in ids:
        buf, group = buf + tok.vocab[idx], group + [idx]
        try:
            piece = buf.decode("utf-8")
        except UnicodeDecodeError:
            continue                  # part of a character: wait for the rest of it
        piece = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "↵<br>")
        box = "outline:1px dashed #666;" if len(group) > 1 else ""
        spans.append(f'<span title="{group}" style="background:{colours[len(spans) % len(colours)]};'
                     f'{box}white-space:pre">{piece}</span>')
        buf, group = b"", []
    if group:
        spans.append(f'<span title="{group}">{buf.decode("utf-8", errors="replace")}</span>')
    return HTML(f'<p>{len(ids)} tokens</p><div style="font-family:monospace;line-height:1.8">'
                + "".join(spans) + "</div>")

display(show_tokens(gpt4, "Tokenization is at the heart of much weirdness of LLMs.\n"
                          "127 + 677 = 804. 안녕하세요 👋\n    for i in range(10):\n        print(i)"))

# %% [markdown]
# ## Training on real text
#
# Train both tokenizers on Taylor Swift's Wikipedia article (minbpe's test text).
# `SCALE` comes from the setup cell: `"colab"` trains a 512-token vocabulary on the
# whole article (tens of seconds: every one of the 256 merges recounts all the
# pairs), the grader a smaller one on a slice.

# %%
CFG = {"grading": dict(chars=20_000, vocab_size=300),
       "colab": dict(chars=None, vocab_size=512),
       "full": dict(chars=None, vocab_size=512)}[SCALE]
swift = load_text("taylorswift.txt")
train_text = swift[:CFG["chars"]]
for cls in (BasicTokenizer, RegexTokenizer):
    tok = cls()
    t0 = time.time()
    tok.train(train_text, CFG["vocab_size"])
    seconds = time.time() - t0
    ids = tok.encode_ordinary(train_text) if cls is RegexTokenizer else tok.encode(train_text)
    n_bytes = len(train_text.encode("utf-8"))
    print(f"{cls.__name__}: {len(tok.merges)} merges in {seconds:.1f} s; "
          f"{n_bytes} bytes -> {len(ids)} tokens (compression {n_bytes / len(ids):.2f}x)")
print("the 10 last merges:", [render_token(tok.vocab[i]) for i in range(CFG["vocab_size"] - 10, CFG["vocab_size"])])
display(show_tokens(tok, swift[:300]))
