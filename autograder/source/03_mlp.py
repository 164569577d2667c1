# %% [markdown]
# # Exercise 3: makemore 2, a multi-layer perceptron
#
# The bigram model sees one character of context; a count table for more context
# grows as 27 to the power of the context length. Bengio et al. (2003) proposed
# instead to give every character a small learned vector, an *embedding*, to
# concatenate the embeddings of the last few characters and to feed them through a
# hidden layer. Here you build that model for names, train it with minibatches and
# measure it on data it never saw.
#
# Work top to bottom. Each task has a cell with `# YOUR CODE HERE`: replace the
# `raise NotImplementedError(...)` line with your code, then run the test cell below
# it. The grader also runs hidden tests on other inputs, so make your code correct in
# general, not just on the examples.
#
# Tasks and points: the dataset (2), the loss of a uniform predictor (1), the
# parameters (1), the forward pass (2), the training loop (3), `split_loss` (1),
# sampling (1). Total 11.
#
# The training runs take about two minutes on a CPU at the default `SCALE` ("colab").

# %%
import math
import random
import time

import torch
import torch.nn.functional as F

device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_num_threads(1)   # the model is tiny: on a CPU, more threads only add overhead

words = load_text("names.txt").splitlines()
chars = sorted(set(''.join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)
print(len(words), "names,", vocab_size, "characters, device", device)

# The model and its training: the lecture's settings at "full" (200k steps of 32,
# learning rate 0.1 then 0.01); fewer, larger batches and a larger learning rate at
# "colab" (dev < 2.2 in about a minute on a CPU); a short run at "grading".
CFG = {
    "grading": dict(block_size=3, n_embd=10, n_hidden=200, steps=4000, batch_size=64,
                    lr=0.3, decay_at=3000),
    "colab":   dict(block_size=3, n_embd=10, n_hidden=200, steps=40_000, batch_size=128,
                    lr=0.3, decay_at=30_000),
    "full":    dict(block_size=3, n_embd=10, n_hidden=200, steps=200_000, batch_size=32,
                    lr=0.1, decay_at=100_000),
}[SCALE]

# %% inputs
# The hidden tests' inputs, drawn afresh for each submission (see docs/ARCHITECTURE.md):
# probes read them in the kernel as _zth_in.NAME, checks in the grader as the same.
import string


def _arch(V, E, B, H):
    """(vocab_size, n_embd, block_size, n_hidden) drawn from the given ranges."""
    return (rng.randint(*V), rng.randint(*E), rng.randint(*B), rng.randint(*H))


def _seed():
    return rng.randrange(2**31)


# Task 1: made-up words with three context lengths; a slice of names.txt
ds_words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(1, 7)))
            for _ in range(rng.randint(3, 5))]
ds_block_sizes = rng.sample([1, 2, 4, 5, 6, 7], 3)
ds_names = (rng.randrange(0, 31_500), rng.randint(200, 400), rng.randint(2, 8))  # start, count, block_size
# Task 2: vocabulary sizes (27 is the visible test's)
uniform_sizes = [rng.randint(2, 26), rng.randint(28, 1000), rng.randint(1001, 100_000)]
# Task 3: two architectures and the seeds of their generators
params_cfgs = [_arch((5, 40), (2, 12), (1, 6), (4, 64)) + (_seed(),) for _ in range(2)]
# Task 4: three architectures (one may have a context of 1), a batch size each, the seed
# of parameters and contexts
forward_cfgs = [_arch((5, 40), (2, 12), (lo, 6), (4, 100)) + (rng.randint(2, 20), _seed())
                for lo in (1, 2, 2)]
# Task 5: a small problem replayed step by step; the grading-scale run is evaluated on
# `eval_names` names drawn (with eval_seed) from its training split and from its dev split
train_small = dict(arch=_arch((5, 12), (2, 4), (1, 3), (4, 10)), n=rng.randint(30, 80),
                   batch_size=rng.randint(4, 12), steps=rng.randint(5, 8),
                   lrs=(rng.uniform(0.2, 0.8), rng.uniform(0.02, 0.1)), decay_at=rng.randint(2, 4),
                   seed=_seed(), batch_seed=_seed())
eval_seed = rng.randrange(2**62)
eval_names = 300
# Task 6: two architectures with 27 characters, a number of examples, a seed
split_cfgs = [_arch((27, 27), (2, 8), (1, 5), (4, 30)) + (rng.randint(50, 300), _seed()),
              _arch((27, 27), (2, 8), (1, 5), (4, 30)) + (rng.randint(2, 12), _seed())]
# Task 7: (block_size, n_embd, n_hidden, parameter seed, sampling seed), two of them
sample_cfgs = [(bs, rng.randint(2, 5), rng.randint(8, 24), _seed(), _seed())
               for bs in (rng.randint(2, 3), rng.randint(4, 6))]

# %% [markdown]
# ## Task 1: the dataset (2 points)
#
# Each example is a *context* of `block_size` character indices and the index of the
# character that follows it. A name starts with a context of dots (index 0); after
# each character the context shifts by one: the oldest index drops out on the left and
# the new one comes in on the right. For "emma" and `block_size=3`:
#
# ```
# ... ---> e
# ..e ---> m
# .em ---> m
# emm ---> a
# mma ---> .
# ```
#
# Write `build_dataset(words, block_size)` that returns `X` (shape `(N, block_size)`)
# and `Y` (shape `(N,)`), both `torch.int64`, with the examples of all words in order.
# Use the global `stoi`.

