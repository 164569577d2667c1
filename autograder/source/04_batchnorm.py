# %% [markdown]
# # Exercise 4: makemore 3, activations, gradients and BatchNorm
#
# The MLP of chapter 3 trains, but its start is careless: the first loss is far above
# what a network that knows nothing should get, and most of its tanh units are stuck at
# +1 or -1. Here you fix the initialisation, then write your own small `torch.nn`
# (`Linear`, `BatchNorm1d`, `Tanh`) that matches PyTorch's to within 1e-5, train a
# network built from it, fold BatchNorm away for inference, and find out what an
# all-zero initialisation really does.
#
# Work top to bottom. Each task has a cell with `# YOUR CODE HERE`: replace the
# `raise NotImplementedError(...)` line with your code, then run the test cell below it.
# The grader also runs hidden tests on other inputs, and compares your layers with
# `torch.nn` on them.
#
# Tasks and points: a good initialisation (2), `Linear` and `Tanh` (2), `BatchNorm1d`
# (3), the model (1), the training loop (3), BatchNorm folding (2), the all-zero
# initialisation experiment (2). Total 15.

# %%
import math
import random

import torch
import torch.nn.functional as F

torch.manual_seed(SEED)

# %% inputs
# The hidden tests' inputs, drawn afresh for each submission (see docs/ARCHITECTURE.md):
# probes read them in the kernel as _zth_in.NAME, checks in the grader as the same.
def _seed():
    return rng.randrange(2**31)


# Tasks 1 and 5: evaluation batches of `eval_names` names of a split, drawn with eval_seed
eval_seed = rng.randrange(2**62)
eval_names = 300
# Task 1: two sizes (n_embd, n_hidden) and generator seeds
init_cfgs = [(rng.randint(6, 16), rng.randint(100, 300), _seed()) for _ in range(2)]
# Task 2: a Linear with given weights on a batch; the sizes of a fresh Linear
linear_cfg = dict(fan_in=rng.randint(2, 9), fan_out=rng.randint(2, 9), n=rng.randint(2, 12),
                  seed=_seed(), scale=rng.uniform(1.0, 3.0))
linear_init = (rng.randint(100, 300), rng.randint(50, 150), _seed())
# Task 3: BatchNorm1d runs (dim, momentum, training batch sizes, eval batch sizes, seed)
bn_runs = [(rng.randint(2, 8), round(rng.uniform(0.05, 0.5), 3),
            [rng.randint(3, 20) for _ in range(3)], [rng.randint(1, 10) for _ in range(2)], _seed())
           for _ in range(2)]
bn_init_dim = rng.randint(2, 9)
# Task 4: (n_embd, n_hidden, momentum, seed) of two models
model_cfgs = [(rng.randint(6, 12), rng.randint(80, 150), round(rng.uniform(0.01, 0.2), 3), _seed())
              for _ in range(2)]
# Task 5: a tiny torch.nn model trained a few steps, replayed exactly
train_replay = dict(n_embd=rng.randint(2, 5), n_hidden=rng.randint(6, 20), n=rng.randint(40, 100),
                    batch_size=rng.randint(4, 12), steps=rng.randint(4, 6), lr=rng.uniform(0.1, 0.8),
                    seed=_seed(), batch_seed=_seed())
# Task 6: a Linear (with and without a bias) and a BatchNorm1d to fold
fold_cfg = dict(fan_in=rng.randint(3, 9), fan_out=rng.randint(3, 9), eps=rng.choice([1e-5, 1e-3, 1e-2]),
                seed=_seed())
# Task 7: how many steps the all-zero model trains
zero_steps = rng.randint(100, 200)

# %% include="names_split" checks block_size=3

# %% checks
# Shared by the checks (grader only).
import random

import torch.nn.functional as F
from autograder.check import Missing, as_tensor


def eval_batches():
    """{split: (X, Y)} of the evaluation names drawn for this submission, as the probes draw them."""
    rs = random.Random(_zth_in.eval_seed)
    return {s: words_xy(rs.sample(split_names(s), _zth_in.eval_names)) for s in ("train", "val")}


def near(a, b, atol=1e-6, rtol=1e-5):
    """a (an exported value) has b's shape and is close to it: a verdict, not a check."""
    a, b = as_tensor(a), torch.as_tensor(b, dtype=torch.float64)
    return (a is not None and a.shape == b.shape and bool(torch.isfinite(a).all())
            and bool(torch.allclose(a, b, atol=atol, rtol=rtol)))


def tensors(vals, shapes):
    """vals as float64 tensors if it is a list of tensors of these shapes, else None."""
    if not isinstance(vals, list) or len(vals) != len(shapes):
        return None
    ts = [as_tensor(v) for v in vals]
    if any(u is None or tuple(u.shape) != tuple(s) or not bool(torch.isfinite(u).all())
           for u, s in zip(ts, shapes)):
        return None
    return ts


def fail_all(t, got, whats, hint=""):
    for what in whats:
        t.fail(got, what, hint)


# %% probes
# Helpers of the hidden tests (graded notebook only).
def _zth_contexts(ws, bs=3):
    _X = []
    for _w in ws:
        _ctx = [0] * bs
        for _ix in [ord(c) - 96 for c in _w] + [0]:
            _X.append(_ctx)
            _ctx = _ctx[1:] + [_ix]
    return torch.tensor(_X)


def _zth_eval_contexts():
    """{split: contexts} of the evaluation names drawn for this submission."""
    _ws = load_text("names.txt").splitlines()
    random.Random(42).shuffle(_ws)
    _n1, _n2 = int(0.8 * len(_ws)), int(0.9 * len(_ws))
    _rs = random.Random(_zth_in.eval_seed)
    return {"train": _zth_contexts(_rs.sample(_ws[:_n1], _zth_in.eval_names)),
            "val": _zth_contexts(_rs.sample(_ws[_n1:_n2], _zth_in.eval_names))}

# %% [markdown]
# ## The data
#
# The same data as in chapter 3: three characters of context predict the next one.
# The names are shuffled with a fixed seed and split 80 / 10 / 10.

# %% include="names_data" block_size=3

