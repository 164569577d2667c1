# %% [markdown]
# # Exercise 5: makemore 4, becoming a backprop ninja
#
# `loss.backward()` is convenient, and it hides the one thing you most need to
# understand when a network misbehaves: how the gradient flows. Here you take it away.
# You backpropagate by hand through the MLP with BatchNorm of chapter 4, one atomic
# operation at a time, then through whole blocks at once (cross-entropy, BatchNorm),
# and finally train the network with your own gradients only.
#
# Work top to bottom. Each task has a cell with `# YOUR CODE HERE`: replace the
# `raise NotImplementedError(...)` line with your code, then run the test cell below it.
# The grader runs your code on other batches and other parameter sizes, and compares
# every gradient with PyTorch's autograd.
#
# Tasks and points: every intermediate gradient (6, one 26th for each), the
# cross-entropy backward in one step (2), the BatchNorm backward in one step (2),
# training with manual gradients (3). Total 13.

# %%
import math
import random
from types import SimpleNamespace

import torch
import torch.nn.functional as F

torch.manual_seed(SEED)


# %% inputs
# The hidden tests' inputs, drawn afresh for each submission (see docs/ARCHITECTURE.md):
# probes read them in the kernel as _zth_in.NAME, checks in the grader as the same.
# Rows of the data are drawn as large integers taken modulo the number of rows of the
# split, so that the probes (the notebook's Xtr, Xva) and the checks (names.txt, split
# the same way) find the same examples.
import torch

_g = torch.Generator().manual_seed(rng.randrange(2**62))


def _params(n_embd, n_hidden):
    """[C, W1, b1, W2, b2, bngain, bnbias] as init_params draws them, other scales."""
    fan_in = n_embd * 3
    return [torch.randn((27, n_embd), generator=_g),
            torch.randn((fan_in, n_hidden), generator=_g) * rng.uniform(1.0, 2.0) / fan_in**0.5,
            torch.randn(n_hidden, generator=_g) * 0.1,
            torch.randn((n_hidden, 27), generator=_g) * rng.uniform(0.1, 0.5),
            torch.randn(27, generator=_g) * 0.1,
            torch.randn((1, n_hidden), generator=_g) * 0.1 + 1.0,
            torch.randn((1, n_hidden), generator=_g) * 0.1]


def _rows(n):
    return [rng.randrange(2**31) for _ in range(n)]


# Task 1: a network of another size, a batch of training rows of another size
bw_params = _params(rng.randint(4, 8), rng.randint(20, 48))
bw_rows = _rows(rng.randint(16, 40))
# Task 2: logits (n, classes) and labels: a batch of 27 classes, a small odd one
ce_cases = []
for _n, _c in [(rng.randint(20, 48), 27), (rng.randint(2, 8), rng.randint(5, 15))]:
    ce_cases.append([torch.randn(_n, _c, generator=_g) * rng.uniform(1.0, 4.0),
                     torch.randint(0, _c, (_n,), generator=_g)])
# Task 3: hprebn (n, h), bngain (1, h), dhpreact (n, h): a large case and a small one
bnb_cases = []
for _n, _h in [(rng.randint(20, 48), rng.randint(32, 80)), (rng.randint(4, 9), rng.randint(3, 8))]:
    bnb_cases.append([torch.randn(_n, _h, generator=_g) * rng.uniform(0.5, 3.0) + rng.uniform(-1, 1),
                      torch.randn(1, _h, generator=_g) * 0.3 + 1.0,
                      torch.randn(_n, _h, generator=_g) * 1e-2])
# Task 4: three train_step calls on a small network (start, batches, learning rate), and
# the validation rows on which the network trained in the notebook is evaluated
tm_params = _params(rng.randint(3, 6), rng.randint(16, 32))
_n = rng.randint(12, 24)
tm_X = torch.randint(0, 27, (3, _n, 3), generator=_g)
tm_Y = torch.randint(0, 27, (3, _n), generator=_g)
tm_lr = rng.uniform(0.05, 0.3)
eval_rows = _rows(5000)


