# %% [markdown]
# # Exercise 7: GPT from scratch
#
# You will build a character-level GPT, a decoder-only Transformer, and train it on the
# works of Shakespeare: the tokenizer, the batches, one head of self-attention, many
# heads, the same heads batched into one module (what real implementations do), the
# Transformer block, the model with its `generate` method, and the training loop.
#
# Work top to bottom. Each task has a cell with `# YOUR CODE HERE`: replace the
# `raise NotImplementedError(...)` line with your code, then run the test cell below it.
# The grader runs hidden tests on other inputs and compares your modules with an
# independent implementation (PyTorch's own attention) with the same weights.
#
# Tasks and points: `encode`/`decode` (1), `get_batch` (1), one `Head` (2),
# `MultiHeadAttention` (1), batched `CausalSelfAttention` (3), `FeedForward` and
# `Block` (2), the `GPTLanguageModel` with `generate` (2), training and evaluation (3).
# Total 15.

# %%
import math

import torch
import torch.nn as nn
from torch.nn import functional as F

torch.manual_seed(SEED)
device = "cuda" if torch.cuda.is_available() else "cpu"
print("device:", device)

# %% [markdown]
# ## The data
#
# About a million characters of Shakespeare's plays, one string.

# %%
text = load_text("tinyshakespeare.txt")
print(f"{len(text):,} characters")
print(text[:200])

# %% [markdown]
# ## Task 1: a character tokenizer (1 point)
#
# The vocabulary is the sorted list of distinct characters of the text. Build `chars`
# (that list: later cells take `vocab_size = len(chars)`), `stoi` (character to
# integer) and `itos` (integer to character), and write `encode(s)` (a string to a
# list of integers) and `decode(ids)` (a list of integers to a string).

# %% solution="tokenizer"
### BEGIN SOLUTION
chars = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for i, ch in enumerate(chars)}
### END SOLUTION


def encode(s):
    """String -> list of integer ids.

    >>> encode("hii")
    [46, 47, 47]
    """
    ### BEGIN SOLUTION
    return [stoi[c] for c in s]
    ### END SOLUTION


def decode(ids):
    """List of integer ids -> string."""
    ### BEGIN SOLUTION
    return "".join(itos[i] for i in ids)
    ### END SOLUTION


# %% probes
# Helpers of the hidden tests, shared by them (graded notebook only). They run before
# the notebook's own imports, so they import what they use under names of their own.
import zlib as _zth_zlib

import torch as _zth_torch
import torch.nn as _zth_nn
import torch.nn.functional as _zth_F


def _zth_with(name, obj, fn):
    """fn() with the notebook's global `name` replaced by obj (a reference module)."""
    old = globals()[name]
    globals()[name] = obj
    try:
        return fn()
    finally:
        globals()[name] = old


def _zth_fill(module, seed):
    """Every parameter of module set from its name and seed (the twin of the checks' fill)."""
    with _zth_torch.no_grad():
        for name, p in module.named_parameters():
            g = _zth_torch.Generator().manual_seed(seed + _zth_zlib.crc32(name.encode()))
            v = _zth_torch.randn(tuple(p.shape), generator=g)
            if v.ndim == 2:
                v = v / v.shape[-1] ** 0.5
            elif name.split(".")[-2].startswith("ln") and name.endswith("weight"):
                v = 1.0 + 0.2 * v
            else:
                v = 0.2 * v
            p.copy_(v)
    return module




# %% inputs
# The hidden inputs, drawn per submission from `rng`; the probes (in the kernel) and the
# checks (in the grader) read them as _zth_in.NAME.
import torch

_g = torch.Generator().manual_seed(rng.randrange(2**62))


def _seed():
    return rng.randrange(2**40)


def _attn(C, bs, T, **more):
    """An attention input x (B, T, C), and x2: x with the tokens from position pos on replaced."""
    B = rng.randint(1, 3)
    x = torch.randn(B, T, C, generator=_g)
    pos = rng.randrange(1, T)
    x2 = x.clone()
    x2[:, pos:] = torch.randn(B, T - pos, C, generator=_g)
    return dict(C=C, bs=bs, B=B, T=T, x=x, x2=x2, pos=pos, wseed=_seed(), **more)


# Task 1: a passage of the play, characters by their rank in the vocabulary, ids to decode
tok_start = rng.randrange(1_100_000)
tok_len = rng.randint(40, 90)
tok_ranks = [rng.randrange(65) for _ in range(rng.randint(10, 20))]
tok_ids = [rng.randrange(65) for _ in range(rng.randint(15, 30))]

# Task 2: data to cut batches from; in the second case it is barely longer than block_size
batch_cases = []
for _short in (False, True):
    _bs = rng.randint(3, 16)
    _n = _bs + rng.randint(1, 4) if _short else rng.randint(60, 400)
    batch_cases.append(dict(data=torch.randint(0, 1000, (_n,), generator=_g), block_size=_bs,
                            batch_size=rng.randint(2, 9), seed=_seed()))

# Task 3: T == block_size, T < block_size, a longer block
_bs = rng.randint(4, 10)
head_cases = [_attn(rng.choice([8, 12, 16]), _bs, _bs, hs=rng.choice([4, 6, 8])),
              _attn(rng.choice([12, 20]), 16, rng.randint(3, 12), hs=rng.choice([4, 5])),
              _attn(32, 32, rng.randint(24, 32), hs=16)]

# Task 4: heads of a reference Head, block_size 16
mha_cases = [_attn(rng.choice([12, 16]), 16, rng.randint(4, 12), nh=rng.randint(2, 4), hs=rng.randint(3, 6))
             for _ in range(2)]

# Task 5: T == block_size, then T < block_size; a shift added to the tokens from each
# position on; an input for the dropout test
csa_cases = []
for _full in (True, False):
    _nh, _hs, _bs = rng.randint(2, 4), rng.randint(3, 8), rng.randint(6, 16)
    csa_cases.append(_attn(_nh * _hs, _bs, _bs if _full else rng.randint(3, _bs - 1), nh=_nh,
                           delta=torch.randn(_nh * _hs, generator=_g)))
csa_dropout = dict(C=16, nh=4, bs=8, x=torch.randn(2, 8, 16, generator=_g), wseed=_seed(), seed=_seed())

# Task 6: blocks around a reference attention, block_size 16; a feed-forward net
block_cases = []
for _ in range(2):
    _nh = rng.randint(2, 4)
    block_cases.append(_attn(_nh * rng.randint(3, 6), 16, rng.randint(3, 12), nh=_nh))
_C = rng.randint(4, 12)
ffwd_case = dict(C=_C, x=torch.randn(rng.randint(1, 3), rng.randint(2, 6), _C, generator=_g), wseed=_seed())

# Task 7: a forward pass with T == block_size and with fewer tokens; generation from a
# context longer than block_size
_V, _hs, _bs, _B = rng.randint(7, 15), rng.randint(3, 6), rng.randint(6, 10), rng.randint(2, 3)
gpt_forward = dict(V=_V, C=2 * _hs, nh=2, nl=rng.randint(1, 2), bs=_bs, T2=rng.randint(1, _bs - 1),
                   idx=torch.randint(0, _V, (_B, _bs), generator=_g),
                   targets=torch.randint(0, _V, (_B, _bs), generator=_g), wseed=_seed())
