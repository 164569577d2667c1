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

# %% task="dataset"
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
def _zth_fwd(params, X):
    _C, _W1, _b1, _W2, _b2 = params
    return torch.tanh(_C[X].flatten(1) @ _W1 + _b1) @ _W2 + _b2


def _zth_with_our_forward(call):
    """Run call() with our forward in place of yours, so that only the task under test counts."""
    _saved = globals().get("forward")
    globals()["forward"] = _zth_fwd
    try:
        return call()
    finally:
        globals()["forward"] = _saved


# %% test="dataset" points=2
### BEGIN HIDDEN TESTS
for _bs in (1, 3, 5):
    _zth_export(f"ds/toy/{_bs}", lambda: [t.tolist() for t in build_dataset(["emma", "bo", "x"], _bs)])
_zth_export("ds/names/4", lambda: [t.sum(0).tolist() for t in build_dataset(words[:2000], 4)]
            + [list(build_dataset(words[:2000], 4)[0].shape)])
_zth_export("ds/dtype", lambda: [str(t.dtype) for t in build_dataset(["ab"], 2)])
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
def oracle(words, bs):
    X, Y = [], []
    for w in words:
        ctx = [0] * bs
        for ix in [ord(c) - 96 for c in w] + [0]:
            X.append(list(ctx))
            Y.append(ix)
            ctx = ctx[1:] + [ix]
    return X, Y


def check(x, t):
    for bs in (1, 3, 5):
        t.true(x[f"ds/toy/{bs}"] == list(oracle(["emma", "bo", "x"], bs)) if isinstance(x[f"ds/toy/{bs}"], list)
               else x[f"ds/toy/{bs}"], f"X and Y of ['emma', 'bo', 'x'] with block_size={bs}",
               "each context starts as dots and shifts left by one after each character")
    from autograder.data import load_text
    X, Y = oracle(load_text("names.txt").splitlines()[:2000], 4)
    X, Y = torch.tensor(X), torch.tensor(Y)
    t.true(x["ds/names/4"] == [X.sum(0).tolist(), Y.sum(0).tolist(), list(X.shape)]
           if isinstance(x["ds/names/4"], list) else x["ds/names/4"],
           "the dataset of 2000 names with block_size=4")
    t.true(x["ds/dtype"] == ["torch.int64", "torch.int64"] if isinstance(x["ds/dtype"], list) else x["ds/dtype"],
           "X and Y are int64 tensors", "use torch.tensor on lists of ints")


# %% [markdown]
# ## Task 2: the loss to beat (1 point)
#
# Before training, a sensible model knows nothing and gives every character the same
# probability. Write `uniform_loss(vocab_size)`: the average negative log likelihood
# of such a model, whatever the data. For 27 characters it is 3.2958; a freshly
# initialised net should start near it, and anything worse is "confidently wrong".

# %% task="uniform"
def uniform_loss(vocab_size):
    """-log of the probability a uniform predictor gives to any character."""
    ### BEGIN SOLUTION
    return -math.log(1.0 / vocab_size)
    ### END SOLUTION


print(f"uniform loss: {uniform_loss(vocab_size):.4f}")

# %% test="uniform" points=1
### BEGIN HIDDEN TESTS
for _v in (2, 10, 65, 50257):
    _zth_export(f"uniform/{_v}", lambda: float(uniform_loss(_v)))
### END HIDDEN TESTS
assert abs(uniform_loss(27) - 3.2958) < 1e-4, f"for 27 characters expected 3.2958, got {uniform_loss(27)}"
print("ok")

# %% check="uniform"
def check(x, t):
    import torch.nn.functional as F
    for v in (2, 10, 65, 50257):
        want = F.cross_entropy(torch.zeros(1, v, dtype=torch.float64), torch.tensor([0])).item()
        t.close(x[f"uniform/{v}"], want, f"uniform_loss({v})", atol=1e-9, rtol=1e-9,
                hint="the natural log (ln) of the probability, with a minus sign")


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

# %% task="params"
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
    return {"shapes": [list(_p.shape) for _p in _ps], "grad": [bool(_p.requires_grad) for _p in _ps],
            "values": torch.cat([_p.detach().flatten()[:20] for _p in _ps]).tolist()}
_zth_export("params/a", lambda: _zth_params(27, 10, 3, 200, 2147483647))
_zth_export("params/b", lambda: _zth_params(11, 4, 5, 7, 3))
### END HIDDEN TESTS
_ps = init_params(27, 10, 3, 200, torch.Generator().manual_seed(1))
assert [tuple(_p.shape) for _p in _ps] == [(27, 10), (30, 200), (200,), (200, 27), (27,)], \
    f"shapes: {[tuple(_p.shape) for _p in _ps]}"