# %% include="names_split" checks block_size=3

# %% checks
# Helpers shared by the checks of this chapter (trusted, grader side).
import random


# %% [markdown]
# ## The data and the network
#
# The data of chapters 3 and 4: three characters of context predict the next one.

# %% include="names_data" block_size=3

# %% [markdown]
# The parameters are `[C, W1, b1, W2, b2, bngain, bnbias]`. The biases and the
# BatchNorm parameters start at small random values rather than at zero or one: a
# gradient computed wrongly is easy to miss when it multiplies a zero.
#
# The forward pass below is the MLP with BatchNorm written out in atomic steps, each
# simple enough to differentiate by hand. Note the **unbiased** variance (divide by
# n - 1) in `bnvar`, as in the lecture: the backward pass must use the same.
# `forward` returns every intermediate in a namespace `v`: `v.probs`, `v.hprebn`, `v.W1`,
# `v.n`, `v.Yb`, ...

# %%
def init_params(n_embd, n_hidden, g):
    """[C, W1, b1, W2, b2, bngain, bnbias] drawn from the generator g."""
    fan_in = n_embd * block_size
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((fan_in, n_hidden), generator=g) * (5 / 3) / fan_in**0.5
    b1 = torch.randn(n_hidden, generator=g) * 0.1
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    b2 = torch.randn(vocab_size, generator=g) * 0.1
    bngain = torch.randn((1, n_hidden), generator=g) * 0.1 + 1.0
    bnbias = torch.randn((1, n_hidden), generator=g) * 0.1
    return [C, W1, b1, W2, b2, bngain, bnbias]


def forward(params, Xb, Yb):
    """The forward pass in atomic steps: a namespace of every intermediate and the loss."""
    C, W1, b1, W2, b2, bngain, bnbias = params
    n = Xb.shape[0]
    emb = C[Xb]                                         # (n, block_size, n_embd)
    embcat = emb.view(n, -1)                            # (n, block_size * n_embd)
    hprebn = embcat @ W1 + b1                           # (n, n_hidden)
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)       # (1, n_hidden)
    bndiff = hprebn - bnmeani                           # (n, n_hidden)
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * bndiff2.sum(0, keepdim=True)  # (1, n_hidden) Bessel's correction
    bnvar_inv = (bnvar + 1e-5)**-0.5
    bnraw = bndiff * bnvar_inv                          # (n, n_hidden)
    hpreact = bngain * bnraw + bnbias
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2                                # (n, vocab_size)
    logit_maxes = logits.max(1, keepdim=True).values    # (n, 1) for numerical stability
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdim=True)            # (n, 1)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv                     # (n, vocab_size)
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()
    return SimpleNamespace(**locals())


# the 26 tensors whose gradient you compute, from the loss back to the embedding table
NAMES = ["logprobs", "probs", "counts_sum_inv", "counts_sum", "counts", "norm_logits",
         "logit_maxes", "logits", "h", "W2", "b2", "hpreact", "bngain", "bnbias", "bnraw",
         "bnvar_inv", "bnvar", "bndiff2", "bndiff", "hprebn", "bnmeani", "embcat", "W1", "b1",
         "emb", "C"]


def autograd_grads(params, Xb, Yb):
    """{name: gradient of the loss} for every tensor in NAMES, by PyTorch's autograd."""
    params = [p.detach().clone().requires_grad_() for p in params]
    v = forward(params, Xb, Yb)
    for name in NAMES:
        getattr(v, name).retain_grad()
    v.loss.backward()
    return {name: getattr(v, name).grad for name in NAMES}


def cmp(name, dt, t):
    """Compare a manual gradient dt with autograd's t; print a line; True if close."""
    if dt.shape != t.shape:
        print(f"{name:15s} | shape {tuple(dt.shape)}, expected {tuple(t.shape)}")
        return False
    exact = torch.all(dt == t).item()
    approx = torch.allclose(dt, t, rtol=1e-4, atol=1e-5 * t.abs().max().item() + 1e-7)
    print(f"{name:15s} | exact: {str(exact):5s} | approximate: {str(approx):5s} "
          f"| maxdiff: {(dt - t).abs().max().item():.2e}")
    return approx