_V, _bs = rng.randint(5, 9), rng.randint(3, 5)
gpt_generate = dict(V=_V, C=8, nh=2, nl=1, bs=_bs, steps=rng.randint(8, 14), seed=_seed(), wseed=_seed(),
                    idx=torch.randint(0, _V, (2, _bs + rng.randint(1, 3)), generator=_g))

# Task 8: a bigram table trained with train(); a model whose loss depends on its mode for
# estimate_loss(); the seeds of a reference GPT trained with train() and the starts of the
# validation chunks its loss is measured on (block 32; the validation text has 111,540 characters)
_V = rng.randint(5, 8)
train_small = dict(V=_V, data=torch.randint(0, _V, (rng.randint(80, 200),), generator=_g),
                   w0=torch.randn(_V, _V, generator=_g), steps=rng.randint(10, 20), block_size=rng.randint(3, 6),
                   batch_size=rng.randint(2, 5), lr=rng.choice([0.01, 0.03, 0.05]), seed=_seed())
eval_small = dict(data=torch.randint(0, 50, (rng.randint(60, 150),), generator=_g), block_size=rng.randint(3, 6),
                  batch_size=rng.randint(2, 5), iters=rng.randint(3, 8), seed=_seed())
probe_init_seed, probe_train_seed = _seed(), _seed()
probe_eval_starts = [rng.randrange(111_540 - 33) for _ in range(48)]


# %% checks
# Helpers shared by the checks of this chapter (trusted, grader side).
import zlib

import torch.nn.functional as F


def fill(names_shapes, seed):
    """name -> the value the probes' _zth_fill gives that parameter (its twin)."""
    P = {}
    for name, shape in names_shapes:
        g = torch.Generator().manual_seed(seed + zlib.crc32(name.encode()))
        v = torch.randn(shape, generator=g)
        if v.ndim == 2:
            v = v / v.shape[-1] ** 0.5
        elif name.split(".")[-2].startswith("ln") and name.endswith("weight"):
            v = 1.0 + 0.2 * v
        else:
            v = 0.2 * v
        P[name] = v
    return P


def parts(t, got, n, what, hint, checks=None):
    """got as the list of n values its probe returns, or None after failing the checks
    it stands for (n unless told) when the probe raised or returned something else."""
    if isinstance(got, list) and len(got) == n:
        return got
    for _ in range(n if checks is None else checks):
        t.fail(got, what, hint)
    return None


def block_shapes(C, prefix=""):
    return [(prefix + n, s) for n, s in [
        ("sa.qkv.weight", (3 * C, C)), ("sa.proj.weight", (C, C)), ("sa.proj.bias", (C,)),
        ("ffwd.net.0.weight", (4 * C, C)), ("ffwd.net.0.bias", (4 * C,)),
        ("ffwd.net.2.weight", (C, 4 * C)), ("ffwd.net.2.bias", (C,)),
        ("ln1.weight", (C,)), ("ln1.bias", (C,)), ("ln2.weight", (C,)), ("ln2.bias", (C,))]]