# %% solution="dataset"
def build_dataset(words, block_size):
    """Contexts X (N, block_size) and next-character targets Y (N,).

    >>> X, Y = build_dataset(["ab"], 2)
    >>> X.tolist(), Y.tolist()
    ([[0, 0], [0, 1], [1, 2]], [1, 2, 0])
    """
    ### BEGIN SOLUTION
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + '.':
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]     # crop and append
    return torch.tensor(X), torch.tensor(Y)
    ### END SOLUTION


# %% [markdown]
# Shuffle the names (with a fixed seed) and split them 80/10/10 into training, dev
# and test sets, *before* building the examples, so that no name contributes to two
# splits.

# %%
def split_words(words, seed=42):
    shuffled = list(words)
    random.Random(seed).shuffle(shuffled)
    n1, n2 = int(0.8 * len(shuffled)), int(0.9 * len(shuffled))
    return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]


train_words, dev_words, test_words = split_words(words)
block_size = CFG["block_size"]
Xtr, Ytr = build_dataset(train_words, block_size)
Xdev, Ydev = build_dataset(dev_words, block_size)
Xte, Yte = build_dataset(test_words, block_size)
print("train", tuple(Xtr.shape), "dev", tuple(Xdev.shape), "test", tuple(Xte.shape))
for x, y in zip(Xtr[:5].tolist(), Ytr[:5].tolist()):
    print(''.join(itos[i] for i in x), '--->', itos[y])

# %% probes
# Helpers of the hidden tests, shared by them (graded notebook only).
def _zth_draw(shapes, seed, grad=False):
    """Standard normal tensors of the given shapes from one generator, and that generator."""
    _g = torch.Generator().manual_seed(seed)
    return [torch.randn(s, generator=_g, requires_grad=grad) for s in shapes], _g


def _zth_shapes(V, E, B, H):
    return [(V, E), (B * E, H), (H,), (H, V), (V,)]


# %% include="names_split" checks block_size=3

# %% checks
# Shared by the checks (grader only): the oracle dataset, the MLP, the parameters drawn
# the way the probes draw them.
import random

import torch.nn.functional as F
from autograder.check import Missing, as_tensor


def examples(words, block_size):
    """Contexts and targets of words, as lists, the oracle of Task 1."""
    X, Y = [], []
    for w in words:
        ctx = [0] * block_size
        for ix in [ord(c) - 96 for c in w] + [0]:
            X.append(list(ctx))
            Y.append(ix)
            ctx = ctx[1:] + [ix]
    return X, Y


def mlp(ps, X):
    C, W1, b1, W2, b2 = ps
    return torch.tanh(C[X].flatten(1) @ W1 + b1) @ W2 + b2


def shapes(V, E, B, H):
    return [(V, E), (B * E, H), (H,), (H, V), (V,)]


def draw(shapes, seed):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(s, generator=g) for s in shapes], g


def near(a, b, atol=1e-6, rtol=1e-5):
    """a (an exported value) has b's shape and is close to it: a verdict, not a check."""
    a, b = as_tensor(a), torch.as_tensor(b, dtype=torch.float64)
    return (a is not None and a.shape == b.shape and bool(torch.isfinite(a).all())
            and bool(torch.allclose(a, b, atol=atol, rtol=rtol)))


def has_shapes(vals, want):
    """vals is a list of tensors with the shapes in want."""
    if not isinstance(vals, list) or len(vals) != len(want):
        return False
    ts = [as_tensor(v) for v in vals]
    return all(u is not None and tuple(u.shape) == tuple(s) for u, s in zip(ts, want))


# %% test="dataset" points=2
### BEGIN HIDDEN TESTS
def _zth_ds(ws, bs):
    _X, _Y = build_dataset(ws, bs)
    return [_X.tolist(), _Y.tolist(), str(_X.dtype), str(_Y.dtype)]
for _bs in _zth_in.ds_block_sizes:
    _zth_export(f"ds/toy/{_bs}", lambda: _zth_ds(_zth_in.ds_words, _bs))
_start, _count, _bs = _zth_in.ds_names
_zth_export("ds/names", lambda: _zth_ds(load_text("names.txt").splitlines()[_start:_start + _count], _bs)[:2])
### END HIDDEN TESTS
_X, _Y = build_dataset(["ab"], 2)
assert _X.tolist() == [[0, 0], [0, 1], [1, 2]], f"contexts of 'ab' with block_size=2: got {_X.tolist()}"
assert _Y.tolist() == [1, 2, 0], f"targets of 'ab': a, b, then '.': got {_Y.tolist()}"
_X, _Y = build_dataset(["emma"], 3)
assert _X.shape == (5, 3) and _Y.shape == (5,), "'emma' gives 5 examples"
assert _X[3].tolist() == [stoi['e'], stoi['m'], stoi['m']], "the 4th context of 'emma' is 'emm'"
assert Xtr.shape[0] + Xdev.shape[0] + Xte.shape[0] == 228146, "names.txt has 228146 examples in all"
print("ok")

