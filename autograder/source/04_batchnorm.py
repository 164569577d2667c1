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


# %% task="init_params"
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
    ps = init_params(n_embd, n_hidden, torch.Generator().manual_seed(seed))
    logits, _ = mlp_forward(ps, Xva[:4000])
    return {"loss": F.cross_entropy(logits, Yva[:4000]).item(),
            "w1_std": ps[1].std().item(), "b1_max": ps[2].abs().max().item(),
            "shapes": [list(p.shape) for p in ps]}
_zth_export("init/10x200", lambda: _zth_init(10, 200, 2024))
_zth_export("init/6x120", lambda: _zth_init(6, 120, 7))
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
    for key, n_embd in (("init/10x200", 10), ("init/6x120", 6)):
        r = x[key]
        if not isinstance(r, dict):
            t.true(r if not isinstance(r, dict) else False, f"init_params {key[5:]}", "could not be computed")
            continue
        n_hidden = int(key.split("x")[1])
        t.equal(r["shapes"], [[27, n_embd], [3 * n_embd, n_hidden], [n_hidden], [n_hidden, 27], [27]],
                f"init_params({n_embd}, {n_hidden}): shapes of [C, W1, b1, W2, b2]")
        ideal = -math.log(1 / 27)
        t.true(abs(r["loss"] - ideal) < 0.04, f"init_params({n_embd}, {n_hidden}): initial loss",
               f"{r['loss']:.3f} is not close to -ln(1/27): scale the output layer down")
        want = (5 / 3) / math.sqrt(3 * n_embd)
        t.true(abs(r["w1_std"] / want - 1) < 0.08, f"init_params({n_embd}, {n_hidden}): std of W1",
               f"{r['w1_std']:.4f} is not Kaiming's gain / sqrt(fan_in) for tanh")
        t.true(r["b1_max"] < 0.1, f"init_params({n_embd}, {n_hidden}): b1 is small",
               "scale b1 down (by 0.01)")


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

# %% task="linear_tanh"
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
_zg = torch.Generator().manual_seed(11)
_zW, _zb = torch.randn(6, 4, generator=_zg), torch.randn(4, generator=_zg)
_zx = torch.randn(5, 6, generator=_zg)
def _zth_linear(bias):
    lin = Linear(6, 4, bias=bias)
    lin.weight = _zW.clone()
    if bias:
        lin.bias = _zb.clone()
    return lin(_zx)
_zth_export("linear/bias", lambda: _zth_linear(True))
_zth_export("linear/nobias", lambda: _zth_linear(False))
_zth_export("linear/nparams", lambda: [len(Linear(6, 4).parameters()), len(Linear(6, 4, bias=False).parameters())])
_zth_export("linear/init", lambda: (lambda l: [l.weight.std().item(), list(l.weight.shape),
                                               l.bias.abs().max().item(), list(l.bias.shape)])(
    Linear(400, 300, generator=torch.Generator().manual_seed(3))))
_zth_export("tanh/out", lambda: Tanh()(_zx * 2))
_zth_export("tanh/nparams", lambda: len(Tanh().parameters()))
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
    g = torch.Generator().manual_seed(11)
    W, b = torch.randn(6, 4, generator=g), torch.randn(4, generator=g)
    xin = torch.randn(5, 6, generator=g)
    for key, bias in (("linear/bias", True), ("linear/nobias", False)):
        lin = torch.nn.Linear(6, 4, bias=bias)
        with torch.no_grad():
            lin.weight.copy_(W.T)
            if bias:
                lin.bias.copy_(b)
            want = lin(xin)
        t.close(x[key], want, f"Linear(6, 4, bias={bias}) on a batch, compared with torch.nn.Linear", atol=1e-5)
    t.equal(x["linear/nparams"], [2, 1], "len(parameters()) with and without bias")
    r = x["linear/init"]
    if isinstance(r, list) and len(r) == 4:
        t.true(abs(r[0] * math.sqrt(400) - 1) < 0.05 and r[1] == [400, 300],
               "Linear(400, 300).weight at init", "shape (fan_in, fan_out) and std 1/sqrt(fan_in) expected")
        t.true(r[2] == 0 and r[3] == [300], "Linear(400, 300).bias at init", "zeros of shape (fan_out,) expected")
    else:
        t.true(r if not isinstance(r, list) else False, "Linear(400, 300) at init", "could not be inspected")
    t.close(x["tanh/out"], torch.nn.Tanh()(xin * 2), "Tanh on a batch", atol=1e-6)
    t.equal(x["tanh/nparams"], 0, "Tanh has no parameters")


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