def block_oracle(x, P, C, nh, p=""):
    B, T, _ = x.shape
    h = F.layer_norm(x, (C,), P[p + "ln1.weight"], P[p + "ln1.bias"])
    q, k, v = ((h @ W.T).view(B, T, nh, C // nh).transpose(1, 2) for W in P[p + "sa.qkv.weight"].split(C, 0))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
    x = x + y @ P[p + "sa.proj.weight"].T + P[p + "sa.proj.bias"]
    h = F.layer_norm(x, (C,), P[p + "ln2.weight"], P[p + "ln2.bias"])
    h = torch.relu(h @ P[p + "ffwd.net.0.weight"].T + P[p + "ffwd.net.0.bias"])
    return x + h @ P[p + "ffwd.net.2.weight"].T + P[p + "ffwd.net.2.bias"]


# %% test="tokenizer" points=1
### BEGIN HIDDEN TESTS
_zth_export("tok/encode", lambda: [int(i) for i in encode(text[_zth_in.tok_start:_zth_in.tok_start + _zth_in.tok_len])])
_zth_export("tok/encode2", lambda: [int(i) for i in encode("".join(sorted(set(text))[r] for r in _zth_in.tok_ranks))])
_zth_export("tok/decode", lambda: decode(list(_zth_in.tok_ids)))
### END HIDDEN TESTS
vocab_size = len(chars)
assert vocab_size == 65, f"tiny Shakespeare has 65 distinct characters, you have {vocab_size}"
assert decode(encode("hii there")) == "hii there", "decode(encode(s)) should give s back"
assert encode("\n A") == [0, 1, 13], "ids follow the sorted order of the characters: '\\n' is 0, ' ' is 1"
print("ok")

# %% check="tokenizer"
def check(x, t):
    text = load_text("tinyshakespeare.txt")
    vocab = sorted(set(text))
    rank = {c: i for i, c in enumerate(vocab)}
    s = text[_zth_in.tok_start:_zth_in.tok_start + _zth_in.tok_len]
    t.equal(x["tok/encode"], [rank[c] for c in s], "encode() of a passage of the play",
            hint="the id of a character is its position in the sorted vocabulary")
    t.equal(x["tok/encode2"], list(_zth_in.tok_ranks), "encode() of characters from all over the vocabulary",
            hint="the vocabulary is every distinct character of the text, sorted")
    t.equal(x["tok/decode"], "".join(vocab[i] for i in _zth_in.tok_ids), "decode() of a list of ids",
            hint="decode(ids) joins the characters of the ids into one string")


# %% [markdown]
# The whole text as one tensor of ids, split 90 / 10 into training and validation data.

# %%
data = torch.tensor(encode(text), dtype=torch.long)
n = int(0.9 * len(data))
train_data, val_data = data[:n], data[n:]
print(f"train {len(train_data):,} tokens, val {len(val_data):,} tokens")   # 1,003,854 / 111,540

# %% [markdown]
# ## Task 2: `get_batch` (1 point)
#
# A batch is `batch_size` random chunks of `block_size` consecutive tokens, `x`, and the
# same chunks shifted one to the right, `y`: for every position `t`, `y[b, t]` is the
# token that follows `x[b, :t+1]`, so one chunk holds `block_size` training examples.
# Draw the start offsets with exactly
# `torch.randint(len(data) - block_size, (batch_size,), generator=generator)` and stack
# the chunks into `(batch_size, block_size)` tensors.

# %% solution="get_batch"
def get_batch(data, block_size, batch_size, generator=None):
    """Inputs x and targets y, both (batch_size, block_size), from the 1-D tensor data.

    >>> x, y = get_batch(torch.arange(100), 4, 2, torch.Generator().manual_seed(0))
    >>> x.shape, bool((y == x + 1).all())
    (torch.Size([2, 4]), True)
    """
    ### BEGIN SOLUTION
    ix = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    x = torch.stack([data[i:i + block_size] for i in ix])
    y = torch.stack([data[i + 1:i + block_size + 1] for i in ix])
    return x, y
    ### END SOLUTION


# %% test="get_batch" points=1
### BEGIN HIDDEN TESTS
for _zth_i, _zth_c in enumerate(_zth_in.batch_cases):
    _zth_export(f"batch/{_zth_i}", lambda c=_zth_c: list(get_batch(c["data"], c["block_size"], c["batch_size"],
                                                                 torch.Generator().manual_seed(c["seed"]))))
### END HIDDEN TESTS
_x, _y = get_batch(train_data, 8, 4, torch.Generator().manual_seed(1337))
assert _x.shape == (4, 8) and _y.shape == (4, 8), f"shapes {tuple(_x.shape)}, {tuple(_y.shape)}: expected (4, 8)"
assert torch.equal(_x[:, 1:], _y[:, :-1]), "y is x shifted by one position"
print(decode(_x[0].tolist()), "->", decode(_y[0].tolist()))
print("ok")

# %% check="get_batch"
def check(x, t):
    for i, c in enumerate(_zth_in.batch_cases):
        data, bs, B = c["data"], c["block_size"], c["batch_size"]
        ix = torch.randint(len(data) - bs, (B,), generator=torch.Generator().manual_seed(c["seed"]))
        xs = torch.stack([data[j:j + bs] for j in ix])
        ys = torch.stack([data[j + 1:j + bs + 1] for j in ix])
        what = ["get_batch()", "get_batch() on data barely longer than block_size"][i]
        got = parts(t, x[f"batch/{i}"], 2, what, "should return the pair (x, y)")
        if got:
            t.equal(got[0], xs, f"{what}: x", hint="draw the offsets with exactly torch.randint(len(data) - "
                    "block_size, (batch_size,), generator=generator); x[b] is the chunk at offset b")
            t.equal(got[1], ys, f"{what}: y", hint="y is the chunk one position to the right")


# %% [markdown]
# ## Task 3: one head of self-attention (2 points)
#
# Every position emits a query ("what am I looking for"), a key ("what do I contain")
# and a value ("what I will tell you"), three linear maps of its embedding. The affinity
# of position `t` for position `s` is `q_t . k_s / sqrt(head_size)`; scaling by the
# square root keeps the variance of the affinities near 1, so the softmax stays soft at
# initialization. A decoder must not look at the future: set the affinities with
# `s > t` to `-inf` (using the lower-triangular buffer `tril`), softmax over `s`, apply
# dropout to the weights, and return the weighted sum of the values. Input `(B, T, C)`
# with `T <= block_size`; output `(B, T, head_size)`.

# %% solution="head"
class Head(nn.Module):
    """One head of causal self-attention."""

    def __init__(self, n_embd, head_size, block_size, dropout=0.0):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.dropout = nn.Dropout(dropout)
        ### BEGIN SOLUTION
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        B, T, C = x.shape
        k = self.key(x)                                        # (B, T, hs)
        q = self.query(x)                                      # (B, T, hs)
        wei = q @ k.transpose(-2, -1) * k.shape[-1]**-0.5      # (B, T, T)
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
        wei = F.softmax(wei, dim=-1)                           # each row sums to 1
        wei = self.dropout(wei)
        v = self.value(x)                                      # (B, T, hs)
        return wei @ v                                         # (B, T, hs)
        ### END SOLUTION


# %% [markdown]
# The hidden tests give your modules random weights of their own and compare the
# outputs with PyTorch's fused attention, `F.scaled_dot_product_attention`.


# %% test="head" points=2
### BEGIN HIDDEN TESTS
def _zth_head(c):
    h = _zth_fill(Head(c["C"], c["hs"], c["bs"], dropout=0.3), c["wseed"]).eval()
    with torch.no_grad():
        return [h(c["x"]), h(c["x2"])]
for _zth_i, _zth_c in enumerate(_zth_in.head_cases):
    _zth_export(f"head/{_zth_i}", lambda c=_zth_c: _zth_head(c))
### END HIDDEN TESTS
_h = Head(32, 16, block_size=8).eval()
_x = torch.randn(4, 8, 32)
_out = _h(_x)
assert _out.shape == (4, 8, 16), f"output shape {tuple(_out.shape)}, expected (4, 8, 16)"
_x2 = _x.clone()
_x2[:, 5:] = torch.randn(4, 3, 32)                       # change the future of position 4
assert torch.allclose(_h(_x2)[:, :5], _out[:, :5], atol=1e-6), "positions 0..4 must not see positions 5..7"
assert _h(_x[:, :3]).shape == (4, 3, 16), "T can be smaller than block_size"
with torch.no_grad():
    _q, _k, _v = _h.query(_x), _h.key(_x), _h.value(_x)
    _want = F.scaled_dot_product_attention(_q, _k, _v, is_causal=True)
assert torch.allclose(_out, _want, atol=1e-5), "Head differs from F.scaled_dot_product_attention"
print("ok")

# %% check="head"
def check(x, t):
    for i, c in enumerate(_zth_in.head_cases):
        P = fill([(n, (c["hs"], c["C"])) for n in ("key.weight", "query.weight", "value.weight")], c["wseed"])
        want = [F.scaled_dot_product_attention(a @ P["query.weight"].T, a @ P["key.weight"].T,
                                               a @ P["value.weight"].T, is_causal=True) for a in (c["x"], c["x2"])]
        what = ["Head, T == block_size", "Head, T < block_size", "Head, a longer block"][i]
        got = parts(t, x[f"head/{i}"], 2, what, "could not run")
        if got:
            t.close(got[0], want[0], f"{what}, vs F.scaled_dot_product_attention", atol=1e-5, rtol=1e-4,
                    hint="scale by 1/sqrt(head_size), mask the future, softmax over the last dimension")
            t.close(got[1], want[1], f"{what}, the later tokens changed", atol=1e-5, rtol=1e-4,
                    hint="a position must never attend to the positions after it")


# %% [markdown]
# ## Task 4: `MultiHeadAttention` (1 point)
#
# Run `num_heads` heads in parallel, each of size `head_size`, concatenate their outputs
# along the channel dimension, project back with `proj`, and apply dropout.

# %% solution="multihead"
class MultiHeadAttention(nn.Module):
    def __init__(self, num_heads, head_size, n_embd, block_size, dropout=0.0):
        super().__init__()
        self.heads = nn.ModuleList([Head(n_embd, head_size, block_size, dropout) for _ in range(num_heads)])
        self.proj = nn.Linear(head_size * num_heads, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        ### BEGIN SOLUTION
        out = torch.cat([h(x) for h in self.heads], dim=-1)   # (B, T, num_heads * head_size)
        return self.dropout(self.proj(out))                    # (B, T, n_embd)
        ### END SOLUTION


# %% test="multihead" points=1
### BEGIN HIDDEN TESTS
# A reference implementation enters the kernel only after the test of the task it
# implements has run, so no answer can lean on it.
class _ZthHead(_zth_nn.Module):     # a reference head, so that MultiHeadAttention does not depend on yours
    def __init__(self, n_embd, head_size, block_size, dropout=0.0):
        super().__init__()
        self.key = _zth_nn.Linear(n_embd, head_size, bias=False)
        self.query = _zth_nn.Linear(n_embd, head_size, bias=False)
        self.value = _zth_nn.Linear(n_embd, head_size, bias=False)

    def forward(self, x):
        return _zth_F.scaled_dot_product_attention(self.query(x), self.key(x), self.value(x), is_causal=True)
def _zth_mha(c):
    m = _zth_with("Head", _ZthHead, lambda: MultiHeadAttention(c["nh"], c["hs"], c["C"], c["bs"], dropout=0.3))
    _zth_fill(m, c["wseed"]).eval()
    with torch.no_grad():
        return m(c["x"])
for _zth_i, _zth_c in enumerate(_zth_in.mha_cases):
    _zth_export(f"mha/{_zth_i}", lambda c=_zth_c: _zth_mha(c))
### END HIDDEN TESTS
_m = MultiHeadAttention(4, 8, 32, block_size=8).eval()
assert _m(torch.randn(2, 8, 32)).shape == (2, 8, 32), "output should be (B, T, n_embd)"
print("ok")

# %% check="multihead"
def check(x, t):
    for i, c in enumerate(_zth_in.mha_cases):
        nh, hs, C, xin = c["nh"], c["hs"], c["C"], c["x"]
        shapes = [(f"heads.{h}.{w}.weight", (hs, C)) for h in range(nh) for w in ("key", "query", "value")]
        P = fill(shapes + [("proj.weight", (C, nh * hs)), ("proj.bias", (C,))], c["wseed"])
        heads = [F.scaled_dot_product_attention(xin @ P[f"heads.{h}.query.weight"].T, xin @ P[f"heads.{h}.key.weight"].T,
                                                xin @ P[f"heads.{h}.value.weight"].T, is_causal=True) for h in range(nh)]
        want = torch.cat(heads, -1) @ P["proj.weight"].T + P["proj.bias"]
        t.close(x[f"mha/{i}"], want, f"MultiHeadAttention, case {i + 1}", atol=1e-5, rtol=1e-4,
                hint="concatenate the heads in order along the last dimension, then project with proj")


# %% [markdown]
# ## Task 5: all heads in one batched module (3 points)
#
# Looping over heads is slow. Real implementations compute the queries, keys and values
# of all heads with one matrix multiply (`qkv`: `n_embd -> 3 * n_embd`, queries first,
# then keys, then values; head `h` owns channels `h*hs : (h+1)*hs` of each), then treat
# the head as one more batch dimension: `(B, T, C) -> (B, n_head, T, hs)`. Careful: that
# needs a `view` to `(B, T, n_head, hs)` and then a `transpose`; a `view` straight to
# `(B, n_head, T, hs)` runs but mixes up positions and heads. After attention, undo it
# the same way (transpose back, then view to `(B, T, C)`), project with `proj` and
# apply `resid_dropout`.
#
# Write the attention itself twice: with `self.flash = True`, call
# `F.scaled_dot_product_attention(q, k, v, dropout_p=..., is_causal=True)` (one fused
# kernel: fast, and on a GPU it never stores the `T x T` matrix); with
# `self.flash = False`, write it out as in `Head` (mask with `tril`, softmax, `attn_dropout`).
# Dropout only in training mode: `dropout_p=self.dropout if self.training else 0.0`.
# With the same weights the module must equal `MultiHeadAttention` (this is exercise 1 of
# the lecture) and the two paths must agree.

# %% solution="batched"
class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout=0.0, flash=True):
        super().__init__()
        assert n_embd % n_head == 0
        self.n_head, self.dropout, self.flash = n_head, dropout, flash
        self.qkv = nn.Linear(n_embd, 3 * n_embd, bias=False)   # queries, keys, values of all heads
        self.proj = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)                  # each (B, T, C)
        ### BEGIN SOLUTION
        hs = C // self.n_head
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)      # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)
        if self.flash:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0,
                                               is_causal=True)
        else:
            att = q @ k.transpose(-2, -1) * hs**-0.5            # (B, nh, T, T)
            att = att.masked_fill(self.tril[:T, :T] == 0, float("-inf"))
            att = self.attn_dropout(F.softmax(att, dim=-1))
            y = att @ v                                         # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)        # heads side by side again
        return self.resid_dropout(self.proj(y))
        ### END SOLUTION