# %% check="dataset"
def check(x, t):
    # (messages name no hidden input: "case 2 of 3", not the values drawn)
    for k, bs in enumerate(_zth_in.ds_block_sizes):
        X, Y = examples(_zth_in.ds_words, bs)
        t.equal(x[f"ds/toy/{bs}"], [X, Y, "torch.int64", "torch.int64"],
                f"X and Y (int64 tensors) of a few made-up words, context length {k + 1} of 3",
                "each context starts as dots and shifts left by one after each character; "
                "X and Y are torch.int64")
    start, count, bs = _zth_in.ds_names
    t.equal(x["ds/names"], list(examples(load_text("names.txt").splitlines()[start:start + count], bs)),
            "X and Y of a slice of names.txt")


# %% mistakes="dataset"
# Known mistakes (grader only): what each would export, for the feedback to name it.
def examples_like(shift):
    """The dataset probes' values when the context moves on by shift(context, ix)."""
    def ex(words, bs):
        X, Y = [], []
        for w in words:
            ctx = [0] * bs
            for ix in [ord(c) - 96 for c in w] + [0]:
                X.append(list(ctx))
                Y.append(ix)
                ctx = shift(ctx, ix)
        return [X, Y]
    want = {f"ds/toy/{bs}": ex(_zth_in.ds_words, bs) + ["torch.int64", "torch.int64"]
            for bs in _zth_in.ds_block_sizes}
    start, count, bs = _zth_in.ds_names
    want["ds/names"] = ex(load_text("names.txt").splitlines()[start:start + count], bs)
    return want


@mistake("context-shift", "The context does not shift: drop the oldest index on the left and "
         "append the new one on the right (context[1:] + [ix]).", see="common-mistakes")
def _():
    return examples_like(lambda ctx, ix: ctx[:-1] + [ix])     # only the last slot changes


@mistake("context-shift")
def _():
    return examples_like(lambda ctx, ix: [ix] + ctx[:-1])     # the newest first


# %% [markdown]
# ## Task 2: the loss to beat (1 point)
#
# Before training, a sensible model knows nothing and gives every character the same
# probability. Write `uniform_loss(vocab_size)`: the average negative log likelihood
# of such a model, whatever the data. For 27 characters it is 3.2958; a freshly
# initialised net should start near it, and anything worse is "confidently wrong".

# %% solution="uniform"
def uniform_loss(vocab_size):
    """-log of the probability a uniform predictor gives to any character."""
    ### BEGIN SOLUTION
    return -math.log(1.0 / vocab_size)
    ### END SOLUTION


print(f"uniform loss: {uniform_loss(vocab_size):.4f}")

# %% test="uniform" points=1
### BEGIN HIDDEN TESTS
for _v in _zth_in.uniform_sizes:
    _zth_export(f"uniform/{_v}", lambda: float(uniform_loss(_v)))
### END HIDDEN TESTS
assert abs(uniform_loss(27) - 3.2958) < 1e-4, f"for 27 characters expected 3.2958, got {uniform_loss(27)}"
print("ok")

# %% check="uniform"
def check(x, t):
    for v, size in zip(_zth_in.uniform_sizes, ("small", "medium", "large")):
        want = F.cross_entropy(torch.zeros(1, v, dtype=torch.float64), torch.tensor([0])).item()
        # float32 is enough: the statement gives four decimals
        t.close(x[f"uniform/{v}"], want, f"uniform_loss for a {size} vocabulary",
                atol=1e-4, rtol=1e-5, hint="the natural log (ln) of the probability, with a minus sign")


# %% mistakes="uniform"
@mistake("uniform-log10", "uniform_loss uses log base 10: the loss is in nats, the natural "
         "log (math.log).", see="the-loss", atol=1e-4, rtol=1e-5)
def _():
    return {f"uniform/{v}": -math.log10(1.0 / v) for v in _zth_in.uniform_sizes}


# %% [markdown]
# ## Task 3: the parameters (1 point)
#
# Write `init_params(vocab_size, n_embd, block_size, n_hidden, g)` returning the list
# `[C, W1, b1, W2, b2]`:
#
# * `C`, `(vocab_size, n_embd)`: the embedding table, one row per character;
# * `W1`, `(block_size * n_embd, n_hidden)` and `b1`, `(n_hidden,)`: the hidden layer;
# * `W2`, `(n_hidden, vocab_size)` and `b2`, `(vocab_size,)`: the output layer.
#
# Draw each with `torch.randn(shape, generator=g)`, in that order, and make each one
# require gradients. With the lecture's sizes (27, 10, 3, 200) that is 11,897
# parameters.

# %% solution="params"
def init_params(vocab_size, n_embd, block_size, n_hidden, g):
    """[C, W1, b1, W2, b2], drawn from a standard normal with generator g."""
    ### BEGIN SOLUTION
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((block_size * n_embd, n_hidden), generator=g)
    b1 = torch.randn(n_hidden, generator=g)
    W2 = torch.randn((n_hidden, vocab_size), generator=g)
    b2 = torch.randn(vocab_size, generator=g)
    params = [C, W1, b1, W2, b2]
    for p in params:
        p.requires_grad = True
    return params
    ### END SOLUTION


params = init_params(vocab_size, CFG["n_embd"], block_size, CFG["n_hidden"],
                     torch.Generator().manual_seed(2147483647))
print(sum(p.nelement() for p in params), "parameters")

# %% test="params" points=1
### BEGIN HIDDEN TESTS
def _zth_params(V, E, B, H, seed):
    _ps = init_params(V, E, B, H, torch.Generator().manual_seed(seed))
    return {"values": [_p.detach() for _p in _ps], "grad": [bool(_p.requires_grad) for _p in _ps]}
