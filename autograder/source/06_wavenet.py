# %% [markdown]
# # Exercise 6: makemore 5, a WaveNet
#
# The MLP of chapter 3 squashes all eight characters of its context into one hidden
# layer in a single step. Here you build a deeper model that fuses them slowly, two at a
# time, in a tree (the idea of WaveNet's dilated causal convolutions): characters 1-2,
# 3-4, 5-6, 7-8 first, then pairs of pairs, then the two halves. On the way you write
# your own small `torch.nn`: layers that are objects with `__call__` and `parameters()`.
#
# Work top to bottom. Each task has a cell with `# YOUR CODE HERE`: replace the
# `raise NotImplementedError(...)` line with your code, then run the test cell below it.
# The grader also runs hidden tests on other inputs and compares your layers with
# `torch.nn` to within 1e-5.
#
# Tasks and points: `Embedding` (1), `FlattenConsecutive` (2), `Sequential` (1),
# `BatchNorm1d` on 2-D input (2), `BatchNorm1d` on 3-D input (2), the hierarchical
# model (2), training and evaluation (3). Total 13.

# %%
import math
import random

import torch
import torch.nn.functional as F

torch.manual_seed(SEED)

# %% [markdown]
# ## The data
#
# Every name becomes `len(name) + 1` examples: the `block_size` previous characters
# (`.` pads the start) and the character that follows. The names are shuffled with a
# fixed seed and split 80 / 10 / 10 into training, validation and test sets.

# %% include="names_data" block_size=8

# %% [markdown]
# ## Layers you already have
#
# `Linear` and `Tanh` are the ones from chapter 4. `Linear` works on any number of
# leading dimensions: `(B, T, fan_in) @ (fan_in, fan_out)` is `(B, T, fan_out)`.
# Every layer keeps its last output in `.out` (handy for plots) and lists its trainable
# tensors in `parameters()`.

# %%
class Linear:
    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = torch.randn((fan_in, fan_out)) / fan_in**0.5   # Kaiming-like init
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out = self.out + self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


# %% [markdown]
# ## Task 1: `Embedding` (1 point)
#
# `Embedding(num_embeddings, embedding_dim)` holds a table `weight` of shape
# `(num_embeddings, embedding_dim)` (standard normal at init) and maps a tensor of
# integer ids of any shape to their rows: ids of shape `(B, T)` give `(B, T, dim)`. It is
# `torch.nn.Embedding` without the options.

# %% solution="embedding"
class Embedding:
    def __init__(self, num_embeddings, embedding_dim):
        self.weight = torch.randn((num_embeddings, embedding_dim))

    def __call__(self, IX):
        """The rows of `weight` picked by the integer tensor IX: shape IX.shape + (dim,)."""
        ### BEGIN SOLUTION
        self.out = self.weight[IX]
        return self.out
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return [self.weight]
        ### END SOLUTION


# %% inputs
# The hidden tests' inputs, drawn afresh for each submission (see docs/ARCHITECTURE.md):
# probes read them in the kernel as _zth_in.NAME, checks in the grader as the same.
import math

import torch

_g = torch.Generator().manual_seed(rng.randrange(2**62))


def _randn(*shape):
    return torch.randn(shape, generator=_g)


# Task 1: a table, ids of shape (B, T) with an upstream gradient, 1-D ids; another size
_V, _D = rng.randint(5, 12), rng.randint(2, 6)
emb_weight = _randn(_V, _D)
emb_ids = torch.randint(0, _V, (rng.randint(2, 4), rng.randint(4, 7)), generator=_g)
emb_upstream = _randn(*emb_ids.shape, _D)
emb_ids_1d = torch.randint(0, _V, (rng.randint(2, 7),), generator=_g)
emb_size = [rng.randint(3, 40), rng.randint(2, 16)]
# Task 2: inputs (B, T, C) and n, T a multiple of n: the last level (T == n) and others
flat_cases = []
for _k in [1, 2, rng.randint(2, 4), rng.randint(1, 4)]:
    _n = rng.randint(2, 4)
    flat_cases.append([_randn(rng.randint(1, 4), _n * _k, rng.randint(1, 6)), _n])
# Task 3: a Sequential of affine maps x * a + b and squares, one nested Sequential
seq_spec = [["affine", rng.uniform(-2, 2), rng.uniform(-2, 2)], ["square"],
            ["nested", [["affine", rng.uniform(-2, 2), rng.uniform(-2, 2)], ["square"]]],
            ["affine", rng.uniform(-2, 2), rng.uniform(-2, 2)]]
rng.shuffle(seq_spec)
seq_x = _randn(rng.randint(3, 6))