# %% test="batched" points=3
### BEGIN HIDDEN TESTS
def _zth_csa(c, flash):
    m = _zth_fill(CausalSelfAttention(c["C"], c["nh"], c["bs"], dropout=0.3, flash=flash), c["wseed"]).eval()
    with torch.no_grad():
        past = []
        for pos in range(c["T"]):                 # shift the tokens from position pos on:
            x2 = c["x"].clone()
            x2[:, pos:] += 3.0 * c["delta"]
            past.append(m(x2)[:, :pos].reshape(c["B"], -1))   # the outputs before pos must not change
        return [m(c["x"]), torch.cat(past, 1)]
for _zth_i, _zth_c in enumerate(_zth_in.csa_cases):
    for _zth_flash in (True, False):
        _zth_export(f"csa/{_zth_i}/{_zth_flash}", lambda c=_zth_c, f=_zth_flash: _zth_csa(c, f))
def _zth_csa_dropout(flash):
    c = _zth_in.csa_dropout
    torch.manual_seed(c["seed"])
    m = _zth_fill(CausalSelfAttention(c["C"], c["nh"], c["bs"], dropout=0.5, flash=flash), c["wseed"]).train()
    with torch.no_grad():
        a, b = m(c["x"]), m(c["x"])
        return [float((a - b).abs().max()), m.eval()(c["x"])]
for _zth_flash in (True, False):
    _zth_export(f"csa/dropout/{_zth_flash}", lambda f=_zth_flash: _zth_csa_dropout(f))
### END HIDDEN TESTS
# Exercise 1 of the lecture: with the same weights, the batched module equals the heads.
_mha = MultiHeadAttention(4, 8, 32, block_size=8).eval()
_csa = CausalSelfAttention(32, 4, block_size=8).eval()
with torch.no_grad():
    for _i, _name in enumerate(["query", "key", "value"]):
        _csa.qkv.weight[_i * 32:(_i + 1) * 32] = torch.cat([getattr(h, _name).weight for h in _mha.heads])
    _csa.proj.load_state_dict(_mha.proj.state_dict())
    _x = torch.randn(2, 8, 32)
    assert torch.allclose(_csa(_x), _mha(_x), atol=1e-5), "flash=True: the batched module differs from the heads"
    _csa.flash = False
    assert torch.allclose(_csa(_x), _mha(_x), atol=1e-5), "flash=False: the batched module differs from the heads"
    _x2 = _x.clone()
    _x2[:, 6:] = 0.0
    assert torch.allclose(_csa(_x2)[:, :6], _csa(_x)[:, :6], atol=1e-6), "positions 0..5 must not see 6..7"
print("ok")

# %% check="batched"
def heads_oracle(xin, P, C, nh):
    """Per-head attention written out, one head at a time (the per-head version)."""
    hs = C // nh
    Wq, Wk, Wv = P["qkv.weight"].split(C, 0)
    ys = []
    for h in range(nh):
        sl = slice(h * hs, (h + 1) * hs)
        q, k, v = xin @ Wq[sl].T, xin @ Wk[sl].T, xin @ Wv[sl].T
        T = xin.shape[1]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        att = att.masked_fill(torch.ones(T, T).triu(1).bool(), float("-inf")).softmax(-1)
        ys.append(att @ v)
    return torch.cat(ys, -1) @ P["proj.weight"].T + P["proj.bias"]


