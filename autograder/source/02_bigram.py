# %% [markdown]
# # Exercise 2: makemore 1, a bigram language model
#
# A character-level language model of names: given one character, predict the next.
# You will build it twice, first by counting pairs of characters in `names.txt`, then
# as a one-layer neural net trained by gradient descent, and see that the two meet.
# Then you do the lecture's exercises E01 to E05.
#
# Work top to bottom. Each task has a cell with `# YOUR CODE HERE`: replace the
# `raise NotImplementedError(...)` line with your code, then run the test cell below
# it. The grader also runs hidden tests on other inputs, so make your code correct in
# general, not just on the examples.
#
# Tasks and points: vocabulary (1), count matrix (2), probabilities with smoothing
# (2), sampling (1), average negative log likelihood (2), the one-hot net's loss (2),
# its training loop (2), E01 trigram model (2), E02 train/dev/test split (2), E03
# smoothing tuned on dev (1), E04 indexing instead of one-hot (1), E05
# `F.cross_entropy` (1). Total 19.

# %%
import math
import random

import torch
import torch.nn.functional as F

words = load_text("names.txt").splitlines()
print(len(words), "names, for example", words[:5])
print("shortest", min(len(w) for w in words), "longest", max(len(w) for w in words))

# How much of the data the neural-net part trains on, and for how long; how many
# names the train/dev/test part (E02, E03) splits.
CFG = {"grading": dict(net_words=2000, net_steps=300, net_lr=50.0, split_words=8000),
       "colab":   dict(net_words=len(words), net_steps=200, net_lr=50.0, split_words=len(words)),
       "full":    dict(net_words=len(words), net_steps=500, net_lr=50.0, split_words=len(words))}[SCALE]

# %% [markdown]
# ## Task 1: the vocabulary (1 point)
#
# The model works on integers, not characters. Write `build_vocab(words)` that returns
# two dicts: `stoi` (string to integer) and `itos` (integer to string). Index 0 is the
# special character `'.'`, which marks both the start and the end of a name; the
# characters that occur in `words` follow in sorted order, from 1.

# %% solution="vocab"
def build_vocab(words):
    """stoi, itos for the characters in words, with '.' at index 0.

    >>> stoi, itos = build_vocab(["cab", "ad"])
    >>> stoi
    {'.': 0, 'a': 1, 'b': 2, 'c': 3, 'd': 4}
    >>> itos[3]
    'c'
    """
    ### BEGIN SOLUTION
    chars = sorted(set(''.join(words)))
    stoi = {'.': 0}
    for i, ch in enumerate(chars):
        stoi[ch] = i + 1
    itos = {i: s for s, i in stoi.items()}
    return stoi, itos
    ### END SOLUTION


stoi, itos = build_vocab(words)

# %% inputs
# The hidden inputs, drawn per submission from `rng`: names.txt subsets are lists of
# line numbers, random tensors come from a torch generator seeded from `rng`.
import string

import torch

_gen = torch.Generator().manual_seed(rng.randrange(2**62))
_N_NAMES = 32033                                  # lines of names.txt


_perm = list(range(_N_NAMES))
rng.shuffle(_perm)
_perm += _perm


def _subset(*sizes):
    """Disjoint random subsets of names.txt's line numbers, of the given sizes (cut
    from a random place of one random permutation: cheaper than a sample each)."""
    start = rng.randrange(_N_NAMES)
    cuts = [start + sum(sizes[:i]) for i in range(len(sizes) + 1)]
    parts = [_perm[a:b] for a, b in zip(cuts, cuts[1:])]
    return parts[0] if len(parts) == 1 else parts


def _letters(lo, hi):
    return sorted(rng.sample(string.ascii_lowercase, rng.randint(lo, hi)))


def _words(chars, lo, hi, longest=7):
    return [''.join(rng.choice(chars) for _ in range(rng.randint(1, longest)))
            for _ in range(rng.randint(lo, hi))]


def _stoi(chars, shuffle=False):
    """'.' at 0, the characters after it (sorted, or in a random order)."""
    order = list(chars)
    if shuffle:
        rng.shuffle(order)
    return {'.': 0, **{c: i + 1 for i, c in enumerate(order)}}


def _loss_case(V, n, reg, scale=1.0):
    """A random (V, V) W, inputs xs and targets ys (n,), and a regularisation."""
    return {"V": V, "n": n, "reg": reg,
            "W": scale * torch.randn((V, V), generator=_gen),
            "xs": torch.randint(0, V, (n,), generator=_gen),
            "ys": torch.randint(0, V, (n,), generator=_gen)}


def _distinct(a, b, k):
    """k distinct numbers from [a, b), at least (b - a) / (3 k) apart, rounded."""
    while True:
        xs = sorted(round(rng.uniform(a, b), 3) for _ in range(k))
        if all(y - x >= (b - a) / (3 * k) for x, y in zip(xs, xs[1:])):
            rng.shuffle(xs)
            return xs


# vocab: two made-up word lists and a subset of names.txt
vocab_words = [_words(_letters(2, 9), 2, 6), _words(_letters(10, 20), 5, 12)]
vocab_names = _subset(60)

# counts: made-up words over a small vocabulary whose letters are numbered in a
# random order, and a subset of names.txt with the 27-character vocabulary
_chars = _letters(3, 7)
counts_stoi = _stoi(_chars, shuffle=True)
counts_words = _words(_chars, 4, 10)
counts_names = _subset(3000)

# probs: random count matrices of random sizes, with different smoothings
probs_cases = []
for _k in [0, rng.randint(1, 10), round(rng.uniform(0.05, 3.0), 3)]:
    _V = rng.randint(3, 9)
    _N = torch.randint(0 if _k else 1, 25, (_V, _V), generator=_gen)
    probs_cases.append({"N": _N, "smoothing": _k})

# sample: (generator seed, smoothing of the names.txt model)
sample_cases = [(rng.randrange(2**31), rng.choice([0, 1])),
                (rng.randrange(2**31), round(rng.uniform(0.1, 5.0), 2))]

# nll: a model fitted on one subset, scored on another; one scored on its own data
nll_fit, nll_eval = _subset(2500, 800)
nll_k = round(rng.uniform(0.2, 3.0), 3)
_chars = _letters(2, 5)
nll_toy_stoi = _stoi(_chars, shuffle=True)
nll_toy_words = _words(_chars, 2, 5, longest=5)
_p = torch.rand((len(_chars) + 1,) * 2, generator=_gen) + 0.05
nll_toy_P = _p / _p.sum(1, keepdim=True)

# net_loss: a small, a names-sized and a middle-sized vocabulary
net_loss_cases = [_loss_case(rng.randint(3, 8), rng.randint(5, 15), 0.0),
                  _loss_case(27, rng.randint(40, 80), round(rng.uniform(0.001, 0.05), 4)),
                  _loss_case(rng.randint(9, 30), rng.randint(20, 60), round(rng.uniform(0.1, 1.0), 3))]

# net_train: a few exact steps on a small problem, then a full run on a subset of names
_V = rng.randint(4, 8)
_x = torch.randint(0, _V, (rng.randint(30, 60),), generator=_gen)
train_small = {"V": _V, "xs": _x, "ys": (_x * rng.randint(1, 3) + torch.randint(0, 2, _x.shape, generator=_gen)) % _V,
               "steps": rng.randint(3, 6), "lr": round(rng.uniform(0.5, 5.0), 2),
               "reg": round(rng.uniform(0.0, 0.1), 3), "seed": rng.randrange(2**31)}
train_names = _subset(2000)
train_steps, train_lr = 300, 50.0                 # as the notebook trains (grading scale)

# trigram
_chars = _letters(2, 4)
tri_toy_stoi = _stoi(_chars, shuffle=True)
tri_toy_words = _words(_chars, 2, 5)
tri_counts_names = _subset(1500)
_V = rng.randint(3, 5)
tri_probs_N = torch.randint(0, 9, (_V, _V, _V), generator=_gen)
tri_probs_k = round(rng.uniform(0.1, 2.0), 3)
tri_fit, tri_eval = _subset(2000, 500)
tri_nll_P = torch.rand((27, 27, 27), generator=_gen) + 0.05   # a P3 no counts gave
tri_nll_P = tri_nll_P / tri_nll_P.sum(2, keepdim=True)
tri_own_k = round(rng.uniform(0.1, 2.0), 3)       # for the model your functions build

# split: made-up items, a subset of names, and a given train/dev/test for eval_splits
split_items = [f"{rng.choice(string.ascii_lowercase)}{i}" for i in range(rng.randint(200, 3000))]
split_seed = rng.randrange(2**31)
split_names = _subset(1500)
split_names_seed = rng.randrange(2**31)
split_unchanged_seed = rng.randrange(2**31)
split_given = _subset(6000, 1000, 1000)

# smoothing: a train and a dev subset, two lists of smoothings to try
tune_train, tune_dev = _subset(5000, 1500)
tune_ks = [_distinct(0.005, 0.3, 3), _distinct(0.01, 3.0, 4)]