def _bn_case(shape, steps):
    """gamma, beta, training batches with the gradients sent back, an evaluation batch."""
    C = shape[-1]
    return {"gamma": 1 + 0.3 * _randn(C), "beta": 0.2 * _randn(C),
            "xs": [_randn(*shape) * rng.uniform(0.5, 3.0) + rng.uniform(-2, 2) for _ in range(steps)],
            "ups": [_randn(*shape) for _ in range(steps)],
            "xe": _randn(*shape) * 2}


# Tasks 4 and 5: BatchNorm1d on 2-D (N, C) and 3-D (B, T, C) input
bn2d_cases = [_bn_case((rng.randint(4, 16), rng.randint(2, 6)), 3),
              _bn_case((rng.randint(20, 40), rng.randint(4, 8)), 2)]
bn3d_cases = [_bn_case((rng.randint(2, 6), rng.randint(2, 5), rng.randint(2, 6)), 3),
              _bn_case((rng.randint(6, 10), rng.randint(2, 4), rng.randint(4, 8)), 2)]
# Task 6: architectures (vocab, n_embd, n_hidden, block_size), a batch size, and one
# large enough to measure the scale of the last layer
model_cfgs = [[rng.randint(5, 40), rng.randint(2, 16), rng.randint(4, 40), rng.choice([2, 4, 8, 16])]
              for _ in range(3)]
model_batch = rng.randint(2, 6)
model_big = [rng.randint(20, 40), rng.randint(4, 16), rng.randint(32, 96), rng.choice([4, 8])]
# Task 7: a few steps of train() on a small model; evaluate() on a model whose layers
# scale their input differently in training and in evaluation mode; the validation
# rows (numbers taken modulo the number of rows) the trained model is evaluated on
train_E = _randn(5, 3)
train_W = _randn(6, 5) * 0.5
train_X = torch.randint(0, 5, (rng.randint(6, 12), 2), generator=_g)
train_Y = torch.randint(0, 5, (train_X.shape[0],), generator=_g)
train_args = {"steps": rng.randint(6, 12), "batch_size": rng.randint(3, 8),
              "lr": rng.uniform(0.2, 0.8), "seed": rng.randrange(2**31)}
mode_factors = [rng.uniform(1.5, 3.0), rng.uniform(0.2, 0.8)]     # training, evaluation
mode_X = _randn(rng.randint(2, 5), rng.randint(3, 6))
mode_Y = torch.randint(0, mode_X.shape[1], (mode_X.shape[0],), generator=_g)
eval_rows = [rng.randrange(2**31) for _ in range(5000)]


# %% include="names_split" checks block_size=8

# %% checks
# Helpers shared by the checks of this chapter (trusted, grader side).
import random


def bn_oracle(case):
    """The same calls on torch.nn.BatchNorm1d (channels moved to dim 1 for 3-D input)."""
    shape = tuple(case["xs"][0].shape)
    bn = torch.nn.BatchNorm1d(shape[-1], eps=1e-5, momentum=0.1).double()
    with torch.no_grad():
        bn.weight.copy_(case["gamma"])
        bn.bias.copy_(case["beta"])
    fwd = (lambda a: bn(a)) if len(shape) == 2 else (lambda a: bn(a.transpose(1, 2)).transpose(1, 2))
    outs = []
    for xb, up in zip(case["xs"], case["ups"]):
        xb = xb.double().requires_grad_()
        out = fwd(xb)
        (out * up.double()).sum().backward()
        outs.append([out.detach(), xb.grad])
    grads = [bn.weight.grad, bn.bias.grad]
    bn.eval()
    with torch.no_grad():
        ev = fwd(case["xe"].double())
    return outs, grads, ev, bn.running_mean, bn.running_var


def compare_bn(x, t, key, case):
    got = x[key]
    shape = tuple(case["xs"][0].shape)
    steps = len(case["xs"])
    if not (isinstance(got, list) and len(got) == 5 and isinstance(got[0], list) and len(got[0]) == steps
            and all(isinstance(o, list) and len(o) == 2 for o in got[0])
            and isinstance(got[1], list) and len(got[1]) == 2):
        t.fail(got, f"BatchNorm1d on {shape} input", "could not be computed")
        return
    outs, grads, ev, rm, rv = bn_oracle(case)
    for k in range(steps):
        t.close(got[0][k][0], outs[k][0], f"{shape} input, training step {k + 1}: output", atol=1e-5,
                hint="normalize with the batch mean and the biased variance (divide by n)")
        t.close(got[0][k][1], outs[k][1], f"{shape} input, training step {k + 1}: gradient wrt the input",
                atol=1e-5)
    t.close(got[1][0], grads[0], f"{shape} input: gradient of gamma", atol=1e-5)
    t.close(got[1][1], grads[1], f"{shape} input: gradient of beta", atol=1e-5)
    t.close(got[3], rm, f"{shape} input: running_mean after {steps} steps", atol=1e-5,
            hint="one running mean per channel, shape (C,), momentum 0.1")
    t.close(got[4], rv, f"{shape} input: running_var after {steps} steps", atol=1e-5,
            hint="the running variance uses the unbiased batch variance (n - 1), momentum 0.1; shape (C,)")
    t.close(got[2], ev, f"{shape} input: output in evaluation mode", atol=1e-5,
            hint="in evaluation mode normalize with the running estimates")