def sdpa_oracle(xin, P, C, nh):
    """The same with PyTorch's fused attention."""
    B, T, _ = xin.shape
    split = lambda a: a.reshape(B, T, nh, C // nh).transpose(1, 2)
    q, k, v = (split(xin @ W.T) for W in P["qkv.weight"].split(C, 0))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return y.transpose(1, 2).reshape(B, T, C) @ P["proj.weight"].T + P["proj.bias"]


def shapes(C):
    return [("qkv.weight", (3 * C, C)), ("proj.weight", (C, C)), ("proj.bias", (C,))]


def check(x, t):
    for i, c in enumerate(_zth_in.csa_cases):
        C, nh, B, T = c["C"], c["nh"], c["B"], c["T"]
        P = fill(shapes(C), c["wseed"])
        want = heads_oracle(c["x"], P, C, nh)
        want_sdpa = sdpa_oracle(c["x"], P, C, nh)
        past = torch.cat([want[:, :pos].reshape(B, -1) for pos in range(T)], 1)
        for flash in (True, False):
            what = f"flash={flash}, " + ["T == block_size", "T < block_size"][i]
            got = parts(t, x[f"csa/{i}/{flash}"], 2, what, "could not run")
            if not got:
                continue
            t.close(got[0], want, f"{what}: vs the per-head version", atol=1e-5, rtol=1e-4,
                    hint="split heads with view(B, T, n_head, hs).transpose(1, 2), merge with transpose then view")
            t.close(got[0], want_sdpa, f"{what}: vs F.scaled_dot_product_attention", atol=1e-5, rtol=1e-4)
            t.close(got[1], past, f"{what}: the outputs before a position when the tokens from there on change",
                    atol=1e-5, rtol=1e-4, hint="mask so that position t attends to positions 0..t only")
    c = _zth_in.csa_dropout
    want = heads_oracle(c["x"], fill(shapes(c["C"]), c["wseed"]), c["C"], c["nh"])
    for flash in (True, False):
        what = f"flash={flash}: dropout active in training mode, off in evaluation mode"
        got = parts(t, x[f"csa/dropout/{flash}"], 2, what, "could not run")
        if got:
            off = t.close(got[1], want, f"flash={flash}, dropout=0.5, evaluation mode", atol=1e-5, rtol=1e-4)
            differs = isinstance(got[0], float) and got[0] > 1e-3
            t.true(off and differs, what, "two calls in training mode should differ: dropout (dropout_p, attn_dropout) "
                   "when self.training" if off else "needs the evaluation-mode output right")


# %% [markdown]
# ## Task 6: `FeedForward` and `Block` (2 points)
#
# After the tokens have communicated (attention), each one computes on its own: a
# two-layer MLP, 4 times wider inside, with ReLU. A Transformer block is both, each
# wrapped in a **residual** connection with a LayerNorm before it (the "pre-norm" of
# GPT-2): `x = x + sa(ln1(x))`, then `x = x + ffwd(ln2(x))`. The residual path lets the
# gradient flow straight from the loss to the input, which is what makes deep stacks
# trainable.

# %% solution="block"
class FeedForward(nn.Module):
    def __init__(self, n_embd, dropout=0.0):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.ReLU(),
                                 nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.net(x)
        ### END SOLUTION


class Block(nn.Module):
    """Communication (attention) followed by computation (feed-forward)."""

    def __init__(self, n_embd, n_head, block_size, dropout=0.0):
        super().__init__()
        self.sa = CausalSelfAttention(n_embd, n_head, block_size, dropout)
        self.ffwd = FeedForward(n_embd, dropout)
        self.ln1 = nn.LayerNorm(n_embd)
        self.ln2 = nn.LayerNorm(n_embd)

    def forward(self, x):
        ### BEGIN SOLUTION
        x = x + self.sa(self.ln1(x))
        x = x + self.ffwd(self.ln2(x))
        return x
        ### END SOLUTION


# %% test="block" points=2
### BEGIN HIDDEN TESTS
# A reference implementation enters the kernel only after the test of the task it
# implements has run, so no answer can lean on it.
class _ZthCSA(_zth_nn.Module):      # a reference attention, so that Block does not depend on yours
    def __init__(self, n_embd, n_head, block_size, dropout=0.0, flash=True):
        super().__init__()
        self.n_head = n_head
        self.qkv = _zth_nn.Linear(n_embd, 3 * n_embd, bias=False)
        self.proj = _zth_nn.Linear(n_embd, n_embd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (a.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for a in self.qkv(x).split(C, 2))
        y = _zth_F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))
def _zth_block(c):
    b = _zth_with("CausalSelfAttention", _ZthCSA, lambda: Block(c["C"], c["nh"], c["bs"], dropout=0.3))
    _zth_fill(b, c["wseed"]).eval()
    with torch.no_grad():
        return b(c["x"])
for _zth_i, _zth_c in enumerate(_zth_in.block_cases):
    _zth_export(f"block/{_zth_i}", lambda c=_zth_c: _zth_block(c))
def _zth_ffwd():
    c = _zth_in.ffwd_case
    with torch.no_grad():
        return _zth_fill(FeedForward(c["C"], 0.3), c["wseed"]).eval()(c["x"])
_zth_export("ffwd", _zth_ffwd)
### END HIDDEN TESTS
_b = Block(32, 4, block_size=8).eval()
_x = torch.randn(2, 8, 32)
assert _b(_x).shape == (2, 8, 32), "a block maps (B, T, C) to (B, T, C)"
with torch.no_grad():
    _want = _x + _b.sa(_b.ln1(_x))
    _want = _want + _b.ffwd(_b.ln2(_want))
assert torch.allclose(_b(_x), _want, atol=1e-5), "x = x + sa(ln1(x)); x = x + ffwd(ln2(x))"
print("ok")

# %% check="block"
def check(x, t):
    for i, c in enumerate(_zth_in.block_cases):
        P = fill(block_shapes(c["C"]), c["wseed"])
        t.close(x[f"block/{i}"], block_oracle(c["x"], P, c["C"], c["nh"]), f"Block, case {i + 1}",
                atol=1e-5, rtol=1e-4, hint="pre-norm residuals: x = x + sa(ln1(x)), then x = x + ffwd(ln2(x))")
    c = _zth_in.ffwd_case
    C = c["C"]
    P = fill([("net.0.weight", (4 * C, C)), ("net.0.bias", (4 * C,)), ("net.2.weight", (C, 4 * C)),
              ("net.2.bias", (C,))], c["wseed"])
    h = torch.relu(c["x"] @ P["net.0.weight"].T + P["net.0.bias"])
    t.close(x["ffwd"], h @ P["net.2.weight"].T + P["net.2.bias"], "FeedForward", atol=1e-5, rtol=1e-4,
            hint="self.net(x): Linear, ReLU, Linear, Dropout")


