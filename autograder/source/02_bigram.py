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

# How much of the data the neural-net part trains on, and for how long.
CFG = {"grading": dict(net_words=4000, net_steps=300, net_lr=50.0),
       "colab":   dict(net_words=len(words), net_steps=200, net_lr=50.0),
       "full":    dict(net_words=len(words), net_steps=500, net_lr=50.0)}[SCALE]

# %% [markdown]
# ## Task 1: the vocabulary (1 point)
#
# The model works on integers, not characters. Write `build_vocab(words)` that returns
# two dicts: `stoi` (string to integer) and `itos` (integer to string). Index 0 is the
# special character `'.'`, which marks both the start and the end of a name; the
# characters that occur in `words` follow in sorted order, from 1.

# %% task="vocab"
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

# %% probes
# Helpers of the hidden tests, shared by them (graded notebook only).
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


def _zth_lossgrad(fn, V, n, reg, seed, scale=1.0):
    """[loss, *dloss/dW] of fn(W, xs, ys, reg) on seeded random W (V, V), xs, ys (n,)."""
    _g = torch.Generator().manual_seed(seed)
    _W = (scale * torch.randn((V, V), generator=_g)).requires_grad_()
    _x = torch.randint(0, V, (n,), generator=_g)
    _y = torch.randint(0, V, (n,), generator=_g)
    _l = fn(_W, _x, _y, reg=reg)
    _l.backward()
    return [_l.item()] + _W.grad.flatten().tolist()


# %% test="vocab" points=1
### BEGIN HIDDEN TESTS
for _i, _ws in enumerate([["zeb", "amy", "bob"], ["q"], words[:50]]):
    _zth_export(f"stoi/{_i}", lambda: sorted(build_vocab(_ws)[0].items(), key=lambda kv: kv[1]))
    _zth_export(f"itos/{_i}", lambda: sorted(build_vocab(_ws)[1].items()))
### END HIDDEN TESTS
_s, _i = build_vocab(["cab", "ad"])
assert _s == {'.': 0, 'a': 1, 'b': 2, 'c': 3, 'd': 4}, f"stoi for ['cab', 'ad'] is {_s}"
assert _i == {0: '.', 1: 'a', 2: 'b', 3: 'c', 4: 'd'}, f"itos for ['cab', 'ad'] is {_i}"
assert len(stoi) == 27 and stoi['.'] == 0 and stoi['a'] == 1 and stoi['z'] == 26, \
    "names.txt has 26 letters: '.' is 0, 'a' is 1, 'z' is 26"
print("ok")

# %% check="vocab"
def check(x, t):
    cases = [["zeb", "amy", "bob"], ["q"], None]
    for i, ws in enumerate(cases):
        if ws is None:
            from autograder.data import load_text
            ws = load_text("names.txt").splitlines()[:50]
        chars = ['.'] + sorted(set(''.join(ws)))
        want_s = [[c, i_] for i_, c in enumerate(chars)]
        want_i = [[i_, c] for i_, c in enumerate(chars)]
        got_s, got_i = x[f"stoi/{i}"], x[f"itos/{i}"]
        t.true(got_s == want_s if isinstance(got_s, list) else got_s,
               f"stoi for a list of {len(ws)} words", "'.' must be 0 and the characters follow, sorted, from 1")
        t.true(got_i == want_i if isinstance(got_i, list) else got_i,
               f"itos for a list of {len(ws)} words", "itos must be the inverse of stoi")


# %% [markdown]
# ## Task 2: counting bigrams (2 points)
#
# A *bigram* is a pair of consecutive characters. Surround every word with the
# boundary character, `'.' + word + '.'`, so that "emma" gives the bigrams `.e`, `em`,
# `mm`, `ma`, `a.`. Write `bigram_counts(words, stoi)` that returns the tensor `N` of
# shape `(V, V)` (`V = len(stoi)`, dtype `torch.int32`) where `N[i, j]` counts how
# often character `j` follows character `i`.