# %% [markdown]
# ## Task 1: an initialisation that starts at the right loss (2 points)
#
# Before training, the network knows nothing, so it should give every one of the 27
# characters about the same probability: the loss should be $-\ln(1/27) \approx 3.2958$.
# With the careless initialisation of chapter 3 (every parameter standard normal) the
# logits are large and the softmax is *confidently wrong*: the first loss is about 27.
#
# Write `init_params(n_embd, n_hidden, g)` returning `[C, W1, b1, W2, b2]` for the
# network of `mlp_forward` below, drawn with `torch.randn(..., generator=g)`, so that
#
# * the output layer starts nearly silent: `W2` scaled down by 0.01 and `b2` zero, so
#   that the first loss is about 3.30;
# * `W1` has Kaiming's standard deviation for tanh, $\text{gain} / \sqrt{\text{fan\_in}}$
#   with gain $5/3$ and fan_in `n_embd * block_size`, so the tanh layer is not
#   saturated; `b1` small (scaled by 0.01).
#
# `C` stays standard normal. The tensors need not require gradients here.

# %%
def mlp_forward(params, X):
    """Logits (N, vocab_size) and hidden pre-activations (N, n_hidden) of the MLP."""
    C, W1, b1, W2, b2 = params
    emb = C[X]                                  # (N, block_size, n_embd)
    hpre = emb.view(emb.shape[0], -1) @ W1 + b1  # (N, n_hidden)
    h = torch.tanh(hpre)
    return h @ W2 + b2, hpre


# %% solution="init_params"
def init_params(n_embd, n_hidden, g):
    """[C, W1, b1, W2, b2], initialised so that training starts well.

    >>> ps = init_params(10, 200, torch.Generator().manual_seed(0))
    >>> [tuple(p.shape) for p in ps]
    [(27, 10), (30, 200), (200,), (200, 27), (27,)]
    """
    ### BEGIN SOLUTION
    fan_in = n_embd * block_size
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((fan_in, n_hidden), generator=g) * (5 / 3) / fan_in**0.5
    b1 = torch.randn(n_hidden, generator=g) * 0.01
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.01
    b2 = torch.zeros(vocab_size)
    return [C, W1, b1, W2, b2]
    ### END SOLUTION


# %% test="init_fix" points=2
### BEGIN HIDDEN TESTS
def _zth_init(n_embd, n_hidden, seed):
    return [_p.detach() for _p in init_params(n_embd, n_hidden, torch.Generator().manual_seed(seed))]
for _i, _cfg in enumerate(_zth_in.init_cfgs):
    _zth_export(f"init/{_i}", lambda: _zth_init(*_cfg))
### END HIDDEN TESTS
_ps = init_params(10, 200, torch.Generator().manual_seed(SEED))
assert [tuple(p.shape) for p in _ps] == [(27, 10), (30, 200), (200,), (200, 27), (27,)], \
    "shapes of [C, W1, b1, W2, b2]"
_logits, _hpre = mlp_forward(_ps, Xtr[:2000])
_loss = F.cross_entropy(_logits, Ytr[:2000]).item()
print(f"initial loss {_loss:.4f} (ideal {-math.log(1 / 27):.4f})")
assert abs(_loss - 3.2958) < 0.05, f"initial loss {_loss:.3f}: the output layer should start near zero"
_want = (5 / 3) / 30**0.5
assert abs(_ps[1].std().item() / _want - 1) < 0.1, \
    f"W1 has std {_ps[1].std().item():.3f}; Kaiming for tanh with fan_in 30 gives {_want:.3f}"
print(f"tanh units saturated (|h| > 0.99): {(_hpre.tanh().abs() > 0.99).float().mean():.1%}")
print("ok")

# %% check="init_fix"
def check(x, t):
    Xv, Yv = eval_batches()["val"]
    for i, (E, H, seed) in enumerate(_zth_in.init_cfgs):
        what = f"init_params, sizes {i + 1} of 2"     # messages name no hidden input
        whats = [f"{what}: shapes, and C standard normal", f"{what}: W1 (Kaiming for tanh) and b1 (small)",
                 f"{what}: a silent output layer and the first loss"]
        got = x[f"init/{i}"]
        ps = tensors(got, [(27, E), (3 * E, H), (H,), (H, 27), (27,)])
        if ps is None:
            fail_all(t, got, whats, "expected [C (27, n_embd), W1 (3 * n_embd, n_hidden), b1 (n_hidden,), "
                     "W2 (n_hidden, 27), b2 (27,)]")
            continue
        C, W1, b1, W2, b2 = ps
        t.true(abs(C.std().item() - 1) < 0.25 and abs(C.mean().item()) < 0.25, whats[0],
               "C stays standard normal")
        kaiming = (5 / 3) / math.sqrt(3 * E)
        t.true(abs(W1.std().item() / kaiming - 1) < 0.08 and b1.abs().max().item() < 0.1, whats[1],
               "W1: standard normal times gain / sqrt(fan_in) with gain 5/3; b1 scaled by 0.01")
        logits = torch.tanh(C[Xv].flatten(1) @ W1 + b1) @ W2 + b2
        loss = F.cross_entropy(logits, Yv).item()
        t.true(abs(W2.std().item() / 0.01 - 1) < 0.15 and bool((b2 == 0).all()) and abs(loss - math.log(27)) < 0.04,
               whats[2], "W2: standard normal scaled by 0.01, b2 zero: the first loss should be about -ln(1/27)")


# %% [markdown]
# ## Task 2: `Linear` and `Tanh` (2 points)
#
# From here on, layers are objects, like `torch.nn`'s: a layer is called on a batch,
# keeps its output in `self.out` (for the diagnostic plots of the lecture) and lists
# its trainable tensors in `parameters()`.
#
# * `Linear(fan_in, fan_out, bias=True, generator=None)`: `weight` of shape
#   `(fan_in, fan_out)` drawn standard normal (with the generator) and divided by
#   $\sqrt{\text{fan\_in}}$, `bias` zeros of shape `(fan_out,)` or `None`;
#   `x @ weight + bias`; `parameters()` is `[weight, bias]` or `[weight]`.
#   (PyTorch stores the transpose, `(fan_out, fan_in)`; the grader accounts for that.)
# * `Tanh()`: `torch.tanh`, no parameters.