# %% [markdown]
# ## Task 7: the GPT language model (2 points)
#
# Token embeddings say *what* each character is, position embeddings *where* it is; their
# sum goes through `n_layer` blocks, a final LayerNorm and a linear map to one logit per
# vocabulary entry. Write `forward(idx, targets=None)`: `idx` is `(B, T)` with
# `T <= block_size`; return `(logits, loss)` with logits `(B, T, vocab_size)` and the
# mean cross-entropy over all `B * T` positions as loss (`None` without targets).
# **This differs from the lecture**: there `forward` returns the logits flattened to
# `(B * T, vocab_size)` when targets are given; here the logits keep their shape
# `(B, T, vocab_size)` with or without targets (flatten a copy for the loss only).
#
# Write `generate(idx, max_new_tokens, generator=None)`: repeat `max_new_tokens` times:
# crop the context to its last `block_size` tokens (there are only `block_size` position
# embeddings), take the logits of the last position, softmax, sample one token with
# `torch.multinomial(probs, num_samples=1, generator=generator)` and append it. Return
# the whole `(B, T + max_new_tokens)` tensor.


# %% solution="gpt"
class GPTLanguageModel(nn.Module):
    def __init__(self, vocab_size, n_embd, n_head, n_layer, block_size, dropout=0.0):
        super().__init__()
        self.block_size = block_size
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head, block_size, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        ### BEGIN SOLUTION
        tok = self.token_embedding_table(idx)                                      # (B, T, C)
        pos = self.position_embedding_table(torch.arange(T, device=idx.device))   # (T, C)
        x = self.blocks(tok + pos)                                                 # (B, T, C)
        logits = self.lm_head(self.ln_f(x))                                        # (B, T, vocab)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))
        return logits, loss
        ### END SOLUTION

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, generator=None):
        ### BEGIN SOLUTION
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.block_size:])          # crop to the last block_size tokens
            probs = F.softmax(logits[:, -1, :], dim=-1)          # (B, vocab)
            idx_next = torch.multinomial(probs, num_samples=1, generator=generator)
            idx = torch.cat((idx, idx_next), dim=1)              # (B, T + 1)
        return idx
        ### END SOLUTION


# %% test="gpt" points=2
### BEGIN HIDDEN TESTS
# A reference implementation enters the kernel only after the test of the task it
# implements has run, so no answer can lean on it.
class _ZthBlock(_zth_nn.Module):    # a reference block, so that the model does not depend on yours
    def __init__(self, n_embd, n_head, block_size, dropout=0.0):
        super().__init__()
        self.sa = _ZthCSA(n_embd, n_head, block_size)
        self.ffwd = _zth_nn.Module()
        self.ffwd.net = _zth_nn.Sequential(_zth_nn.Linear(n_embd, 4 * n_embd), _zth_nn.ReLU(),
                                           _zth_nn.Linear(4 * n_embd, n_embd))
        self.ln1, self.ln2 = _zth_nn.LayerNorm(n_embd), _zth_nn.LayerNorm(n_embd)

    def forward(self, x):
        x = x + self.sa(self.ln1(x))
        return x + self.ffwd.net(self.ln2(x))
def _zth_gpt(c):
    m = _zth_with("Block", _ZthBlock, lambda: GPTLanguageModel(c["V"], c["C"], c["nh"], c["nl"], c["bs"], dropout=0.3))
    return _zth_fill(m, c["wseed"]).eval()
def _zth_forward():
    c = _zth_in.gpt_forward
    m = _zth_gpt(c)
    with torch.no_grad():
        logits, loss = m(c["idx"], c["targets"])
        logits2, loss2 = m(c["idx"][:, :c["T2"]])
    return [logits, float(loss), logits2, loss2]
_zth_export("gpt/forward", _zth_forward)
def _zth_generate():
    c = _zth_in.gpt_generate
    return _zth_gpt(c).generate(c["idx"], c["steps"], generator=torch.Generator().manual_seed(c["seed"]))
_zth_export("gpt/generate", _zth_generate)
### END HIDDEN TESTS
_m = GPTLanguageModel(vocab_size, 32, 4, 2, block_size=8).eval()
_xb, _yb = get_batch(train_data, 8, 4, torch.Generator().manual_seed(0))
_logits, _loss = _m(_xb, _yb)
assert _logits.shape == (4, 8, vocab_size), f"logits shape {tuple(_logits.shape)}, expected (4, 8, {vocab_size})"
assert abs(_loss.item() - math.log(vocab_size)) < 0.3, \
    f"initial loss {_loss.item():.3f} should be near -ln(1/65) = {math.log(65):.3f}"
assert _m(_xb)[1] is None, "the loss is None without targets"
_out = _m.generate(torch.zeros((1, 1), dtype=torch.long), 20)   # longer than block_size: crop!
assert _out.shape == (1, 21), f"generate should return (1, 21), got {tuple(_out.shape)}"
print(repr(decode(_out[0].tolist())))
_n = sum(p.numel() for p in GPTLanguageModel(65, 384, 6, 6, 256, 0.2).parameters())
assert _n == 10_788_929, f"the lecture's model has 10,788,929 parameters, this one {_n:,}"
print("ok")

# %% check="gpt"
def gpt_params(V, C, nl, bs, seed):
    names = [("token_embedding_table.weight", (V, C)), ("position_embedding_table.weight", (bs, C)),
             ("ln_f.weight", (C,)), ("ln_f.bias", (C,)), ("lm_head.weight", (V, C)), ("lm_head.bias", (V,))]
    for i in range(nl):
        names += block_shapes(C, f"blocks.{i}.")
    return fill(names, seed)


def gpt_oracle(idx, P, C, nh, nl):
    T = idx.shape[1]
    x = P["token_embedding_table.weight"][idx] + P["position_embedding_table.weight"][:T]
    for i in range(nl):
        x = block_oracle(x, P, C, nh, f"blocks.{i}.")
    x = F.layer_norm(x, (C,), P["ln_f.weight"], P["ln_f.bias"])
    return x @ P["lm_head.weight"].T + P["lm_head.bias"]


def check(x, t):
    c = _zth_in.gpt_forward
    P = gpt_params(c["V"], c["C"], c["nl"], c["bs"], c["wseed"])
    logits = gpt_oracle(c["idx"], P, c["C"], c["nh"], c["nl"])
    loss = F.cross_entropy(logits.flatten(0, 1), c["targets"].flatten()).item()
    got = parts(t, x["gpt/forward"], 4, "forward()", "could not run", checks=3)
    if got:
        t.close(got[0], logits, "logits with targets", atol=1e-4, rtol=1e-4,
                hint="token embedding + position embedding, the blocks, ln_f, lm_head; logits stay (B, T, vocab_size)")
        t.close(got[1], loss, "loss with targets", atol=1e-4, rtol=1e-4,
                hint="mean cross-entropy over all B*T positions")
        what = "logits and loss without targets, for a context shorter than block_size"
        if got[3] is None:
            t.close(got[2], logits[:, :c["T2"]], what, atol=1e-4, rtol=1e-4)
        else:
            t.fail(got[3], what, "the loss is None without targets")
    c = _zth_in.gpt_generate
    P = gpt_params(c["V"], c["C"], c["nl"], c["bs"], c["wseed"])
    idx, g = c["idx"], torch.Generator().manual_seed(c["seed"])
    for _ in range(c["steps"]):
        probs = F.softmax(gpt_oracle(idx[:, -c["bs"]:], P, c["C"], c["nh"], c["nl"])[:, -1, :], dim=-1)
        idx = torch.cat((idx, torch.multinomial(probs, num_samples=1, generator=g)), dim=1)
    t.equal(x["gpt/generate"], idx, "generate() from a context longer than block_size",
            hint="crop the context to the last block_size tokens; sample with torch.multinomial(probs, 1, generator=generator)")