# %% task="batchnorm"
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
def _zth_bn_run(momentum):
    g = torch.Generator().manual_seed(5)
    bn = BatchNorm1d(5, momentum=momentum)
    bn.gamma = torch.randn(5, generator=g)
    bn.beta = torch.randn(5, generator=g)
    rec = []
    for n in (8, 3, 16):
        xb = torch.randn(n, 5, generator=g) * 2.5 + 1.0
        rec += [bn(xb).reshape(-1), bn.running_mean.reshape(-1).clone(), bn.running_var.reshape(-1).clone()]
    bn.training = False
    for n in (6, 4):
        xb = torch.randn(n, 5, generator=g) * 2.5 + 1.0
        rec += [bn(xb).reshape(-1), bn.running_mean.reshape(-1).clone(), bn.running_var.reshape(-1).clone()]
    return torch.cat(rec)
for _m in (0.1, 0.3):
    _zth_export(f"bn/run/{_m}", lambda: _zth_bn_run(_m))
_zth_export("bn/init", lambda: (lambda b: [b.gamma.tolist(), b.beta.tolist(), b.running_mean.reshape(-1).tolist(),
                                           b.running_var.reshape(-1).tolist(), b.training, len(b.parameters()),
                                           b.eps, b.momentum])(BatchNorm1d(3)))
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
    for m in (0.1, 0.3):
        g = torch.Generator().manual_seed(5)
        bn = torch.nn.BatchNorm1d(5, momentum=m)
        with torch.no_grad():
            bn.weight.copy_(torch.randn(5, generator=g))
            bn.bias.copy_(torch.randn(5, generator=g))
        parts, names = [], []
        for n in (8, 3, 16):
            xb = torch.randn(n, 5, generator=g) * 2.5 + 1.0
            parts += [bn(xb).detach().reshape(-1), bn.running_mean.clone(), bn.running_var.clone()]
            names += [f"training output (batch of {n})", "running_mean after it", "running_var after it"]
        bn.eval()
        for n in (6, 4):
            xb = torch.randn(n, 5, generator=g) * 2.5 + 1.0
            parts += [bn(xb).detach().reshape(-1), bn.running_mean.clone(), bn.running_var.clone()]
            names += [f"eval output (batch of {n})", "running_mean after it", "running_var after it"]
        got = x[f"bn/run/{m}"]
        want = torch.cat(parts)
        if not (hasattr(got, "shape") and got.shape == want.shape):
            t.close(got, want, f"momentum {m}: outputs and running statistics of 3 training and 2 eval calls")
            continue
        i = 0
        for p, name in zip(parts, names):
            t.close(got[i:i + len(p)], p, f"momentum {m}, {name}", atol=1e-5,
                    hint=("the unbiased variance (N - 1) goes into running_var, and only in training mode"
                          if "running_var" in name else ""))
            i += len(p)
    r = x["bn/init"]
    t.equal(r, [[1.0] * 3, [0.0] * 3, [0.0] * 3, [1.0] * 3, True, 2, 1e-5, 0.1],
            "BatchNorm1d(3) at creation: [gamma, beta, running_mean, running_var, training, "
            "len(parameters()), eps, momentum]")


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


# %% task="model"
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
def _zth_model(n_embd, n_hidden):
    C, layers = build_model(n_embd, n_hidden, torch.Generator().manual_seed(9), momentum=0.05)
    ps = parameters_of(C, layers)
    return {"shapes": [list(p.shape) for p in ps], "kinds": [type(l).__name__ for l in layers],
            "grad": all(p.requires_grad for p in ps),
            "momentum": getattr(layers[1], "momentum", None)}