assert sum(_p.nelement() for _p in _ps) == 11897, "11,897 parameters with the lecture's sizes"
assert all(_p.requires_grad for _p in _ps), "every parameter must require gradients"
print("ok")

# %% check="params"
def check(x, t):
    for key, (V, E, B, H, seed) in (("params/a", (27, 10, 3, 200, 2147483647)), ("params/b", (11, 4, 5, 7, 3))):
        g = torch.Generator().manual_seed(seed)
        want = [torch.randn(s, generator=g) for s in [(V, E), (B * E, H), (H,), (H, V), (V,)]]
        got = x[key]
        if not isinstance(got, dict):
            t.true(got, f"init_params{(V, E, B, H)}")
            continue
        t.true(got.get("shapes") == [list(w.shape) for w in want], f"shapes of init_params{(V, E, B, H)}",
               "[C (V, E), W1 (B*E, H), b1 (H,), W2 (H, V), b2 (V,)]")
        t.true(got.get("grad") == [True] * 5, "every parameter requires grad")
        t.close(got.get("values"), torch.cat([w.flatten()[:20] for w in want]),
                f"values of init_params{(V, E, B, H)}",
                atol=1e-6, hint="draw C, W1, b1, W2, b2 in that order with torch.randn(shape, generator=g)")


# %% [markdown]
# ## Task 4: the forward pass (2 points)
#
# Write `forward(params, X)`: look up the embeddings of the contexts `X` (shape
# `(B, block_size)`) in `C`, giving `(B, block_size, n_embd)`; flatten each context's
# embeddings into one row of `block_size * n_embd` numbers (the embedding of the
# first character first); apply the hidden layer with `tanh`; return the logits of
# the output layer, `(B, vocab_size)`. Any context length and embedding size must
# work: take the sizes from the tensors.

# %% task="forward"
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
    _g = torch.Generator().manual_seed(seed)
    _ps = [torch.randn(s, generator=_g, requires_grad=True) for s in [(V, E), (B * E, H), (H,), (H, V), (V,)]]
    _X = torch.randint(0, V, (n, B), generator=_g)
    _out = forward(_ps, _X)
    (_out * torch.linspace(-1, 1, V)).sum().backward()
    return [_out.detach(), torch.cat([_p.grad.flatten() for _p in _ps])]
for _i, _cfg in enumerate([(27, 10, 3, 200, 16, 1), (7, 2, 5, 9, 11, 2), (30, 4, 1, 6, 3, 3)]):
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
    for i, (V, E, B, H, n, seed) in enumerate([(27, 10, 3, 200, 16, 1), (7, 2, 5, 9, 11, 2), (30, 4, 1, 6, 3, 3)]):
        g = torch.Generator().manual_seed(seed)
        ps = [torch.randn(s, generator=g).double().requires_grad_() for s in [(V, E), (B * E, H), (H,), (H, V), (V,)]]
        X = torch.randint(0, V, (n, B), generator=g)
        C, W1, b1, W2, b2 = ps
        emb = torch.nn.functional.embedding(X, C).flatten(1)
        out = torch.nn.functional.linear(torch.tanh(emb @ W1 + b1), W2.T, b2)
        (out * torch.linspace(-1, 1, V, dtype=torch.float64)).sum().backward()
        got = x[f"forward/{i}"]
        if not isinstance(got, list) or len(got) != 2:
            t.true(got if not isinstance(got, list) else False, f"forward with block_size={B}, n_embd={E}",
                   "expected the logits and the gradients")
            continue
        t.close(got[0], out, f"logits with block_size={B}, n_embd={E}, n_hidden={H}", atol=1e-4, rtol=1e-4,
                hint="flatten (B, block_size, n_embd) to (B, block_size * n_embd) without reordering")
        t.close(got[1], torch.cat([p.grad.flatten() for p in ps]),
                f"gradients through forward (block_size={B})", atol=1e-4, rtol=1e-4)


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