# indexing and cross_entropy
indexed_cases = [_loss_case(rng.randint(3, 8), rng.randint(5, 15), 0.0),
                 _loss_case(27, rng.randint(40, 80), round(rng.uniform(0.001, 0.05), 4))]
ce_cases = [_loss_case(rng.randint(3, 8), rng.randint(5, 15), 0.0),
            _loss_case(27, rng.randint(40, 80), round(rng.uniform(0.001, 0.05), 4)),
            _loss_case(rng.randint(3, 6), rng.randint(5, 15), 0.0, scale=rng.uniform(60.0, 120.0))]


# %% probes
# Helpers of the hidden tests, shared by them (graded notebook only).
def _zth_names(idx):
    """The names at the given line numbers of names.txt."""
    global _zth_all_names
    try:
        _all = _zth_all_names
    except NameError:
        _all = _zth_all_names = load_text("names.txt").splitlines()
    return [_all[i] for i in idx]


def _zth_lossgrad(fn, case):
    """[loss, *dloss/dW] of fn(W, xs, ys, reg) on a case of the hidden inputs."""
    _W = case["W"].clone().requires_grad_()
    _l = fn(_W, case["xs"].clone(), case["ys"].clone(), reg=case["reg"])
    _l.backward()
    return [float(_l.item())] + _W.grad.flatten().tolist()