n_embd, n_hidden, batch_size = 10, 64, 32
g = torch.Generator().manual_seed(SEED)
params = init_params(n_embd, n_hidden, g)
ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
Xb, Yb = Xtr[ix], Ytr[ix]
v = forward(params, Xb, Yb)
print(f"loss {v.loss.item():.4f}")

# %% [markdown]
# ## Task 1: backpropagate through every step (6 points)
#
# Write `manual_backward(v, d)`: given the forward namespace `v`, fill the namespace
# `d` with the gradient of the loss with respect to each of the 26 tensors of `NAMES`,
# `d.logprobs`, `d.probs`, ..., `d.C`, each with the same shape as the tensor itself.
# Go backwards, one line of the forward at a time, and apply the chain rule.
#
# Rules of thumb:
# * a tensor used in two places gets the **sum** of the gradients from both
#   (`counts`, `logits`, `bndiff`, `hprebn`): assign the first, then `+=` the second;
# * where the forward broadcast a tensor (a `(1, n_hidden)` row added to an
#   `(n, n_hidden)` matrix), the backward **sums** over the broadcast dimension;
# * `bnvar` divides by n - 1, not n.
#
# **Read every upstream gradient from `d`** (`d.probs = ... d.logprobs ...`), not from a
# variable of your own: the grader then checks each gradient given correct upstream
# gradients, so one mistake costs one 26th of the task, not everything below it.

# %% solution="manual_backward"
def manual_backward(v, d):
    """Fill d.<name> with dloss/d<name> for every name in NAMES."""
    n = v.n
    ### BEGIN SOLUTION
    # cross-entropy and softmax
    d.logprobs = torch.zeros_like(v.logprobs)
    d.logprobs[range(n), v.Yb] = -1.0 / n
    d.probs = (1.0 / v.probs) * d.logprobs
    d.counts_sum_inv = (v.counts * d.probs).sum(1, keepdim=True)
    d.counts = v.counts_sum_inv * d.probs
    d.counts_sum = (-v.counts_sum**-2) * d.counts_sum_inv
    d.counts += torch.ones_like(v.counts) * d.counts_sum
    d.norm_logits = v.counts * d.counts
    d.logits = d.norm_logits.clone()
    d.logit_maxes = (-d.norm_logits).sum(1, keepdim=True)
    d.logits += F.one_hot(v.logits.max(1).indices, num_classes=v.logits.shape[1]) * d.logit_maxes
    # second layer
    d.h = d.logits @ v.W2.T
    d.W2 = v.h.T @ d.logits
    d.b2 = d.logits.sum(0)
    d.hpreact = (1.0 - v.h**2) * d.h
    # batchnorm
    d.bngain = (v.bnraw * d.hpreact).sum(0, keepdim=True)
    d.bnraw = v.bngain * d.hpreact
    d.bnbias = d.hpreact.sum(0, keepdim=True)
    d.bndiff = v.bnvar_inv * d.bnraw
    d.bnvar_inv = (v.bndiff * d.bnraw).sum(0, keepdim=True)
    d.bnvar = (-0.5 * (v.bnvar + 1e-5)**-1.5) * d.bnvar_inv
    d.bndiff2 = 1.0 / (n - 1) * torch.ones_like(v.bndiff2) * d.bnvar
    d.bndiff += 2 * v.bndiff * d.bndiff2
    d.hprebn = d.bndiff.clone()
    d.bnmeani = (-d.bndiff).sum(0, keepdim=True)
    d.hprebn += 1.0 / n * torch.ones_like(v.hprebn) * d.bnmeani
    # first layer and embedding
    d.embcat = d.hprebn @ v.W1.T
    d.W1 = v.embcat.T @ d.hprebn
    d.b1 = d.hprebn.sum(0)
    d.emb = d.embcat.view(v.emb.shape)
    d.C = torch.zeros_like(v.C)
    d.C.index_add_(0, v.Xb.reshape(-1), d.emb.reshape(-1, v.C.shape[1]))
    ### END SOLUTION