for _i, _cfg in enumerate(_zth_in.params_cfgs):
    _zth_export(f"params/{_i}", lambda: _zth_params(*_cfg))
### END HIDDEN TESTS
_ps = init_params(27, 10, 3, 200, torch.Generator().manual_seed(1))
assert [tuple(_p.shape) for _p in _ps] == [(27, 10), (30, 200), (200,), (200, 27), (27,)], \
    f"shapes: {[tuple(_p.shape) for _p in _ps]}"
assert sum(_p.nelement() for _p in _ps) == 11897, "11,897 parameters with the lecture's sizes"
assert all(_p.requires_grad for _p in _ps), "every parameter must require gradients"
print("ok")

# %% check="params"
def check(x, t):
    for i, (V, E, B, H, seed) in enumerate(_zth_in.params_cfgs):
        what = f"init_params, architecture {i + 1} of 2"
        want, _ = draw(shapes(V, E, B, H), seed)
        got = x[f"params/{i}"]
        if not isinstance(got, dict):
            t.fail(got, f"{what}: [C, W1, b1, W2, b2]")
            t.fail(got, f"{what}: every parameter requires grad")
            continue
        vals = got.get("values")
        right_shapes = has_shapes(vals, shapes(V, E, B, H))
        drawn = right_shapes and all(near(v, w) for v, w in zip(vals, want))
        t.true(drawn, f"{what}: [C, W1, b1, W2, b2]",
               "draw C, W1, b1, W2, b2 in that order with torch.randn(shape, generator=g)" if right_shapes
               else "shapes [C (V, E), W1 (B*E, H), b1 (H,), W2 (H, V), b2 (V,)] expected")
        t.true(drawn and got.get("grad") == [True] * 5, f"{what}: every parameter requires grad",
               "set requires_grad = True on each tensor" if drawn else "the parameters themselves are wrong")


# %% mistakes="params"
@mistake("params-no-grad", "The parameters do not require gradients: set p.requires_grad = "
         "True on each, or backward() has nothing to fill.", see="training-with-minibatches")
def _():
    def drawn_without_grad(i, V, E, B, H, seed):
        want, _ = draw(shapes(V, E, B, H), seed)
        return lambda got: (isinstance(got, dict) and got.get("grad") == [False] * 5
                            and has_shapes(got.get("values"), shapes(V, E, B, H))
                            and all(near(v, w) for v, w in zip(got["values"], want)))
    return {f"params/{i}": drawn_without_grad(i, *cfg) for i, cfg in enumerate(_zth_in.params_cfgs)}


# %% [markdown]
# ## Task 4: the forward pass (2 points)
#
# Write `forward(params, X)`: look up the embeddings of the contexts `X` (shape
# `(B, block_size)`) in `C`, giving `(B, block_size, n_embd)`; flatten each context's
# embeddings into one row of `block_size * n_embd` numbers (the embedding of the
# first character first); apply the hidden layer with `tanh`; return the logits of
# the output layer, `(B, vocab_size)`. Any context length and embedding size must
# work: take the sizes from the tensors.

# %% solution="forward"
def forward(params, X):
    """Logits (B, vocab_size) of the MLP for contexts X (B, block_size)."""
    ### BEGIN SOLUTION
    C, W1, b1, W2, b2 = params
    emb = C[X]                                        # (B, block_size, n_embd)
    embcat = emb.view(emb.shape[0], -1)               # (B, block_size * n_embd)
    h = torch.tanh(embcat @ W1 + b1)                  # (B, n_hidden)
    logits = h @ W2 + b2                              # (B, vocab_size)
    return logits
    ### END SOLUTION


logits = forward(params, Xtr[:32])
print("logits", tuple(logits.shape), " loss of the untrained net:",
      round(F.cross_entropy(logits, Ytr[:32]).item(), 2))

# %% test="forward" points=2
### BEGIN HIDDEN TESTS
def _zth_fwd_probe(V, E, B, H, n, seed):
    _ps, _g = _zth_draw(_zth_shapes(V, E, B, H), seed, grad=True)
    _X = torch.randint(0, V, (n, B), generator=_g)
    _out = forward(_ps, _X)
    (_out * torch.linspace(-1, 1, V)).sum().backward()
    return [_out.detach(), torch.cat([_p.grad.flatten() for _p in _ps])]
for _i, _cfg in enumerate(_zth_in.forward_cfgs):
    _zth_export(f"forward/{_i}", lambda: _zth_fwd_probe(*_cfg))
### END HIDDEN TESTS
_g = torch.Generator().manual_seed(0)
_ps = [torch.randn(s, generator=_g) for s in [(27, 2), (6, 4), (4,), (4, 27), (27,)]]
_X = torch.tensor([[0, 1, 2], [5, 5, 5]])
_out = forward(_ps, _X)
assert _out.shape == (2, 27), f"logits for 2 contexts have shape (2, 27), not {tuple(_out.shape)}"
_h = torch.tanh(torch.cat([_ps[0][0], _ps[0][1], _ps[0][2]]) @ _ps[1] + _ps[2])
assert torch.allclose(_out[0], _h @ _ps[3] + _ps[4], atol=1e-5), \
    "the first row is wrong: concatenate the embeddings of the context in order, then tanh(. @ W1 + b1) @ W2 + b2"
print("ok")

