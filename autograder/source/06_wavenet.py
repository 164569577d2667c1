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

# %% task="embedding"
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


# %% checks
# Helpers shared by the checks of this chapter (trusted, grader side).
def bn_oracle(shape, steps=3):
    """The same calls on torch.nn.BatchNorm1d (channels moved to dim 1 for 3-D input)."""
    C = shape[-1]
    bn = torch.nn.BatchNorm1d(C, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        bn.weight.copy_(1 + 0.3 * torch.sin(torch.arange(float(C))))
        bn.bias.copy_(0.2 * torch.cos(torch.arange(float(C))))
    fwd = (lambda a: bn(a)) if len(shape) == 2 else (lambda a: bn(a.transpose(1, 2)).transpose(1, 2))
    outs = []
    for k in range(steps):
        n = math.prod(shape)
        xb = (torch.sin(torch.arange(float(n)) * (0.71 + 0.1 * k) + k) * (1 + k)
              + 0.5 * k).reshape(shape).requires_grad_()
        out = fwd(xb)
        (out * torch.cos(torch.arange(float(n)) * 0.3).reshape(shape)).sum().backward()
        outs.append([out.detach(), xb.grad])
    grads = [bn.weight.grad, bn.bias.grad]
    bn.eval()
    n = math.prod(shape)
    with torch.no_grad():
        ev = fwd((torch.cos(torch.arange(float(n)) * 0.53) * 2).reshape(shape))
    return outs, grads, ev, bn.running_mean, bn.running_var


def compare_bn(x, t, key, shape, steps):
    got = x[key]
    if not (isinstance(got, list) and len(got) == 5):
        t.true(got if not isinstance(got, list) else False, f"BatchNorm1d on {shape} input", "could not be computed")
        return
    outs, grads, ev, rm, rv = bn_oracle(shape, steps)
    for k in range(steps):
        t.close(got[0][k][0], outs[k][0], f"{shape} input, training step {k + 1}: output", atol=1e-5,
                hint="normalize with the batch mean and the biased variance (divide by n)")
        t.close(got[0][k][1], outs[k][1], f"{shape} input, training step {k + 1}: gradient wrt the input", atol=1e-5)
    t.close(got[1][0] if isinstance(got[1], list) else got[1], grads[0], f"{shape} input: gradient of gamma", atol=1e-5)
    t.close(got[1][1] if isinstance(got[1], list) else got[1], grads[1], f"{shape} input: gradient of beta", atol=1e-5)
    t.close(got[3], rm, f"{shape} input: running_mean after {steps} steps", atol=1e-5)
    t.close(got[4], rv, f"{shape} input: running_var after {steps} steps", atol=1e-5,
            hint="the running variance uses the unbiased batch variance (n - 1), momentum 0.1")
    t.close(got[2], ev, f"{shape} input: output in evaluation mode", atol=1e-5,
            hint="in evaluation mode normalize with the running estimates")


# %% test="embedding" points=1
### BEGIN HIDDEN TESTS
def _zth_emb():
    emb = Embedding(7, 3)
    emb.weight = torch.sin(torch.arange(21.0) * 0.731 + 0.2).reshape(7, 3).requires_grad_()
    ix = torch.tensor([[6, 0, 2, 2], [1, 5, 3, 4]])
    out = emb(ix)
    (out * torch.cos(torch.arange(24.0)).reshape(2, 4, 3)).sum().backward()
    return [out, emb.weight.grad]
_zth_export("emb/out_grad", _zth_emb)
_zth_export("emb/params", lambda: [list(p.shape) for p in Embedding(11, 5).parameters()])
_zth_export("emb/1d", lambda: Embedding(4, 2)(torch.tensor([3, 1, 3])).shape)
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
    w = torch.sin(torch.arange(21.0) * 0.731 + 0.2).reshape(7, 3).requires_grad_()
    ix = torch.tensor([[6, 0, 2, 2], [1, 5, 3, 4]])
    out = F.embedding(ix, w)
    (out * torch.cos(torch.arange(24.0)).reshape(2, 4, 3)).sum().backward()
    got = x["emb/out_grad"]
    if isinstance(got, list) and len(got) == 2:
        t.close(got[0], out.detach(), "Embedding output vs torch's F.embedding", atol=1e-5)
        t.close(got[1], w.grad, "gradient reaching the weight", atol=1e-5)
    else:
        t.true(got if not isinstance(got, list) else False, "Embedding output", "could not be computed")
    t.equal(x["emb/params"], [[11, 5]], "shapes of Embedding(11, 5).parameters()")
    t.equal(x["emb/1d"], [3, 2], "shape of the output for 1-D ids")


# %% [markdown]
# ## Task 2: `FlattenConsecutive` (2 points)
#
# `FlattenConsecutive(n)` takes `(B, T, C)` and concatenates every `n` consecutive
# time steps: the result is `(B, T // n, C * n)`, where row `[b, i]` is
# `x[b, n*i], x[b, n*i + 1], ..., x[b, n*i + n - 1]` laid end to end. If the middle
# dimension becomes 1, drop it (return `(B, C * n)`), so that the last level of the tree
# feeds a plain `Linear`. One `view` does it: think about which order the numbers are
# stored in memory.

# %% task="flatten"
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
for _shape, _n in [((3, 8, 5), 2), ((2, 6, 4), 3), ((2, 4, 3), 4), ((1, 8, 2), 4)]:
    _zth_export(f"flat/{_shape}/{_n}",
                lambda: FlattenConsecutive(_n)(torch.sin(torch.arange(float(math.prod(_shape))) * 0.37).reshape(_shape)))
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
    for shape, n in [((3, 8, 5), 2), ((2, 6, 4), 3), ((2, 4, 3), 4), ((1, 8, 2), 4)]:
        a = torch.sin(torch.arange(float(math.prod(shape))) * 0.37).reshape(shape)
        want = torch.cat([a[:, i::n, :] for i in range(n)], dim=2)   # explicit concatenation
        if want.shape[1] == 1:
            want = want[:, 0]
        t.close(x[f"flat/{shape}/{n}"], want, f"FlattenConsecutive({n}) on a {shape} input", atol=1e-6,
                hint="row [b, i] must hold time steps n*i ... n*i+n-1 of example b, one after the other")


# %% [markdown]
# ## Task 3: `Sequential` (1 point)
#
# `Sequential(layers)` calls its layers one after the other, and its `parameters()` are
# those of all its layers, in order.

# %% task="sequential"
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
_zth_seq = lambda: Sequential([_ZthAffine(2.0, 1.0), _ZthSquare(), _ZthAffine(-0.5, 3.0)])
_zth_export("seq/out", lambda: _zth_seq()(torch.tensor([0.0, 1.5, -2.0])))
_zth_export("seq/params", lambda: [float(p) for p in _zth_seq().parameters()])
_zth_export("seq/empty", lambda: len(Sequential([_ZthSquare()]).parameters()))
### END HIDDEN TESTS
_lin = Linear(3, 2)
_seq = Sequential([_lin, Tanh()])
_x = torch.randn(4, 3)
assert torch.allclose(_seq(_x), torch.tanh(_lin(_x))), "Sequential should call its layers in order"
assert len(_seq.parameters()) == 2, "parameters() should gather those of every layer"
print("ok")

# %% check="sequential"
def check(x, t):
    v = torch.tensor([0.0, 1.5, -2.0])
    t.close(x["seq/out"], -0.5 * (2 * v + 1) ** 2 + 3, "output of a 3-layer Sequential", atol=1e-6,
            hint="apply the layers in the order they are listed")
    t.equal(x["seq/params"], [2.0, 1.0, -0.5, 3.0], "parameters(), in layer order")
    t.equal(x["seq/empty"], 0, "parameters() of a Sequential of layers without parameters")


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

# %% task="batchnorm"
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


# %% test="batchnorm" points=2
### BEGIN HIDDEN TESTS
def _zth_bn(shape, steps=3):
    C = shape[-1]
    bn = BatchNorm1d(C)
    bn.gamma = (1 + 0.3 * torch.sin(torch.arange(float(C)))).requires_grad_()
    bn.beta = (0.2 * torch.cos(torch.arange(float(C)))).requires_grad_()
    outs = []
    for k in range(steps):
        n = math.prod(shape)
        xb = (torch.sin(torch.arange(float(n)) * (0.71 + 0.1 * k) + k) * (1 + k)
              + 0.5 * k).reshape(shape).requires_grad_()
        out = bn(xb)
        (out * torch.cos(torch.arange(float(n)) * 0.3).reshape(shape)).sum().backward()
        outs.append([out, xb.grad])
    grads = [bn.gamma.grad, bn.beta.grad]
    bn.training = False
    n = math.prod(shape)
    xe = (torch.cos(torch.arange(float(n)) * 0.53) * 2).reshape(shape)
    with torch.no_grad():
        ev = bn(xe)
    return outs, grads, ev, bn.running_mean.reshape(-1), bn.running_var.reshape(-1)
_zth_export("bn2d", lambda: _zth_bn((10, 4)))
_zth_export("bn2d/big", lambda: _zth_bn((32, 6), steps=2))
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
    compare_bn(x, t, "bn2d", (10, 4), 3)
    compare_bn(x, t, "bn2d/big", (32, 6), 2)


# %% test="batchnorm_3d" points=2
### BEGIN HIDDEN TESTS
_zth_export("bn3d", lambda: _zth_bn((4, 5, 3)))
_zth_export("bn3d/big", lambda: _zth_bn((8, 2, 6), steps=2))
_zth_export("bn3d/shape", lambda: list(_zth_bn((6, 4, 5), steps=1)[3].shape))
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
    compare_bn(x, t, "bn3d", (4, 5, 3), 3)
    compare_bn(x, t, "bn3d/big", (8, 2, 6), 2)
    t.equal(x["bn3d/shape"], [5], "number of running-mean values for 5 channels",
            hint="one mean per channel: average over the batch and the time dimension")


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

# %% task="model"
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
for _cfg in [(27, 24, 128, 8), (27, 10, 68, 8), (11, 6, 20, 4), (5, 3, 7, 16)]:
    _zth_export(f"model/params/{_cfg}", lambda: [list(p.shape) for p in hierarchical_model(*_cfg).parameters()])
def _zth_shapes(cfg, B):
    m = hierarchical_model(*cfg)
    x = torch.randint(0, cfg[0], (B, cfg[3]))
    shapes = []
    for layer in m.layers:
        x = layer(x)
        shapes.append([type(layer).__name__, list(x.shape)])
    return shapes
_zth_export("model/shapes", lambda: _zth_shapes((27, 10, 68, 8), 5))
_zth_export("model/shapes4", lambda: _zth_shapes((11, 6, 20, 4), 3))
_zth_export("model/last_scale", lambda: float(torch.stack([hierarchical_model(27, 24, 128, 8).layers[-1].weight.std()
                                                         for _ in range(3)]).mean()))
### END HIDDEN TESTS
_m = hierarchical_model(vocab_size, 24, 128, 8)
_n = sum(p.numel() for p in _m.parameters())
assert _n == 76579, f"the lecture's model has 76,579 parameters, yours has {_n:,}"
assert _m(Xtr[:5]).shape == (5, vocab_size), "the model maps (B, 8) ids to (B, 27) logits"
print("ok")

# %% check="model"
def check(x, t):
    for V, E, H, T in [(27, 24, 128, 8), (27, 10, 68, 8), (11, 6, 20, 4), (5, 3, 7, 16)]:
        want = [[V, E]]
        width = E
        for _ in range(int(math.log2(T))):
            want += [[2 * width, H], [H], [H]]
            width = H
        want += [[H, V], [V]]
        t.equal(x[f"model/params/{(V, E, H, T)}"], want,
                f"shapes of the parameters for vocab {V}, n_embd {E}, n_hidden {H}, block {T}",
                hint="Embedding, then per level a Linear without bias and a BatchNorm1d, then the output Linear")
    want = [["Embedding", [5, 8, 10]]]
    for T, C in [(4, 20), (2, 136), (1, 136)]:
        want += [["FlattenConsecutive", [5, T, C] if T > 1 else [5, C]], ["Linear", [5, T, 68] if T > 1 else [5, 68]],
                 ["BatchNorm1d", [5, T, 68] if T > 1 else [5, 68]], ["Tanh", [5, T, 68] if T > 1 else [5, 68]]]
    want.append(["Linear", [5, 27]])
    t.equal(x["model/shapes"], want, "layer by layer output shapes for a (5, 8) input")
    want = [["Embedding", [3, 4, 6]], ["FlattenConsecutive", [3, 2, 12]], ["Linear", [3, 2, 20]],
            ["BatchNorm1d", [3, 2, 20]], ["Tanh", [3, 2, 20]], ["FlattenConsecutive", [3, 40]],
            ["Linear", [3, 20]], ["BatchNorm1d", [3, 20]], ["Tanh", [3, 20]], ["Linear", [3, 11]]]
    t.equal(x["model/shapes4"], want, "layer by layer output shapes for block_size 4")
    s = x["model/last_scale"]
    t.true((0.1 * 0.6 / 128**0.5 < s < 0.1 * 1.4 / 128**0.5) if isinstance(s, float) else s,
           "init scale of the last layer's weight", "scale the output layer's weight by 0.1")


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
# (`torch.no_grad()`).

# %% task="train"
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
        self.E = torch.sin(torch.arange(15.0)).reshape(5, 3)
        self.W = torch.cos(torch.arange(30.0) * 0.7).reshape(6, 5) * 0.5
        self.b = torch.zeros(5)
        self.layers = []
    def __call__(self, X):
        return self.E[X].view(X.shape[0], 6) @ self.W + self.b
    def parameters(self):
        return [self.E, self.W, self.b]
def _zth_train_steps():
    m = _ZthNet()
    X = torch.tensor([[0, 1], [2, 3], [4, 0], [1, 1], [3, 2], [0, 4]])
    Y = torch.tensor([1, 2, 3, 4, 0, 1])
    losses = train(m, X, Y, steps=8, batch_size=6, lr=0.5, seed=7)
    return [losses, [p.detach() for p in m.parameters()]]
_zth_export("train/steps", _zth_train_steps)
class _ZthMode:     # a layer that behaves differently in training and evaluation mode
    training = True
    def __call__(self, x):
        return x * (3.0 if self.training else 0.5)
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
    X = torch.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    loss = evaluate(m, X, torch.tensor([0, 2]))
    return [loss, [float(layer.training) for layer in m.layers]]
_zth_export("train/eval_mode", _zth_eval_mode)
_zth_export("record/params", sum(p.numel() for p in model.parameters()))
_zth_export("record/config", CFG)
_zth_export("record/curve", lambda: [sum(lossi[i:i + len(lossi) // 20]) / (len(lossi) // 20)
                                     for i in range(0, len(lossi) - len(lossi) // 20 + 1, len(lossi) // 20)][:20])
_zth_export("record/train_loss", lambda: evaluate(model, Xtr, Ytr))
_zth_export("record/val_loss", lambda: evaluate(model, Xva, Yva))
### END HIDDEN TESTS
assert len(lossi) == CFG["steps"], "train() should return one loss per step"
assert sum(lossi[:50]) / 50 > sum(lossi[-50:]) / 50 + 0.3, "the training loss should fall"
_val = evaluate(model, Xva, Yva)
assert _val < 2.4, f"validation loss {_val:.4f} is too high: check the training loop"
assert all(layer.training for layer in model.layers), "evaluate() must put the layers back in training mode"
print("ok")

# %% check="train"
def check(x, t):
    import torch.nn.functional as F
    # oracle: the same 8 steps written out in torch
    E = torch.sin(torch.arange(15.0)).reshape(5, 3).requires_grad_()
    W = (torch.cos(torch.arange(30.0) * 0.7).reshape(6, 5) * 0.5).requires_grad_()
    b = torch.zeros(5, requires_grad=True)
    X = torch.tensor([[0, 1], [2, 3], [4, 0], [1, 1], [3, 2], [0, 4]])
    Y = torch.tensor([1, 2, 3, 4, 0, 1])
    g = torch.Generator().manual_seed(7)
    losses = []
    for i in range(8):
        ix = torch.randint(0, 6, (6,), generator=g)
        loss = F.cross_entropy(E[X[ix]].view(6, 6) @ W + b, Y[ix])
        for p in (E, W, b):
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in (E, W, b):
                p -= (0.5 if i < 6 else 0.05) * p.grad
        losses.append(loss.item())
    got = x["train/steps"]
    ok = isinstance(got, list) and len(got) == 2 and isinstance(got[1], list) and len(got[1]) == 3
    if ok:
        t.close(got[0], losses, "losses of 8 training steps on a small model", atol=1e-5,
                hint="sample with torch.randint(0, len(X), (batch_size,), generator=g); lr / 10 after 75% of the steps")
        for name, p, q in zip(["embedding", "weight", "bias"], got[1], (E, W, b)):
            t.close(p, q.detach(), f"{name} after 8 training steps", atol=1e-5)
    else:
        t.true(got if not isinstance(got, list) else False, "8 training steps on a small model", "could not run")
    got = x["train/eval_mode"]
    Xe = torch.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    if isinstance(got, list) and len(got) == 2:
        t.close(got[0], F.cross_entropy(Xe * 0.25, torch.tensor([0, 2])).item(),
                "evaluate() on a model whose layers act differently in evaluation mode", atol=1e-5,
                hint="set layer.training = False on every layer before the forward pass")
        t.equal(got[1], [1.0, 1.0], "training flags after evaluate()", hint="put the layers back in training mode")
    else:
        t.true(got if not isinstance(got, list) else False, "evaluate()", "could not run")
    val = x["record/val_loss"]
    try:
        ref = reference("grading")["summary"]["record/val_loss"]
        hi = ref["max"] + max(0.03, 3 * ref["std"])
    except FileNotFoundError:
        hi = 2.30      # no record yet: a generous bound for the grading configuration
    t.true((val < hi) if isinstance(val, float) else val, "validation loss of your trained model",
           f"{val:.4f} is above what the reference runs allow ({hi:.3f})" if isinstance(val, float) else "")