# %% test="embedding" points=1
### BEGIN HIDDEN TESTS
def _zth_emb():
    emb = Embedding(*_zth_in.emb_weight.shape)
    emb.weight = _zth_in.emb_weight.clone().requires_grad_()
    out = emb(_zth_in.emb_ids.clone())
    (out * _zth_in.emb_upstream).sum().backward()
    return [out, emb.weight.grad]
_zth_export("emb/out_grad", _zth_emb)
_zth_export("emb/params", lambda: [list(p.shape) for p in Embedding(*_zth_in.emb_size).parameters()])
def _zth_emb_1d():
    emb = Embedding(*_zth_in.emb_weight.shape)
    emb.weight = _zth_in.emb_weight.clone()
    return emb(_zth_in.emb_ids_1d.clone())
_zth_export("emb/1d", _zth_emb_1d)
### END HIDDEN TESTS
_emb = Embedding(5, 2)
_out = _emb(torch.tensor([[0, 4], [4, 1]]))
assert _out.shape == (2, 2, 2), f"ids of shape (2, 2) should give (2, 2, 2), got {tuple(_out.shape)}"
assert torch.equal(_out[0, 1], _emb.weight[4]), "emb(ix)[b, t] should be row ix[b, t] of the weight"
assert len(_emb.parameters()) == 1 and _emb.parameters()[0] is _emb.weight, "parameters() = [weight]"
print("ok")

# %% check="embedding"
def check(x, t):
    import torch.nn.functional as F
    h = _zth_in
    w = h.emb_weight.double().requires_grad_()
    out = F.embedding(h.emb_ids, w)
    (out * h.emb_upstream.double()).sum().backward()
    got = x["emb/out_grad"]
    if isinstance(got, list) and len(got) == 2:
        t.close(got[0], out.detach(), f"Embedding output for ids of shape {tuple(h.emb_ids.shape)}", atol=1e-6)
        t.close(got[1], w.grad, "gradient reaching the weight", atol=1e-5,
                hint="look the rows up in self.weight itself, so that gradients reach it")
    else:
        t.fail(got, "Embedding output", "could not be computed")
    t.close(x["emb/1d"], F.embedding(h.emb_ids_1d, h.emb_weight.double()), "Embedding output for 1-D ids",
            atol=1e-6)
    t.equal(x["emb/params"], [list(h.emb_size)], "shapes of Embedding(num, dim).parameters() for another size",
            hint="parameters() is [weight], weight of shape (num_embeddings, embedding_dim)")


# %% [markdown]
# ## Task 2: `FlattenConsecutive` (2 points)
#
# `FlattenConsecutive(n)` takes `(B, T, C)` and concatenates every `n` consecutive
# time steps: the result is `(B, T // n, C * n)`, where row `[b, i]` is
# `x[b, n*i], x[b, n*i + 1], ..., x[b, n*i + n - 1]` laid end to end. If the middle
# dimension becomes 1, drop it (return `(B, C * n)`), so that the last level of the tree
# feeds a plain `Linear`. One `view` does it: think about which order the numbers are
# stored in memory.