# %% solution="linear_tanh"
class Linear:
    def __init__(self, fan_in, fan_out, bias=True, generator=None):
        ### BEGIN SOLUTION
        self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None
        ### END SOLUTION

    def __call__(self, x):
        ### BEGIN SOLUTION
        self.out = x @ self.weight
        if self.bias is not None:
            self.out = self.out + self.bias
        return self.out
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return [self.weight] + ([] if self.bias is None else [self.bias])
        ### END SOLUTION


class Tanh:
    def __call__(self, x):
        ### BEGIN SOLUTION
        self.out = torch.tanh(x)
        return self.out
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return []
        ### END SOLUTION


# %% test="linear_tanh" points=2
### BEGIN HIDDEN TESTS
def _zth_linear_data():
    _c = _zth_in.linear_cfg
    _g = torch.Generator().manual_seed(_c["seed"])
    return (torch.randn(_c["fan_in"], _c["fan_out"], generator=_g), torch.randn(_c["fan_out"], generator=_g),
            torch.randn(_c["n"], _c["fan_in"], generator=_g) * _c["scale"])
def _zth_linear(bias):
    _W, _b, _x = _zth_linear_data()
    _lin = Linear(_W.shape[0], _W.shape[1], bias=bias)
    _lin.weight = _W.clone()
    if bias:
        _lin.bias = _b.clone()
    _out = _lin(_x)
    return [_out, getattr(_lin, "out", None), list(_lin.parameters())]
_zth_export("linear/bias", lambda: _zth_linear(True))
_zth_export("linear/nobias", lambda: _zth_linear(False))
def _zth_linear_init():
    _fi, _fo, _seed = _zth_in.linear_init
    _lin = Linear(_fi, _fo, generator=torch.Generator().manual_seed(_seed))
    return [_lin.weight, _lin.bias, getattr(Linear(_fi, _fo, bias=False), "bias", 0) is None]
_zth_export("linear/init", _zth_linear_init)
def _zth_tanh():
    _x = _zth_linear_data()[2]
    _th = Tanh()
    _out = _th(_x)
    return [_out, getattr(_th, "out", None), list(_th.parameters())]
_zth_export("tanh", _zth_tanh)
### END HIDDEN TESTS
_lin = Linear(3, 2)
assert tuple(_lin.weight.shape) == (3, 2) and tuple(_lin.bias.shape) == (2,), "weight (fan_in, fan_out), bias (fan_out,)"
_x = torch.randn(4, 3)
assert torch.allclose(_lin(_x), _x @ _lin.weight + _lin.bias), "x @ weight + bias"
assert _lin.out is not None and len(_lin.parameters()) == 2
assert Linear(3, 2, bias=False).bias is None and len(Linear(3, 2, bias=False).parameters()) == 1
_std = Linear(1000, 200).weight.std().item()
assert abs(_std - 1000**-0.5) < 0.003, f"Linear(1000, 200).weight has std {_std:.4f}, not 1/sqrt(fan_in)"
assert torch.allclose(Tanh()(_x), torch.tanh(_x)) and Tanh().parameters() == []
print("ok")

# %% check="linear_tanh"
def check(x, t):
    c = _zth_in.linear_cfg
    fi, fo = c["fan_in"], c["fan_out"]
    g = torch.Generator().manual_seed(c["seed"])
    W, b = torch.randn(fi, fo, generator=g), torch.randn(fo, generator=g)
    xin = torch.randn(c["n"], fi, generator=g) * c["scale"]
    for key, bias in (("linear/bias", True), ("linear/nobias", False)):
        lin = torch.nn.Linear(fi, fo, bias=bias)
        with torch.no_grad():
            lin.weight.copy_(W.T)
            if bias:
                lin.bias.copy_(b)
            want = lin(xin)
        what = f"Linear(bias={bias}) with given weights"
        got = x[key]
        if not isinstance(got, list) or len(got) != 3:
            fail_all(t, got, [f"{what} on a batch", f"{what}: self.out and parameters()"])
            continue
        ok = t.close(got[0], want, f"{what} on a batch, compared with torch.nn.Linear", atol=1e-5)
        params = [W, b] if bias else [W]
        t.true(ok and near(got[1], want, atol=1e-5) and isinstance(got[2], list) and len(got[2]) == len(params)
               and all(near(p, q) for p, q in zip(got[2], params)),
               f"{what}: self.out and parameters()",
               "keep the output in self.out; parameters() is [weight, bias], or [weight] without a bias"
               if ok else "the output itself is wrong")
    fi, fo, _ = _zth_in.linear_init
    got = x["linear/init"]
    ts = tensors(got[:2], [(fi, fo), (fo,)]) if isinstance(got, list) and len(got) == 3 else None
    if ts is None:
        t.fail(got, "a new Linear at creation", "expected weight (fan_in, fan_out) and bias (fan_out,)")
    else:
        w, bb = ts
        t.true(abs(w.std().item() * math.sqrt(fi) - 1) < 0.06 and abs(w.mean().item()) < 0.01
               and bool((bb == 0).all()) and got[2] is True, "a new Linear at creation",
               "weight standard normal / sqrt(fan_in), bias zeros, or None with bias=False")
    got = x["tanh"]
    if not isinstance(got, list) or len(got) != 3:
        t.fail(got, "Tanh on a batch: output, self.out, no parameters")
    else:
        want = torch.nn.Tanh()(xin)
        t.true(near(got[0], want) and near(got[1], want) and got[2] == [],
               "Tanh on a batch: output, self.out, no parameters", "torch.tanh of the input, kept in self.out")


# %% [markdown]
# ## Task 3: `BatchNorm1d` (3 points)
#
# `BatchNorm1d(dim, eps=1e-5, momentum=0.1)` behaves like `torch.nn.BatchNorm1d` on
# inputs of shape `(N, dim)`:
#
# * trainable `gamma` (ones) and `beta` (zeros), `parameters()` is `[gamma, beta]`;
# * buffers `running_mean` (zeros) and `running_var` (ones) of shape `(dim,)`, and a flag
#   `training` (True at creation);
# * in training mode it normalises with the statistics of the batch: the mean and the
#   **biased** variance (divide by N), $\hat{x} = (x - \mu) / \sqrt{\sigma^2 + \epsilon}$,
#   output $\gamma \hat{x} + \beta$; and it updates the buffers,
#   `running = (1 - momentum) * running + momentum * batch_statistic`, where the
#   variance that goes into `running_var` is the **unbiased** one (divide by N - 1), as
#   PyTorch does. The buffers are not trained: update them under `torch.no_grad()`.
# * in eval mode (`training = False`) it normalises with `running_mean` and
#   `running_var` and leaves them unchanged.