_zth_abc = {c: i for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")}


# %% checks
# Helpers shared by the checks (grader only): names.txt and oracles written with torch.
import torch.nn.functional as F

ABC = {c: i for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")}
_NAMES = []


def pick(idx):
    """The names at the given line numbers of names.txt."""
    if not _NAMES:
        _NAMES.extend(load_text("names.txt").splitlines())
    return [_NAMES[i] for i in idx]


def ngrams(ws, s, order):
    """(n, order) int64 tensor of every n-gram of every word, padded with '.'."""
    rows = []
    for w in ws:
        ix = [s['.']] * (order - 1) + [s[c] for c in w] + [s['.']]
        rows += [ix[i:i + order] for i in range(len(ix) - order + 1)]
    return torch.tensor(rows, dtype=torch.int64).view(-1, order)


def count_oracle(ws, s, order):
    """The float64 count tensor of the n-grams of ws, V = len(s) along each axis."""
    t = ngrams(ws, s, order)
    N = torch.zeros((len(s),) * order, dtype=torch.float64)
    N.index_put_(tuple(t.T), torch.ones(len(t), dtype=torch.float64), accumulate=True)
    return N


def nll_oracle(P, ws, s, order):
    """Average -log P over the n-grams of ws."""
    return -P[tuple(ngrams(ws, s, order).T)].log().mean().item()


def lossgrad_oracle(case):
    """[loss, *dloss/dW] of the net's loss on a case of the hidden inputs, in float64."""
    W = case["W"].double().requires_grad_()
    loss = F.cross_entropy(W[case["xs"]], case["ys"]) + case["reg"] * (W ** 2).mean()
    loss.backward()
    return [loss.item()] + W.grad.flatten().tolist()


# %% test="vocab" points=1
### BEGIN HIDDEN TESTS
for _i, _ws in enumerate(_zth_in.vocab_words + [_zth_names(_zth_in.vocab_names)]):
    _zth_export(f"stoi/{_i}", lambda: sorted(build_vocab(list(_ws))[0].items(), key=lambda kv: kv[1]))
    _zth_export(f"itos/{_i}", lambda: sorted(build_vocab(list(_ws))[1].items()))
### END HIDDEN TESTS
_s, _i = build_vocab(["cab", "ad"])
assert _s == {'.': 0, 'a': 1, 'b': 2, 'c': 3, 'd': 4}, f"stoi for ['cab', 'ad'] is {_s}"
assert _i == {0: '.', 1: 'a', 2: 'b', 3: 'c', 4: 'd'}, f"itos for ['cab', 'ad'] is {_i}"
assert len(stoi) == 27 and stoi['.'] == 0 and stoi['a'] == 1 and stoi['z'] == 26, \
    "names.txt has 26 letters: '.' is 0, 'a' is 1, 'z' is 26"
print("ok")

# %% check="vocab"
def check(x, t):
    for i, ws in enumerate(_zth_in.vocab_words + [pick(_zth_in.vocab_names)]):
        chars = ['.'] + sorted(set(''.join(ws)))
        for key, want, hint in (
                (f"stoi/{i}", [[c, j] for j, c in enumerate(chars)],
                 "'.' must be 0 and the characters that occur follow, sorted, from 1"),
                (f"itos/{i}", [[j, c] for j, c in enumerate(chars)],
                 "itos must be the inverse of stoi")):
            got = x[key]
            what = f"{key[:4]} for word list {i + 1}"
            if isinstance(got, list):
                t.true(got == want, what, hint)
            else:
                t.fail(got, what, "not a dict")


# %% mistakes="vocab"
# Known mistakes (grader only): what each would export, for the feedback to name it.
@mistake("vocab-dot-last", "'.' is not at index 0: it comes first, and the characters "
         "that occur follow it, sorted, from 1.", see="counting-bigrams")
def _():
    want = {}
    for i, ws in enumerate(_zth_in.vocab_words + [pick(_zth_in.vocab_names)]):
        chars = sorted(set(''.join(ws))) + ['.']
        want[f"stoi/{i}"] = [[c, j] for j, c in enumerate(chars)]
        want[f"itos/{i}"] = [[j, c] for j, c in enumerate(chars)]
    return want


# %% [markdown]
# ## Task 2: counting bigrams (2 points)
#
# A *bigram* is a pair of consecutive characters. Surround every word with the
# boundary character, `'.' + word + '.'`, so that "emma" gives the bigrams `.e`, `em`,
# `mm`, `ma`, `a.`. Write `bigram_counts(words, stoi)` that returns the tensor `N` of
# shape `(V, V)` (`V = len(stoi)`, dtype `torch.int32`) where `N[i, j]` counts how
# often character `j` follows character `i`.

# %% solution="counts"
def bigram_counts(words, stoi):
    """N[i, j] = how often itos[j] follows itos[i] in '.' + word + '.'.

    >>> N = bigram_counts(["ab"], {'.': 0, 'a': 1, 'b': 2})
    >>> N.tolist()
    [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    """
    ### BEGIN SOLUTION
    V = len(stoi)
    N = torch.zeros((V, V), dtype=torch.int32)
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            N[stoi[ch1], stoi[ch2]] += 1
    return N
    ### END SOLUTION


N = bigram_counts(words, stoi)

# %% test="counts" points=2
### BEGIN HIDDEN TESTS
_zth_export("counts/toy", lambda: bigram_counts(list(_zth_in.counts_words), dict(_zth_in.counts_stoi)))
_zth_export("counts/names", lambda: bigram_counts(_zth_names(_zth_in.counts_names), dict(_zth_abc)))
### END HIDDEN TESTS
_N = bigram_counts(["ab"], {'.': 0, 'a': 1, 'b': 2})
assert _N.shape == (3, 3), f"for a vocabulary of 3 the shape is (3, 3), not {tuple(_N.shape)}"
assert _N.tolist() == [[0, 1, 0], [0, 0, 1], [1, 0, 0]], \
    f"'.ab.' has the bigrams .a ab b. , got {_N.tolist()}"
assert N.shape == (27, 27) and N.sum().item() == 228146, \
    f"names.txt has 228146 bigrams, your N sums to {N.sum().item()}"
assert N[stoi['n'], stoi['.']].item() == 6763, "'n.' (names ending in n) occurs 6763 times"
print("ok")

# %% check="counts"
def check(x, t):
    s = _zth_in.counts_stoi
    t.equal(x["counts/toy"], count_oracle(_zth_in.counts_words, s, 2),
            "counts of made-up words over a small vocabulary, letters numbered in another order",
            "N[stoi[first], stoi[next]], with '.' at both ends of each word")
    t.equal(x["counts/names"], count_oracle(pick(_zth_in.counts_names), ABC, 2),
            "counts of a subset of names.txt", "remember the '.' at both ends of each word")


# %% mistakes="counts"
def padded_counts(ws, s, before, after, order):
    """count_oracle with `before` dots before each word and `after` after it."""
    rows = []
    for w in ws:
        ix = [s['.']] * before + [s[c] for c in w] + [s['.']] * after
        rows += [ix[i:i + order] for i in range(len(ix) - order + 1)]
    t = torch.tensor(rows, dtype=torch.int64).view(-1, order)
    N = torch.zeros((len(s),) * order, dtype=torch.float64)
    return N.index_put_(tuple(t.T), torch.ones(len(t), dtype=torch.float64), accumulate=True)


def _boundary(before, after):
    return {"counts/toy": padded_counts(_zth_in.counts_words, _zth_in.counts_stoi, before, after, 2),
            "counts/names": padded_counts(pick(_zth_in.counts_names), ABC, before, after, 2)}


@mistake("counts-boundary", "The '.' is missing at one end of each word: every name is "
         "counted as '.' + word + '.', so the model learns how names start and end.",
         see="common-mistakes")
def _():
    return _boundary(1, 0)


@mistake("counts-boundary")
def _():
    return _boundary(0, 1)


# %% [markdown]
# ## Task 3: probabilities, with smoothing (2 points)
#
# Row `i` of `N` holds the counts of what follows character `i`. Turn `N` into `P`,
# where `P[i]` is the probability distribution of the next character: each row sums
# to 1. *Smoothing* adds a pseudo-count `smoothing` to every cell first, so that no
# bigram has probability zero. Write `bigram_probs(N, smoothing=1)`, returning a float
# tensor. Careful with broadcasting: which dimension do you sum over, and what shape
# is the sum?

# %% solution="probs"
def bigram_probs(N, smoothing=1):
    """Row-normalised (N + smoothing) as a float32 tensor: P[i].sum() == 1.

    >>> bigram_probs(torch.tensor([[1, 3], [0, 0]]), smoothing=0).tolist()[0]
    [0.25, 0.75]
    """
    ### BEGIN SOLUTION
    P = (N + smoothing).float()
    P = P / P.sum(1, keepdim=True)
    return P
    ### END SOLUTION


P = bigram_probs(N, smoothing=1)

# %% test="probs" points=2
### BEGIN HIDDEN TESTS
for _i, _c in enumerate(_zth_in.probs_cases):
    _zth_export(f"probs/{_i}", lambda: bigram_probs(_c["N"].clone(), smoothing=_c["smoothing"]))
### END HIDDEN TESTS
_P = bigram_probs(torch.tensor([[1, 3], [0, 0]]), smoothing=0)
assert _P[0].tolist() == [0.25, 0.75], f"row [1, 3] should become [0.25, 0.75], got {_P[0].tolist()}"
_P = bigram_probs(torch.tensor([[1, 3], [0, 2]]), smoothing=1)
assert torch.allclose(_P, torch.tensor([[2 / 6, 4 / 6], [1 / 4, 3 / 4]])), \
    f"with smoothing=1 [[1, 3], [0, 2]] becomes [[2/6, 4/6], [1/4, 3/4]], got {_P.tolist()}"
assert torch.allclose(P.sum(1), torch.ones(27)), "every row of P must sum to 1"
assert (P > 0).all(), "with smoothing every probability is positive"
print("ok")

# %% check="probs"
def check(x, t):
    for i, c in enumerate(_zth_in.probs_cases):
        N = c["N"].double() + c["smoothing"]
        t.close(x[f"probs/{i}"], N / N.sum(1, keepdim=True),
                f"P of a random count matrix (case {i + 1} of {len(_zth_in.probs_cases)})",
                atol=1e-6, hint="add the smoothing to every count, then make each ROW sum to 1")


# %% mistakes="probs"
@mistake("probs-dim0", "P is normalised over dimension 0: its columns sum to 1, where each "
         "row must (sum over dimension 1).", see="common-mistakes")
def _():
    return {f"probs/{i}": (N := c["N"].double() + c["smoothing"]) / N.sum(0, keepdim=True)
            for i, c in enumerate(_zth_in.probs_cases)}


@mistake("probs-no-keepdim", "The row sums lost their dimension (no keepdim=True): dividing by "
         "a (V,) vector divides each column by a row's total, not each row by its own.",
         see="common-mistakes")
def _():
    return {f"probs/{i}": (N := c["N"].double() + c["smoothing"]) / N.sum(1)
            for i, c in enumerate(_zth_in.probs_cases)}


# %% [markdown]
# ## Task 4: sampling names (1 point)
#
# To generate a name, start at `'.'` (index 0) and repeatedly draw the next index
# from the row of the current one, until you draw `'.'` again. Write
# `sample_name(P, itos, g)` that returns the name as a string (without the dots).
# Draw each index with exactly
# `torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()`, so
# that a seeded generator gives the same names as ours.

# %% solution="sample"
def sample_name(P, itos, g):
    """One name drawn from the bigram model P, using generator g."""
    ### BEGIN SOLUTION
    out = []
    ix = 0
    while True:
        ix = torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
        if ix == 0:
            break
        out.append(itos[ix])
    return ''.join(out)
    ### END SOLUTION


g = torch.Generator().manual_seed(2147483647)
for _ in range(5):
    print(sample_name(P, itos, g))

# %% test="sample" points=1
### BEGIN HIDDEN TESTS
# Reference bigram helpers enter the kernel here, after the tests of the tasks they
# answer (counts, probs); they count bigrams only, never the trigrams of task 8.
def _zth_bigrams(ws):
    """(n, 2) tensor of every bigram of ws, padded with dots (index 0)."""
    _f = []
    for _w in ws:
        _ix = [0] + [ord(c) - 96 for c in _w] + [0]
        _f.extend(zip(_ix, _ix[1:]))
    return torch.tensor(_f).view(-1, 2)
def _zth_count2(ws):
    _t = _zth_bigrams(ws)
    _N = torch.zeros((27, 27), dtype=torch.float64)
    _N.index_put_(tuple(_t.T), torch.ones(len(_t), dtype=torch.float64), accumulate=True)
    return _N
def _zth_sample_probe(seed, k):
    _N = _zth_count2(load_text("names.txt").splitlines()).float() + k
    _Pp = _N / _N.sum(1, keepdim=True)
    _g = torch.Generator().manual_seed(seed)
    _it = {i: c for c, i in _zth_abc.items()}
    return [sample_name(_Pp, _it, _g) for _ in range(8)]
for _i, (_seed, _k) in enumerate(_zth_in.sample_cases):
    _zth_export(f"sample/{_i}", lambda: _zth_sample_probe(_seed, _k))
### END HIDDEN TESTS
_g = torch.Generator().manual_seed(3)
_toy = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
assert sample_name(_toy, {0: '.', 1: 'a', 2: 'b'}, _g) == "ab", \
    "from '.' this P always goes to 'a', then 'b', then '.': the name is 'ab'"
_names = [sample_name(P, itos, torch.Generator().manual_seed(2147483647)) for _ in range(2)]
assert _names[0] == _names[1], "the same seed must give the same name"
print("ok")

# %% check="sample"
_memo = {}     # what the check and the oracles of its mistakes share, for one submission


def sample_like(column=False, keep_dot=False, longest=None):
    """{key: the 8 names} of the sample probe, drawn as the statement says or in a
    mistaken way: from a column of P, or keeping the final '.'. With `longest`, None
    when a name runs past it."""
    if "N2" not in _memo:      # the bigrams of ".emma.olivia. ...": those of every name
        text = "." + ".".join(load_text("names.txt").splitlines()) + "."
        ix = torch.tensor([ABC[c] for c in text])
        _memo["N2"] = torch.bincount(ix[:-1] * 27 + ix[1:], minlength=27 * 27).view(27, 27).float()
    N2 = _memo["N2"]
    itos = ".abcdefghijklmnopqrstuvwxyz"
    want = {}
    for i, (seed, k) in enumerate(_zth_in.sample_cases):
        N = N2 + k
        P = N / N.sum(1, keepdim=True)
        g = torch.Generator().manual_seed(seed)
        names = []
        for _ in range(8):
            out, ix = [], 0
            while longest is None or len(out) < longest:
                ix = torch.multinomial(P[:, ix] if column else P[ix], num_samples=1,
                                       replacement=True, generator=g).item()
                if ix == 0 and not keep_dot:
                    break
                out.append(itos[ix])
                if ix == 0:
                    break
            else:
                return None
            names.append(''.join(out))
        want[f"sample/{i}"] = names
    return want


def check(x, t):
    want = sample_like()
    for i in range(len(_zth_in.sample_cases)):
        t.equal(x[f"sample/{i}"], want[f"sample/{i}"],
                f"8 names sampled from a seeded generator (case {i + 1})",
                "draw each index from the row P[ix] of the current character, with the "
                "multinomial call given, and stop at '.' (without adding it)")


# %% mistakes="sample"
@mistake("sample-column", "Each character is drawn from a column of P (P[:, ix], what comes "
         "before ix) instead of its row P[ix] (what comes after).", see="common-mistakes")
def _():
    return sample_like(column=True, longest=50)


@mistake("sample-keeps-dot", "The names keep the final '.': stop when you draw index 0, "
         "before adding it to the name.", see="sampling-names")
def _():
    return sample_like(keep_dot=True, longest=50)


# %% [markdown]
# ## Task 5: the average negative log likelihood (2 points)
#
# How good is the model? The likelihood of the data is the product of the
# probabilities the model gives to every bigram in it; its log is the sum of the log
# probabilities. Write `avg_nll(words, P, stoi)`: the average, over every bigram of
# every word (with the dots), of $-\log P[i, j]$. Lower is better. On all of
# names.txt the count model gives 2.4540 without smoothing and 2.4546 with +1.
#
# (Adding up 228,146 float32 numbers one by one loses digits: use Python floats,
# `.item()`, or tensors and `.mean()`.)

# %% solution="nll"
def avg_nll(words, P, stoi):
    """Average negative log likelihood of all bigrams of words under P (a float)."""
    ### BEGIN SOLUTION
    xs, ys = [], []
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    logprobs = P[torch.tensor(xs), torch.tensor(ys)].log()
    return -logprobs.mean().item()
    ### END SOLUTION


nll_words = avg_nll(words, P, stoi)
print(f"average NLL with +1 smoothing: {nll_words:.4f}")

# %% test="nll" points=2
### BEGIN HIDDEN TESTS
def _zth_P(ws, k):
    _N = _zth_count2(ws)
    return ((_N + k) / (_N + k).sum(1, keepdim=True)).float()
_zth_fit = _zth_names(_zth_in.nll_fit)
_zth_export("nll/held_out", lambda: float(avg_nll(_zth_names(_zth_in.nll_eval),
                                                  _zth_P(_zth_fit, _zth_in.nll_k), dict(_zth_abc))))
_zth_export("nll/own_data", lambda: float(avg_nll(list(_zth_fit), _zth_P(_zth_fit, 0), dict(_zth_abc))))
_zth_export("nll/toy", lambda: float(avg_nll(list(_zth_in.nll_toy_words), _zth_in.nll_toy_P.clone(),
                                             dict(_zth_in.nll_toy_stoi))))
### END HIDDEN TESTS
_toy = torch.tensor([[0.0, 0.5, 0.5], [0.25, 0.25, 0.5], [1.0, 0.0, 0.0]])
_v = avg_nll(["ab"], _toy, {'.': 0, 'a': 1, 'b': 2})
assert abs(_v - (math.log(2) + math.log(2) + 0) / 3) < 1e-6, \
    f"'.ab.' has probabilities 0.5, 0.5, 1: the average NLL is {(2 * math.log(2)) / 3:.6f}, got {_v}"
_v = nll_words
assert abs(_v - 2.4546) < 3e-4, f"on names.txt with +1 smoothing the average NLL is 2.4546, got {_v:.4f}"
print("ok")

# %% check="nll"
def check(x, t):
    fit = pick(_zth_in.nll_fit)
    for key, k, ws, what in (("nll/held_out", _zth_in.nll_k, pick(_zth_in.nll_eval),
                              "a smoothed model's average NLL on names it was not fitted on"),
                             ("nll/own_data", 0, fit, "an unsmoothed model's average NLL on its own names")):
        N = count_oracle(fit, ABC, 2) + k
        P = (N / N.sum(1, keepdim=True)).float().double()     # the probe hands over float32
        t.close(x[key], nll_oracle(P, ws, ABC, 2), what, atol=2e-4, rtol=0,
                hint="average -log P[i, j] over every bigram of every word, dots included")
    t.close(x["nll/toy"], nll_oracle(_zth_in.nll_toy_P.double(), _zth_in.nll_toy_words,
                                     _zth_in.nll_toy_stoi, 2),
            "average NLL of made-up words under a small P, letters numbered in another order",
            atol=1e-5, hint="look the characters up with stoi")


# %% mistakes="nll"
@mistake("nll-sign", "avg_nll returns the average log likelihood, without the minus sign: "
         "the negative log likelihood is -log P, a positive number.",
         see="how-good-is-the-model-the-likelihood", atol=2e-4, rtol=0)
def _():
    fit = pick(_zth_in.nll_fit)
    want = {}
    for key, k, ws in (("nll/held_out", _zth_in.nll_k, pick(_zth_in.nll_eval)), ("nll/own_data", 0, fit)):
        N = count_oracle(fit, ABC, 2) + k
        want[key] = -nll_oracle((N / N.sum(1, keepdim=True)).float().double(), ws, ABC, 2)
    want["nll/toy"] = -nll_oracle(_zth_in.nll_toy_P.double(), _zth_in.nll_toy_words,
                                  _zth_in.nll_toy_stoi, 2)
    return want


# %% [markdown]
# ## The same model as a neural net
#
# Now frame it as a neural net: the input character `i` goes in as a one-hot vector
# $x$ (27 numbers, a 1 at position `i`), one linear layer `W` (27x27, no bias; VxV
# for a vocabulary of V characters) turns it into 27 *logits* (log-counts),
# exponentiating gives counts, normalising gives probabilities. Gradient descent on
# the average NLL should find `W` such that `exp(W)` is proportional to `N`. The
# training set is every bigram, as two tensors of indices: inputs `xs` and targets
# `ys`.

# %%
def bigram_dataset(words, stoi):
    """Inputs xs and targets ys (int64 tensors): every bigram of every word.

    >>> bigram_dataset(["ab"], {'.': 0, 'a': 1, 'b': 2})
    (tensor([0, 1, 2]), tensor([1, 2, 0]))
    """
    xs, ys = [], []
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            xs.append(stoi[ch1])
            ys.append(stoi[ch2])
    return torch.tensor(xs), torch.tensor(ys)


xs, ys = bigram_dataset(words, stoi)
print(xs.shape[0], "examples")

# %% [markdown]
# ## Task 6: the net's loss (2 points)
#
# Write `net_loss(W, xs, ys, reg=0.01)`. `W` is a `(V, V)` tensor for a vocabulary of
# `V` characters: `V` is 27 for names.txt, but the tests use other sizes too (the
# first visible test a 3x3 `W`), so take `V` from `W.shape[0]`. One-hot encode `xs`
# with `F.one_hot(xs, num_classes=V)` (as float), multiply by `W` to get logits,
# exponentiate and normalise each row into probabilities (by hand: no `F.softmax`, no
# `F.cross_entropy` here), and return the average of $-\log$ of the probability of the
# correct next character `ys`, plus the regularisation `reg * (W**2).mean()`. The
# regularisation pulls `W` towards 0, that is towards uniform probabilities: it plays
# the part that smoothing played for the counts.

# %% solution="net_loss"
def net_loss(W, xs, ys, reg=0.01):
    """Average NLL of ys given xs under softmax(one_hot(xs) @ W), plus reg * mean(W**2)."""
    ### BEGIN SOLUTION
    xenc = F.one_hot(xs, num_classes=W.shape[0]).float()   # (n, V)
    logits = xenc @ W                                     # (n, V) log-counts
    counts = logits.exp()                                 # (n, V)
    probs = counts / counts.sum(1, keepdim=True)          # (n, V) each row sums to 1
    nll = -probs[torch.arange(len(ys)), ys].log().mean()
    return nll + reg * (W**2).mean()
    ### END SOLUTION


# %% test="net_loss" points=2
### BEGIN HIDDEN TESTS
for _i, _c in enumerate(_zth_in.net_loss_cases):
    _zth_export(f"net_loss/{_i}", lambda: _zth_lossgrad(net_loss, _c))
### END HIDDEN TESTS
_W = torch.eye(3, requires_grad=True)               # a vocabulary of 3 characters: W is 3x3
try:
    _l = net_loss(_W, torch.tensor([0, 1]), torch.tensor([0, 2]), reg=0.0)
except RuntimeError as _e:
    raise AssertionError(f"net_loss fails for a 3x3 W ({_e}): W is (V, V) for a vocabulary of "
                         "any size V, so one-hot encode with num_classes=W.shape[0]") from None
_want = -(math.log(math.e / (math.e + 2)) + math.log(1 / (math.e + 2))) / 2
assert abs(_l.item() - _want) < 1e-5, f"loss for W = identity, xs=[0, 1], ys=[0, 2]: expected {_want:.5f}, got {_l.item():.5f}"
_W = torch.zeros((27, 27), requires_grad=True)
_l = net_loss(_W, xs[:5], ys[:5])
assert abs(_l.item() - math.log(27)) < 1e-5, \
    f"with W = 0 every probability is 1/27, so the loss is ln 27 = 3.2958; got {_l.item():.4f}"
_l.backward()
assert _W.grad is not None and _W.grad.abs().sum() > 0, "the loss must be differentiable with respect to W"
print("ok")

# %% check="net_loss"
def check(x, t):
    for i, c in enumerate(_zth_in.net_loss_cases):
        t.close(x[f"net_loss/{i}"], lossgrad_oracle(c),
                f"[loss, dloss/dW] for a random W (case {i + 1} of {len(_zth_in.net_loss_cases)})",
                atol=1e-5, rtol=1e-4,
                hint="W is (V, V) with V = W.shape[0]; normalise each row (over the next character), "
                     "average over the examples, and add reg * (W**2).mean()")


# %% mistakes="net_loss"
def lossgrad_like(case, logits=lambda W, xs, ys: W[xs], probs=None):
    """[loss, *dloss/dW] of the net's loss computed the mistaken way, in float64."""
    W = case["W"].double().requires_grad_()
    z = logits(W, case["xs"], case["ys"])
    p = probs(z) if probs else z.softmax(1)
    loss = -p[torch.arange(len(case["ys"])), case["ys"]].log().mean() + case["reg"] * (W ** 2).mean()
    loss.backward()
    return [loss.item()] + W.grad.flatten().tolist()


@mistake("net-loss-dim0", "The probabilities are normalised over the examples (dimension 0): "
         "each row, one example's next character, must sum to 1.", see="common-mistakes",
         atol=1e-4, rtol=1e-3)
def _():
    return {f"net_loss/{i}": lossgrad_like(c, probs=lambda z: z.exp() / z.exp().sum(0, keepdim=True))
            for i, c in enumerate(_zth_in.net_loss_cases)}


@mistake("net-loss-27", "net_loss works only for 27 characters: take V from W.shape[0] "
         "(F.one_hot(xs, num_classes=W.shape[0])).", see="the-same-model-as-a-neural-network",
         atol=1e-4, rtol=1e-3)
def _():
    return {f"net_loss/{i}": lossgrad_oracle(c) if c["V"] == 27 else RAISES
            for i, c in enumerate(_zth_in.net_loss_cases)}


# %% [markdown]
# ## Task 7: training by gradient descent (2 points)
#
# Write `train_net(xs, ys, steps, lr, reg=0.01, seed=2147483647, V=27)`: start from
# `W = torch.randn((V, V), generator=torch.Generator().manual_seed(seed),
# requires_grad=True)`, then for each step: compute `net_loss(W, xs, ys, reg)`, reset
# the gradient (`W.grad = None`), backpropagate, and update `W.data += -lr * W.grad`.
# Return `W` and the list of the losses (floats), one per step, before each update.

# %% solution="net_train"
def train_net(xs, ys, steps, lr, reg=0.01, seed=2147483647, V=27):
    """Gradient descent on net_loss; returns (W, losses)."""
    ### BEGIN SOLUTION
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((V, V), generator=g, requires_grad=True)
    losses = []
    for k in range(steps):
        loss = net_loss(W, xs, ys, reg)
        W.grad = None
        loss.backward()
        W.data += -lr * W.grad
        losses.append(loss.item())
    return W, losses
    ### END SOLUTION


# %% [markdown]
# Train on the bigrams of the first `CFG["net_words"]` names (all of them at the
# default scale). With a learning rate of 50 the loss falls from about 3.8 to within
# a few hundredths of the count model's.

# %%
net_words = words[:CFG["net_words"]]
xs_net, ys_net = bigram_dataset(net_words, stoi)
W, losses = train_net(xs_net, ys_net, CFG["net_steps"], CFG["net_lr"])
for k in range(0, len(losses), max(1, len(losses) // 5)):
    print(f"step {k:4d}  loss {losses[k]:.4f}")
with torch.no_grad():
    net_nll = F.cross_entropy(W[xs_net], ys_net).item()
count_nll = avg_nll(net_words, bigram_probs(bigram_counts(net_words, stoi), smoothing=0), stoi)
print(f"net: {net_nll:.4f}   counts: {count_nll:.4f}   (NLL without the regularisation term)")

# %% test="net_train" points=2
### BEGIN HIDDEN TESTS
def _zth_loss_on(_xs, _ys, V=27):
    """net_loss for these xs, ys only (our loss stands in for yours while train_net is
    tested; it is bound to the data so that it answers no later task)."""
    _C = torch.zeros((V, V)).index_put_((_xs, _ys), torch.ones(len(_xs)), accumulate=True)
    def net_loss(W, xs, ys, reg=0.01):
        if not (torch.equal(torch.as_tensor(xs), _xs) and torch.equal(torch.as_tensor(ys), _ys)):
            raise ValueError("train_net should call net_loss(W, xs, ys, reg) with the xs, ys it was given")
        return -(_C * W.log_softmax(1)).sum() / len(_xs) + reg * (W**2).mean()
    return net_loss
def _zth_with_our_loss(call, xs, ys, V=27):
    """Run call() with our net_loss in place of yours, so that only train_net counts here."""
    _saved = globals().get("net_loss")
    globals()["net_loss"] = _zth_loss_on(xs, ys, V)
    try:
        return call()
    finally:
        globals()["net_loss"] = _saved
def _zth_small():
    _c = _zth_in.train_small
    _W, _ls = train_net(_c["xs"].clone(), _c["ys"].clone(), _c["steps"], _c["lr"], reg=_c["reg"],
                        seed=_c["seed"], V=_c["V"])
    return [float(v) for v in _ls] + _W.detach().flatten().tolist()
_zth_export("train/exact", lambda: _zth_with_our_loss(_zth_small, _zth_in.train_small["xs"],
                                                       _zth_in.train_small["ys"], _zth_in.train_small["V"]))
_zth_t = _zth_bigrams(_zth_names(_zth_in.train_names))
def _zth_full():
    return train_net(_zth_t[:, 0].clone(), _zth_t[:, 1].clone(), _zth_in.train_steps, _zth_in.train_lr)
try:
    _zth_run = _zth_with_our_loss(_zth_full, _zth_t[:, 0], _zth_t[:, 1])
except Exception as _e:
    _zth_run = _e
def _zth_part(i):
    if isinstance(_zth_run, Exception):
        raise _zth_run
    return _zth_run[i]
# the trained model: W holds the logits of each of the 27 possible inputs; the check
# computes the loss from them on the names it trained on
_zth_export("train/W", lambda: torch.as_tensor(_zth_part(0).detach()).clone())
# for the reference record only (the check computes its own figures)
def _zth_fit():
    return _zth_loss_on(_zth_t[:, 0], _zth_t[:, 1])(_zth_part(0).detach(), _zth_t[:, 0], _zth_t[:, 1],
                                                    reg=0.0).item()
_zth_export("record/train_loss", _zth_fit)
_zth_export("record/curve", lambda: [float(_zth_part(1)[i]) for i in range(0, len(_zth_part(1)),
                                                                            max(1, len(_zth_part(1)) // 20))])
del _zth_loss_on, _zth_with_our_loss     # a correct loss must not outlive this test (tasks 11, 12)
### END HIDDEN TESTS
assert len(losses) == CFG["net_steps"], f"one loss per step: {CFG['net_steps']} expected, got {len(losses)}"
assert losses[-1] < losses[0], "the loss should go down"
assert net_nll < count_nll + 0.02, \
    f"the net's NLL {net_nll:.4f} should come within 0.02 of the count model's {count_nll:.4f}"
print("ok")

# %% check="net_train"
def small_run(reset=True):
    """[losses, final W] of train_net on the small problem, as the probe exports them;
    with reset=False the gradient adds up from step to step (a known mistake)."""
    c = _zth_in.train_small
    W = torch.randn((c["V"], c["V"]), generator=torch.Generator().manual_seed(c["seed"]),
                    requires_grad=True)
    ls = []
    for _ in range(c["steps"]):
        loss = F.cross_entropy(W[c["xs"]], c["ys"]) + c["reg"] * (W**2).mean()
        if reset:
            W.grad = None
        loss.backward()
        W.data += -c["lr"] * W.grad
        ls.append(loss.item())
    return ls + W.detach().flatten().tolist()


def check(x, t):
    t.close(x["train/exact"], small_run(),
            "a few steps of train_net on a small problem: [losses, final W]", atol=1e-4, rtol=1e-4,
            hint="initialise W as described, reset the gradient each step, and step against it")
    # the full run: its NLL on the names it trained on, computed here from the trained W
    # (the logits of each input), must come within 0.02 of the count model's, the
    # minimum of that NLL (nothing can be lower)
    W = x["train/W"]
    what = "your trained W comes within 0.02 of the count model's NLL on its training names"
    if not isinstance(W, torch.Tensor) or W.shape != (27, 27) or not bool(torch.isfinite(W).all()):
        t.fail(W, what, "train_net must return a finite 27x27 tensor W")
        return
    a, b = ngrams(pick(_zth_in.train_names), ABC, 2).T
    nll = F.cross_entropy(W.double()[a], b).item()
    N = count_oracle(pick(_zth_in.train_names), ABC, 2)
    best = -(N / N.sum(1, keepdim=True).clamp(min=1))[a, b].log().mean().item()
    t.true(best - 1e-6 <= nll <= best + 0.02, what,
           f"your W's NLL is {nll - best:.4f} above the count model's")


# %% mistakes="net_train"
@mistake("train-no-reset", "train_net does not reset the gradient (W.grad = None) before "
         "backward(): PyTorch adds gradients up, so each step uses the sum of all so far.",
         see="common-mistakes", atol=1e-4, rtol=1e-4)
def _():
    return {"train/exact": small_run(reset=False)}


# %% [markdown]
# ## Task 8 (E01): a trigram model (2 points)
#
# Condition on the two previous characters instead of one. Pad each word with two dots
# at the start and one at the end, `'..' + word + '.'`, so "emma" gives the trigrams
# `..e`, `.em`, `emm`, `mma`, `ma.`. Write
#
# * `trigram_counts(words, stoi)`: the `(V, V, V)` `torch.int32` tensor `N3`, where
#   `N3[i, j, k]` counts how often `k` follows the pair `i, j`;
# * `trigram_probs(N3, smoothing=1)`: `P3` with `P3[i, j]` a distribution over the
#   next character;
# * `trigram_nll(words, P3, stoi)`: the average negative log likelihood of every
#   trigram of every word.
#
# It must beat the bigram model's 2.454.

# %% solution="trigram"
def trigram_counts(words, stoi):
    """N3[i, j, k] = how often k follows the pair (i, j) in '..' + word + '.'."""
    ### BEGIN SOLUTION
    V = len(stoi)
    N3 = torch.zeros((V, V, V), dtype=torch.int32)
    for w in words:
        chs = ['.', '.'] + list(w) + ['.']
        for ch1, ch2, ch3 in zip(chs, chs[1:], chs[2:]):
            N3[stoi[ch1], stoi[ch2], stoi[ch3]] += 1
    return N3
    ### END SOLUTION


def trigram_probs(N3, smoothing=1):
    """(N3 + smoothing) normalised over the last dimension, float32."""
    ### BEGIN SOLUTION
    P3 = (N3 + smoothing).float()
    return P3 / P3.sum(2, keepdim=True)
    ### END SOLUTION


def trigram_nll(words, P3, stoi):
    """Average negative log likelihood of every trigram of words under P3 (a float)."""
    ### BEGIN SOLUTION
    ix = []
    for w in words:
        chs = ['.', '.'] + list(w) + ['.']
        for ch1, ch2, ch3 in zip(chs, chs[1:], chs[2:]):
            ix.append((stoi[ch1], stoi[ch2], stoi[ch3]))
    i, j, k = torch.tensor(ix).T
    return -P3[i, j, k].log().mean().item()
    ### END SOLUTION


N3 = trigram_counts(words, stoi)
P3 = trigram_probs(N3, smoothing=1)
nll3_words = trigram_nll(words, P3, stoi)
print(f"trigram average NLL with +1 smoothing: {nll3_words:.4f}")

# %% test="trigram" points=2
### BEGIN HIDDEN TESTS
_zth_export("tri/counts_toy", lambda: trigram_counts(list(_zth_in.tri_toy_words), dict(_zth_in.tri_toy_stoi)))
_zth_export("tri/counts_names", lambda: trigram_counts(_zth_names(_zth_in.tri_counts_names), dict(_zth_abc)))
_zth_export("tri/probs", lambda: trigram_probs(_zth_in.tri_probs_N.clone(), smoothing=_zth_in.tri_probs_k))
_zth_export("tri/nll_given", lambda: float(trigram_nll(
    _zth_names(_zth_in.tri_eval), _zth_in.tri_nll_P.clone(), dict(_zth_abc))))
_zth_export("tri/yours", lambda: float(trigram_nll(
    _zth_names(_zth_in.tri_eval),
    trigram_probs(trigram_counts(_zth_names(_zth_in.tri_fit), dict(_zth_abc)), smoothing=_zth_in.tri_own_k),
    dict(_zth_abc))))
### END HIDDEN TESTS
_N3 = trigram_counts(["ab"], {'.': 0, 'a': 1, 'b': 2})
assert _N3.shape == (3, 3, 3), f"shape (V, V, V) expected, got {tuple(_N3.shape)}"
assert _N3.sum() == 3 and _N3[0, 0, 1] == 1 and _N3[0, 1, 2] == 1 and _N3[1, 2, 0] == 1, \
    "'..ab.' has the trigrams ..a .ab ab."
assert torch.allclose(P3.sum(2), torch.ones(27, 27)), "P3[i, j] must sum to 1 over the next character"
_tri = nll3_words
assert _tri < 2.454 - 0.1, f"the trigram NLL {_tri:.4f} should beat the bigram's 2.454 clearly"
print("ok")

# %% check="trigram"
def check(x, t):
    t.equal(x["tri/counts_toy"], count_oracle(_zth_in.tri_toy_words, _zth_in.tri_toy_stoi, 3),
            "trigram counts of made-up words, letters numbered in another order",
            "pad each word as '..' + word + '.' and index with stoi")
    t.equal(x["tri/counts_names"], count_oracle(pick(_zth_in.tri_counts_names), ABC, 3),
            "trigram counts of a subset of names.txt", "pad each word as '..' + word + '.'")
    N3 = _zth_in.tri_probs_N.double() + _zth_in.tri_probs_k
    t.close(x["tri/probs"], N3 / N3.sum(2, keepdim=True), "trigram_probs of a random count tensor",
            atol=1e-6, hint="add the smoothing, then normalise over the LAST dimension")
    fit, ev = pick(_zth_in.tri_fit), pick(_zth_in.tri_eval)
    t.close(x["tri/nll_given"], nll_oracle(_zth_in.tri_nll_P.double(), ev, ABC, 3),
            "trigram_nll under a given random P3",
            atol=2e-4, rtol=0, hint="average -log P3[i, j, k] over every trigram, with '..' + word + '.'")
    N = count_oracle(fit, ABC, 3) + _zth_in.tri_own_k
    t.close(x["tri/yours"], nll_oracle(N / N.sum(2, keepdim=True), ev, ABC, 3),
            "your three functions together: a smoothed trigram model scored on other names",
            atol=3e-4, rtol=0)


# %% mistakes="trigram"
@mistake("trigram-one-dot", "Each word is padded with one '.' in front instead of two: the "
         "first trigram of a word is '..' + its first letter ('..' + word + '.').",
         see="more-context-a-trigram-model")
def _():
    def counts(ws, s):
        rows = []
        for w in ws:
            ix = [s['.']] + [s[c] for c in w] + [s['.']]
            rows += [ix[i:i + 3] for i in range(len(ix) - 2)]
        t = torch.tensor(rows, dtype=torch.int64).view(-1, 3)
        N = torch.zeros((len(s),) * 3, dtype=torch.float64)
        return N.index_put_(tuple(t.T), torch.ones(len(t), dtype=torch.float64), accumulate=True)
    return {"tri/counts_toy": counts(_zth_in.tri_toy_words, _zth_in.tri_toy_stoi),
            "tri/counts_names": counts(pick(_zth_in.tri_counts_names), ABC)}


# %% [markdown]
# ## Task 9 (E02): train, dev and test splits (2 points)
#
# Measuring a model on the data it was fitted to flatters it. Write
# `split_words(words, seed=42)`: shuffle a *copy* of the list with
# `random.Random(seed).shuffle(...)` (leave `words` as it is), and cut it at
# `n1 = int(0.8 * len(words))` and `n2 = int(0.9 * len(words))` into train (80%),
# dev (10%) and test (10%). No word may be in two splits.
#
# Then write `eval_splits(train, dev, test, stoi)`: fit the bigram and the trigram
# models (+1 smoothing) on `train` only, with your functions above, and return
# `{"bigram": [dev_nll, test_nll], "trigram": [dev_nll, test_nll]}`.

# %% solution="split"
def split_words(words, seed=42):
    """(train, dev, test): a seeded shuffle of a copy of words, cut 80/10/10."""
    ### BEGIN SOLUTION
    shuffled = list(words)
    random.Random(seed).shuffle(shuffled)
    n1 = int(0.8 * len(shuffled))
    n2 = int(0.9 * len(shuffled))
    return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]
    ### END SOLUTION


def eval_splits(train, dev, test, stoi):
    """Dev and test NLL of the bigram and trigram models fitted on train."""
    ### BEGIN SOLUTION
    P = bigram_probs(bigram_counts(train, stoi), smoothing=1)
    P3 = trigram_probs(trigram_counts(train, stoi), smoothing=1)
    return {"bigram": [avg_nll(dev, P, stoi), avg_nll(test, P, stoi)],
            "trigram": [trigram_nll(dev, P3, stoi), trigram_nll(test, P3, stoi)]}
    ### END SOLUTION


train_words, dev_words, test_words = split_words(words[:CFG["split_words"]])
print(len(train_words), len(dev_words), len(test_words))
split_nll = eval_splits(train_words, dev_words, test_words, stoi)
for model, (dev_nll, test_nll) in split_nll.items():
    print(f"{model:8s} dev {dev_nll:.4f}  test {test_nll:.4f}")

# %% test="split" points=2
### BEGIN HIDDEN TESTS
# Reference n-gram helpers of any order enter the kernel here, after the trigram test.
def _zth_ngrams(ws, order):
    """(n, order) tensor of every n-gram of ws, padded with dots (index 0)."""
    _f = []
    for _w in ws:
        _ix = [0] * (order - 1) + [ord(c) - 96 for c in _w] + [0]
        for _i in range(len(_ix) - order + 1):
            _f.extend(_ix[_i:_i + order])
    return torch.tensor(_f).view(-1, order)
def _zth_count(ws, order):
    _t = _zth_ngrams(ws, order)
    _N = torch.zeros((27,) * order, dtype=torch.float64)
    _N.index_put_(tuple(_t.T), torch.ones(len(_t), dtype=torch.float64), accumulate=True)
    return _N
def _zth_split(ws, seed):
    return [list(_p) for _p in split_words(ws, seed=seed)]
_zth_export("split/items", lambda: _zth_split(list(_zth_in.split_items), _zth_in.split_seed))
_zth_export("split/names", lambda: _zth_split(_zth_names(_zth_in.split_names), _zth_in.split_names_seed))
def _zth_unchanged():
    _l = list(_zth_in.split_items)
    return [_zth_split(_l, _zth_in.split_unchanged_seed), _l]
_zth_export("split/unchanged", _zth_unchanged)
# eval_splits with our bigram/trigram helpers, on a given split
def _zth_eval_probe():
    _idx = _zth_ngrams
    def _counts(order):
        return lambda ws, stoi: _zth_count(ws, order).int()
    def _probs(N, smoothing=1):
        _P = (N + smoothing).float()
        return _P / _P.sum(-1, keepdim=True)
    def _nll(order):
        return lambda ws, P, stoi: -P[tuple(_idx(ws, order).T)].log().mean().item()
    _ours = {"bigram_counts": _counts(2), "trigram_counts": _counts(3), "bigram_probs": _probs,
             "trigram_probs": _probs, "avg_nll": _nll(2), "trigram_nll": _nll(3)}
    _saved = {k: globals().get(k) for k in _ours}
    globals().update(_ours)
    try:
        _r = eval_splits(*[_zth_names(_p) for _p in _zth_in.split_given], dict(_zth_abc))
        return [float(v) for v in _r["bigram"]] + [float(v) for v in _r["trigram"]]
    finally:
        globals().update(_saved)
_zth_export("split/eval", _zth_eval_probe)
### END HIDDEN TESTS
_tr, _dv, _te = split_words([str(i) for i in range(100)], seed=1)
assert (len(_tr), len(_dv), len(_te)) == (80, 10, 10), "the sizes are 80%, 10%, 10%"
assert not (set(_tr) & set(_dv) or set(_tr) & set(_te) or set(_dv) & set(_te)), \
    "a word is in two splits: the dev and test losses would leak training data"
assert sorted(_tr + _dv + _te) == sorted(str(i) for i in range(100)), "every word goes into one split"
assert _tr != [str(i) for i in range(80)], "shuffle before splitting"
_r = split_nll
assert set(_r) == {"bigram", "trigram"} and all(len(v) == 2 for v in _r.values()), \
    "return {'bigram': [dev, test], 'trigram': [dev, test]}"
assert _r["trigram"][0] < _r["bigram"][0], "on dev the trigram model should beat the bigram model"
print("ok")

# %% check="split"
def split_oracle(ws, seed):
    import random
    ws = list(ws)
    random.Random(seed).shuffle(ws)
    n1, n2 = int(0.8 * len(ws)), int(0.9 * len(ws))
    return [ws[:n1], ws[n1:n2], ws[n2:]]


def check(x, t):
    hint = ("shuffle a copy with random.Random(seed).shuffle, then cut at int(0.8 * n) and "
            "int(0.9 * n); no word may be in two splits")
    for key, ws, seed, what in (
            ("split/items", _zth_in.split_items, _zth_in.split_seed, "the split of a list of items"),
            ("split/names", pick(_zth_in.split_names), _zth_in.split_names_seed,
             "the split of a subset of names.txt")):
        got = x[key]
        if isinstance(got, list):
            t.true(got == split_oracle(ws, seed), what, hint)
        else:
            t.fail(got, what, "split_words must return three lists")
    got = x["split/unchanged"]
    what = "split_words splits a copy and leaves the list it is given unchanged"
    if isinstance(got, list) and len(got) == 2:
        t.true(got[0] == split_oracle(_zth_in.split_items, _zth_in.split_unchanged_seed)
               and got[1] == _zth_in.split_items, what,
               "shuffle a copy (list(words)), never the list itself")
    else:
        t.fail(got, what, "split_words must return three lists")
    # eval_splits on a given split, with the course's own count models
    tr, dv, te = (pick(p) for p in _zth_in.split_given)
    want = []
    for order in (2, 3):
        N = count_oracle(tr, ABC, order) + 1
        P = N / N.sum(-1, keepdim=True)
        want += [nll_oracle(P, dv, ABC, order), nll_oracle(P, te, ABC, order)]
    t.close(x["split/eval"], want, "eval_splits on a given split: [bigram dev, bigram test, "
            "trigram dev, trigram test]", atol=2e-4, rtol=0,
            hint="fit both models on train only (+1 smoothing) and evaluate on dev and test")


# %% mistakes="split"
def split_like(cut):
    """The two split probes' values when split_words returns cut(shuffled copy, n1, n2)."""
    want = {}
    for key, ws, seed in (("split/items", _zth_in.split_items, _zth_in.split_seed),
                          ("split/names", pick(_zth_in.split_names), _zth_in.split_names_seed)):
        import random
        ws = list(ws)
        random.Random(seed).shuffle(ws)
        want[key] = cut(ws, int(0.8 * len(ws)), int(0.9 * len(ws)))
    return want


@mistake("split-leak", "The dev split shares names with the training split: cut the shuffled "
         "list once into three disjoint parts.", see="common-mistakes")
def _():
    return split_like(lambda s, n1, n2: [s[:n1], s[n1 - (n2 - n1):n1], s[n2:]])


@mistake("split-no-shuffle", "The list is not shuffled before it is cut: shuffle a copy with "
         "random.Random(seed).shuffle first.", see="train-dev-and-test")
def _():
    want = {}
    for key, ws in (("split/items", _zth_in.split_items), ("split/names", pick(_zth_in.split_names))):
        n1, n2 = int(0.8 * len(ws)), int(0.9 * len(ws))
        want[key] = [list(ws[:n1]), list(ws[n1:n2]), list(ws[n2:])]
    return want


@mistake("split-in-place", "split_words shuffles the list it is given: shuffle a copy "
         "(list(words)) and leave the caller's list as it was.", see="train-dev-and-test")
def _():
    import random
    ws = list(_zth_in.split_items)
    random.Random(_zth_in.split_unchanged_seed).shuffle(ws)
    return {"split/unchanged": [split_oracle(_zth_in.split_items, _zth_in.split_unchanged_seed), ws]}


# %% [markdown]
# ## Task 10 (E03): tune the smoothing on dev (1 point)
#
# Smoothing is a *hyperparameter*: choose it by the dev loss, never by the training
# loss (on train, less smoothing always looks better). Write
# `tune_smoothing(train, dev, stoi, ks)`: for each `k` in `ks`, fit the trigram model
# on `train` with smoothing `k` and measure its NLL on `dev`; return `(best_k,
# dev_losses)` with `dev_losses` the list of the losses in the order of `ks`.

# %% solution="smoothing"
def tune_smoothing(train, dev, stoi, ks):
    """(the k in ks with the lowest dev NLL of the trigram model, [dev NLL for each k])."""
    ### BEGIN SOLUTION
    N3 = trigram_counts(train, stoi)
    losses = [trigram_nll(dev, trigram_probs(N3, smoothing=k), stoi) for k in ks]
    best = ks[min(range(len(ks)), key=lambda i: losses[i])]
    return best, losses
    ### END SOLUTION


best_k, dev_losses = tune_smoothing(train_words, dev_words, stoi, [0.01, 0.03, 0.1, 0.3, 1, 3])
print("dev NLL per smoothing:", [round(v, 4) for v in dev_losses], " best:", best_k)
P3_best = trigram_probs(trigram_counts(train_words, stoi), smoothing=best_k)
print(f"test NLL at the best smoothing: {trigram_nll(test_words, P3_best, stoi):.4f}")

# %% test="smoothing" points=1
### BEGIN HIDDEN TESTS
def _zth_tune_probe(ks):
    def _idx(ws):
        return _zth_ngrams(ws, 3)
    def _counts(ws, stoi):
        return _zth_count(ws, 3).int()
    def _probs(N, smoothing=1):
        _P = (N + smoothing).float()
        return _P / _P.sum(-1, keepdim=True)
    _ours = {"trigram_counts": _counts, "trigram_probs": _probs,
             "trigram_nll": lambda ws, P, stoi: -P[tuple(_idx(ws).T)].log().mean().item()}
    _saved = {k: globals().get(k) for k in _ours}
    globals().update(_ours)
    try:
        _best, _ls = tune_smoothing(_zth_names(_zth_in.tune_train), _zth_names(_zth_in.tune_dev),
                                    dict(_zth_abc), list(ks))
        return [float(_best)] + [float(v) for v in _ls]
    finally:
        globals().update(_saved)
for _i, _ks in enumerate(_zth_in.tune_ks):
    _zth_export(f"tune/{_i}", lambda: _zth_tune_probe(_ks))
### END HIDDEN TESTS
assert len(dev_losses) == 6, "one dev loss per k"
assert best_k == [0.01, 0.03, 0.1, 0.3, 1, 3][min(range(6), key=lambda i: dev_losses[i])], \
    "best_k is the k with the lowest dev loss"
assert best_k < 1, "on dev, less smoothing than +1 is better for the trigram model"
print("ok")

# %% check="smoothing"
def check(x, t):
    N = count_oracle(pick(_zth_in.tune_train), ABC, 3)
    dev = pick(_zth_in.tune_dev)
    for i, ks in enumerate(_zth_in.tune_ks):
        losses = [nll_oracle((N + k) / (N + k).sum(-1, keepdim=True), dev, ABC, 3) for k in ks]
        got = x[f"tune/{i}"]
        what = f"tune_smoothing over a list of smoothings (case {i + 1})"
        if not (isinstance(got, list) and len(got) == len(ks) + 1
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in got)):
            t.fail(got, what, "return (best_k, [one dev loss per k, in the order of ks])")
            continue
        right = t.close(got[1:], losses, what + ": the dev losses", atol=2e-4, rtol=0,
                        hint="fit on train with each k, measure the trigram NLL on dev")
        # the best k: one of ks whose dev loss is the lowest (up to the tolerance of a
        # loss); counted only when the losses are right (a fixed pick of ks[0] would
        # otherwise be right by chance)
        best = got[0]
        t.true(right and any(abs(best - k) < 1e-9 for k in ks)
               and losses[min(range(len(ks)), key=lambda j: abs(ks[j] - best))] <= min(losses) + 2e-4,
               what + ": the best k", "pick the k with the lowest dev loss"
               + ("" if right else " (counted once the dev losses are right)"))


# %% mistakes="smoothing"
_memo = {}     # what the oracles of this cell share, for one submission


def tuned_like(on_train=False, pick_max=False):
    if not _memo:
        _memo["N"] = count_oracle(pick(_zth_in.tune_train), ABC, 3)
        for split in ("train", "dev"):
            _memo[split] = tuple(ngrams(pick(getattr(_zth_in, f"tune_{split}")), ABC, 3).T)
    N, at = _memo["N"], _memo["train" if on_train else "dev"]
    want = {}
    for i, ks in enumerate(_zth_in.tune_ks):
        ls = [-((N + k) / (N + k).sum(-1, keepdim=True))[at].log().mean().item() for k in ks]
        best = (max if pick_max else min)(range(len(ks)), key=lambda j: ls[j])
        want[f"tune/{i}"] = [ks[best]] + ls
    return want


@mistake("tune-on-train", "The smoothing is tuned on the training set: measure each k on "
         "dev (on train, less smoothing always looks better).", see="tuning-the-smoothing-on-dev",
         atol=2e-4, rtol=0)
def _():
    return tuned_like(on_train=True)


@mistake("tune-max", "The best k is the one with the highest dev loss: pick the lowest.",
         see="tuning-the-smoothing-on-dev", atol=2e-4, rtol=0)
def _():
    return tuned_like(pick_max=True)


# %% [markdown]
# ## Task 11 (E04): indexing instead of one-hot (1 point)
#
# Multiplying a one-hot vector by `W` just picks out a row of `W`. Write
# `net_loss_indexed(W, xs, ys, reg=0.01)`: the same loss as `net_loss`, with the
# logits taken as rows of `W` by indexing instead of `F.one_hot` and a matrix
# multiply. It is the same function, computed much faster.

# %% solution="indexing"
def net_loss_indexed(W, xs, ys, reg=0.01):
    """net_loss without the one-hot matrix: logits are rows of W."""
    ### BEGIN SOLUTION
    logits = W[xs]                                        # (n, V)
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdim=True)
    nll = -probs[torch.arange(len(ys)), ys].log().mean()
    return nll + reg * (W**2).mean()
    ### END SOLUTION


# %% test="indexing" points=1
### BEGIN HIDDEN TESTS
for _i, _c in enumerate(_zth_in.indexed_cases):
    _zth_export(f"indexed/{_i}", lambda: _zth_lossgrad(net_loss_indexed, _c))
### END HIDDEN TESTS
_W = torch.randn((27, 27), generator=torch.Generator().manual_seed(0))
_a = net_loss_indexed(_W, xs[:100], ys[:100]).item()
_b = (F.cross_entropy(_W[xs[:100]], ys[:100]) + 0.01 * (_W**2).mean()).item()
assert abs(_a - _b) < 1e-5, f"net_loss_indexed gives {_a:.5f}, expected {_b:.5f}"
print("ok")

# %% check="indexing"
def check(x, t):
    for i, c in enumerate(_zth_in.indexed_cases):
        t.close(x[f"indexed/{i}"], lossgrad_oracle(c),
                f"[loss, dloss/dW] of net_loss_indexed for a random W (case {i + 1})",
                atol=1e-5, rtol=1e-4, hint="the logits of example i are the row W[xs[i]]")


# %% mistakes="indexing"
@mistake("indexing-by-targets", "The logits are rows of W picked by the targets (W[ys]): "
         "example i's logits are the row of its input, W[xs[i]].",
         see="one-hot-times-w-is-a-row-of-w", atol=1e-4, rtol=1e-3)
def _():
    want = {}
    for i, c in enumerate(_zth_in.indexed_cases):
        W = c["W"].double().requires_grad_()
        loss = F.cross_entropy(W[c["ys"]], c["ys"]) + c["reg"] * (W**2).mean()
        loss.backward()
        want[f"indexed/{i}"] = [loss.item()] + W.grad.flatten().tolist()
    return want


# %% [markdown]
# ## Task 12 (E05): `F.cross_entropy` (1 point)
#
# PyTorch's `F.cross_entropy(logits, targets)` does the exponentiate, normalise, log,
# pick and average in one call, and more carefully (it never overflows on large
# logits). Write `net_loss_ce(W, xs, ys, reg=0.01)` with it. Note what it expects:
# the raw logits, not probabilities.

# %% solution="cross_entropy"
def net_loss_ce(W, xs, ys, reg=0.01):
    """The same loss with F.cross_entropy."""
    ### BEGIN SOLUTION
    logits = W[xs]                                        # (n, V)
    return F.cross_entropy(logits, ys) + reg * (W**2).mean()
    ### END SOLUTION


# three ways to compute the same loss, on the trained W; and how long each takes
import time
for fn in (net_loss, net_loss_indexed, net_loss_ce):
    t0 = time.perf_counter()
    value = fn(W.detach(), xs_net, ys_net).item()
    print(f"{fn.__name__:17s} {value:.4f}  {1000 * (time.perf_counter() - t0):6.1f} ms")

# %% test="cross_entropy" points=1
### BEGIN HIDDEN TESTS
for _i, _c in enumerate(_zth_in.ce_cases):
    _zth_export(f"ce/{_i}", lambda: _zth_lossgrad(net_loss_ce, _c))
### END HIDDEN TESTS
_W = torch.randn((27, 27), generator=torch.Generator().manual_seed(0))
_a = net_loss_ce(_W, xs[:100], ys[:100]).item()
_b = (F.cross_entropy(_W[xs[:100]], ys[:100]) + 0.01 * (_W**2).mean()).item()
assert abs(_a - _b) < 1e-5, f"net_loss_ce gives {_a:.5f}, expected {_b:.5f}"
_big = net_loss_ce(torch.full((3, 3), 100.0), torch.tensor([0]), torch.tensor([1]), reg=0.0)
assert torch.isfinite(_big), "F.cross_entropy handles large logits: feed it the logits"
print("ok")

# %% check="cross_entropy"
def check(x, t):
    for i, c in enumerate(_zth_in.ce_cases):
        large = float(c["W"].abs().max()) > 20
        t.close(x[f"ce/{i}"], lossgrad_oracle(c),
                f"[loss, dloss/dW] of net_loss_ce for a random W (case {i + 1}"
                + (", large logits)" if large else ")"),
                atol=1e-4, rtol=1e-4, hint="F.cross_entropy takes the logits themselves")


# %% mistakes="cross_entropy"
@mistake("ce-softmax", "F.cross_entropy is given probabilities: it applies the softmax "
         "itself, so give it the logits.", see="common-mistakes", atol=1e-4, rtol=1e-3)
def _():
    want = {}
    for i, c in enumerate(_zth_in.ce_cases):
        W = c["W"].double().requires_grad_()
        loss = F.cross_entropy(F.softmax(W[c["xs"]], dim=1), c["ys"]) + c["reg"] * (W**2).mean()
        loss.backward()
        want[f"ce/{i}"] = [loss.item()] + W.grad.flatten().tolist()
    return want