# %% test="manual_backward" points=6
### BEGIN HIDDEN TESTS
class _ZthGrads:
    """Reads of another gradient give autograd's value; only `target` is your own."""
    def __init__(self, target, truth):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_truth", truth)
        object.__setattr__(self, "_own", {})

    def __getattr__(self, k):
        if k == self._target:
            if k in self._own:
                return self._own[k]
            raise AttributeError(f"d.{k} was read before it was set")
        if k in self._truth:
            return self._truth[k].clone()
        raise AttributeError(k)

    def __setattr__(self, k, val):
        if k == self._target:
            self._own[k] = val
_zrows = [_r % Xtr.shape[0] for _r in _zth_in.bw_rows]
_zX, _zY = Xtr[_zrows], Ytr[_zrows]
_ztruth = autograd_grads(_zth_in.bw_params, _zX, _zY)
def _zth_grad(name):
    d = _ZthGrads(name, _ztruth)
    manual_backward(forward([p.clone() for p in _zth_in.bw_params], _zX, _zY), d)
    if name not in d._own:
        raise AttributeError(f"d.{name} was never set")
    return d._own[name]
for _k in NAMES:
    _zth_export(f"grad/{_k}", lambda: _zth_grad(_k))
### END HIDDEN TESTS
d = SimpleNamespace()
manual_backward(v, d)
_truth = autograd_grads(params, Xb, Yb)
_ok = [cmp(k, getattr(d, k), _truth[k]) if hasattr(d, k) else print(f"{k:15s} | missing")
       for k in NAMES]
_bad = [k for k, o in zip(NAMES, _ok) if not o]
assert not _bad, f"wrong or missing gradients: {', '.join(_bad)}"
print("ok")

# %% check="manual_backward"
NAMES = ["logprobs", "probs", "counts_sum_inv", "counts_sum", "counts", "norm_logits",
         "logit_maxes", "logits", "h", "W2", "b2", "hpreact", "bngain", "bnbias", "bnraw",
         "bnvar_inv", "bnvar", "bndiff2", "bndiff", "hprebn", "bnmeani", "embcat", "W1", "b1",
         "emb", "C"]


def oracle(C, W1, b1, W2, b2, bngain, bnbias, Xb, Yb):
    """Autograd gradients of the lecture's forward, in float64."""
    n = Xb.shape[0]
    v = {}
    v["C"], v["W1"], v["b1"], v["W2"], v["b2"], v["bngain"], v["bnbias"] = ps = [
        p.double().requires_grad_() for p in (C, W1, b1, W2, b2, bngain, bnbias)]
    v["emb"] = v["C"][Xb]
    v["embcat"] = v["emb"].view(n, -1)
    v["hprebn"] = v["embcat"] @ v["W1"] + v["b1"]
    v["bnmeani"] = v["hprebn"].sum(0, keepdim=True) / n
    v["bndiff"] = v["hprebn"] - v["bnmeani"]
    v["bndiff2"] = v["bndiff"] ** 2
    v["bnvar"] = v["bndiff2"].sum(0, keepdim=True) / (n - 1)
    v["bnvar_inv"] = (v["bnvar"] + 1e-5) ** -0.5
    v["bnraw"] = v["bndiff"] * v["bnvar_inv"]
    v["hpreact"] = v["bngain"] * v["bnraw"] + v["bnbias"]
    v["h"] = torch.tanh(v["hpreact"])
    v["logits"] = v["h"] @ v["W2"] + v["b2"]
    v["logit_maxes"] = v["logits"].max(1, keepdim=True).values
    v["norm_logits"] = v["logits"] - v["logit_maxes"]
    v["counts"] = v["norm_logits"].exp()
    v["counts_sum"] = v["counts"].sum(1, keepdim=True)
    v["counts_sum_inv"] = v["counts_sum"] ** -1
    v["probs"] = v["counts"] * v["counts_sum_inv"]
    v["logprobs"] = v["probs"].log()
    loss = -v["logprobs"][range(n), Yb].mean()
    for t_ in v.values():
        t_.retain_grad()
    loss.backward()
    return {k: v[k].grad for k in NAMES}