# %% check="forward"
def check(x, t):
    for i, (V, E, B, H, n, seed) in enumerate(_zth_in.forward_cfgs):
        ps, g = draw(shapes(V, E, B, H), seed)
        ps = [p.double().requires_grad_() for p in ps]
        X = torch.randint(0, V, (n, B), generator=g)
        C, W1, b1, W2, b2 = ps
        emb = F.embedding(X, C).flatten(1)
        out = F.linear(torch.tanh(emb @ W1 + b1), W2.T, b2)
        (out * torch.linspace(-1, 1, V, dtype=torch.float64)).sum().backward()
        got = x[f"forward/{i}"]
        what = f"architecture {i + 1} of 3"
        if not isinstance(got, list) or len(got) != 2:
            t.fail(got, f"logits with {what}", "expected the logits and the gradients")
            t.fail(got, f"gradients through forward with {what}", "expected the logits and the gradients")
            continue
        t.close(got[0], out, f"logits with {what}", atol=1e-4, rtol=1e-4,
                hint="flatten (B, block_size, n_embd) to (B, block_size * n_embd) without reordering")
        t.close(got[1], torch.cat([p.grad.flatten() for p in ps]),
                f"gradients through forward with {what}", atol=1e-4, rtol=1e-4)


# %% mistakes="forward"
def forward_like(flatten):
    """The forward probes' [logits, gradients] when (B, block_size, n_embd) is flattened
    by flatten(emb)."""
    want = {}
    for i, (V, E, B, H, n, seed) in enumerate(_zth_in.forward_cfgs):
        ps, g = draw(shapes(V, E, B, H), seed)
        ps = [p.double().requires_grad_() for p in ps]
        X = torch.randint(0, V, (n, B), generator=g)
        C, W1, b1, W2, b2 = ps
        out = torch.tanh(flatten(C[X]) @ W1 + b1) @ W2 + b2
        (out * torch.linspace(-1, 1, V, dtype=torch.float64)).sum().backward()
        want[f"forward/{i}"] = [out.detach(), torch.cat([p.grad.flatten() for p in ps])]
    return want


@mistake("flatten-order", "The embeddings are flattened in the wrong order: view (B, "
         "block_size, n_embd) as (B, block_size * n_embd), with no transpose.",
         see="common-mistakes", atol=1e-4, rtol=1e-4)
def _():
    return forward_like(lambda emb: emb.transpose(1, 2).reshape(emb.shape[0], -1))


@mistake("flatten-order")
def _():
    return forward_like(lambda emb: emb.view(-1, emb.shape[0]).T)


# %% [markdown]
# ## Task 5: the training loop (3 points)
#
# Write `train(params, X, Y, steps, batch_size, lr_at, g)`: minibatch gradient descent.
# At each step `i`:
#
# 1. draw a minibatch with exactly `ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)`;
# 2. compute `forward(params, X[ix])` and the loss `F.cross_entropy(logits, Y[ix])`;
# 3. reset every parameter's `.grad` to `None`, backpropagate;
# 4. update every parameter: `p.data += -lr_at(i) * p.grad`.
#
# Return the list of the losses (floats), one per step. The minibatch's gradient is
# a noisy estimate of the full one, but thousands of cheap noisy steps beat a few
# exact expensive ones.