# %% solution="batchnorm"
class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        ### BEGIN SOLUTION
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)
        ### END SOLUTION

    def __call__(self, x):
        ### BEGIN SOLUTION
        if self.training:
            xmean = x.mean(0)                       # (dim,)
            xvar = x.var(0, unbiased=False)         # (dim,) biased: what normalises
        else:
            xmean, xvar = self.running_mean, self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                m = self.momentum
                self.running_mean = (1 - m) * self.running_mean + m * xmean
                self.running_var = (1 - m) * self.running_var + m * x.var(0, unbiased=True)
        return self.out
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return [self.gamma, self.beta]
        ### END SOLUTION


# %% test="batchnorm" points=3
### BEGIN HIDDEN TESTS
def _zth_bn_run(dim, momentum, train_sizes, eval_sizes, seed):
    _g = torch.Generator().manual_seed(seed)
    _bn = BatchNorm1d(dim, momentum=momentum)
    _bn.gamma = torch.randn(dim, generator=_g)
    _bn.beta = torch.randn(dim, generator=_g)
    _rec = []
    for _n in train_sizes:
        _xb = torch.randn(_n, dim, generator=_g) * 2.5 + 1.0
        _rec += [_bn(_xb).reshape(-1), _bn.running_mean.reshape(-1).clone(), _bn.running_var.reshape(-1).clone()]
    _bn.training = False
    for _n in eval_sizes:
        _xb = torch.randn(_n, dim, generator=_g) * 2.5 + 1.0
        _rec += [_bn(_xb).reshape(-1), _bn.running_mean.reshape(-1).clone(), _bn.running_var.reshape(-1).clone()]
    return torch.cat(_rec)
for _i, _run in enumerate(_zth_in.bn_runs):
    _zth_export(f"bn/run/{_i}", lambda: _zth_bn_run(*_run))
def _zth_bn_init(dim):
    _b = BatchNorm1d(dim)
    return [_b.gamma.reshape(-1).tolist(), _b.beta.reshape(-1).tolist(), _b.running_mean.reshape(-1).tolist(),
            _b.running_var.reshape(-1).tolist(), _b.training, [_p.reshape(-1).tolist() for _p in _b.parameters()],
            _b.eps, _b.momentum]
_zth_export("bn/init", lambda: _zth_bn_init(_zth_in.bn_init_dim))
### END HIDDEN TESTS
_bn = BatchNorm1d(4)
_x = torch.randn(10, 4) * 3 + 2
_out = _bn(_x)
_ref = torch.nn.BatchNorm1d(4)
_want = _ref(_x)
assert torch.allclose(_out, _want, atol=1e-5), "training mode: normalise with the batch mean and the biased variance"
assert torch.allclose(_bn.running_mean.reshape(-1), _ref.running_mean, atol=1e-5), "running_mean after one step"
assert torch.allclose(_bn.running_var.reshape(-1), _ref.running_var, atol=1e-5), \
    "running_var after one step: PyTorch puts the unbiased variance (N - 1) in it"
_bn.training = False
_ref.eval()
_x2 = torch.randn(3, 4)
assert torch.allclose(_bn(_x2), _ref(_x2), atol=1e-5), "eval mode: normalise with the running statistics"
assert torch.allclose(_bn.running_var.reshape(-1), _ref.running_var, atol=1e-5), "eval mode must not update the buffers"
print("ok")

# %% check="batchnorm"
def check(x, t):
    for i, (dim, m, train_sizes, eval_sizes, seed) in enumerate(_zth_in.bn_runs):
        g = torch.Generator().manual_seed(seed)
        bn = torch.nn.BatchNorm1d(dim, momentum=m)
        with torch.no_grad():
            bn.weight.copy_(torch.randn(dim, generator=g))
            bn.bias.copy_(torch.randn(dim, generator=g))
        parts, names = [], []
        for n in train_sizes:
            xb = torch.randn(n, dim, generator=g) * 2.5 + 1.0
            parts += [bn(xb).detach().reshape(-1), bn.running_mean.clone(), bn.running_var.clone()]
            names += [f"training call {len(names) // 3 + 1}: output", "running_mean after it", "running_var after it"]
        bn.eval()
        for n in eval_sizes:
            xb = torch.randn(n, dim, generator=g) * 2.5 + 1.0
            parts += [bn(xb).detach().reshape(-1), bn.running_mean.clone(), bn.running_var.clone()]
            names += [f"eval call {len(names) // 3 + 1 - len(train_sizes)}: output", "running_mean after it",
                      "running_var after it"]
        got = x[f"bn/run/{i}"]
        want = torch.cat(parts)
        if not (isinstance(got, torch.Tensor) and got.shape == want.shape):
            t.close(got, want, f"BatchNorm1d run {i + 1} of 2: outputs and running statistics of "
                    f"{len(train_sizes)} training and {len(eval_sizes)} eval calls")
            continue
        k = 0
        for p, name in zip(parts, names):
            t.close(got[k:k + len(p)], p, f"BatchNorm1d run {i + 1} of 2, {name}", atol=1e-5,
                    hint=("the unbiased variance (N - 1) goes into running_var, and only in training mode"
                          if "running_var" in name else ""))
            k += len(p)
    d = _zth_in.bn_init_dim
    t.equal(x["bn/init"], [[1.0] * d, [0.0] * d, [0.0] * d, [1.0] * d, True, [[1.0] * d, [0.0] * d], 1e-5, 0.1],
            "BatchNorm1d(dim) at creation: gamma, beta, running_mean, running_var, training, parameters(), "
            "eps, momentum")