# %% [markdown]
# ## Task 8: training and evaluation (3 points)
#
# Write `estimate_loss(model, data, block_size, batch_size, eval_iters, seed)`: the mean
# of the losses that `model(x, y)` returns for `eval_iters` batches from `get_batch`
# (with a generator seeded with `seed`), in **evaluation mode** (`model.eval()`, which
# turns dropout off; `model.train()` again at the end) and without building a graph.
# Return it as a number: a Python float and a 0-d tensor (the lecture's `losses.mean()`)
# are both fine.
#
# Write `train(model, data, max_iters, block_size, batch_size, lr, seed)`: create
# `torch.optim.AdamW(model.parameters(), lr=lr)` and a generator seeded with `seed`;
# each step draws a batch with `get_batch`, computes the loss (`_, loss = model(x, y)`),
# zeroes the gradients, backpropagates and steps. Return the list of per-step losses
# (floats). On a GPU run the forward pass in bfloat16 mixed precision (`torch.autocast`):
# the matrix multiplies run several times faster and the weights stay in float32.
#
# The grader trains a small model of its own with your `train()` and measures its
# validation loss itself, on chunks of the validation text it picks: that loss must lie
# in the range of the reference runs (neither above nor below it).


# %% solution="train"
def autocast(device):
    """bfloat16 mixed precision on a GPU; a no-op on the CPU."""
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


@torch.no_grad()
def estimate_loss(model, data, block_size, batch_size, eval_iters=20, seed=0):
    """Mean loss of `model` over `eval_iters` random batches of `data`, in eval mode."""
    device = next(model.parameters()).device
    g = torch.Generator().manual_seed(seed)
    ### BEGIN SOLUTION
    model.eval()
    losses = torch.zeros(eval_iters)
    for k in range(eval_iters):
        xb, yb = get_batch(data, block_size, batch_size, g)
        with autocast(device):
            _, loss = model(xb.to(device), yb.to(device))
        losses[k] = loss.item()
    model.train()
    return losses.mean().item()
    ### END SOLUTION