def check(x, t):
    Xtr, Ytr = names_xy("train")
    rows = [r % Xtr.shape[0] for r in _zth_in.bw_rows]
    want = oracle(*_zth_in.bw_params, Xtr[rows], Ytr[rows])
    for k in NAMES:
        w = want[k]
        t.close(x[f"grad/{k}"], w, f"d.{k} (given correct upstream gradients)",
                atol=1e-5 * float(w.abs().max()) + 1e-7, rtol=1e-4)


# %% [markdown]
# ## Task 2: the cross-entropy backward in one step (2 points)
#
# Going through `logprobs`, `probs`, `counts`, ... was instructive and wasteful.
# Differentiate `loss = F.cross_entropy(logits, Yb)` with respect to the logits
# directly, on paper, and write the short result: for each row, the softmax of the
# logits minus the one-hot vector of the label, divided by the batch size.
#
# `cross_entropy_backward(logits, Yb)` returns `dlogits`, shape `(n, vocab_size)`.

# %% solution="cross_entropy_backward"
def cross_entropy_backward(logits, Yb):
    """dloss/dlogits for loss = F.cross_entropy(logits, Yb)."""
    ### BEGIN SOLUTION
    n = logits.shape[0]
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    return dlogits
    ### END SOLUTION


# %% test="cross_entropy_backward" points=2
### BEGIN HIDDEN TESTS
for _i, (_lg, _y) in enumerate(_zth_in.ce_cases):
    _zth_export(f"ce/{_i}", lambda: cross_entropy_backward(_lg.clone(), _y.clone()))
### END HIDDEN TESTS
_truth = autograd_grads(params, Xb, Yb)
_dlogits = cross_entropy_backward(v.logits, Yb)
assert cmp("logits", _dlogits, _truth["logits"]), "cross_entropy_backward"
print("ok")

# %% check="cross_entropy_backward"
def check(x, t):
    import torch.nn.functional as F
    for i, (lg, y) in enumerate(_zth_in.ce_cases):
        logits = lg.double().requires_grad_()
        F.cross_entropy(logits, y).backward()
        n, c = lg.shape
        t.close(x[f"ce/{i}"], logits.grad, f"dlogits for a batch of {n}, {c} classes", atol=1e-7, rtol=1e-5,
                hint="softmax, minus 1 at the label, and mind the mean over the batch")


# %% [markdown]
# ## Task 3: the BatchNorm backward in one step (2 points)
#
# Now the same for the BatchNorm layer,
# `hpreact = bngain * (hprebn - mean) / sqrt(var + 1e-5) + bnbias`, with the batch mean
# and the **unbiased** batch variance (n - 1) of the forward above. Derive
# `dhprebn` from `dhpreact` on paper: every element of the batch influences the mean
# and the variance, hence every output. With $\hat{x}$ = `bnraw`,
#
# $$\frac{\partial L}{\partial x_i} = \frac{\gamma}{n\sqrt{\sigma^2 + \epsilon}}
# \Big(n\,g_i - \sum_j g_j - \frac{n}{n-1}\,\hat{x}_i \sum_j g_j \hat{x}_j\Big)$$
#
# where $g$ = `dhpreact`. Verify it, then write `batchnorm_backward(hprebn, bngain,
# dhpreact)` (shapes `(n, h)`, `(1, h)`, `(n, h)`) returning `dhprebn` `(n, h)`. Compute
# what you need (mean, variance, `bnraw`) from `hprebn` yourself.