# %% [markdown]
# ## Task 4: the model (1 point)
#
# `build_model(n_embd, n_hidden, g, momentum=0.1)` returns `(C, layers)`: the embedding
# table `C` (`vocab_size` x `n_embd`, standard normal) and the list
#
#     Linear(n_embd * block_size, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
#     Linear(n_hidden, vocab_size)
#
# Why `bias=False`? BatchNorm subtracts the batch mean right after the first `Linear`,
# which removes any bias it adds: that bias would be a wasted parameter (its gradient is
# zero). BatchNorm's `beta` plays its role.
#
# Initialise: draw everything from `g`; multiply the first `Linear`'s weight by the tanh
# gain 5/3 and the last one's by 0.1 (a quiet output layer, for a first loss near
# 3.30). Finally set `requires_grad = True` on every parameter.

# %%
def model_forward(C, layers, X):
    """Logits (N, vocab_size) of the layered model on inputs X (N, block_size)."""
    emb = C[X]                              # (N, block_size, n_embd)
    x = emb.view(emb.shape[0], -1)          # (N, block_size * n_embd)
    for layer in layers:
        x = layer(x)
    return x


def parameters_of(C, layers):
    return [C] + [p for layer in layers for p in layer.parameters()]


# %% solution="model"
def build_model(n_embd, n_hidden, g, momentum=0.1):
    """(C, layers) of the MLP with BatchNorm.

    >>> C, layers = build_model(10, 200, torch.Generator().manual_seed(0))
    >>> sum(p.numel() for p in parameters_of(C, layers))
    12097
    """
    ### BEGIN SOLUTION
    C = torch.randn((vocab_size, n_embd), generator=g)
    layers = [Linear(n_embd * block_size, n_hidden, bias=False, generator=g),
              BatchNorm1d(n_hidden, momentum=momentum), Tanh(),
              Linear(n_hidden, vocab_size, generator=g)]
    with torch.no_grad():
        layers[0].weight *= 5 / 3       # tanh gain
        layers[-1].weight *= 0.1        # a quiet output layer
    for p in parameters_of(C, layers):
        p.requires_grad = True
    return C, layers
    ### END SOLUTION


# %% test="model" points=1
### BEGIN HIDDEN TESTS
def _zth_model(n_embd, n_hidden, momentum, seed):
    _C, _layers = build_model(n_embd, n_hidden, torch.Generator().manual_seed(seed), momentum=momentum)
    _ps = parameters_of(_C, _layers)
    # weights of your Linear as it comes (same fan_in, 200 outputs), to measure the scaling by
    _g2 = torch.Generator().manual_seed(seed + 1)
    _plain = [Linear(n_embd * block_size, 200, bias=False, generator=_g2).weight,
              Linear(n_hidden, 200, generator=_g2).weight]
    return {"params": [_p.detach() for _p in _ps], "grad": [bool(_p.requires_grad) for _p in _ps],
            "kinds": [type(_l).__name__ for _l in _layers],
            "momentum": getattr(_layers[1], "momentum", None) if len(_layers) > 1 else None,
            "plain": [_w.detach() for _w in _plain]}
for _i, _cfg in enumerate(_zth_in.model_cfgs):
    _zth_export(f"model/{_i}", lambda: _zth_model(*_cfg))
### END HIDDEN TESTS
_C, _layers = build_model(10, 200, torch.Generator().manual_seed(SEED))
_n = sum(p.numel() for p in parameters_of(_C, _layers))
assert _n == 12097, f"{_n} parameters, expected 12097 (is there a bias in front of the BatchNorm?)"
with torch.no_grad():
    _loss = F.cross_entropy(model_forward(_C, _layers, Xtr[:2000]), Ytr[:2000]).item()
print(f"initial loss {_loss:.4f}")
assert abs(_loss - 3.2958) < 0.1, f"initial loss {_loss:.3f}, expected about 3.30"
print("ok")

# %% check="model"
def check(x, t):
    for i, (E, H, m, seed) in enumerate(_zth_in.model_cfgs):
        what = f"build_model, sizes and momentum {i + 1} of 2"
        whats = [f"{what}: parameters_of(C, layers), each requiring grad", f"{what}: the layers",
                 f"{what}: the initialisation"]
        r = x[f"model/{i}"]
        if not isinstance(r, dict):
            fail_all(t, r, whats)
            continue
        ps = tensors(r.get("params"), [(27, E), (3 * E, H), (H,), (H,), (H, 27), (27,)])
        t.true(ps is not None and r.get("grad") == [True] * 6, whats[0],
               "[C, the first Linear's weight (no bias: a BatchNorm follows), gamma, beta, the last "
               "Linear's weight and bias], every one with requires_grad = True")
        t.true(r.get("kinds") == ["Linear", "BatchNorm1d", "Tanh", "Linear"] and r.get("momentum") == m, whats[1],
               "Linear, BatchNorm1d (with the momentum given), Tanh, Linear")
        if ps is None:
            t.fail(Missing("the parameters have other shapes"), whats[2])
            continue
        C, W1, gamma, beta, W2, b2 = ps
        # the scaling is measured against the student's own Linear (the std of its weight as it
        # comes, same fan_in, 200 outputs), so that a Linear that misses 1 / sqrt(fan_in) costs
        # Task 2 only
        plain = tensors(r.get("plain"), [(3 * E, 200), (H, 200)])
        plain = [w.std().item() for w in plain] if plain is not None else [0, 0]
        if min(plain) < 1e-6:
            plain = [1 / math.sqrt(3 * E), 1 / math.sqrt(H)]
        ok = (abs(C.std().item() - 1) < 0.25 and abs(W1.std().item() / (5 / 3 * plain[0]) - 1) < 0.1
              and abs(W2.std().item() / (0.1 * plain[1]) - 1) < 0.1 and bool((gamma == 1).all())
              and bool((beta == 0).all()) and bool((b2 == 0).all()))
        t.true(ok, whats[2], "C standard normal; the first Linear's weight times 5/3, the last one's times 0.1")


# %% [markdown]
# ## Task 5: the training loop (3 points)
#
# Write `train(C, layers, X, Y, steps, batch_size=32, lr=0.1, g=None)`: plain SGD on
# minibatches, returning the list of the `steps` training losses (floats). Each step:
#
# 1. draws the minibatch with `ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)`
#    (exactly this call, once per step: the grader replays it);
# 2. computes the logits with `model_forward` and the loss with `F.cross_entropy`;
# 3. resets every parameter's `.grad` to `None`, calls `loss.backward()`;
# 4. updates every parameter with learning rate `lr` for the first `steps // 2` steps
#    and `lr / 10` afterwards.
#
# `split_loss` below evaluates in eval mode (running statistics); the layers are put
# back in training mode afterwards.