# %% solution="train"
def train(params, X, Y, steps, batch_size, lr_at, g):
    """Minibatch SGD on the MLP; returns the loss of every step."""
    ### BEGIN SOLUTION
    losses = []
    for i in range(steps):
        ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)   # minibatch
        logits = forward(params, X[ix])
        loss = F.cross_entropy(logits, Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        lr = lr_at(i)
        for p in params:
            p.data += -lr * p.grad
        losses.append(loss.item())
    return losses
    ### END SOLUTION


# %% [markdown]
# Train the model. At the default scale this takes a minute or two on a CPU.

# %%
def lr_at(i):
    """The lecture's schedule: lr, then lr / 10 from step decay_at on."""
    return CFG["lr"] if i < CFG["decay_at"] else CFG["lr"] / 10


params = init_params(vocab_size, CFG["n_embd"], block_size, CFG["n_hidden"],
                     torch.Generator().manual_seed(2147483647))
params = [p.detach().to(device).requires_grad_() for p in params]
t0 = time.time()
losses = train(params, Xtr.to(device), Ytr.to(device), CFG["steps"], CFG["batch_size"], lr_at,
               torch.Generator().manual_seed(SEED))
print(f"{CFG['steps']} steps in {time.time() - t0:.0f} s; last 100 minibatches: "
      f"{sum(losses[-100:]) / 100:.4f}")

# %% test="train" points=3
### BEGIN HIDDEN TESTS
# Our forward enters the kernel here, after the test of the forward task.
def _zth_fwd(params, X):
    _C, _W1, _b1, _W2, _b2 = params
    return torch.tanh(_C[X].flatten(1) @ _W1 + _b1) @ _W2 + _b2
def _zth_with_our_forward(call, fwd=None):
    """Run call() with our forward (or fwd) in place of yours, so that only the task
    under test counts."""
    _saved = globals().get("forward")
    globals()["forward"] = fwd or _zth_fwd
    try:
        return call()
    finally:
        globals()["forward"] = _saved
def _zth_small():
    _c = _zth_in.train_small
    _V, _E, _B, _H = _c["arch"]
    _ps, _g = _zth_draw(_zth_shapes(_V, _E, _B, _H), _c["seed"], grad=True)
    _X = torch.randint(0, _V, (_c["n"], _B), generator=_g)
    _Y = torch.randint(0, _V, (_c["n"],), generator=_g)
    _hi, _lo = _c["lrs"]
    _ls = train(_ps, _X, _Y, _c["steps"], _c["batch_size"], lambda i: _hi if i < _c["decay_at"] else _lo,
                torch.Generator().manual_seed(_c["batch_seed"]))
    return [[float(v) for v in _ls], torch.cat([_p.detach().flatten() for _p in _ps])]
_zth_export("train/exact", lambda: _zth_with_our_forward(_zth_small))
def _zth_data(ws):
    _X, _Y = [], []
    for _w in ws:
        _ctx = [0] * CFG["block_size"]
        for _ix in [ord(c) - 96 for c in _w] + [0]:
            _X.append(_ctx)
            _Y.append(_ix)
            _ctx = _ctx[1:] + [_ix]
    return torch.tensor(_X, device=device), torch.tensor(_Y, device=device)
def _zth_run():
    # the run of the cell above, made again here with your train() and our forward: the
    # grader computes the losses itself from the logits on fresh names of each split
    _ws = load_text("names.txt").splitlines()
    random.Random(42).shuffle(_ws)
    _n1, _n2 = int(0.8 * len(_ws)), int(0.9 * len(_ws))
    (_Xtr, _Ytr), (_Xdv, _Ydv) = _zth_data(_ws[:_n1]), _zth_data(_ws[_n1:_n2])
    _rs = random.Random(_zth_in.eval_seed)
    _ev = {"train": _zth_data(_rs.sample(_ws[:_n1], _zth_in.eval_names))[0],
           "dev": _zth_data(_rs.sample(_ws[_n1:_n2], _zth_in.eval_names))[0]}
    _g = torch.Generator().manual_seed(2147483647)
    _shapes = _zth_shapes(27, CFG["n_embd"], CFG["block_size"], CFG["n_hidden"])
    _ps = [torch.randn(s, generator=_g).to(device).requires_grad_() for s in _shapes]
    _t = time.time()
    _ls = train(_ps, _Xtr, _Ytr, CFG["steps"], CFG["batch_size"], lr_at, torch.Generator().manual_seed(SEED))
    _sec = time.time() - _t
    with torch.no_grad():
        _logits = {k: _zth_fwd(_ps, v).cpu() for k, v in _ev.items()}
        # for the reference record only (the checks never read these)
        _tr = F.cross_entropy(_zth_fwd(_ps, _Xtr), _Ytr).item()
        _dv = F.cross_entropy(_zth_fwd(_ps, _Xdv), _Ydv).item()
    _k = max(1, len(_ls) // 20)
    _curve = [sum(_ls[i:i + _k]) / len(_ls[i:i + _k]) for i in range(0, len(_ls), _k)]
    return {"logits_train": _logits["train"], "logits_dev": _logits["dev"],
            "train_loss": _tr, "val_loss": _dv, "curve": _curve, "n_losses": len(_ls), "seconds": _sec,
            "params": sum(_p.nelement() for _p in _ps), "config": dict(CFG), "device": device}
try:
    _zth_rec = _zth_with_our_forward(_zth_run)
except Exception as _e:
    _zth_rec = _e
def _zth_part(k):
    if isinstance(_zth_rec, Exception):
        raise _zth_rec
    return _zth_rec[k]
for _k in ("logits_train", "logits_dev"):
    _zth_export(f"train/{_k}", lambda: _zth_part(_k))
for _k in ("train_loss", "val_loss", "curve", "n_losses", "params", "config", "seconds", "device"):
    _zth_export(f"record/{_k}", lambda: _zth_part(_k))
### END HIDDEN TESTS
assert len(losses) == CFG["steps"], f"one loss per step: expected {CFG['steps']}, got {len(losses)}"
assert sum(losses[-100:]) / 100 < sum(losses[:100]) / 100 - 1.0, "the loss should fall a lot"
assert sum(losses[-100:]) / 100 < uniform_loss(27) - 0.5, "the trained net should beat the uniform 3.2958 by far"
print("ok")

# %% check="train"
def replay(loss_of=lambda z, Y, ix, n: F.cross_entropy(z, Y[ix]), reset=True):
    """The small problem's (losses, final parameters) replayed with the loss
    loss_of(logits, Y, ix, batch_size), the grads reset (or not) before backward."""
    c = _zth_in.train_small
    V, E, B, H = c["arch"]
    ps, g = draw(shapes(V, E, B, H), c["seed"])
    ps = [p.requires_grad_() for p in ps]
    X = torch.randint(0, V, (c["n"], B), generator=g)
    Y = torch.randint(0, V, (c["n"],), generator=g)
    gb = torch.Generator().manual_seed(c["batch_seed"])
    hi, lo = c["lrs"]
    losses = []
    for i in range(c["steps"]):
        ix = torch.randint(0, c["n"], (c["batch_size"],), generator=gb)
        loss = loss_of(mlp(ps, X[ix]), Y, ix, c["batch_size"])
        if reset:
            for p in ps:
                p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p += -(hi if i < c["decay_at"] else lo) * p.grad
        losses.append(loss.item())
    return losses, torch.cat([p.detach().flatten() for p in ps])


def check(x, t):
    # 1. a few steps on a small problem, replayed exactly
    losses, params = replay()
    got = x["train/exact"]
    what = "a few steps of train on a small problem"
    if not isinstance(got, list) or len(got) != 2:
        got = got if isinstance(got, Missing) else Missing("not the losses and the parameters")
        got = [got, got]
    t.close(got[0], losses, f"{what}: the losses it returns", atol=1e-4, rtol=1e-4,
            hint="draw the batch with the randint call given, compute F.cross_entropy of forward's logits")
    t.close(got[1], params, f"{what}: the parameters after them",
            atol=1e-4, rtol=1e-4, hint="reset the grads, backpropagate, step every parameter with lr_at(i)")
    # 2. the grading-scale run: the grader computes the loss on fresh names of each split
    #    from the logits, and compares it with the reference runs of the solution (both sides)
    rs = random.Random(_zth_in.eval_seed)
    picks = {"train": rs.sample(split_names("train"), _zth_in.eval_names),
             "dev": rs.sample(split_names("val"), _zth_in.eval_names)}
    try:
        ref = reference("grading")
        block_size = ref["runs"][0]["values"]["record/config"]["block_size"]
        want = {k: (ref["summary"][f"record/{k}"]["mean"], ref["summary"][f"record/{k}"]["std"])
                for k in ("train_loss", "val_loss")}
    except (FileNotFoundError, KeyError, IndexError, TypeError):
        block_size, want = 3, {"train_loss": (2.35, 0.01), "val_loss": (2.36, 0.01)}   # the solution's runs
    for split, key in (("train", "train_loss"), ("dev", "val_loss")):
        _, Yev = examples(picks[split], block_size)
        what = f"the loss on fresh {split} names of the net your train() trained at the grading scale"
        got = x[f"train/logits_{split}"]
        a = as_tensor(got)
        if a is None or tuple(a.shape) != (len(Yev), 27) or not bool(torch.isfinite(a).all()):
            t.fail(got, what, "expected finite logits of shape (N, 27)")
            continue
        per = F.cross_entropy(a, torch.tensor(Yev), reduction="none")
        loss, se = per.mean().item(), per.std().item() / math.sqrt(len(Yev))
        mean, std = want[key]
        tol = max(0.05, 4 * std) + min(4 * se, 0.1)      # runs' spread + this sample's error
        t.true(abs(loss - mean) < tol, what,
               f"{loss:.3f} is {abs(loss - mean):.2f} {'above' if loss > mean else 'below'} the reference "
               f"runs' (tolerance {tol:.2f}): train exactly as the statement says")


# %% mistakes="train"
def replay_like(loss_of, reset=True):
    """What the small problem's probe would export with this loss (see replay)."""
    return {"train/exact": list(replay(loss_of, reset))}


@mistake("train-ce-softmax", "F.cross_entropy is given probabilities: it applies the softmax "
         "itself, so give it the logits.", see="common-mistakes", atol=1e-4, rtol=1e-4)
def _():
    return replay_like(lambda z, Y, ix, n: F.cross_entropy(F.softmax(z, dim=1), Y[ix]))


@mistake("train-no-reset", "The gradients are not reset (p.grad = None) before backward(): "
         "each step then uses the sum of all the gradients so far.", see="common-mistakes",
         atol=1e-4, rtol=1e-4)
def _():
    return replay_like(lambda z, Y, ix, n: F.cross_entropy(z, Y[ix]), reset=False)


@mistake("train-targets", "The targets are not those of the minibatch: index X and Y with "
         "the same ix.", see="common-mistakes", atol=1e-4, rtol=1e-4)
def _():
    return replay_like(lambda z, Y, ix, n: F.cross_entropy(z, Y[:n]))


# %% [markdown]
# ## Task 6: the loss on a whole split (1 point)
#
# The minibatch losses are noisy. Write `split_loss(params, X, Y)`: the average loss
# of the model on all the examples `X`, `Y` you are given, as a float, computed
# without building a graph for backpropagation (`torch.no_grad()`).

# %% solution="split_loss"
def split_loss(params, X, Y):
    """The average cross-entropy of the model on all of X, Y (a float)."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        logits = forward(params, X)
        return F.cross_entropy(logits, Y).item()
    ### END SOLUTION


train_loss = split_loss(params, Xtr.to(device), Ytr.to(device))
dev_loss = split_loss(params, Xdev.to(device), Ydev.to(device))
print(f"train {train_loss:.4f}   dev {dev_loss:.4f}")

# %% test="split_loss" points=1
### BEGIN HIDDEN TESTS
def _zth_sl_probe(V, E, B, H, n, seed):
    _ps, _g = _zth_draw(_zth_shapes(V, E, B, H), seed, grad=True)
    _X = torch.randint(0, V, (n, B), generator=_g)
    _Y = torch.randint(0, V, (n,), generator=_g)
    _graphs = []
    def _spy(params, X):       # our forward, noting whether a graph was built
        _out = _zth_fwd(params, X)
        _graphs.append(bool(_out.requires_grad))
        return _out
    _v = _zth_with_our_forward(lambda: split_loss(_ps, _X, _Y), fwd=_spy)
    return [float(_v), any(_graphs) or bool(getattr(_v, "requires_grad", False))]
for _i, _cfg in enumerate(_zth_in.split_cfgs):
    _zth_export(f"split_loss/{_i}", lambda: _zth_sl_probe(*_cfg))
### END HIDDEN TESTS
assert isinstance(dev_loss, float), "return a Python float (use .item())"
assert dev_loss < uniform_loss(27), "the trained net should beat the uniform predictor on dev"
print("ok")

# %% check="split_loss"
def check(x, t):
    for i, (V, E, B, H, n, seed) in enumerate(_zth_in.split_cfgs):
        ps, g = draw(shapes(V, E, B, H), seed)
        X = torch.randint(0, V, (n, B), generator=g)
        Y = torch.randint(0, V, (n,), generator=g)
        want = F.cross_entropy(mlp(ps, X), Y).item()
        got = x[f"split_loss/{i}"]
        what = f"split_loss on examples (set {i + 1} of 2)"
        if not isinstance(got, list) or len(got) != 2:
            t.fail(got, what)
            t.fail(got, f"{what}: no graph built")
            continue
        ok = t.close(got[0], want, what, atol=1e-4, rtol=1e-5, hint="use the X and Y passed in, all of them")
        t.true(ok and got[1] is False, f"{what}: no graph built for backpropagation",
               "compute it under torch.no_grad()" if ok else "the loss itself is wrong")


# %% [markdown]
# ## Task 7: sampling (1 point)
#
# Write `sample(params, block_size, g)`: start from a context of dots; repeatedly
# compute the logits of the current context, turn them into probabilities with
# `F.softmax`, draw the next index with exactly
# `torch.multinomial(probs, num_samples=1, generator=g).item()`, shift it into the
# context, and stop when it is `'.'` (0). Return the name (without the final dot),
# using the global `itos`.

# %% solution="sample"
def sample(params, block_size, g):
    """One name drawn from the model, with generator g."""
    ### BEGIN SOLUTION
    out = []
    context = [0] * block_size
    while True:
        logits = forward(params, torch.tensor([context]))     # (1, vocab_size)
        probs = F.softmax(logits, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        if ix == 0:
            break
        out.append(itos[ix])
    return ''.join(out)
    ### END SOLUTION


cpu_params = [p.detach().cpu() for p in params]
g = torch.Generator().manual_seed(2147483647 + 10)
print([sample(cpu_params, block_size, g) for _ in range(10)])

# %% test="sample" points=1
### BEGIN HIDDEN TESTS
def _zth_sample_probe(bs, E, H, seed, seed_sampling):
    _ps, _ = _zth_draw(_zth_shapes(27, E, bs, H), seed)
    _ps[3] /= H ** 0.5   # logits of order 1, and '.' a little likelier:
    _ps[4] /= 2          # names of a few characters, never very long
    _ps[4][0] += 1.5
    _gs = torch.Generator().manual_seed(seed_sampling)
    return [sample(_ps, bs, _gs) for _ in range(6)]
for _i, _cfg in enumerate(_zth_in.sample_cfgs):
    _zth_export(f"sample/{_i}", lambda: _zth_with_our_forward(lambda: _zth_sample_probe(*_cfg)))
### END HIDDEN TESTS
_a = sample(cpu_params, block_size, torch.Generator().manual_seed(1))
_b = sample(cpu_params, block_size, torch.Generator().manual_seed(1))
assert isinstance(_a, str) and _a == _b, "the same seed must give the same name"
assert '.' not in _a, "leave out the final '.'"
print("ok")

# %% check="sample"
def sample_like(dim=1, shift=lambda ctx, ix: ctx[1:] + [ix], longest=None):
    """{key: the 6 names} of the sample probes, drawn as the statement says or in a
    mistaken way (softmax over `dim`, the context shifted by `shift`). With `longest`,
    None when a name runs past it."""
    itos = ".abcdefghijklmnopqrstuvwxyz"
    want = {}
    for i, (bs, E, H, seed, seed_sampling) in enumerate(_zth_in.sample_cfgs):
        ps, _ = draw(shapes(27, E, bs, H), seed)
        ps[3] /= H ** 0.5
        ps[4] /= 2
        ps[4][0] += 1.5
        gs = torch.Generator().manual_seed(seed_sampling)
        names = []
        for _ in range(6):
            out, ctx = [], [0] * bs
            while longest is None or len(out) < longest:
                probs = F.softmax(mlp(ps, torch.tensor([ctx])), dim=dim)
                ix = torch.multinomial(probs, num_samples=1, generator=gs).item()
                ctx = shift(ctx, ix)
                if ix == 0:
                    break
                out.append(itos[ix])
            else:
                return None
            names.append(''.join(out))
        want[f"sample/{i}"] = names
    return want


def check(x, t):
    want = sample_like()
    for i in range(len(_zth_in.sample_cfgs)):
        t.equal(x[f"sample/{i}"], want[f"sample/{i}"],
                f"6 names sampled from a model with a {('short', 'long')[i]} context",
                "start from dots, draw with the multinomial call given, shift the new index in on the right")


# %% mistakes="sample"
@mistake("sample-context-shift", "The sampling context shifts the wrong way: the new index "
         "comes in on the right (context[1:] + [ix]).", see="common-mistakes")
def _():
    return sample_like(shift=lambda ctx, ix: [ix] + ctx[:-1], longest=100)


@mistake("sample-softmax-dim0", "The softmax is over dimension 0, the batch of one context: "
         "every probability is 1. Take it over the characters (dim=1).", see="sampling")
def _():
    return sample_like(dim=0, longest=100)