# %% solution="batchnorm_backward"
def batchnorm_backward(hprebn, bngain, dhpreact):
    """dloss/dhprebn through the BatchNorm of the forward above (unbiased variance)."""
    ### BEGIN SOLUTION
    n = hprebn.shape[0]
    bnmean = hprebn.mean(0, keepdim=True)
    bnvar_inv = (hprebn.var(0, keepdim=True, unbiased=True) + 1e-5)**-0.5
    bnraw = (hprebn - bnmean) * bnvar_inv
    return bngain * bnvar_inv / n * (n * dhpreact - dhpreact.sum(0)
                                     - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
    ### END SOLUTION


# %% test="batchnorm_backward" points=2
### BEGIN HIDDEN TESTS
for _i, _case in enumerate(_zth_in.bnb_cases):
    _zth_export(f"bnb/{_i}", lambda: batchnorm_backward(*[_a.clone() for _a in _case]))
### END HIDDEN TESTS
_truth = autograd_grads(params, Xb, Yb)
_dhprebn = batchnorm_backward(v.hprebn, v.bngain, _truth["hpreact"])
assert cmp("hprebn", _dhprebn, _truth["hprebn"]), "batchnorm_backward"
print("ok")

# %% check="batchnorm_backward"
def check(x, t):
    for i, (hprebn, bngain, dhpreact) in enumerate(_zth_in.bnb_cases):
        hprebn = hprebn.double().requires_grad_()
        out = bngain.double() * (hprebn - hprebn.mean(0, keepdim=True)) / torch.sqrt(
            hprebn.var(0, keepdim=True, unbiased=True) + 1e-5)
        out.backward(dhpreact.double())
        w = hprebn.grad
        n, c = hprebn.shape
        t.close(x[f"bnb/{i}"], w, f"dhprebn for a batch of {n}, {c} features",
                atol=1e-5 * float(w.abs().max()), rtol=1e-4,
                hint="the forward uses the unbiased variance, n - 1")


# %% [markdown]
# ## Task 4: train with your own gradients (3 points)
#
# Write `train_step(params, Xb, Yb, lr)`: the forward pass (compactly: you may use
# `F.cross_entropy` for the loss), the backward pass by hand with the results of
# Tasks 2 and 3 written out (no `loss.backward()`, no `torch.autograd`), and the update
# `p -= lr * grad` of each of the seven parameters, in place. Return the loss before
# the update, as a number (a float or a 0-d tensor).
#
# The grader runs your `train_step` with autograd switched off: everything must come
# from your own gradients. It must also match a step of plain SGD with autograd's
# gradients to within float32 precision. It then takes the network that the training
# loop below trains with your `train_step`, computes its loss itself on a fresh batch of
# validation examples, and compares it with reference runs of the same loop.

# %% solution="train_step"
def train_step(params, Xb, Yb, lr):
    """One SGD step with manual gradients; returns the loss before the step."""
    C, W1, b1, W2, b2, bngain, bnbias = params
    n = Xb.shape[0]
    ### BEGIN SOLUTION
    # forward
    emb = C[Xb]                                         # (n, block_size, n_embd)
    embcat = emb.view(n, -1)
    hprebn = embcat @ W1 + b1                           # (n, n_hidden)
    bnmean = hprebn.mean(0, keepdim=True)
    bnvar_inv = (hprebn.var(0, keepdim=True, unbiased=True) + 1e-5)**-0.5
    bnraw = (hprebn - bnmean) * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2                                # (n, vocab_size)
    loss = F.cross_entropy(logits, Yb)
    # backward
    dlogits = (F.softmax(logits, 1) - F.one_hot(Yb, logits.shape[1])) / n
    dh = dlogits @ W2.T
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - h**2) * dh
    dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
    dbnbias = dhpreact.sum(0, keepdim=True)
    dhprebn = bngain * bnvar_inv / n * (n * dhpreact - dhpreact.sum(0)
                                        - n / (n - 1) * bnraw * (dhpreact * bnraw).sum(0))
    dembcat = dhprebn @ W1.T
    dW1 = embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    dC = torch.zeros_like(C)
    dC.index_add_(0, Xb.reshape(-1), dembcat.reshape(-1, C.shape[1]))
    # update
    for p, grad in zip(params, [dC, dW1, db1, dW2, db2, dbngain, dbnbias]):
        p -= lr * grad
    return loss.item()
    ### END SOLUTION