# %% task="counts"
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
_zth_s = {c: i for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")}
_zth_export("counts/toy", lambda: bigram_counts(["anna", "bob", "ab", "ba"], _zth_s))
_zth_export("counts/small", lambda: bigram_counts(["xyz", "zy"], {'.': 0, 'x': 1, 'y': 2, 'z': 3}))
_zth_export("counts/names", lambda: bigram_counts(words[:8000], _zth_s))
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
def bigram_oracle(words, stoi):
    N = torch.zeros((len(stoi), len(stoi)), dtype=torch.float64)
    for w in words:
        ix = [stoi[c] for c in '.' + w + '.']
        for a, b in zip(ix, ix[1:]):
            N[a, b] += 1
    return N


def check(x, t):
    from autograder.data import load_text
    names = load_text("names.txt").splitlines()
    s = {c: i for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")}
    t.equal(x["counts/toy"], bigram_oracle(["anna", "bob", "ab", "ba"], s),
            "counts of ['anna', 'bob', 'ab', 'ba']", "remember the '.' at both ends of each word")
    t.equal(x["counts/small"], bigram_oracle(["xyz", "zy"], {'.': 0, 'x': 1, 'y': 2, 'z': 3}),
            "counts with a 4-character vocabulary", "N[i, j]: i is the first character, j the next")
    t.equal(x["counts/names"], bigram_oracle(names[:8000], s), "counts of the first 8000 names")


# %% [markdown]
# ## Task 3: probabilities, with smoothing (2 points)
#
# Row `i` of `N` holds the counts of what follows character `i`. Turn `N` into `P`,
# where `P[i]` is the probability distribution of the next character: each row sums
# to 1. *Smoothing* adds a pseudo-count `smoothing` to every cell first, so that no
# bigram has probability zero. Write `bigram_probs(N, smoothing=1)`, returning a float
# tensor. Careful with broadcasting: which dimension do you sum over, and what shape
# is the sum?

# %% task="probs"
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
_zth_g = torch.Generator().manual_seed(7)
_zth_N = torch.randint(0, 20, (6, 6), generator=_zth_g)
for _k in (0, 1, 0.5, 10):
    _zth_export(f"probs/{_k}", lambda: bigram_probs(_zth_N, smoothing=_k))
_zth_export("probs/small", lambda: bigram_probs(torch.tensor([[3, 0, 1], [0, 0, 5], [2, 2, 2]]),
                                                smoothing=1))
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
    g = torch.Generator().manual_seed(7)
    N = torch.randint(0, 20, (6, 6), generator=g).double()
    for k in (0, 1, 0.5, 10):
        want = (N + k) / (N + k).sum(1, keepdim=True)
        t.close(x[f"probs/{k}"], want, f"P of a random 6x6 count matrix with smoothing={k}",
                atol=1e-6, hint="each ROW of P must sum to 1")
    N = torch.tensor([[3, 0, 1], [0, 0, 5], [2, 2, 2]], dtype=torch.float64) + 1
    t.close(x["probs/small"], N / N.sum(1, keepdim=True), "P of a 3x3 count matrix", atol=1e-6)


# %% [markdown]
# ## Task 4: sampling names (1 point)
#
# To generate a name, start at `'.'` (index 0) and repeatedly draw the next index
# from the row of the current one, until you draw `'.'` again. Write
# `sample_name(P, itos, g)` that returns the name as a string (without the dots).
# Draw each index with exactly
# `torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()`, so
# that a seeded generator gives the same names as ours.

# %% task="sample"
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
_zth_N2 = _zth_count(words, 2).float()
def _zth_sample_probe(seed, k):
    _N = _zth_N2 + k
    _Pp = _N / _N.sum(1, keepdim=True)
    _g = torch.Generator().manual_seed(seed)
    _it = {i: c for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")}
    return [sample_name(_Pp, _it, _g) for _ in range(8)]
_zth_export("sample/a", lambda: _zth_sample_probe(2147483647, 1))
_zth_export("sample/b", lambda: _zth_sample_probe(42, 0))
### END HIDDEN TESTS
_g = torch.Generator().manual_seed(3)
_toy = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
assert sample_name(_toy, {0: '.', 1: 'a', 2: 'b'}, _g) == "ab", \
    "from '.' this P always goes to 'a', then 'b', then '.': the name is 'ab'"
_names = [sample_name(P, itos, torch.Generator().manual_seed(2147483647)) for _ in range(2)]
assert _names[0] == _names[1], "the same seed must give the same name"
print("ok")

# %% check="sample"
def check(x, t):
    from autograder.data import load_text
    names = load_text("names.txt").splitlines()
    N = torch.zeros((27, 27))
    for w in names:
        ix = [0] + [ord(c) - 96 for c in w] + [0]
        for a, b in zip(ix, ix[1:]):
            N[a, b] += 1
    itos = ".abcdefghijklmnopqrstuvwxyz"
    for key, seed, k in (("sample/a", 2147483647, 1), ("sample/b", 42, 0)):
        P = (N + k) / (N + k).sum(1, keepdim=True)
        g = torch.Generator().manual_seed(seed)
        want = []
        for _ in range(8):
            out, ix = [], 0
            while True:
                ix = torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
                if ix == 0:
                    break
                out.append(itos[ix])
            want.append(''.join(out))
        t.true(x[key] == want if isinstance(x[key], list) else x[key],
               f"8 names sampled with seed {seed}",
               "draw each index from the row P[ix] of the current character, with the "
               "multinomial call given, and stop at '.'")


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

# %% task="nll"
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


print(f"average NLL with +1 smoothing: {avg_nll(words, P, stoi):.4f}")

# %% test="nll" points=2
### BEGIN HIDDEN TESTS
_zth_s = {c: i for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")}
def _zth_P(ws, k):
    _N = _zth_count(ws, 2)
    return ((_N + k) / (_N + k).sum(1, keepdim=True)).float()
_zth_Pn = {k: _zth_P(words, k) for k in (0, 1)}
_zth_export("nll/names0", lambda: float(avg_nll(words, _zth_Pn[0], _zth_s)))
_zth_export("nll/names1", lambda: float(avg_nll(words, _zth_Pn[1], _zth_s)))
_zth_export("nll/few", lambda: float(avg_nll(["andrej", "zoe", "x"], _zth_Pn[1], _zth_s)))
_zth_export("nll/toy", lambda: float(avg_nll(["ab", "b"], torch.tensor(
    [[0.1, 0.6, 0.3], [0.2, 0.2, 0.6], [0.5, 0.25, 0.25]]), {'.': 0, 'a': 1, 'b': 2})))
### END HIDDEN TESTS
_toy = torch.tensor([[0.0, 0.5, 0.5], [0.25, 0.25, 0.5], [1.0, 0.0, 0.0]])
_v = avg_nll(["ab"], _toy, {'.': 0, 'a': 1, 'b': 2})
assert abs(_v - (math.log(2) + math.log(2) + 0) / 3) < 1e-6, \
    f"'.ab.' has probabilities 0.5, 0.5, 1: the average NLL is {(2 * math.log(2)) / 3:.6f}, got {_v}"
_v = avg_nll(words, bigram_probs(N, smoothing=1), stoi)
assert abs(_v - 2.4546) < 3e-4, f"on names.txt with +1 smoothing the average NLL is 2.4546, got {_v:.4f}"
print("ok")

# %% check="nll"
def check(x, t):
    from autograder.data import load_text
    names = load_text("names.txt").splitlines()
    N = torch.zeros((27, 27), dtype=torch.float64)
    pairs = []
    for w in names:
        ix = [0] + [ord(c) - 96 for c in w] + [0]
        pairs += list(zip(ix, ix[1:]))
    a, b = torch.tensor(pairs).T
    N.index_put_((a, b), torch.ones(len(a), dtype=torch.float64), accumulate=True)
    for k in (0, 1):
        P = (N + k) / (N + k).sum(1, keepdim=True)
        t.close(x[f"nll/names{k}"], -P[a, b].log().mean().item(),
                f"average NLL of names.txt with smoothing {k}", atol=3e-4, rtol=0,
                hint="average -log P[i, j] over every bigram, dots included")
    P = ((N + 1) / (N + 1).sum(1, keepdim=True)).float().double()
    few = []
    for w in ["andrej", "zoe", "x"]:
        ix = [0] + [ord(c) - 96 for c in w] + [0]
        few += [-math.log(P[i, j].item()) for i, j in zip(ix, ix[1:])]
    t.close(x["nll/few"], sum(few) / len(few), "average NLL of three names", atol=1e-5)
    toy = [[0.1, 0.6, 0.3], [0.2, 0.2, 0.6], [0.5, 0.25, 0.25]]
    want = -(math.log(0.6) + math.log(0.6) + math.log(0.5) + math.log(0.3) + math.log(0.5)) / 5
    t.close(x["nll/toy"], want, "average NLL of ['ab', 'b'] under a 3x3 P", atol=1e-5)


# %% [markdown]
# ## The same model as a neural net
#
# Now frame it as a neural net: the input character `i` goes in as a one-hot vector
# $x$ (27 numbers, a 1 at position `i`), one linear layer `W` (27x27, no bias) turns
# it into 27 *logits* (log-counts), exponentiating gives counts, normalising gives
# probabilities. Gradient descent on the average NLL should find `W` such that
# `exp(W)` is proportional to `N`. The training set is every bigram, as two tensors
# of indices: inputs `xs` and targets `ys`.

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
# Write `net_loss(W, xs, ys, reg=0.01)`: one-hot encode `xs` with `F.one_hot` (as
# float), multiply by `W` to get logits, exponentiate and normalise each row into
# probabilities (by hand: no `F.softmax`, no `F.cross_entropy` here), and return the
# average of $-\log$ of the probability of the correct next character `ys`, plus the
# regularisation `reg * (W**2).mean()`. The regularisation pulls `W` towards 0, that
# is towards uniform probabilities: it plays the part that smoothing played for the
# counts.

# %% task="net_loss"
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
for _V, _n, _reg, _seed in ((5, 7, 0.0, 1), (27, 50, 0.01, 2), (4, 30, 0.5, 3)):
    _zth_export(f"net_loss/{_V}/{_reg}", lambda: _zth_lossgrad(net_loss, _V, _n, _reg, _seed))
### END HIDDEN TESTS
_W = torch.zeros((27, 27), requires_grad=True)
_l = net_loss(_W, xs[:5], ys[:5])
assert abs(_l.item() - math.log(27)) < 1e-5, \
    f"with W = 0 every probability is 1/27, so the loss is ln 27 = 3.2958; got {_l.item():.4f}"
_l.backward()
assert _W.grad is not None and _W.grad.abs().sum() > 0, "the loss must be differentiable with respect to W"
_W = torch.eye(3, requires_grad=True)
_l = net_loss(_W, torch.tensor([0, 1]), torch.tensor([0, 2]), reg=0.0)
_want = -(math.log(math.e / (math.e + 2)) + math.log(1 / (math.e + 2))) / 2
assert abs(_l.item() - _want) < 1e-5, f"loss for W = identity, xs=[0, 1], ys=[0, 2]: expected {_want:.5f}, got {_l.item():.5f}"
print("ok")

# %% check="net_loss"
def check(x, t):
    import torch.nn.functional as F
    for V, n, reg, seed in ((5, 7, 0.0, 1), (27, 50, 0.01, 2), (4, 30, 0.5, 3)):
        g = torch.Generator().manual_seed(seed)
        W = torch.randn((V, V), generator=g, requires_grad=True)
        xx = torch.randint(0, V, (n,), generator=g)
        yy = torch.randint(0, V, (n,), generator=g)
        loss = F.cross_entropy(W.double()[xx], yy) + reg * (W.double() ** 2).mean()
        loss.backward()
        t.close(x[f"net_loss/{V}/{reg}"], [loss.item()] + W.grad.flatten().tolist(),
                f"[loss, dloss/dW] for a {V}x{V} W, {n} examples, reg={reg}", atol=1e-5, rtol=1e-4,
                hint="normalise each row (over the next character), average over the examples, "
                     "and add reg * (W**2).mean()")


# %% [markdown]
# ## Task 7: training by gradient descent (2 points)
#
# Write `train_net(xs, ys, steps, lr, reg=0.01, seed=2147483647, V=27)`: start from
# `W = torch.randn((V, V), generator=torch.Generator().manual_seed(seed),
# requires_grad=True)`, then for each step: compute `net_loss(W, xs, ys, reg)`, reset
# the gradient (`W.grad = None`), backpropagate, and update `W.data += -lr * W.grad`.
# Return `W` and the list of the losses (floats), one per step, before each update.

# %% task="net_train"
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
def _zth_ref_loss(W, xs, ys, reg=0.01):
    return F.cross_entropy(W[xs], ys) + reg * (W**2).mean()
def _zth_with_our_loss(call):
    """Run call() with our net_loss in place of yours, so that only train_net counts here."""
    _saved = globals().get("net_loss")
    globals()["net_loss"] = _zth_ref_loss
    try:
        return call()
    finally:
        globals()["net_loss"] = _saved
def _zth_small():
    _g = torch.Generator().manual_seed(5)
    _x = torch.randint(0, 6, (40,), generator=_g)
    _y = (_x * 2 + torch.randint(0, 2, (40,), generator=_g)) % 6
    _W, _ls = train_net(_x, _y, 4, 3.0, reg=0.05, seed=11, V=6)
    return [float(v) for v in _ls] + _W.detach().flatten().tolist()
_zth_export("train/exact", lambda: _zth_with_our_loss(_zth_small))
def _zth_full():
    _x, _y = bigram_dataset(net_words, {c: i for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")})
    _W, _ls = train_net(_x, _y, CFG["net_steps"], CFG["net_lr"])
    with torch.no_grad():
        _fit = F.cross_entropy(_W.detach().float()[_x], _y).item()
    return _fit, [float(_ls[i]) for i in range(0, len(_ls), max(1, len(_ls) // 20))]
try:
    _zth_run = _zth_with_our_loss(_zth_full)
except Exception as _e:
    _zth_run = _e
def _zth_part(i):
    if isinstance(_zth_run, Exception):
        raise _zth_run
    return _zth_run[i]
_zth_export("record/train_loss", lambda: _zth_part(0))
_zth_export("record/curve", lambda: _zth_part(1))
_zth_export("record/n_words", lambda: len(net_words))
### END HIDDEN TESTS
assert len(losses) == CFG["net_steps"], f"one loss per step: {CFG['net_steps']} expected, got {len(losses)}"
assert losses[-1] < losses[0], "the loss should go down"
assert net_nll < count_nll + 0.02, \
    f"the net's NLL {net_nll:.4f} should come within 0.02 of the count model's {count_nll:.4f}"
print("ok")

# %% check="net_train"
def check(x, t):
    import torch.nn.functional as F
    g = torch.Generator().manual_seed(5)
    xx = torch.randint(0, 6, (40,), generator=g)
    yy = (xx * 2 + torch.randint(0, 2, (40,), generator=g)) % 6
    W = torch.randn((6, 6), generator=torch.Generator().manual_seed(11), requires_grad=True)
    ls = []
    for _ in range(4):
        loss = F.cross_entropy(W[xx], yy) + 0.05 * (W**2).mean()
        W.grad = None
        loss.backward()
        W.data += -3.0 * W.grad
        ls.append(loss.item())
    t.close(x["train/exact"], ls + W.detach().flatten().tolist(),
            "4 steps of train_net on a small problem: [losses, final W]", atol=1e-4, rtol=1e-4,
            hint="initialise W as described, reset the gradient each step, and step against it")
    # the trained net reaches the count model (the minimum of the NLL) on the same data
    from autograder.data import load_text
    n = x["record/n_words"]
    n = n if isinstance(n, int) and n > 0 else 4000
    names = load_text("names.txt").splitlines()[:n]
    pairs = []
    for w in names:
        ix = [0] + [ord(c) - 96 for c in w] + [0]
        pairs += list(zip(ix, ix[1:]))
    a, b = torch.tensor(pairs).T
    N = torch.zeros((27, 27), dtype=torch.float64)
    N.index_put_((a, b), torch.ones(len(a), dtype=torch.float64), accumulate=True)
    P = N / N.sum(1, keepdim=True).clamp(min=1)
    best = -P[a, b].log().mean().item()
    fit = x["record/train_loss"]
    t.true(fit < best + 0.02 if isinstance(fit, float) else fit,
           "your trained W comes within 0.02 of the count model's NLL",
           f"{fit:.4f} vs the count model's {best:.4f}" if isinstance(fit, float) else "")


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

# %% task="trigram"
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
print(f"trigram average NLL with +1 smoothing: {trigram_nll(words, P3, stoi):.4f}")

# %% test="trigram" points=2
### BEGIN HIDDEN TESTS
_zth_s = {c: i for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")}
_zth_export("tri/counts_toy", lambda: trigram_counts(["abc", "b"], {'.': 0, 'a': 1, 'b': 2, 'c': 3}))
_zth_export("tri/counts_sum", lambda: trigram_counts(words[:3000], _zth_s).sum(2))
_zth_g = torch.Generator().manual_seed(3)
_zth_N3 = torch.randint(0, 9, (4, 4, 4), generator=_zth_g)
_zth_export("tri/probs", lambda: trigram_probs(_zth_N3, smoothing=0.5))
def _zth_tri_P(ws, k):
    _N = _zth_count(ws, 3)
    return ((_N + k) / (_N + k).sum(2, keepdim=True)).float()
_zth_export("tri/nll_given", lambda: float(trigram_nll(words[:500], _zth_tri_P(words[:2000], 1), _zth_s)))
_zth_export("tri/yours", lambda: float(trigram_nll(words, trigram_probs(N3, 1), stoi)))
### END HIDDEN TESTS
_N3 = trigram_counts(["ab"], {'.': 0, 'a': 1, 'b': 2})
assert _N3.shape == (3, 3, 3), f"shape (V, V, V) expected, got {tuple(_N3.shape)}"
assert _N3.sum() == 3 and _N3[0, 0, 1] == 1 and _N3[0, 1, 2] == 1 and _N3[1, 2, 0] == 1, \
    "'..ab.' has the trigrams ..a .ab ab."
assert torch.allclose(P3.sum(2), torch.ones(27, 27)), "P3[i, j] must sum to 1 over the next character"
_tri = trigram_nll(words, P3, stoi)
assert _tri < 2.454 - 0.1, f"the trigram NLL {_tri:.4f} should beat the bigram's 2.454 clearly"
print("ok")

# %% check="trigram"
def trigram_oracle(ws, s):
    t = []
    for w in ws:
        ix = [0, 0] + [s[c] for c in w] + [0]
        t += zip(ix, ix[1:], ix[2:])
    t = torch.tensor(t).view(-1, 3)
    N = torch.zeros((len(s),) * 3, dtype=torch.float64)
    N.index_put_(tuple(t.T), torch.ones(len(t), dtype=torch.float64), accumulate=True)
    return N


def check(x, t):
    from autograder.data import load_text
    names = load_text("names.txt").splitlines()
    s = {c: i for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")}
    t.equal(x["tri/counts_toy"], trigram_oracle(["abc", "b"], {'.': 0, 'a': 1, 'b': 2, 'c': 3}),
            "trigram counts of ['abc', 'b']", "pad each word as '..' + word + '.'")
    t.equal(x["tri/counts_sum"], trigram_oracle(names[:3000], s).sum(2),
            "trigram counts of 3000 names (summed over the last index)")
    g = torch.Generator().manual_seed(3)
    N3 = torch.randint(0, 9, (4, 4, 4), generator=g).double() + 0.5
    t.close(x["tri/probs"], N3 / N3.sum(2, keepdim=True), "trigram_probs of a 4x4x4 count tensor",
            atol=1e-6, hint="normalise over the LAST dimension")
    P = trigram_oracle(names[:2000], s) + 1
    P = (P / P.sum(2, keepdim=True)).float().double()
    ix = []
    for w in names[:500]:
        i = [0, 0] + [s[c] for c in w] + [0]
        ix += list(zip(i, i[1:], i[2:]))
    a, b, c = torch.tensor(ix).T
    t.close(x["tri/nll_given"], -P[a, b, c].log().mean().item(), "trigram_nll under a given P3",
            atol=1e-4, rtol=0)
    N = trigram_oracle(names, s) + 1
    ix = []
    for w in names:
        i = [0, 0] + [s[ch] for ch in w] + [0]
        ix += list(zip(i, i[1:], i[2:]))
    a, b, c = torch.tensor(ix).T
    want = -(N / N.sum(2, keepdim=True))[a, b, c].log().mean().item()
    t.close(x["tri/yours"], want, "your trigram model's NLL on names.txt (+1 smoothing)",
            atol=3e-4, rtol=0)


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

# %% task="split"
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


train_words, dev_words, test_words = split_words(words)
print(len(train_words), len(dev_words), len(test_words))
split_nll = eval_splits(train_words, dev_words, test_words, stoi)
for model, (dev_nll, test_nll) in split_nll.items():
    print(f"{model:8s} dev {dev_nll:.4f}  test {test_nll:.4f}")

# %% test="split" points=2
### BEGIN HIDDEN TESTS
_zth_items = [f"w{i}" for i in range(1003)]
_zth_copy = list(_zth_items)
_zth_export("split/7", lambda: [list(p) for p in split_words(_zth_items, seed=7)])
_zth_export("split/7again", lambda: [list(p) for p in split_words(_zth_items, seed=7)])
_zth_export("split/8", lambda: [list(p) for p in split_words(_zth_items, seed=8)])
_zth_export("split/unchanged", lambda: (split_words(_zth_items, seed=3), _zth_items == _zth_copy)[1])
_zth_export("split/names_sizes", lambda: [len(p) for p in split_words(words)])
# eval_splits with our bigram/trigram helpers, on a fixed split
def _zth_eval_probe():
    _idx = _zth_ngrams
    stoi_ = {c: i for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")}
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
        _r = eval_splits(words[:20000], words[20000:24000], words[24000:], stoi_)
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
def check(x, t):
    import random
    items = [f"w{i}" for i in range(1003)]
    parts = x["split/7"]
    ok = isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, list) for p in parts)
    t.true(ok or parts, "split_words returns three lists")
    if not ok:
        parts = [[], [], []]
    tr, dv, te = parts
    t.true([len(p) for p in parts] == [802, 100, 101], "sizes for 1003 words",
           "cut at int(0.8 * n) and int(0.9 * n)")
    t.true(not (set(tr) & set(dv)) and not (set(tr) & set(te)) and not (set(dv) & set(te))
           and sorted(tr + dv + te) == sorted(items), "every word is in exactly one split",
           "the splits overlap or lose words: dev and test must be data the model never saw")
    want = list(items)
    random.Random(7).shuffle(want)
    t.true(parts == [want[:802], want[802:902], want[902:]], "the seeded shuffle",
           "shuffle a copy with random.Random(seed).shuffle, then cut")
    t.true(x["split/7again"] == parts and x["split/8"] != parts, "the same seed gives the same split, "
           "another seed another")
    t.true(x["split/unchanged"], "split_words leaves its input list unchanged")
    t.true(x["split/names_sizes"] == [25626, 3203, 3204], "split sizes of names.txt")
    # eval_splits on a fixed split, with the course's own count models
    from autograder.data import load_text
    names = load_text("names.txt").splitlines()
    s = {c: i for i, c in enumerate(".abcdefghijklmnopqrstuvwxyz")}

    def idx(ws, order):
        r = []
        for w in ws:
            ix = [0] * (order - 1) + [s[c] for c in w] + [0]
            r += [ix[i:i + order] for i in range(len(ix) - order + 1)]
        return torch.tensor(r)
    want = []
    for order in (2, 3):
        tr_ = idx(names[:20000], order)
        N = torch.zeros((27,) * order, dtype=torch.float64)
        N.index_put_(tuple(tr_.T), torch.ones(len(tr_), dtype=torch.float64), accumulate=True)
        P = (N + 1) / (N + 1).sum(-1, keepdim=True)
        for part in (names[20000:24000], names[24000:]):
            want.append(-P[tuple(idx(part, order).T)].log().mean().item())
    t.close(x["split/eval"], want, "eval_splits on a given split: [bigram dev, bigram test, "
            "trigram dev, trigram test]", atol=2e-4, rtol=0,
            hint="fit both models on train only (+1 smoothing) and evaluate on dev and test")


# %% [markdown]
# ## Task 10 (E03): tune the smoothing on dev (1 point)
#
# Smoothing is a *hyperparameter*: choose it by the dev loss, never by the training
# loss (on train, less smoothing always looks better). Write
# `tune_smoothing(train, dev, stoi, ks)`: for each `k` in `ks`, fit the trigram model
# on `train` with smoothing `k` and measure its NLL on `dev`; return `(best_k,
# dev_losses)` with `dev_losses` the list of the losses in the order of `ks`.

# %% task="smoothing"
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
        _best, _ls = tune_smoothing(words[5000:25000], words[:5000], stoi, ks)
        return [float(_best)] + [float(v) for v in _ls]
    finally:
        globals().update(_saved)
_zth_export("tune/a", lambda: _zth_tune_probe([0.02, 0.2, 2.0, 5.0]))
_zth_export("tune/b", lambda: _zth_tune_probe([1.0, 0.05, 0.5]))
### END HIDDEN TESTS
assert len(dev_losses) == 6, "one dev loss per k"
assert best_k == [0.01, 0.03, 0.1, 0.3, 1, 3][min(range(6), key=lambda i: dev_losses[i])], \
    "best_k is the k with the lowest dev loss"
assert best_k < 1, "on dev, less smoothing than +1 is better for the trigram model"
print("ok")

# %% check="smoothing"
def check(x, t):
    from autograder.data import load_text
    names = load_text("names.txt").splitlines()

    def idx(ws):
        r = []
        for w in ws:
            ix = [0, 0] + [ord(c) - 96 for c in w] + [0]
            r += [ix[i:i + 3] for i in range(len(ix) - 2)]
        return torch.tensor(r)
    tr = idx(names[5000:25000])
    N = torch.zeros((27, 27, 27), dtype=torch.float64)
    N.index_put_(tuple(tr.T), torch.ones(len(tr), dtype=torch.float64), accumulate=True)
    dv = tuple(idx(names[:5000]).T)
    for key, ks in (("tune/a", [0.02, 0.2, 2.0, 5.0]), ("tune/b", [1.0, 0.05, 0.5])):
        losses = [-((N + k) / (N + k).sum(-1, keepdim=True))[dv].log().mean().item() for k in ks]
        best = ks[min(range(len(ks)), key=lambda i: losses[i])]
        t.close(x[key], [best] + losses, f"tune_smoothing over {ks}: [best k, dev losses]",
                atol=2e-4, rtol=0, hint="fit on train with each k, measure on dev, pick the lowest dev loss")


# %% [markdown]
# ## Task 11 (E04): indexing instead of one-hot (1 point)
#
# Multiplying a one-hot vector by `W` just picks out a row of `W`. Write
# `net_loss_indexed(W, xs, ys, reg=0.01)`: the same loss as `net_loss`, with the
# logits taken as rows of `W` by indexing instead of `F.one_hot` and a matrix
# multiply. It is the same function, computed much faster.

# %% task="indexing"
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
for _V, _n, _reg, _seed in ((5, 7, 0.0, 4), (27, 60, 0.01, 5)):
    _zth_export(f"indexed/{_V}", lambda: _zth_lossgrad(net_loss_indexed, _V, _n, _reg, _seed))
### END HIDDEN TESTS
_W = torch.randn((27, 27), generator=torch.Generator().manual_seed(0))
_a = net_loss_indexed(_W, xs[:100], ys[:100]).item()
_b = (F.cross_entropy(_W[xs[:100]], ys[:100]) + 0.01 * (_W**2).mean()).item()
assert abs(_a - _b) < 1e-5, f"net_loss_indexed gives {_a:.5f}, expected {_b:.5f}"
print("ok")

# %% check="indexing"
def check(x, t):
    import torch.nn.functional as F
    for V, n, reg, seed in ((5, 7, 0.0, 4), (27, 60, 0.01, 5)):
        g = torch.Generator().manual_seed(seed)
        W = torch.randn((V, V), generator=g, requires_grad=True)
        xx = torch.randint(0, V, (n,), generator=g)
        yy = torch.randint(0, V, (n,), generator=g)
        loss = F.cross_entropy(W.double()[xx], yy) + reg * (W.double() ** 2).mean()
        loss.backward()
        t.close(x[f"indexed/{V}"], [loss.item()] + W.grad.flatten().tolist(),
                f"[loss, dloss/dW] of net_loss_indexed, {V}x{V} W", atol=1e-5, rtol=1e-4,
                hint="the logits of example i are the row W[xs[i]]")


# %% [markdown]
# ## Task 12 (E05): `F.cross_entropy` (1 point)
#
# PyTorch's `F.cross_entropy(logits, targets)` does the exponentiate, normalise, log,
# pick and average in one call, and more carefully (it never overflows on large
# logits). Write `net_loss_ce(W, xs, ys, reg=0.01)` with it. Note what it expects:
# the raw logits, not probabilities.

# %% task="cross_entropy"
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
_zth_export("ce/5", lambda: _zth_lossgrad(net_loss_ce, 5, 9, 0.0, 6))
_zth_export("ce/27", lambda: _zth_lossgrad(net_loss_ce, 27, 80, 0.01, 7))
_zth_export("ce/big", lambda: _zth_lossgrad(net_loss_ce, 4, 10, 0.0, 8, scale=100.0))
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
    import torch.nn.functional as F
    for key, V, n, reg, seed, scale in (("ce/5", 5, 9, 0.0, 6, 1.0), ("ce/27", 27, 80, 0.01, 7, 1.0),
                                        ("ce/big", 4, 10, 0.0, 8, 100.0)):
        g = torch.Generator().manual_seed(seed)
        W = (scale * torch.randn((V, V), generator=g)).double().requires_grad_()
        xx = torch.randint(0, V, (n,), generator=g)
        yy = torch.randint(0, V, (n,), generator=g)
        loss = F.cross_entropy(W[xx], yy) + reg * (W ** 2).mean()
        loss.backward()
        t.close(x[key], [loss.item()] + W.grad.flatten().tolist(),
                f"[loss, dloss/dW] of net_loss_ce, {V}x{V} W" + (" with large logits" if scale > 1 else ""),
                atol=1e-4, rtol=1e-4, hint="F.cross_entropy takes the logits themselves")