# %% solution="train"
def train(C, layers, X, Y, steps, batch_size=32, lr=0.1, g=None):
    """Train in place with minibatch SGD; return the list of losses."""
    ### BEGIN SOLUTION
    params = parameters_of(C, layers)
    lossi = []
    for i in range(steps):
        ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)
        logits = model_forward(C, layers, X[ix])        # (batch_size, vocab_size)
        loss = F.cross_entropy(logits, Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        step_lr = lr if i < steps // 2 else lr / 10
        with torch.no_grad():
            for p in params:
                p -= step_lr * p.grad
        lossi.append(loss.item())
    return lossi
    ### END SOLUTION


# %%
@torch.no_grad()
def split_loss(C, layers, X, Y):
    """Mean loss on (X, Y) in eval mode."""
    for layer in layers:
        layer.training = False
    loss = F.cross_entropy(model_forward(C, layers, X), Y).item()
    for layer in layers:
        layer.training = True
    return loss


# %% [markdown]
# Now train. At the lecture's settings (`SCALE = "full"`: 200,000 steps) this model
# reaches about 2.067 on the training set and 2.106 on the validation set; the
# `"colab"` run is shorter, and the grader's shorter still. The momentum of the
# running statistics is matched to the run length: a long run can average over
# more steps. (This cell is locked: the grader evaluates the net it trains.)

# %% locked
CFG = {"grading": dict(steps=3000, momentum=0.01),
       "colab": dict(steps=30000, momentum=0.003),
       "full": dict(steps=200000, momentum=0.001)}[SCALE]
g = torch.Generator().manual_seed(SEED)
C, layers = build_model(10, 200, g, momentum=CFG["momentum"])
lossi = train(C, layers, Xtr, Ytr, CFG["steps"], g=g)
train_loss, val_loss = split_loss(C, layers, Xtr, Ytr), split_loss(C, layers, Xva, Yva)
print(f"{CFG['steps']} steps: train {train_loss:.4f}, val {val_loss:.4f}")

# %% test="train" points=3
### BEGIN HIDDEN TESTS
def _zth_replay():
    # a tiny model made of torch.nn layers: only your loop is tested here
    _c = _zth_in.train_replay
    _E, _H, _n = _c["n_embd"], _c["n_hidden"], _c["n"]
    _g = torch.Generator().manual_seed(_c["seed"])
    _Cz = torch.randn(27, _E, generator=_g).requires_grad_()
    _lz = [torch.nn.Linear(3 * _E, _H, bias=False), torch.nn.BatchNorm1d(_H), torch.nn.Tanh(), torch.nn.Linear(_H, 27)]
    with torch.no_grad():
        for _p in (p for l in _lz for p in l.parameters()):
            _p.copy_(torch.randn(_p.shape, generator=_g) * 0.5)
    _Xz = torch.randint(0, 27, (_n, 3), generator=_g)
    _Yz = torch.randint(0, 27, (_n,), generator=_g)
    _losses = train(_Cz, _lz, _Xz, _Yz, _c["steps"], batch_size=_c["batch_size"], lr=_c["lr"],
                    g=torch.Generator().manual_seed(_c["batch_seed"]))
    return [[float(_v) for _v in _losses], [_Cz] + [p for l in _lz for p in l.parameters()]]
_zth_export("train/replay", _zth_replay)
def _zth_eval_logits(split):
    # the net the locked cell above trained, in eval mode, on fresh names of a split
    _X = _zth_eval_contexts()[split]
    for _l in layers:
        _l.training = False
    try:
        with torch.no_grad():
            _h = C[_X].view(_X.shape[0], -1)
            for _l in layers:
                _h = _l(_h)
    finally:
        for _l in layers:
            _l.training = True
    return _h
_zth_export("train/logits_train", lambda: _zth_eval_logits("train"))
_zth_export("train/logits_val", lambda: _zth_eval_logits("val"))
# for the reference record only (the checks never read these)
_zth_export("record/train_loss", lambda: float(train_loss))
_zth_export("record/val_loss", lambda: float(val_loss))
_zth_export("record/curve", lambda: [float(torch.tensor(c).mean()) for c in
                                     torch.tensor(lossi).chunk(20)])
_zth_export("record/params", lambda: sum(p.numel() for p in parameters_of(C, layers)))
_zth_export("record/config", lambda: dict(CFG, n_embd=10, n_hidden=200, batch_size=32, lr=0.1))
### END HIDDEN TESTS
assert len(lossi) == CFG["steps"], "train returns one loss per step"
assert sum(lossi[-100:]) / 100 < sum(lossi[:100]) / 100 - 0.5, "the loss did not fall"
assert val_loss < 2.6, f"validation loss {val_loss:.3f} is high"
print("ok")

# %% check="train"
def check(x, t):
    # 1. a few steps of a tiny torch.nn model, replayed exactly
    c = _zth_in.train_replay
    E, H, n, steps = c["n_embd"], c["n_hidden"], c["n"], c["steps"]
    g = torch.Generator().manual_seed(c["seed"])
    C = torch.randn(27, E, generator=g).requires_grad_()
    layers = [torch.nn.Linear(3 * E, H, bias=False), torch.nn.BatchNorm1d(H), torch.nn.Tanh(), torch.nn.Linear(H, 27)]
    params = [C] + [p for l in layers for p in l.parameters()]
    with torch.no_grad():
        for p in params[1:]:
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    X = torch.randint(0, 27, (n, 3), generator=g)
    Y = torch.randint(0, 27, (n,), generator=g)
    gb = torch.Generator().manual_seed(c["batch_seed"])
    losses = []
    for i in range(steps):
        ix = torch.randint(0, n, (c["batch_size"],), generator=gb)
        h = C[X[ix]].view(c["batch_size"], -1)
        for l in layers:
            h = l(h)
        loss = F.cross_entropy(h, Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= (c["lr"] if i < steps // 2 else c["lr"] / 10) * p.grad
        losses.append(loss.item())
    what = "train() on a tiny model, a few steps replayed"
    r = x["train/replay"]
    if not isinstance(r, list) or len(r) != 2:
        fail_all(t, r, [f"{what}: the losses", f"{what}: the parameters after them"])
    else:
        t.close(r[0], losses, f"{what}: the losses", atol=1e-5,
                hint="draw one minibatch per step with the given torch.randint call; F.cross_entropy of the logits")
        got = r[1]
        same = (isinstance(got, list) and len(got) == len(params)
                and all(near(a, p.detach(), atol=1e-5) for a, p in zip(got, params)))
        t.true(same, f"{what}: the parameters after them",
               "differ from plain SGD: reset .grad each step, use lr for steps // 2 steps then lr / 10")
    # 2. the grading-scale run of the locked cell: the grader computes the loss on fresh names
    #    of each split from the logits, and compares it with the reference runs (both sides)
    try:
        ref = reference("grading")["summary"]
        want = {k: (ref[f"record/{k}_loss"]["mean"], ref[f"record/{k}_loss"]["std"]) for k in ("train", "val")}
    except (FileNotFoundError, KeyError, TypeError):
        want = {"train": (2.336, 0.011), "val": (2.337, 0.009)}    # the solution's runs
    for split, (Xe, Ye) in eval_batches().items():
        what = f"the loss on fresh {split} names of the net trained at the grading scale"
        got = x[f"train/logits_{split}"]
        a = as_tensor(got)
        if a is None or tuple(a.shape) != (len(Ye), 27) or not bool(torch.isfinite(a).all()):
            t.fail(got, what, "expected finite logits of shape (N, 27)")
            continue
        per = F.cross_entropy(a, Ye, reduction="none")
        loss, se = per.mean().item(), per.std().item() / math.sqrt(len(Ye))
        mean, std = want[split]
        tol = max(0.05, 4 * std) + min(4 * se, 0.1)      # runs' spread + this sample's error
        t.true(abs(loss - mean) < tol, what,
               f"{loss:.3f} is {abs(loss - mean):.2f} {'above' if loss > mean else 'below'} the reference "
               f"runs' (tolerance {tol:.2f}): train exactly as the statement says")


# %% [markdown]
# ## Task 6: fold BatchNorm into the `Linear` before it (2 points)
#
# At inference time BatchNorm uses fixed numbers (`running_mean`, `running_var`,
# `gamma`, `beta`): it is an affine map applied per feature, and so is a `Linear`.
# Their composition is one `Linear`. Write `fold_batchnorm(linear, bn)` returning a new
# `Linear` (with a bias) whose output equals `bn(linear(x))` with `bn` in eval mode.
# `linear` may or may not have a bias; use `bn.eps`.
#
# Work it out: with $s = \gamma / \sqrt{\text{running\_var} + \epsilon}$ (one number per
# output feature), $\text{bn}(xW + b) = x (W s) + (b - \mu) s + \beta$.

# %% solution="bn_fold"
def fold_batchnorm(linear, bn):
    """A Linear equal to bn(linear(x)) in eval mode."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        scale = bn.gamma / torch.sqrt(bn.running_var + bn.eps)     # (fan_out,)
        bias = linear.bias if linear.bias is not None else torch.zeros_like(bn.beta)
        fused = Linear(*linear.weight.shape)
        fused.weight = linear.weight * scale                         # (fan_in, fan_out)
        fused.bias = (bias - bn.running_mean) * scale + bn.beta
    return fused
    ### END SOLUTION


# %% [markdown]
# Fold the trained model and check that nothing changed: the folded network has no
# BatchNorm, one `Linear` fewer, and the same logits.

# %%
folded = [fold_batchnorm(layers[0], layers[1])] + layers[2:]
for layer in layers:
    layer.training = False
with torch.no_grad():
    a = model_forward(C, layers, Xva[:1000])
    b = model_forward(C, folded, Xva[:1000])
for layer in layers:
    layer.training = True
print(f"max |difference| of the logits: {(a - b).abs().max().item():.2e}")

# %% test="bn_fold" points=2
### BEGIN HIDDEN TESTS
def _zth_fold(bias):
    _c = _zth_in.fold_cfg
    _fi, _fo = _c["fan_in"], _c["fan_out"]
    _g = torch.Generator().manual_seed(_c["seed"])
    _lin = Linear(_fi, _fo, bias=bias)
    _lin.weight = torch.randn(_fi, _fo, generator=_g)
    _b = torch.randn(_fo, generator=_g)
    if bias:
        _lin.bias = _b
    _bn = BatchNorm1d(_fo, eps=_c["eps"])
    _bn.gamma = torch.randn(_fo, generator=_g)
    _bn.beta = torch.randn(_fo, generator=_g)
    _bn.running_mean = torch.randn(_fo, generator=_g)
    _bn.running_var = torch.rand(_fo, generator=_g) + 0.2
    _bn.training = False
    _f = fold_batchnorm(_lin, _bn)
    return [_f.weight, _f.bias]
_zth_export("fold/bias", lambda: _zth_fold(True))
_zth_export("fold/nobias", lambda: _zth_fold(False))
### END HIDDEN TESTS
_diff = (a - b).abs().max().item()
assert _diff < 1e-4, f"folded and original logits differ by {_diff:.2e}"
assert not any(isinstance(l, BatchNorm1d) for l in folded)
print("ok")

# %% check="bn_fold"
def check(x, t):
    c = _zth_in.fold_cfg
    fi, fo = c["fan_in"], c["fan_out"]
    for key, bias in (("fold/bias", True), ("fold/nobias", False)):
        g = torch.Generator().manual_seed(c["seed"])
        lin = torch.nn.Linear(fi, fo, bias=bias)
        bn = torch.nn.BatchNorm1d(fo, eps=c["eps"]).eval()
        with torch.no_grad():
            lin.weight.copy_(torch.randn(fi, fo, generator=g).T)
            b = torch.randn(fo, generator=g)
            if bias:
                lin.bias.copy_(b)
            bn.weight.copy_(torch.randn(fo, generator=g))
            bn.bias.copy_(torch.randn(fo, generator=g))
            bn.running_mean.copy_(torch.randn(fo, generator=g))
            bn.running_var.copy_(torch.rand(fo, generator=g) + 0.2)
            xin = torch.randn(9, fi, generator=torch.Generator().manual_seed(c["seed"] + 1))
            want = bn(lin(xin)).double()
        what = (f"folded Linear (the original {'with' if bias else 'without'} a bias) against torch's "
                "Linear + BatchNorm1d in eval mode")
        ts = tensors(x[key], [(fi, fo), (fo,)])
        if ts is None:
            t.fail(x[key], what, "expected a Linear with weight (fan_in, fan_out) and bias (fan_out,)")
            continue
        t.close(xin.double() @ ts[0] + ts[1], want, what, atol=1e-5,
                hint="scale by gamma / sqrt(running_var + eps), and fold the mean and beta into the bias")


# %% [markdown]
# ## Task 7: what does an all-zero initialisation do? (2 points)
#
# Lecture exercise E01. Initialise **every** parameter of the model to zero (`C`, the
# weights and biases of both `Linear`s, and BatchNorm's `gamma` and `beta`), train it,
# and look at the gradients. Does it train?
#
# Write `zero_init_experiment(steps)`: build the model of Task 4 (`n_embd` 10,
# `n_hidden` 100, a generator seeded with `SEED`), set every parameter to zero, train it
# for `steps` steps with your `train`, and return
#
# * `changed`: a list of booleans, one per tensor of `parameters_of(C, layers)` in that
#   order, saying whether the tensor is no longer all zeros after training;
# * `logits`: the trained model's logits (eval mode) on `Xva[:5]`, shape (5, 27).
#
# Then set `ZERO_INIT_ANSWER` to the letter of the explanation your experiment supports:
#
# * `"a"`: every parameter trains, only more slowly, because all gradients start small;
# * `"b"`: nothing trains: every gradient is exactly zero, the loss stays at $\ln 27$;
# * `"c"`: only the output bias trains: every hidden activation is zero, so each weight's
#   gradient (the product of its layer's zero input and the upstream gradient) is zero,
#   and no gradient flows back through the zero weights; the network can only learn
#   how frequent each character is, the same prediction for every context;
# * `"d"`: only the embedding table `C` trains, because its gradient does not pass
#   through any weight.

# %% solution="zero_init"
def zero_init_experiment(steps):
    """([changed?] per parameter, logits on Xva[:5]) after training from all zeros."""
    ### BEGIN SOLUTION
    C, layers = build_model(10, 100, torch.Generator().manual_seed(SEED))
    params = parameters_of(C, layers)
    with torch.no_grad():
        for p in params:
            p.zero_()
    train(C, layers, Xtr, Ytr, steps, g=torch.Generator().manual_seed(SEED))
    changed = [bool((p != 0).any()) for p in params]
    for layer in layers:
        layer.training = False
    with torch.no_grad():
        logits = model_forward(C, layers, Xva[:5])
    for layer in layers:
        layer.training = True
    return changed, logits
    ### END SOLUTION


# %% [markdown]
# Your answer, one letter:

# %% solution="zero_init_answer"
### BEGIN SOLUTION
ZERO_INIT_ANSWER = "c"
### END SOLUTION

# %% test="zero_init" points=2
### BEGIN HIDDEN TESTS
_zth_zero = {}
def _zth_zero_run():
    if not _zth_zero:
        _zth_zero["r"] = zero_init_experiment(_zth_in.zero_steps)
    return _zth_zero["r"]
_zth_export("zero/changed", lambda: [bool(c) for c in _zth_zero_run()[0]])
_zth_export("zero/logits", lambda: _zth_zero_run()[1])
_zth_export("zero/answer", lambda: ZERO_INIT_ANSWER)
### END HIDDEN TESTS
_changed, _logits = zero_init_experiment(100)
print("changed:", _changed)
assert len(_changed) == 6, "one boolean per tensor of parameters_of(C, layers)"
assert tuple(_logits.shape) == (5, 27)
assert ZERO_INIT_ANSWER in ("a", "b", "c", "d"), "ZERO_INIT_ANSWER is one of 'a', 'b', 'c', 'd'"
print("ok")

# %% check="zero_init"
def check(x, t):
    # which tensors change: the same network in torch.nn, all zeros, a few SGD steps on
    # random data (a first Linear with a bias, a mistake that costs Task 4, is followed too)
    changed = x["zero/changed"]
    bias = isinstance(changed, list) and len(changed) == 7
    g = torch.Generator().manual_seed(0)
    C = torch.zeros(27, 10, requires_grad=True)
    layers = [torch.nn.Linear(30, 100, bias=bias), torch.nn.BatchNorm1d(100), torch.nn.Tanh(), torch.nn.Linear(100, 27)]
    params = [C] + [p for l in layers for p in l.parameters()]
    with torch.no_grad():
        for p in params:
            p.zero_()
    for _ in range(20):
        X, Y = torch.randint(0, 27, (32, 3), generator=g), torch.randint(0, 27, (32,), generator=g)
        h = C[X].view(32, -1)
        for l in layers:
            h = l(h)
        loss = F.cross_entropy(h, Y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.1 * p.grad
    want = [bool((p != 0).any()) for p in params]
    # the logits: only the output bias trains, so every context gets the same logits, and
    # they move towards the log-frequencies of the characters (whatever the details of
    # train(), which Task 5 grades): their correlation with them is about 0.85 after 100 steps
    Ytr = words_xy(split_names("train"))[1]
    logp = torch.bincount(Ytr, minlength=27).double().div(len(Ytr)).log()
    lg = as_tensor(x["zero/logits"])
    what = "the logits on Xva[:5] after training from all zeros"
    if lg is None or tuple(lg.shape) != (5, 27) or not bool(torch.isfinite(lg).all()):
        t.fail(x["zero/logits"], what, "expected finite logits of shape (5, 27)")
        logits_ok = False
    else:
        row = lg[0] - lg[0].mean()
        lp = logp - logp.mean()
        logits_ok = (bool((lg - lg[0]).abs().max() < 1e-5) and row.norm().item() > 1e-3
                     and (row @ lp / (row.norm() * lp.norm())).item() > 0.7)
        t.true(logits_ok, what, "not the logits of the all-zero model after training it with your train() "
               "(eval mode)")
    t.true(logits_ok and changed == want, "which parameters changed during training from all zeros", "train from all zeros and look at each tensor again" if logits_ok
           else "the experiment's logits are not right either")
    t.equal(x["zero/answer"], "c", "ZERO_INIT_ANSWER", "your experiment should tell you which it is")