# %% [markdown]
# The training loop, BatchNorm's statistics over the whole training set after training
# (instead of running averages), and the evaluation. At the lecture's settings
# (`SCALE = "full"`: 200 hidden units, 200,000 steps) this reaches about 2.07 on the
# training set and 2.11 on the validation set, the same as with `loss.backward()`.

# %%
@torch.no_grad()
def calibrate(params, X):
    """BatchNorm's mean and (unbiased) variance over all of X."""
    C, W1, b1 = params[:3]
    hpre = C[X].view(X.shape[0], -1) @ W1 + b1
    return hpre.mean(0, keepdim=True), hpre.var(0, keepdim=True, unbiased=True)


@torch.no_grad()
def split_loss(params, bnstats, X, Y):
    C, W1, b1, W2, b2, bngain, bnbias = params
    bnmean, bnvar = bnstats
    hpre = C[X].view(X.shape[0], -1) @ W1 + b1
    h = torch.tanh(bngain * (hpre - bnmean) * (bnvar + 1e-5)**-0.5 + bnbias)
    return F.cross_entropy(h @ W2 + b2, Y).item()


CFG = {"grading": dict(n_hidden=64, steps=3000),
       "colab": dict(n_hidden=200, steps=20000),
       "full": dict(n_hidden=200, steps=200000)}[SCALE]