# %% solution="flatten"
class FlattenConsecutive:
    def __init__(self, n):
        self.n = n

    def __call__(self, x):
        """(B, T, C) -> (B, T // n, C * n), or (B, C * n) when T == n."""
        ### BEGIN SOLUTION
        B, T, C = x.shape
        x = x.view(B, T // self.n, C * self.n)
        if x.shape[1] == 1:
            x = x.squeeze(1)
        self.out = x
        return self.out
        ### END SOLUTION

    def parameters(self):
        return []


# %% test="flatten" points=2
### BEGIN HIDDEN TESTS
for _i, (_a, _n) in enumerate(_zth_in.flat_cases):
    _zth_export(f"flat/{_i}", lambda: FlattenConsecutive(_n)(_a.clone()))
### END HIDDEN TESTS
_x = torch.arange(2 * 4 * 3).reshape(2, 4, 3)
_y = FlattenConsecutive(2)(_x)
assert _y.shape == (2, 2, 6), f"(2, 4, 3) with n=2 should give (2, 2, 6), got {tuple(_y.shape)}"
assert _y[0, 1].tolist() == [6, 7, 8, 9, 10, 11], \
    f"_y[0, 1] should be time steps 2 and 3 of the first example laid end to end, got {_y[0, 1].tolist()}"
assert FlattenConsecutive(4)(_x).shape == (2, 12), "when T == n the middle dimension is dropped"
print("ok")

# %% check="flatten"
def check(x, t):
    for i, (a, n) in enumerate(_zth_in.flat_cases):
        B, T, C = a.shape
        rows = [[torch.cat([a[b, n * j + k] for k in range(n)]) for j in range(T // n)] for b in range(B)]
        want = torch.stack([torch.stack(r) for r in rows])    # explicit concatenation
        if want.shape[1] == 1:
            want = want[:, 0]
        t.close(x[f"flat/{i}"], want, f"FlattenConsecutive({n}) on a {(B, T, C)} input", atol=1e-6,
                hint="row [b, i] must hold time steps n*i ... n*i+n-1 of example b, one after the other; "
                     "drop the middle dimension when it is 1")


# %% [markdown]
# ## Task 3: `Sequential` (1 point)
#
# `Sequential(layers)` calls its layers one after the other, and its `parameters()` are
# those of all its layers, in order.

# %% solution="sequential"
class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer(x)
        self.out = x
        return self.out
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return [p for layer in self.layers for p in layer.parameters()]
        ### END SOLUTION


# %% test="sequential" points=1
### BEGIN HIDDEN TESTS
class _ZthAffine:
    def __init__(self, a, b):
        self.a, self.b = torch.tensor([a]), torch.tensor([b])
    def __call__(self, x):
        return x * self.a + self.b
    def parameters(self):
        return [self.a, self.b]
class _ZthSquare:
    def __call__(self, x):
        return x * x
    def parameters(self):
        return []
def _zth_layers(spec):
    return [_ZthAffine(*s[1:]) if s[0] == "affine" else _ZthSquare() if s[0] == "square"
            else Sequential(_zth_layers(s[1])) for s in spec]
_zth_export("seq/out", lambda: Sequential(_zth_layers(_zth_in.seq_spec))(_zth_in.seq_x.clone()))
_zth_export("seq/params", lambda: [float(p) for p in Sequential(_zth_layers(_zth_in.seq_spec)).parameters()])
### END HIDDEN TESTS
_lin = Linear(3, 2)
_seq = Sequential([_lin, Tanh()])
_x = torch.randn(4, 3)
assert torch.allclose(_seq(_x), torch.tanh(_lin(_x))), "Sequential should call its layers in order"
assert len(_seq.parameters()) == 2, "parameters() should gather those of every layer"
print("ok")

# %% check="sequential"
def check(x, t):
    def run(spec, v):
        for s in spec:
            v = v * s[1] + s[2] if s[0] == "affine" else v * v if s[0] == "square" else run(s[1], v)
        return v

    def params(spec):
        return [p for s in spec for p in (s[1:] if s[0] == "affine" else [] if s[0] == "square"
                                          else params(s[1]))]

    t.close(x["seq/out"], run(_zth_in.seq_spec, _zth_in.seq_x.double()),
            "output of a Sequential of affine maps and squares (one of them a Sequential)", atol=1e-5,
            hint="apply the layers in the order they are listed")
    t.close(x["seq/params"], params(_zth_in.seq_spec), "parameters(), in layer order", atol=1e-6,
            hint="the parameters of every layer, layer after layer, as one flat list")


# %% [markdown]
# ## Tasks 4 and 5: `BatchNorm1d` (2 + 2 points)
#
# Complete `__call__`, matching `torch.nn.BatchNorm1d` exactly:
#
# * training mode: normalize with the batch mean and the **biased** batch variance
#   (divide by n), `xhat = (x - mean) / sqrt(var + eps)`, output `gamma * xhat + beta`,
#   and update the running estimates with momentum 0.1:
#   `running = (1 - momentum) * running + momentum * batch_stat`, where the running
#   variance uses the **unbiased** batch variance (divide by n - 1), as torch does;
# * evaluation mode (`self.training == False`): normalize with the running estimates.
#
# Task 4 grades 2-D input `(N, C)`. Task 5 grades 3-D input `(B, T, C)`, which our
# tree model produces: torch's `BatchNorm1d` wants `(B, C, T)` there, but our layout
# keeps channels last. A 3-D input must be normalized over **both** the batch and time
# dimensions, `(0, 1)`, so each of the `C` channels has one mean and one variance (and
# the running estimates keep the shape `(C,)`). Averaging over dimension 0 only gives
# separate statistics for every time step: it runs without error, but it is not
# batch normalization of the channels.

# %% solution="batchnorm"
class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)             # trained with backprop
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)     # buffers, updated in training mode
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        ### BEGIN SOLUTION
        if self.training:
            dim = 0 if x.ndim == 2 else (0, 1)
            xmean = x.mean(dim)                       # (C,)
            xvar = x.var(dim, unbiased=False)         # (C,) biased, to normalize
        else:
            xmean, xvar = self.running_mean, self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            n = x.numel() // x.shape[-1]              # values per channel
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar * n / (n - 1)
        return self.out
        ### END SOLUTION

    def parameters(self):
        return [self.gamma, self.beta]


# %% probes
def _zth_bn(case):
    """BatchNorm1d(C) with the case's gamma and beta: training steps (output, gradient
    wrt the input), gamma's and beta's gradients, an evaluation-mode output, the buffers."""
    bn = BatchNorm1d(case["gamma"].shape[0])
    bn.gamma = case["gamma"].clone().requires_grad_()
    bn.beta = case["beta"].clone().requires_grad_()
    outs = []
    for xb, up in zip(case["xs"], case["ups"]):
        xb = xb.clone().requires_grad_()
        out = bn(xb)
        (out * up).sum().backward()
        outs.append([out, xb.grad])
    grads = [bn.gamma.grad, bn.beta.grad]
    bn.training = False
    with torch.no_grad():
        ev = bn(case["xe"].clone())
    return [outs, grads, ev, bn.running_mean, bn.running_var]


# %% test="batchnorm" points=2
### BEGIN HIDDEN TESTS
for _i, _case in enumerate(_zth_in.bn2d_cases):
    _zth_export(f"bn2d/{_i}", lambda: _zth_bn(_case))
### END HIDDEN TESTS
_bn = BatchNorm1d(3)
_x = torch.randn(32, 3) * 4 + 2
_y = _bn(_x)
assert _y.shape == (32, 3), f"output shape {tuple(_y.shape)}, expected (32, 3)"
assert torch.allclose(_y.mean(0), torch.zeros(3), atol=1e-5), "training mode: each column should have mean 0"
assert torch.allclose(_y.std(0, unbiased=False), torch.ones(3), atol=1e-3), \
    "training mode: each column should have (biased) standard deviation 1"
assert torch.allclose(_bn.running_mean, 0.1 * _x.mean(0)), "running_mean after one step: 0.9 * 0 + 0.1 * mean"
_bn.training = False
assert torch.allclose(_bn(_x[:2]), (_x[:2] - _bn.running_mean) / torch.sqrt(_bn.running_var + 1e-5)), \
    "evaluation mode should use the running estimates"
print("ok")

# %% check="batchnorm"
def check(x, t):
    for i, case in enumerate(_zth_in.bn2d_cases):
        compare_bn(x, t, f"bn2d/{i}", case)


# %% test="batchnorm_3d" points=2
### BEGIN HIDDEN TESTS
for _i, _case in enumerate(_zth_in.bn3d_cases):
    _zth_export(f"bn3d/{_i}", lambda: _zth_bn(_case))
### END HIDDEN TESTS
_bn = BatchNorm1d(3)
_x = torch.randn(16, 4, 3) * 3 + torch.tensor([1.0, -2.0, 5.0])
_y = _bn(_x)
assert _y.shape == (16, 4, 3), f"output shape {tuple(_y.shape)}, expected (16, 4, 3)"
assert torch.allclose(_y.mean((0, 1)), torch.zeros(3), atol=1e-5), "each channel should have mean 0 over (B, T)"
assert _bn.running_mean.shape == (3,), \
    f"running_mean should keep shape (3,), one value per channel, not {tuple(_bn.running_mean.shape)}"
print("ok")

# %% check="batchnorm_3d"
def check(x, t):
    for i, case in enumerate(_zth_in.bn3d_cases):
        compare_bn(x, t, f"bn3d/{i}", case)


# %% [markdown]
# ## Task 6: the hierarchical model (2 points)
#
# Write `hierarchical_model(vocab_size, n_embd, n_hidden, block_size)` that returns a
# `Sequential`: an `Embedding(vocab_size, n_embd)`, then one level per halving of the
# context, each `FlattenConsecutive(2), Linear(2 * width, n_hidden, bias=False),
# BatchNorm1d(n_hidden), Tanh()` (width is `n_embd` at the first level and `n_hidden`
# after it; the Linear needs no bias since BatchNorm subtracts the mean), and a final
# `Linear(n_hidden, vocab_size)`. `block_size` is a power of two: 8 gives three levels.
# Scale the last layer's weight by 0.1 so that the initial predictions are nearly
# uniform. With the lecture's settings (`block_size=8, n_embd=24, n_hidden=128`) it has
# 76,579 parameters.

# %% solution="model"
def hierarchical_model(vocab_size, n_embd, n_hidden, block_size=8):
    """The WaveNet-style tree of layers (a Sequential).

    >>> sum(p.numel() for p in hierarchical_model(27, 24, 128, 8).parameters())
    76579
    """
    ### BEGIN SOLUTION
    layers = [Embedding(vocab_size, n_embd)]
    width = n_embd
    for _ in range(int(math.log2(block_size))):
        layers += [FlattenConsecutive(2), Linear(2 * width, n_hidden, bias=False),
                   BatchNorm1d(n_hidden), Tanh()]
        width = n_hidden
    layers.append(Linear(n_hidden, vocab_size))
    with torch.no_grad():
        layers[-1].weight *= 0.1      # less confident at init
    return Sequential(layers)
    ### END SOLUTION


# %% [markdown]
# The layer shape inspector: push a small batch through the layers one at a time and
# print what comes out of each. This is the quickest way to debug a model like this.

# %%
def inspect(model, x):
    """Print each layer's name and output shape for the input x."""
    for layer in model.layers:
        x = layer(x)
        print(f"{layer.__class__.__name__:>20}: {tuple(x.shape)}")


try:
    inspect(hierarchical_model(vocab_size, 24, 128, block_size), Xtr[:4])
except NotImplementedError:
    print("(finish the tasks above first)")

# %% test="model" points=2
### BEGIN HIDDEN TESTS
for _i, _cfg in enumerate(_zth_in.model_cfgs):
    _zth_export(f"model/params/{_i}", lambda: [list(p.shape) for p in hierarchical_model(*_cfg).parameters()])
def _zth_shapes(cfg, B):
    m = hierarchical_model(*cfg)
    x = torch.randint(0, cfg[0], (B, cfg[3]))
    shapes = []
    for layer in m.layers:
        x = layer(x)
        shapes.append([type(layer).__name__, list(x.shape)])
    return shapes
_zth_export("model/shapes", lambda: _zth_shapes(_zth_in.model_cfgs[0], _zth_in.model_batch))
_zth_export("model/last_scale", lambda: float(torch.stack([hierarchical_model(*_zth_in.model_big).layers[-1].weight.std()
                                                         for _ in range(3)]).mean()))
### END HIDDEN TESTS
_m = hierarchical_model(vocab_size, 24, 128, 8)
_n = sum(p.numel() for p in _m.parameters())
assert _n == 76579, f"the lecture's model has 76,579 parameters, yours has {_n:,}"
assert _m(Xtr[:5]).shape == (5, vocab_size), "the model maps (B, 8) ids to (B, 27) logits"
print("ok")

# %% check="model"
def check(x, t):
    h = _zth_in
    for i, (V, E, H, T) in enumerate(h.model_cfgs):
        want = [[V, E]]
        width = E
        for _ in range(int(math.log2(T))):
            want += [[2 * width, H], [H], [H]]
            width = H
        want += [[H, V], [V]]
        t.equal(x[f"model/params/{i}"], want,
                f"shapes of the parameters for vocab {V}, n_embd {E}, n_hidden {H}, block {T}",
                hint="Embedding, then per level a Linear without bias and a BatchNorm1d, then the output Linear")
    (V, E, H, T), B = h.model_cfgs[0], h.model_batch
    want, width = [["Embedding", [B, T, E]]], E
    while T > 1:
        T //= 2
        mid = [B, T] if T > 1 else [B]
        want += [["FlattenConsecutive", mid + [2 * width]], ["Linear", mid + [H]],
                 ["BatchNorm1d", mid + [H]], ["Tanh", mid + [H]]]
        width = H
    want.append(["Linear", [B, V]])
    t.equal(x["model/shapes"], want, "layer by layer output shapes for a batch of contexts")
    s = x["model/last_scale"]
    H = h.model_big[2]
    if isinstance(s, (int, float)) and not isinstance(s, bool):
        t.true(0.1 * 0.8 / H**0.5 < s < 0.1 * 1.2 / H**0.5, "init scale of the last layer's weight",
               "scale the output layer's weight by 0.1")
    else:
        t.fail(s, "init scale of the last layer's weight", "could not be measured")


# %% [markdown]
# ## Task 7: training and evaluation (3 points)
#
# Write `train(model, X, Y, steps, batch_size, lr)`: minibatch SGD as in the lectures.
# Each step samples `batch_size` random rows (use the generator `g` given), computes
# `F.cross_entropy` of the model's logits, resets the gradients, backpropagates and
# updates every parameter with `p.data -= lr_i * p.grad`, where the learning rate is
# `lr` for the first 75% of the steps and `lr / 10` after (the lecture: 0.1 for 150k
# of 200k steps, then 0.01). Return the list of the training losses, one per step.
#
# Write `evaluate(model, X, Y)`: the mean cross-entropy loss over all of X in
# **evaluation mode** (BatchNorm uses its running estimates: set `training = False` on
# every layer, and back to `True` afterwards), without building a graph
# (`torch.no_grad()`). Return it as a number (a float or a 0-d tensor).
#
# The grader runs `train` and `evaluate` on small models of its own, then takes the
# model that the cell below trains with your `train`, computes its loss itself on a
# fresh batch of validation examples, and compares it with reference runs of that cell.

# %% solution="train"
def train(model, X, Y, steps, batch_size=32, lr=0.1, seed=SEED):
    """Train `model` in place; return the per-step training losses (floats)."""
    g = torch.Generator().manual_seed(seed)
    params = model.parameters()
    for p in params:
        p.requires_grad = True
    losses = []
    ### BEGIN SOLUTION
    for i in range(steps):
        ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)
        loss = F.cross_entropy(model(X[ix]), Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        lr_i = lr if i < 0.75 * steps else lr / 10
        for p in params:
            p.data -= lr_i * p.grad
        losses.append(loss.item())
    ### END SOLUTION
    return losses


@torch.no_grad()
def evaluate(model, X, Y):
    """Mean cross-entropy of the model on (X, Y), in evaluation mode."""
    ### BEGIN SOLUTION
    for layer in model.layers:
        layer.training = False
    loss = F.cross_entropy(model(X), Y).item()
    for layer in model.layers:
        layer.training = True
    return loss
    ### END SOLUTION


# %% [markdown]
# Now train. The configuration depends on `SCALE`: `"colab"` (your default) trains the
# lecture's model for 20,000 steps in a few minutes on a CPU; `"grading"` is a smaller
# run the grader does; `"full"` is the lecture's 200,000 steps (val 1.9937 in the
# lecture; try to beat it).

# %%
CFG = {"grading": dict(n_embd=12, n_hidden=64, steps=2500, batch_size=32, lr=0.1),
       "colab": dict(n_embd=24, n_hidden=128, steps=20_000, batch_size=32, lr=0.1),
       "full": dict(n_embd=24, n_hidden=128, steps=200_000, batch_size=32, lr=0.1)}[SCALE]
torch.manual_seed(SEED)
model = hierarchical_model(vocab_size, CFG["n_embd"], CFG["n_hidden"], block_size)
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")
lossi = train(model, Xtr, Ytr, CFG["steps"], CFG["batch_size"], CFG["lr"])
print(f"train {evaluate(model, Xtr, Ytr):.4f}  val {evaluate(model, Xva, Yva):.4f}")

# %% test="train" points=3
### BEGIN HIDDEN TESTS
class _ZthNet:      # a small model built without your layer classes
    def __init__(self):
        self.E = _zth_in.train_E.clone()
        self.W = _zth_in.train_W.clone()
        self.b = torch.zeros(5)
        self.layers = []
    def __call__(self, X):
        return self.E[X].view(X.shape[0], 6) @ self.W + self.b
    def parameters(self):
        return [self.E, self.W, self.b]
def _zth_train_steps():
    m = _ZthNet()
    losses = train(m, _zth_in.train_X.clone(), _zth_in.train_Y.clone(), **_zth_in.train_args)
    return [[float(l) for l in losses], [p.detach() for p in m.parameters()]]
_zth_export("train/steps", _zth_train_steps)
class _ZthMode:     # a layer that behaves differently in training and evaluation mode
    training = True
    def __call__(self, x):
        return x * _zth_in.mode_factors[0 if self.training else 1]
    def parameters(self):
        return []
class _ZthModeNet:
    def __init__(self):
        self.layers = [_ZthMode(), _ZthMode()]
    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
def _zth_eval_mode():
    m = _ZthModeNet()
    loss = evaluate(m, _zth_in.mode_X.clone(), _zth_in.mode_Y.clone())
    return [float(loss), [bool(layer.training) for layer in m.layers]]
_zth_export("train/eval_mode", _zth_eval_mode)
def _zth_val_logits():
    """The trained model, in evaluation mode, on validation rows drawn for this grading."""
    X = Xva[[_r % Xva.shape[0] for _r in _zth_in.eval_rows]]
    flags = [getattr(layer, "training", True) for layer in model.layers]
    for layer in model.layers:
        layer.training = False
    try:
        with torch.no_grad():
            return torch.round(model(X).double(), decimals=4)
    finally:
        for layer, f in zip(model.layers, flags):
            layer.training = f
_zth_export("eval/val_logits", _zth_val_logits)
_zth_export("record/params", lambda: sum(p.numel() for p in model.parameters()))   # for the reference record
_zth_export("record/config", lambda: CFG)
_zth_export("record/curve", lambda: [float(c.mean()) for c in torch.tensor([float(l) for l in lossi]).chunk(20)])
_zth_export("record/train_loss", lambda: float(evaluate(model, Xtr, Ytr)))
_zth_export("record/val_loss", lambda: float(evaluate(model, Xva, Yva)))
### END HIDDEN TESTS
assert len(lossi) == CFG["steps"], "train() should return one loss per step"
assert sum(lossi[:50]) / 50 > sum(lossi[-50:]) / 50 + 0.3, "the training loss should fall"
_val = evaluate(model, Xva, Yva)
assert _val < 2.4, f"validation loss {_val:.4f} is too high: check the training loop"
assert all(layer.training for layer in model.layers), "evaluate() must put the layers back in training mode"
print("ok")

# %% check="train"
VAL_NLL_STD = 1.2    # spread of one example's loss under the trained model (measured: ~1.18)


def check(x, t):
    import torch.nn.functional as F
    h = _zth_in
    # oracle: the same steps written out in torch
    E, W = h.train_E.double().requires_grad_(), h.train_W.double().requires_grad_()
    b = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    X, Y, a = h.train_X, h.train_Y, h.train_args
    g = torch.Generator().manual_seed(a["seed"])
    losses = []
    for i in range(a["steps"]):
        ix = torch.randint(0, X.shape[0], (a["batch_size"],), generator=g)
        loss = F.cross_entropy(E[X[ix]].view(len(ix), 6) @ W + b, Y[ix])
        for p in (E, W, b):
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in (E, W, b):
                p -= (a["lr"] if i < 0.75 * a["steps"] else a["lr"] / 10) * p.grad
        losses.append(loss.item())
    got = x["train/steps"]
    what = f"{a['steps']} training steps on a small model"
    if isinstance(got, list) and len(got) == 2 and isinstance(got[1], list) and len(got[1]) == 3:
        t.close(got[0], losses, f"losses of {what}", atol=1e-5,
                hint="sample with torch.randint(0, len(X), (batch_size,), generator=g); lr / 10 after 75% of the steps")
        for name, p, q in zip(["embedding", "weight", "bias"], got[1], (E, W, b)):
            t.close(p, q.detach(), f"{name} after {what}", atol=1e-5)
    else:
        t.fail(got, what, "could not run")
    got = x["train/eval_mode"]
    if isinstance(got, list) and len(got) == 2:
        want = F.cross_entropy(h.mode_X.double() * h.mode_factors[1] ** 2, h.mode_Y).item()
        ok = t.close(got[0], want, "evaluate() on a model whose layers act differently in evaluation mode",
                     atol=1e-5, hint="set layer.training = False on every layer before the forward pass")
        t.true(ok and isinstance(got[1], list) and got[1] == [True, True], "training flags after evaluate()",
               "put the layers back in training mode" if ok else "evaluate() did not compute the loss")
    else:
        t.fail(got, "evaluate()", "could not run")
        t.fail(got, "training flags after evaluate()", "could not run")
    # the model the notebook trained, on fresh validation rows: the loss computed here
    Xva, Yva = names_xy("val")
    Yb = Yva[[r % Xva.shape[0] for r in h.eval_rows]]
    logits, what = x["eval/val_logits"], "validation loss of the model your train() trained"
    if not (isinstance(logits, torch.Tensor) and logits.shape == (len(Yb), 27)
            and bool(torch.isfinite(logits).all())):
        t.fail(logits, what, "its logits could not be computed")
        return
    got = F.cross_entropy(logits, Yb).item()
    try:
        ref = reference("grading")["summary"]["record/val_loss"]
        mean, spread = ref["mean"], ref["std"]
    except (FileNotFoundError, KeyError):
        mean, spread = 2.2343, 0.0019      # the solution's runs, if the record is missing
    # the reference runs' spread, and the sampling noise of a batch of len(Yb) examples
    tol = 0.02 + 3 * math.sqrt(spread**2 + VAL_NLL_STD**2 / len(Yb))
    t.true(abs(got - mean) < tol, what,
           f"{'higher' if got > mean else 'lower'} than the reference runs' by {abs(got - mean):.3f} "
           f"(tolerance {tol:.3f})" + (": check the training loop" if got > mean else
                                       ": the loss cannot be that low on examples it never saw"))