_zth_export("model/10x200", lambda: _zth_model(10, 200))
_zth_export("model/4x30", lambda: _zth_model(4, 30))
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
    for key in ("model/10x200", "model/4x30"):
        e, h = map(int, key.split("/")[1].split("x"))
        r = x[key]
        if not isinstance(r, dict):
            t.true(r if not isinstance(r, dict) else False, f"build_model({e}, {h})", "could not be built")
            continue
        want = [[27, e], [3 * e, h], [h], [h], [h, 27], [27]]
        n = sum(math.prod(s) for s in r["shapes"]) if isinstance(r["shapes"], list) else None
        t.equal(n, sum(math.prod(s) for s in want), f"build_model({e}, {h}): number of parameters",
                "the first Linear feeds a BatchNorm: it needs no bias")
        t.equal(r["shapes"], want, f"build_model({e}, {h}): shapes of parameters_of(C, layers)")
        t.equal(r["kinds"], ["Linear", "BatchNorm1d", "Tanh", "Linear"], f"build_model({e}, {h}): the layers")
        t.equal(r["grad"], True, f"build_model({e}, {h}): every parameter requires grad")
        t.equal(r["momentum"], 0.05, f"build_model({e}, {h}): momentum is passed to the BatchNorm")


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

# %% task="train"
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
# more steps.

# %%
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
    torch.manual_seed(0)
    Cz = torch.linspace(-1, 1, 27 * 4).reshape(27, 4).sin().requires_grad_()
    lz = [torch.nn.Linear(12, 16, bias=False), torch.nn.BatchNorm1d(16), torch.nn.Tanh(), torch.nn.Linear(16, 27)]
    with torch.no_grad():
        for _i, _p in enumerate(p for l in lz for p in l.parameters()):
            _p.copy_(torch.linspace(-0.5, 0.5, _p.numel()).reshape(_p.shape).mul(_i + 1).cos())
    Xz = (torch.arange(60 * 3).reshape(60, 3) * 7) % 27
    Yz = (torch.arange(60) * 5) % 27
    losses = train(Cz, lz, Xz, Yz, 4, batch_size=8, lr=0.5, g=torch.Generator().manual_seed(21))
    return [list(losses), Cz] + [p for l in lz for p in l.parameters()]