g = torch.Generator().manual_seed(SEED)
tparams = init_params(10, CFG["n_hidden"], g)
lossi = []
with torch.no_grad():       # no autograd anywhere in this loop
    for i in range(CFG["steps"]):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        lr = 0.1 if i < CFG["steps"] // 2 else 0.01
        lossi.append(train_step(tparams, Xtr[ix], Ytr[ix], lr))
        if i % max(1, CFG["steps"] // 5) == 0:
            print(f"{i:7d}/{CFG['steps']}: {lossi[-1]:.4f}")
bnstats = calibrate(tparams, Xtr)
train_loss, val_loss = split_loss(tparams, bnstats, Xtr, Ytr), split_loss(tparams, bnstats, Xva, Yva)
print(f"train {train_loss:.4f}, val {val_loss:.4f}")

# %% test="train_manual" points=3
### BEGIN HIDDEN TESTS
def _zth_manual_steps():
    ps = [p.clone() for p in _zth_in.tm_params]
    def _off(*a, **k):
        raise RuntimeError("autograd is switched off in this test: compute the gradients by hand")
    saved = torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad
    torch.Tensor.backward = _off
    torch.autograd.backward = _off
    torch.autograd.grad = _off
    try:
        with torch.no_grad():
            losses = [float(train_step(ps, _X.clone(), _Y.clone(), _zth_in.tm_lr))
                      for _X, _Y in zip(_zth_in.tm_X, _zth_in.tm_Y)]
    finally:
        torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad = saved
    return [losses, ps, [p.grad is None for p in ps]]
_zth_export("manual/steps", _zth_manual_steps)
def _zth_logits(X):
    """The trained network (tparams, BatchNorm calibrated: bnstats) on the rows X."""
    C, W1, b1, W2, b2, bngain, bnbias = tparams
    bnmean, bnvar = bnstats
    with torch.no_grad():
        hpre = C[X].view(X.shape[0], -1) @ W1 + b1
        h = torch.tanh(bngain * (hpre - bnmean) * (bnvar + 1e-5)**-0.5 + bnbias)
        return torch.round((h @ W2 + b2).double(), decimals=4)
_zth_export("eval/val_logits", lambda: _zth_logits(Xva[[_r % Xva.shape[0] for _r in _zth_in.eval_rows]]))
_zth_export("record/train_loss", lambda: float(train_loss))   # for the reference record
_zth_export("record/val_loss", lambda: float(val_loss))
_zth_export("record/curve", lambda: [float(c.mean()) for c in torch.tensor(lossi).chunk(20)])
_zth_export("record/params", lambda: sum(p.numel() for p in tparams))
_zth_export("record/config", lambda: dict(CFG, n_embd=10, batch_size=32, lr=0.1))
### END HIDDEN TESTS
# one step against autograd
_ps = init_params(10, 64, torch.Generator().manual_seed(1))
_ref = [p.clone().requires_grad_() for p in _ps]
_loss = forward(_ref, Xb, Yb).loss
_loss.backward()
with torch.no_grad():
    _l = train_step(_ps, Xb, Yb, 0.1)
assert abs(_l - _loss.item()) < 1e-5, f"train_step returned loss {_l:.5f}, expected {_loss.item():.5f}"
for _name, _p, _r in zip(["C", "W1", "b1", "W2", "b2", "bngain", "bnbias"], _ps, _ref):
    _want = _r.detach() - 0.1 * _r.grad
    assert torch.allclose(_p, _want, atol=1e-6), f"{_name} after one step differs from SGD with autograd"
assert lossi[-1] < lossi[0], "the loss did not fall"
print("ok")

# %% check="train_manual"
VAL_NLL_STD = 1.2    # spread of one example's loss under the trained network (measured: ~1.1)


def check(x, t):
    import torch.nn.functional as F
    h = _zth_in
    # oracle: the same three SGD steps with autograd, in float64
    ps = [p.double().requires_grad_() for p in h.tm_params]
    losses = []
    for Xb, Yb in zip(h.tm_X, h.tm_Y):
        C, W1, b1, W2, b2, bngain, bnbias = ps
        hpre = C[Xb].view(Xb.shape[0], -1) @ W1 + b1
        hpre = bngain * (hpre - hpre.mean(0, keepdim=True)) / torch.sqrt(
            hpre.var(0, keepdim=True, unbiased=True) + 1e-5) + bnbias
        loss = F.cross_entropy(torch.tanh(hpre) @ W2 + b2, Yb)
        for p in ps:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p -= h.tm_lr * p.grad
        losses.append(loss.item())
    r = x["manual/steps"]
    what = "train_step with autograd switched off"
    if isinstance(r, list) and len(r) == 3 and isinstance(r[1], list) and len(r[1]) == 7:
        t.close(r[0], losses, f"{what}: the losses of 3 steps", atol=1e-5)
        same = all(isinstance(a, torch.Tensor) and a.shape == p.shape
                   and torch.allclose(a, p.detach(), atol=1e-5) for a, p in zip(r[1], ps))
        t.true(same and isinstance(r[2], list) and r[2] == [True] * 7, f"{what}: the 7 parameters after 3 steps, compared "
               "with SGD on autograd's gradients", "some gradient or update differs")
    else:
        for part in ("the losses of 3 steps", "the parameters after 3 steps"):
            t.fail(r, f"{what}: {part}", "could not be run: did it call .backward()?")
    # the network the notebook trained, on fresh validation rows: the loss computed here
    Xva, Yva = names_xy("val")
    Y = Yva[[r % Xva.shape[0] for r in h.eval_rows]]
    logits, what = x["eval/val_logits"], "validation loss of the network your train_step trained"
    if not (isinstance(logits, torch.Tensor) and logits.shape == (len(Y), 27)
            and bool(torch.isfinite(logits).all())):
        t.fail(logits, what, "its logits could not be computed")
        return
    got = F.cross_entropy(logits, Y).item()
    try:
        ref = reference("grading")["summary"]["record/val_loss"]
        mean, spread = ref["mean"], ref["std"]
    except (FileNotFoundError, KeyError):
        mean, spread = 2.3705, 0.0114      # the solution's runs, if the record is missing
    # the reference runs' spread, and the sampling noise of a batch of len(Y) examples
    tol = 0.02 + 3 * math.sqrt(spread**2 + VAL_NLL_STD**2 / len(Y))
    t.true(abs(got - mean) < tol, what,
           f"{'higher' if got > mean else 'lower'} than the reference runs' by {abs(got - mean):.3f} "
           f"(tolerance {tol:.3f})" + (": did the training loop run with your train_step?" if got > mean else
                                       ": the loss cannot be that low on examples it never saw"))