def train(model, data, max_iters, block_size, batch_size, lr, seed=SEED, log_every=0):
    """Train `model` in place with AdamW; return the per-step training losses."""
    device = next(model.parameters()).device
    g = torch.Generator().manual_seed(seed)
    losses = []
    ### BEGIN SOLUTION
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    for it in range(max_iters):
        xb, yb = get_batch(data, block_size, batch_size, g)
        with autocast(device):
            _, loss = model(xb.to(device), yb.to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if log_every and (it % log_every == 0 or it == max_iters - 1):
            print(f"step {it:5d}  train loss {sum(losses[-log_every:]) / len(losses[-log_every:]):.4f}", flush=True)
    ### END SOLUTION
    return losses


# %% [markdown]
# Now train. `SCALE` picks the size: `"colab"` (your default) is a CPU-sized model
# (4 layers, 4 heads, 128 wide, block 64) trained for 2,000 steps, about 2.5 minutes on
# one CPU core, to a validation loss of about 1.84; `"grading"` is the tiny run the
# grader does; `"full"` is the lecture's model (10.79M parameters, 5,000 steps,
# validation about 1.48; wants a GPU).

# %%
CFG = {
    "grading": dict(n_embd=32, n_head=4, n_layer=2, block_size=32, batch_size=16, dropout=0.1,
                    lr=3e-3, max_iters=150, eval_iters=10),
    "colab": dict(n_embd=128, n_head=4, n_layer=4, block_size=64, batch_size=12, dropout=0.0,
                  lr=1e-3, max_iters=2000, eval_iters=50),
    "full": dict(n_embd=384, n_head=6, n_layer=6, block_size=256, batch_size=64, dropout=0.2,
                 lr=3e-4, max_iters=5000, eval_iters=200),
}[SCALE]
torch.manual_seed(SEED)
model = GPTLanguageModel(vocab_size, CFG["n_embd"], CFG["n_head"], CFG["n_layer"], CFG["block_size"],
                         CFG["dropout"]).to(device)
print(f"{sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters")
lossi = train(model, train_data, CFG["max_iters"], CFG["block_size"], CFG["batch_size"], CFG["lr"],
              log_every=max(1, CFG["max_iters"] // 10))
_args = (CFG["block_size"], CFG["batch_size"], CFG["eval_iters"])
print(f"train {estimate_loss(model, train_data, *_args):.4f}  val {estimate_loss(model, val_data, *_args):.4f}")

# %%
model.eval()
context = torch.zeros((1, 1), dtype=torch.long, device=device)
print(decode(model.generate(context, 300, generator=torch.Generator(device).manual_seed(SEED))[0].tolist()))

# %% test="train" points=3
### BEGIN HIDDEN TESTS
# A reference implementation enters the kernel only after the test of the task it
# implements has run, so no answer can lean on it.
def _zth_get_batch(data, block_size, batch_size, generator=None):
    """A reference get_batch, so that the later tasks do not depend on yours."""
    ix = _zth_torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    return (_zth_torch.stack([data[i:i + block_size] for i in ix]),
            _zth_torch.stack([data[i + 1:i + block_size + 1] for i in ix]))
class _ZthGPT(_zth_nn.Module):      # a reference model, so that training does not depend on yours
    def __init__(self, V, C, nh, nl, bs):
        super().__init__()
        self.tok, self.pos = _zth_nn.Embedding(V, C), _zth_nn.Embedding(bs, C)
        self.blocks = _zth_nn.Sequential(*[_ZthBlock(C, nh, bs) for _ in range(nl)])
        self.ln_f, self.lm_head = _zth_nn.LayerNorm(C), _zth_nn.Linear(C, V)

    def forward(self, idx, targets=None):
        x = self.tok(idx) + self.pos(_zth_torch.arange(idx.shape[1], device=idx.device))
        logits = self.lm_head(self.ln_f(self.blocks(x)))
        loss = None if targets is None else _zth_F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        return logits, loss
class _ZthBigram(nn.Module):   # a small model, so that this task does not depend on yours
    def __init__(self, w0):
        super().__init__()
        self.table = nn.Embedding(*w0.shape)
        with torch.no_grad():
            self.table.weight.copy_(w0)
    def forward(self, idx, targets=None):
        logits = self.table(idx)
        loss = None if targets is None else F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        return logits, loss
def _zth_train_small():
    c = _zth_in.train_small
    m = _ZthBigram(c["w0"])
    losses = _zth_with("get_batch", _zth_get_batch, lambda: train(m, c["data"], c["steps"], c["block_size"],
                                                                  c["batch_size"], c["lr"], seed=c["seed"]))
    return [[float(v) for v in losses], m.table.weight.detach()]
_zth_export("train/steps", _zth_train_small)
class _ZthModeModel(nn.Module):  # its loss depends on the mode and on whether a graph is built
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(1))
    def forward(self, idx, targets=None):
        return None, self.w * (1.0 if self.training else 2.0) * (3.0 if torch.is_grad_enabled() else 1.0) * idx.float().mean()
def _zth_eval():
    c = _zth_in.eval_small
    m = _ZthModeModel()
    loss = _zth_with("get_batch", _zth_get_batch, lambda: estimate_loss(m, c["data"], c["block_size"],
                                                                        c["batch_size"], c["iters"], c["seed"]))
    return [float(loss), m.training]
_zth_export("train/eval", _zth_eval)
def _zth_train_probe():
    """A reference GPT (1 layer, 32 wide) trained with your train(); its logits on chunks of the validation text."""
    text = load_text("tinyshakespeare.txt")     # encoded here, so that this does not depend on your encode()
    vocab = {ch: i for i, ch in enumerate(sorted(set(text)))}
    ids = torch.tensor([vocab[ch] for ch in text])
    train_ids, val_ids = ids[:int(0.9 * len(ids))], ids[int(0.9 * len(ids)):]
    torch.manual_seed(_zth_in.probe_init_seed)
    m = _ZthGPT(65, 32, 4, 1, 32)
    _zth_with("get_batch", _zth_get_batch, lambda: train(m, train_ids, 150, 32, 16, 3e-3, seed=_zth_in.probe_train_seed))
    xs = torch.stack([val_ids[s:s + 32] for s in _zth_in.probe_eval_starts])
    ys = torch.stack([val_ids[s + 1:s + 33] for s in _zth_in.probe_eval_starts])
    with torch.no_grad():
        logits = m.eval()(xs)[0].float()
    return logits, float(-logits.log_softmax(-1).gather(-1, ys.unsqueeze(-1)).mean())
try:
    _zth_probe = _zth_train_probe()
except Exception as _zth_e:
    _zth_probe = (_zth_e, _zth_e)
def _zth_result(v):
    if isinstance(v, Exception):
        raise v
    return v
_zth_export("train/val_logits", lambda: _zth_result(_zth_probe[0]))
_zth_export("record/probe_val_loss", lambda: _zth_result(_zth_probe[1]))   # for the reference record only
_zth_export("record/params", lambda: sum(p.numel() for p in model.parameters()))
_zth_export("record/config", CFG)
_zth_export("record/curve", lambda: [sum(lossi[i:i + len(lossi) // 20]) / (len(lossi) // 20)
                                     for i in range(0, len(lossi) - len(lossi) // 20 + 1, len(lossi) // 20)][:20])
_zth_export("record/train_loss", lambda: float(estimate_loss(model, train_data, *_args)))
_zth_export("record/val_loss", lambda: float(estimate_loss(model, val_data, *_args)))
### END HIDDEN TESTS
assert len(lossi) == CFG["max_iters"], "train() should return one loss per step"
assert lossi[0] > 3.5 and sum(lossi[-10:]) / 10 < 3.0, "the training loss should fall from about 4.17"
_val = estimate_loss(model, val_data, *_args)
assert _val < 2.9, f"validation loss {_val:.4f} is too high: check the training loop"
assert model.training, "estimate_loss() must put the model back in training mode"
print("ok")

# %% check="train"
def check(x, t):
    # train() on a bigram table: the losses and the weights of AdamW steps
    c = _zth_in.train_small
    table = torch.nn.Embedding(*c["w0"].shape)
    with torch.no_grad():
        table.weight.copy_(c["w0"])
    opt = torch.optim.AdamW(table.parameters(), lr=c["lr"])
    g, bs, B, data = torch.Generator().manual_seed(c["seed"]), c["block_size"], c["batch_size"], c["data"]
    losses = []
    for _ in range(c["steps"]):
        ix = torch.randint(len(data) - bs, (B,), generator=g)
        xb = torch.stack([data[i:i + bs] for i in ix])
        yb = torch.stack([data[i + 1:i + bs + 1] for i in ix])
        loss = F.cross_entropy(table(xb).flatten(0, 1), yb.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    got = parts(t, x["train/steps"], 2, "train() on a small model", "could not run")
    if got:
        t.close(got[0], losses, "train() on a small model: the per-step losses", atol=1e-5, rtol=1e-4,
                hint="AdamW(model.parameters(), lr=lr); batches from get_batch(..., generator); one loss per step")
        t.close(got[1], table.weight.detach(), "train() on a small model: the weights after training", atol=1e-5,
                rtol=1e-4, hint="zero the gradients, backward, step, every step")
    # estimate_loss() of a model whose loss is w * (1 in training mode, 2 in evaluation mode)
    # * (3 when building a graph, 1 without) * the mean of its input
    c = _zth_in.eval_small
    g, bs, B, data = torch.Generator().manual_seed(c["seed"]), c["block_size"], c["batch_size"], c["data"]
    want = []
    for _ in range(c["iters"]):
        ix = torch.randint(len(data) - bs, (B,), generator=g)
        want.append(2.0 * torch.stack([data[i:i + bs] for i in ix]).float().mean().item())
    got = parts(t, x["train/eval"], 2, "estimate_loss()", "could not run")
    if got:
        ok = t.close(got[0], sum(want) / len(want), "estimate_loss() of a model whose loss depends on its mode",
                     atol=1e-5, rtol=1e-5, hint="model.eval() first (dropout off), no graph (torch.no_grad), "
                     "the mean over eval_iters batches from get_batch(..., generator)")
        t.true(ok and got[1] is True, "the model back in training mode after estimate_loss()",
               "call model.train() at the end" if ok else "needs the loss above right first")
    # a reference GPT trained with your train(): its validation loss, computed here from its logits
    text = load_text("tinyshakespeare.txt")
    vocab = {ch: i for i, ch in enumerate(sorted(set(text)))}
    val = text[int(0.9 * len(text)):]
    ys = torch.tensor([[vocab[ch] for ch in val[s + 1:s + 33]] for s in _zth_in.probe_eval_starts])
    what = "validation loss of a reference model trained for 150 steps with your train()"
    logits = x["train/val_logits"]
    if not (isinstance(logits, torch.Tensor) and logits.shape == (*ys.shape, 65)):
        t.fail(logits, what, "could not run")
        return
    loss = F.cross_entropy(logits.flatten(0, 1), ys.flatten()).item()
    try:
        ref = reference("grading")["summary"]["record/probe_val_loss"]
        margin = max(0.15, 4 * ref["std"])
        lo, hi = ref["min"] - margin, ref["max"] + margin
    except (FileNotFoundError, KeyError):
        lo, hi = 2.3, 2.9      # no record yet: generous bounds for this configuration
    t.true(lo <= loss <= hi, what, f"{loss:.3f} is above the range of the reference runs: is every step "
           "training?" if not loss <= hi else f"{loss:.3f} is below what 150 steps of this model reach: "
           "train exactly max_iters steps on the batches of get_batch")