_zth_export("train/replay", _zth_replay)
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
    # replay the same 4 steps with torch.nn
    torch.manual_seed(0)
    C = torch.linspace(-1, 1, 27 * 4).reshape(27, 4).sin().requires_grad_()
    layers = [torch.nn.Linear(12, 16, bias=False), torch.nn.BatchNorm1d(16), torch.nn.Tanh(), torch.nn.Linear(16, 27)]
    params = [C] + [p for l in layers for p in l.parameters()]
    with torch.no_grad():
        for i, p in enumerate(params[1:]):
            p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape).mul(i + 1).cos())
    X = (torch.arange(60 * 3).reshape(60, 3) * 7) % 27
    Y = (torch.arange(60) * 5) % 27
    g = torch.Generator().manual_seed(21)
    losses = []
    for i in range(4):
        ix = torch.randint(0, 60, (8,), generator=g)
        h = C[X[ix]].view(8, -1)
        for l in layers:
            h = l(h)
        loss = torch.nn.functional.cross_entropy(h, Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= (0.5 if i < 2 else 0.05) * p.grad
        losses.append(loss.item())
    r = x["train/replay"]
    if isinstance(r, list) and len(r) == len(params) + 1:
        t.close(r[0], losses, "train(): the 4 losses of a replayed run", atol=1e-5,
                hint="draw one minibatch per step with the given torch.randint call")
        got = [v for v in r[1:] if hasattr(v, "shape")]
        same = len(got) == len(params) and all(
            a.shape == p.shape and torch.allclose(a, p.detach().double(), atol=1e-5) for a, p in zip(got, params))
        t.true(same, "train(): the parameters after 4 replayed steps",
               "differ from plain SGD: reset .grad each step, use lr for steps // 2 steps then lr / 10")
    else:
        for what in ("the losses", "the parameters after 4 steps"):
            t.true(r if not isinstance(r, list) else False, f"train() on a replayed run: {what}", "could not be run")
    # the grading-scale run compared with the reference runs of the solution
    try:
        ref = reference("grading")["summary"]
        mean, spread = ref["record/val_loss"]["mean"], ref["record/val_loss"]["std"]
        tmean = ref["record/train_loss"]["mean"]
    except (FileNotFoundError, KeyError):
        mean, spread, tmean = 2.337, 0.01, 2.336      # the solution's runs, if the record is missing
    tol = max(0.05, 4 * spread)
    v, tr = x["record/val_loss"], x["record/train_loss"]
    t.true(isinstance(v, float) and abs(v - mean) < tol, "validation loss of your training run",
           f"{v if not isinstance(v, float) else round(v, 4)} is not within {tol:.3f} of the reference run's")
    t.true(isinstance(tr, float) and abs(tr - tmean) < tol, "training loss of your training run",
           f"{tr if not isinstance(tr, float) else round(tr, 4)} is not within {tol:.3f} of the reference run's")


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

# %% task="bn_fold"
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
    g = torch.Generator().manual_seed(17)
    lin = Linear(7, 5, bias=bias)
    lin.weight = torch.randn(7, 5, generator=g)
    if bias:
        lin.bias = torch.randn(5, generator=g)
    bn = BatchNorm1d(5, eps=1e-3)
    bn.gamma = torch.randn(5, generator=g)
    bn.beta = torch.randn(5, generator=g)
    bn.running_mean = torch.randn(5, generator=g)
    bn.running_var = torch.rand(5, generator=g) + 0.2
    bn.training = False
    f = fold_batchnorm(lin, bn)
    return [f.weight, f.bias]
_zth_export("fold/bias", lambda: _zth_fold(True))
_zth_export("fold/nobias", lambda: _zth_fold(False))
### END HIDDEN TESTS
_diff = (a - b).abs().max().item()
assert _diff < 1e-4, f"folded and original logits differ by {_diff:.2e}"
assert not any(isinstance(l, BatchNorm1d) for l in folded)
print("ok")

# %% check="bn_fold"
def check(x, t):
    for key, bias in (("fold/bias", True), ("fold/nobias", False)):
        g = torch.Generator().manual_seed(17)
        lin = torch.nn.Linear(7, 5, bias=bias)
        bn = torch.nn.BatchNorm1d(5, eps=1e-3).eval()
        with torch.no_grad():
            lin.weight.copy_(torch.randn(7, 5, generator=g).T)
            if bias:
                lin.bias.copy_(torch.randn(5, generator=g))
            bn.weight.copy_(torch.randn(5, generator=g))
            bn.bias.copy_(torch.randn(5, generator=g))
            bn.running_mean.copy_(torch.randn(5, generator=g))
            bn.running_var.copy_(torch.rand(5, generator=g) + 0.2)
            xin = torch.randn(9, 7, generator=torch.Generator().manual_seed(1))
            want = bn(lin(xin))
        r = x[key]
        if isinstance(r, list) and len(r) == 2 and all(hasattr(v, "shape") for v in r) \
                and tuple(r[0].shape) == (7, 5) and tuple(r[1].shape) == (5,):
            got = xin.double() @ r[0] + r[1]
            t.close(got, want.double(), f"folded Linear (the original Linear {'with' if bias else 'without'} "
                    "a bias) against torch's Linear + BatchNorm1d in eval mode", atol=1e-5,
                    hint="scale by gamma / sqrt(running_var + eps), and fold the mean and beta into the bias")
        else:
            t.true(r if not isinstance(r, list) else False, f"folded Linear ({key})",
                   "expected a Linear with weight (fan_in, fan_out) and bias (fan_out,)")


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

# %% task="zero_init"
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

# %% task="zero_init_answer"
### BEGIN SOLUTION
ZERO_INIT_ANSWER = "c"
### END SOLUTION

# %% test="zero_init" points=2
### BEGIN HIDDEN TESTS
_zth_zero = {}
def _zth_zero_run():
    if not _zth_zero:
        _zth_zero["r"] = zero_init_experiment(150)
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
    # the oracle: the same network in torch.nn, all zeros, a few SGD steps on random data
    # (a first Linear with a bias, a mistake that costs Task 4, is followed here too)
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
        loss = torch.nn.functional.cross_entropy(h, Y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.1 * p.grad
    want = [bool((p != 0).any()) for p in params]
    t.equal(changed, want, "which parameters changed during training from all zeros",
            "train from all zeros and look at each tensor again")
    lg = x["zero/logits"]
    if hasattr(lg, "shape") and tuple(lg.shape) == (5, 27):
        t.true(bool((lg - lg[0]).abs().max() < 1e-5) and bool(lg.abs().max() > 1e-3),
               "the trained all-zero model's logits on 5 contexts",
               "expected the same nonzero logits for every context")
    else:
        t.true(lg if not hasattr(lg, "shape") else False, "logits on Xva[:5]", "shape (5, 27) expected")
    t.equal(x["zero/answer"], "c", "ZERO_INIT_ANSWER", "your experiment should tell you which it is")