# %% task="train"
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
def _zth_small():
    _g = torch.Generator().manual_seed(4)
    _ps = [torch.randn(s, generator=_g, requires_grad=True) for s in [(9, 3), (6, 8), (8,), (8, 9), (9,)]]
    _X = torch.randint(0, 9, (50, 2), generator=_g)
    _Y = torch.randint(0, 9, (50,), generator=_g)
    _ls = train(_ps, _X, _Y, 6, 8, lambda i: 0.5 if i < 3 else 0.05, torch.Generator().manual_seed(7))
    return [float(v) for v in _ls] + torch.cat([_p.detach().flatten() for _p in _ps]).tolist()
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
    _ws = list(words)
    random.Random(42).shuffle(_ws)
    _n1, _n2 = int(0.8 * len(_ws)), int(0.9 * len(_ws))
    (_Xtr, _Ytr), (_Xdv, _Ydv) = _zth_data(_ws[:_n1]), _zth_data(_ws[_n1:_n2])
    _g = torch.Generator().manual_seed(2147483647)
    _shapes = [(27, CFG["n_embd"]), (CFG["block_size"] * CFG["n_embd"], CFG["n_hidden"]),
               (CFG["n_hidden"],), (CFG["n_hidden"], 27), (27,)]
    _ps = [torch.randn(s, generator=_g).to(device).requires_grad_() for s in _shapes]
    _t = time.time()
    _ls = train(_ps, _Xtr, _Ytr, CFG["steps"], CFG["batch_size"], lr_at, torch.Generator().manual_seed(SEED))
    _sec = time.time() - _t
    with torch.no_grad():
        _tr = F.cross_entropy(_zth_fwd(_ps, _Xtr), _Ytr).item()
        _dv = F.cross_entropy(_zth_fwd(_ps, _Xdv), _Ydv).item()
    _k = max(1, len(_ls) // 20)
    _curve = [sum(_ls[i:i + _k]) / len(_ls[i:i + _k]) for i in range(0, len(_ls), _k)]
    return {"train_loss": _tr, "val_loss": _dv, "curve": _curve, "n_losses": len(_ls), "seconds": _sec,
            "params": sum(_p.nelement() for _p in _ps), "config": dict(CFG), "device": device}
try:
    _zth_rec = _zth_with_our_forward(_zth_run)
except Exception as _e:
    _zth_rec = _e
def _zth_part(k):
    if isinstance(_zth_rec, Exception):
        raise _zth_rec
    return _zth_rec[k]
for _k in ("train_loss", "val_loss", "curve", "n_losses", "params", "config", "seconds", "device"):
    _zth_export(f"record/{_k}", lambda: _zth_part(_k))
### END HIDDEN TESTS
assert len(losses) == CFG["steps"], f"one loss per step: expected {CFG['steps']}, got {len(losses)}"
assert sum(losses[-100:]) / 100 < sum(losses[:100]) / 100 - 1.0, "the loss should fall a lot"
assert sum(losses[-100:]) / 100 < uniform_loss(27) - 0.5, "the trained net should beat the uniform 3.2958 by far"
print("ok")

# %% check="train"
def check(x, t):
    import torch.nn.functional as F
    g = torch.Generator().manual_seed(4)
    ps = [torch.randn(s, generator=g, requires_grad=True) for s in [(9, 3), (6, 8), (8,), (8, 9), (9,)]]
    X = torch.randint(0, 9, (50, 2), generator=g)
    Y = torch.randint(0, 9, (50,), generator=g)
    gb = torch.Generator().manual_seed(7)
    losses = []
    for i in range(6):
        ix = torch.randint(0, 50, (8,), generator=gb)
        C, W1, b1, W2, b2 = ps
        loss = F.cross_entropy(torch.tanh(C[X[ix]].flatten(1) @ W1 + b1) @ W2 + b2, Y[ix])
        for p in ps:
            p.grad = None
        loss.backward()
        for p in ps:
            p.data += -(0.5 if i < 3 else 0.05) * p.grad
        losses.append(loss.item())
    t.close(x["train/exact"], losses + torch.cat([p.detach().flatten() for p in ps]).tolist(),
            "6 steps of train on a small problem: [losses, final parameters]", atol=1e-4, rtol=1e-4,
            hint="draw the batch with the randint call given, reset the grads, step with lr_at(i)")
    # a run at the grading scale, compared with the reference runs of the solution
    try:
        ref = reference("grading")["summary"]
        want = {k: (ref[f"record/{k}"]["mean"], ref[f"record/{k}"]["std"]) for k in ("train_loss", "val_loss")}
    except (FileNotFoundError, KeyError):
        want = {"train_loss": (2.35, 0.01), "val_loss": (2.36, 0.01)}   # the solution's runs
    for key, (mean, std) in want.items():
        tol = max(0.05, 4 * std)
        got = x[f"record/{key}"]
        t.true(got < mean + tol if isinstance(got, float) else got,
               f"{key.replace('_', ' ')} after training at the grading scale",
               f"{got:.4f}, not within {tol:.2f} of the reference runs' {mean:.3f}" if isinstance(got, float) else "")


# %% [markdown]
# ## Task 6: the loss on a whole split (1 point)
#
# The minibatch losses are noisy. Write `split_loss(params, X, Y)`: the average loss
# of the model on all the examples `X`, `Y` you are given, as a float, computed
# without building a graph for backpropagation (`torch.no_grad()`).

# %% task="split_loss"
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
def _zth_sl_probe(n, seed):
    _g = torch.Generator().manual_seed(seed)
    _ps = [torch.randn(s, generator=_g, requires_grad=True) for s in [(27, 4), (12, 10), (10,), (10, 27), (27,)]]
    _X = torch.randint(0, 27, (n, 3), generator=_g)
    _Y = torch.randint(0, 27, (n,), generator=_g)
    _v = split_loss(_ps, _X, _Y)
    return [float(_v), float(sum(0 if _p.grad is None else _p.grad.abs().sum().item() for _p in _ps))]
_zth_export("split_loss/a", lambda: _zth_with_our_forward(lambda: _zth_sl_probe(100, 1)))
_zth_export("split_loss/b", lambda: _zth_with_our_forward(lambda: _zth_sl_probe(7, 2)))
### END HIDDEN TESTS
assert isinstance(dev_loss, float), "return a Python float (use .item())"
assert dev_loss < uniform_loss(27), "the trained net should beat the uniform predictor on dev"
print("ok")

# %% check="split_loss"
def check(x, t):
    import torch.nn.functional as F
    for key, n, seed in (("split_loss/a", 100, 1), ("split_loss/b", 7, 2)):
        g = torch.Generator().manual_seed(seed)
        C, W1, b1, W2, b2 = [torch.randn(s, generator=g) for s in [(27, 4), (12, 10), (10,), (10, 27), (27,)]]
        X = torch.randint(0, 27, (n, 3), generator=g)
        Y = torch.randint(0, 27, (n,), generator=g)
        want = F.cross_entropy(torch.tanh(C[X].flatten(1) @ W1 + b1) @ W2 + b2, Y).item()
        got = x[key]
        t.close(got[0] if isinstance(got, list) else got, want, f"split_loss on {n} given examples",
                atol=1e-4, rtol=1e-5, hint="use the X and Y passed in, all of them")
        t.true(got[1] == 0.0 if isinstance(got, list) else got, "split_loss leaves no gradients behind",
               "compute it under torch.no_grad() and do not call backward")


# %% [markdown]
# ## Task 7: sampling (1 point)
#
# Write `sample(params, block_size, g)`: start from a context of dots; repeatedly
# compute the logits of the current context, turn them into probabilities with
# `F.softmax`, draw the next index with exactly
# `torch.multinomial(probs, num_samples=1, generator=g).item()`, shift it into the
# context, and stop when it is `'.'` (0). Return the name (without the final dot),
# using the global `itos`.

# %% task="sample"
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
def _zth_sample_probe(bs, seed):
    _g = torch.Generator().manual_seed(100 + bs)
    _ps = [torch.randn(s, generator=_g) for s in [(27, 3), (3 * bs, 16), (16,), (16, 27), (27,)]]
    _ps[4][0] += 2.0   # so that names end soon
    _gs = torch.Generator().manual_seed(seed)
    return [sample(_ps, bs, _gs) for _ in range(6)]
_zth_export("sample/2", lambda: _zth_with_our_forward(lambda: _zth_sample_probe(2, 5)))
_zth_export("sample/4", lambda: _zth_with_our_forward(lambda: _zth_sample_probe(4, 6)))
### END HIDDEN TESTS
_a = sample(cpu_params, block_size, torch.Generator().manual_seed(1))
_b = sample(cpu_params, block_size, torch.Generator().manual_seed(1))
assert isinstance(_a, str) and _a == _b, "the same seed must give the same name"
assert '.' not in _a, "leave out the final '.'"
print("ok")

# %% check="sample"
def check(x, t):
    import torch.nn.functional as F
    itos = ".abcdefghijklmnopqrstuvwxyz"
    for bs, seed in ((2, 5), (4, 6)):
        g = torch.Generator().manual_seed(100 + bs)
        C, W1, b1, W2, b2 = [torch.randn(s, generator=g) for s in [(27, 3), (3 * bs, 16), (16,), (16, 27), (27,)]]
        b2[0] += 2.0
        gs = torch.Generator().manual_seed(seed)
        want = []
        for _ in range(6):
            out, ctx = [], [0] * bs
            while True:
                logits = torch.tanh(C[torch.tensor([ctx])].flatten(1) @ W1 + b1) @ W2 + b2
                ix = torch.multinomial(F.softmax(logits, dim=1), num_samples=1, generator=gs).item()
                ctx = ctx[1:] + [ix]
                if ix == 0:
                    break
                out.append(itos[ix])
            want.append(''.join(out))
        got = x[f"sample/{bs}"]
        t.true(got == want if isinstance(got, list) else got, f"6 names sampled with block_size={bs}",
               "start from dots, draw with the multinomial call given, shift the new index in on the right")
