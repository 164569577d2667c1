# %% [markdown]
# # Exercise 1: micrograd, backpropagation from scratch
#
# You will build a tiny autograd engine, the heart of every deep-learning library,
# and train a small neural net with it. Work top to bottom. Each task has a cell
# with `# YOUR CODE HERE`: replace the `raise NotImplementedError(...)` line with
# your code, then run the test cell below it. A test cell that runs without an
# error means the visible tests pass; the grader also runs hidden tests on other
# inputs, so make your code correct in general, not just on the examples.
#
# Tasks and points: analytic gradient (1), numerical gradients (2), `Value`
# operations (4), `backward()` (2), softmax and negative log likelihood (2), an MLP
# trained by gradient descent (3). Total 14.

# %%
import math
import random


# %% inputs
# The hidden tests' inputs, drawn afresh for each submission (see docs/ARCHITECTURE.md):
# probes read them in the kernel as _zth_in.NAME, checks in the grader as the same.
import math

def _sign():
    return rng.choice([-1.0, 1.0])

# Task 1: points where f is defined (a, b > 0 for the roots, c != 0)
grad_points = [(rng.uniform(0.2, 3.0), rng.uniform(0.1, 3.0), _sign() * rng.uniform(0.5, 5.0))
               for _ in range(3)]
# Task 2: a point of g(u, v, w) = u**3 * v - exp(w) * v + 1 / (u + 2)
diff_point = [rng.uniform(-1.0, 1.0), rng.uniform(-2.0, 2.0), rng.uniform(-1.0, 1.0)]
# Task 3: operands of each operation, the exponent of pow, and out.grad
op_args = {
    "add": [rng.uniform(-2, 2), rng.uniform(-2, 2)], "mul": [rng.uniform(-2, 2), rng.uniform(-2, 2)],
    "pow": [rng.uniform(0.5, 2.0)], "powneg": [rng.uniform(0.5, 2.5)],
    "exp": [rng.uniform(-1.5, 1.5)], "log": [rng.uniform(0.3, 4.0)],
    "tanh": [rng.uniform(-1.5, 1.5)], "relu+": [rng.uniform(0.1, 2.0)], "relu-": [-rng.uniform(0.1, 2.0)],
}
pow_k = rng.choice([2, 3, 4])
powneg_k = rng.choice([-1, -2, -1.5, -0.5])
ops = {   # each works on Values (in the kernel) and on torch tensors (in the check)
    "add": lambda a, b: a + b, "mul": lambda a, b: a * b,
    "pow": lambda a: a ** pow_k, "powneg": lambda a: a ** powneg_k,
    "exp": lambda a: a.exp(), "log": lambda a: a.log(),
    "tanh": lambda a: a.tanh(), "relu+": lambda a: a.relu(), "relu-": lambda a: a.relu(),
}
out_grad = rng.uniform(0.3, 1.5)
num_args = [rng.uniform(0.5, 3.0), rng.uniform(0.5, 3.0)]      # (number, Value) pairs
# Task 4: graphs (for Values and tensors alike) and their inputs (where every log is defined)
def _readme(a, b):   # micrograd's README expression
    c = a + b
    d = a * b + b**3
    c = c + (c + 1)
    c = c + (1 + c + (-a))
    d = d + (d * 2 + (b + a).relu())
    d = d + (3 * d + (b - a).relu())
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f

graphs = {
    "square": lambda a: a * a,
    "twice": lambda a: a + a,
    "diamond": lambda a, b: (a * b + b) * (a + b * b),
    "deep": lambda a, b: ((a * b).exp() + (a - b) ** 2 - a / b).log() * a,
    "chain": lambda a: ((a * 2 + 1) * (a - 3)).relu() + a.log() * a,
    "shared": lambda a, b: (lambda h: (h + 1) * (h * h - a) + h.exp())(a * b),
    "readme": _readme,
}
graph_args = {
    "square": [rng.uniform(-2, 2)], "twice": [rng.uniform(-2, 2)],
    "diamond": [rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)],
    "deep": [rng.uniform(0.1, 0.5), rng.uniform(0.7, 1.2)],
    "chain": [rng.uniform(3.5, 5.0)],
    "shared": [rng.uniform(-1, 1), rng.uniform(-1.2, 1.2)],
    "readme": [rng.uniform(-5.0, -3.0), rng.uniform(1.5, 2.5)],
}
# Task 5: logits and labels
nll_cases = []
for _ in range(3):
    _n = rng.randint(3, 6)
    nll_cases.append(([rng.uniform(-3, 3) for _ in range(_n)], rng.randrange(_n)))
# Task 6: a small net (sizes, starting parameters, data, learning rate) for three
# train_step calls; another architecture to count; fresh moons points, labels shuffled
mlp_sizes = [rng.randint(2, 4), rng.randint(2, 3), 1]
mlp_nparams = sum((nin + 1) * nout for nin, nout in zip([2] + mlp_sizes[:-1], mlp_sizes))
mlp_start = [rng.uniform(-1, 1) for _ in range(mlp_nparams)]
mlp_X = [[rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)] for _ in range(rng.randint(4, 6))]
mlp_y = [rng.choice([-1, 1]) for _ in mlp_X]
mlp_lr = rng.uniform(0.1, 0.5)
count_sizes = [rng.randint(3, 20), rng.randint(3, 20), 1]
count_nin = rng.randint(2, 5)
moons_X, moons_y = [], []
for _ in range(200):
    _t, _label = math.pi * rng.random(), rng.choice([-1, 1])
    _x1, _x2 = (math.cos(_t), math.sin(_t)) if _label < 0 else (1 - math.cos(_t), 0.5 - math.sin(_t))
    moons_X.append([_x1 + rng.gauss(0, 0.1), _x2 + rng.gauss(0, 0.1)])
    moons_y.append(_label)

# %% [markdown]
# ## Task 1: the gradient by hand (1 point)
#
# $f(a, b, c) = -a^3 + \sin(3b) - 1/c + b^{2.5} - a^{0.5}$.
#
# Write `grad_f(a, b, c)` that returns the list `[df/da, df/db, df/dc]`, using the
# rules of calculus (no numerical approximation, no autograd).

# %%
def f(a, b, c):
    return -a**3 + math.sin(3*b) - 1.0/c + b**2.5 - a**0.5


# %% solution="grad_f"
def grad_f(a, b, c):
    """[df/da, df/db, df/dc] at (a, b, c).

    >>> [round(g, 4) for g in grad_f(2, 3, 4)]
    [-12.3536, 10.257, 0.0625]
    """
    ### BEGIN SOLUTION
    return [-3*a**2 - 0.5*a**-0.5,
            3*math.cos(3*b) + 2.5*b**1.5,
            1.0/c**2]
    ### END SOLUTION


# %% test="analytic_grad" points=1
### BEGIN HIDDEN TESTS
for _i, _p in enumerate(_zth_in.grad_points):
    _zth_export(f"grad_f/{_i}", lambda: [float(g) for g in grad_f(*_p)])
### END HIDDEN TESTS
_g = grad_f(2, 3, 4)
assert len(_g) == 3, "return a list of three partial derivatives"
for _got, _want, _name in zip(_g, [-12.353553390593273, 10.25699027111255, 0.0625], "abc"):
    assert abs(_got - _want) < 1e-6, f"df/d{_name} is {_got}, expected {_want}"
print("ok")

# %% check="analytic_grad"
def check(x, t):
    for i, p in enumerate(_zth_in.grad_points):
        v = [torch.tensor(q, dtype=torch.float64, requires_grad=True) for q in p]
        a, b, c = v
        (-a**3 + torch.sin(3*b) - 1.0/c + b**2.5 - a**0.5).backward()
        t.close(x[f"grad_f/{i}"], [q.grad.item() for q in v], f"grad_f at hidden point {i + 1}",
                atol=1e-7, rtol=1e-7)


# %% mistakes="analytic_grad"
# Known mistakes (grader only): what each would export, for the feedback to name it.
@mistake("grad-dc-sign", "df/dc has the wrong sign: the derivative of -1/c is +1/c**2.",
         see="derivatives-numerically", atol=1e-7, rtol=1e-7)
def _():
    want = {}
    for i, p in enumerate(_zth_in.grad_points):
        a, b, c = p
        want[f"grad_f/{i}"] = [-3 * a**2 - 0.5 * a**-0.5, 3 * math.cos(3 * b) + 2.5 * b**1.5,
                               -1.0 / c**2]
    return want


# %% [markdown]
# ## Task 2: numerical gradients (2 points)
#
# Write `forward_diff(f, args, h)` and `symmetric_diff(f, args, h)`. Both return the
# list of partial derivatives of `f` with respect to each of its arguments:
#
# * forward difference: $(f(\dots, x_i + h, \dots) - f(\dots, x_i, \dots)) / h$
# * symmetric difference: $(f(\dots, x_i + h, \dots) - f(\dots, x_i - h, \dots)) / 2h$
#
# The symmetric one is far more accurate: its error shrinks like $h^2$, the forward
# one's like $h$.

# %% solution="numeric_grad"
def forward_diff(f, args, h=1e-6):
    """Forward-difference estimate of [df/dx_i for each argument x_i].

    >>> [round(g, 3) for g in forward_diff(lambda x, y: x * y, [2.0, 5.0])]
    [5.0, 2.0]
    """
    ### BEGIN SOLUTION
    base = f(*args)
    grads = []
    for i in range(len(args)):
        bumped = list(args)
        bumped[i] += h
        grads.append((f(*bumped) - base) / h)
    return grads
    ### END SOLUTION


def symmetric_diff(f, args, h=1e-6):
    """Symmetric-difference estimate of [df/dx_i for each argument x_i]."""
    ### BEGIN SOLUTION
    grads = []
    for i in range(len(args)):
        up, down = list(args), list(args)
        up[i] += h
        down[i] -= h
        grads.append((f(*up) - f(*down)) / (2 * h))
    return grads
    ### END SOLUTION


# %% test="numeric_grad" points=2
### BEGIN HIDDEN TESTS
_fn = lambda u, v, w: u**3 * v - math.exp(w) * v + 1.0 / (u + 2)
for _h in (1e-2, 1e-4):
    _zth_export(f"forward/{_h}", lambda: forward_diff(_fn, list(_zth_in.diff_point), _h))
    _zth_export(f"symmetric/{_h}", lambda: symmetric_diff(_fn, list(_zth_in.diff_point), _h))
### END HIDDEN TESTS
_exact = [-12.353553390593273, 10.25699027111255, 0.0625]
_fw = forward_diff(f, [2, 3, 4], 1e-6)
_sy = symmetric_diff(f, [2, 3, 4], 1e-6)
for _i in range(3):
    assert abs(_fw[_i] - _exact[_i]) < 1e-4, f"forward_diff: partial {_i} is {_fw[_i]}"
    assert abs(_sy[_i] - _exact[_i]) < 1e-6, f"symmetric_diff: partial {_i} is {_sy[_i]}"
# with a large step the forward error is about h, the symmetric one about h**2
_fw, _sy = forward_diff(f, [2, 3, 4], 1e-2), symmetric_diff(f, [2, 3, 4], 1e-2)
assert abs(_fw[0] - _exact[0]) > 1e-3, "forward_diff looks symmetric: use (f(x+h) - f(x)) / h"
assert abs(_sy[0] - _exact[0]) < 1e-3, "symmetric_diff should be accurate to about h**2"
print("ok")

# %% check="numeric_grad"
def check(x, t):
    fn = lambda u, v, w: u**3 * v - math.exp(w) * v + 1.0 / (u + 2)
    p = _zth_in.diff_point
    for h in (1e-2, 1e-4):
        fw, sy = [], []
        for i in range(3):
            up, down = list(p), list(p)
            up[i] += h
            down[i] -= h
            fw.append((fn(*up) - fn(*p)) / h)
            sy.append((fn(*up) - fn(*down)) / (2 * h))
        t.close(x[f"forward/{h}"], fw, f"forward_diff with h={h}", atol=1e-6, rtol=1e-6)
        t.close(x[f"symmetric/{h}"], sy, f"symmetric_diff with h={h}", atol=1e-6, rtol=1e-6)


# %% mistakes="numeric_grad"
def _diffs(step, h):
    """The estimates of every partial of the task's g at its point, by step(g, x, i, h)."""
    fn = lambda u, v, w: u**3 * v - math.exp(w) * v + 1.0 / (u + 2)
    return [step(fn, list(_zth_in.diff_point), i, h) for i in range(3)]


def _bump(x, i, d):
    return x[:i] + [x[i] + d] + x[i + 1:]


@mistake("symmetric-over-h", "symmetric_diff divides by h instead of 2h: its two points "
         "are 2h apart.", see="derivatives-numerically")
def _():
    return {f"symmetric/{h}": _diffs(lambda f, x, i, h: (f(*_bump(x, i, h)) - f(*_bump(x, i, -h))) / h, h)
            for h in (1e-2, 1e-4)}


@mistake("forward-step", "forward_diff is not (f(x + h) - f(x)) / h: a forward difference "
         "steps by exactly h, on one side only (its error shrinks like h).",
         see="derivatives-numerically")
def _():     # a half step
    return {f"forward/{h}": _diffs(lambda f, x, i, h: (f(*_bump(x, i, h / 2)) - f(*x)) / (h / 2), h)
            for h in (1e-2, 1e-4)}


@mistake("forward-step")
def _():     # the symmetric difference
    return {f"forward/{h}": _diffs(lambda f, x, i, h: (f(*_bump(x, i, h)) - f(*_bump(x, i, -h))) / (2 * h), h)
            for h in (1e-2, 1e-4)}


# %% [markdown]
# ## Task 3: the `Value` class (4 points)
#
# A `Value` wraps one number (`.data`), remembers the `Value`s it was computed from
# (`._prev`) and, after backpropagation, holds the derivative of the final output
# with respect to itself (`.grad`). Each operation creates its output `out` and sets
# `out._backward`: a function that takes `out.grad` and **adds** the local
# derivative times `out.grad` to the `.grad` of each input (chain rule).
#
# Complete every operation below, the forward value and its `_backward`. Numbers must
# work on either side (`2 * v`, `v + 1`, `1 / v`, `1 - v`). Task 4 (`backward`) is in
# the same class.

# %% solution="value"
class Value:
    """A scalar that remembers how it was computed, for backpropagation.

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a.exp()
    >>> c.backward()
    >>> round(c.data, 4), round(a.grad, 4), b.grad
    (1.3891, 4.3891, 2.0)
    """

    def __init__(self, data, _children=(), _op=''):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        ### BEGIN SOLUTION
        out = Value(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out
        ### END SOLUTION

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        ### BEGIN SOLUTION
        out = Value(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out
        ### END SOLUTION

    def __pow__(self, k):
        assert isinstance(k, (int, float)), "only numeric powers are supported"
        ### BEGIN SOLUTION
        out = Value(self.data ** k, (self,), f'**{k}')

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out
        ### END SOLUTION

    def exp(self):
        ### BEGIN SOLUTION
        out = Value(math.exp(self.data), (self,), 'exp')

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out
        ### END SOLUTION

    def log(self):
        ### BEGIN SOLUTION
        out = Value(math.log(self.data), (self,), 'log')

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out
        ### END SOLUTION

    def tanh(self):
        ### BEGIN SOLUTION
        t = math.tanh(self.data)
        out = Value(t, (self,), 'tanh')

        def _backward():
            self.grad += (1 - t**2) * out.grad
        out._backward = _backward
        return out
        ### END SOLUTION

    def relu(self):
        ### BEGIN SOLUTION
        out = Value(self.data if self.data > 0 else 0.0, (self,), 'relu')

        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out
        ### END SOLUTION

    # The rest can be written with the operations above.
    def __neg__(self):         # -self
        ### BEGIN SOLUTION
        return self * -1
        ### END SOLUTION

    def __sub__(self, other):  # self - other
        ### BEGIN SOLUTION
        return self + (-other)
        ### END SOLUTION

    def __truediv__(self, other):  # self / other
        ### BEGIN SOLUTION
        return self * other**-1
        ### END SOLUTION

    def __radd__(self, other):  # other + self
        ### BEGIN SOLUTION
        return self + other
        ### END SOLUTION

    def __rmul__(self, other):  # other * self
        ### BEGIN SOLUTION
        return self * other
        ### END SOLUTION

    def __rsub__(self, other):  # other - self
        ### BEGIN SOLUTION
        return other + (-self)
        ### END SOLUTION

    def __rtruediv__(self, other):  # other / self
        ### BEGIN SOLUTION
        return other * self**-1
        ### END SOLUTION

    def backward(self):
        """Set .grad of every Value this one depends on (Task 4)."""
        ### BEGIN SOLUTION
        topo, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                topo.append(v)
        visit(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
        ### END SOLUTION

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


# %% [markdown]
# The tests of Task 3 check each operation alone: they set `out.grad` and call
# `out._backward()` themselves, so they do not need `backward()` yet.

# %% test="value_ops" points=4
### BEGIN HIDDEN TESTS
def _zth_op(fn, xs):
    vs = [Value(v) for v in xs]
    out = fn(*vs)
    out.grad = _zth_in.out_grad
    out._backward()
    return [out.data] + [v.grad for v in vs]
for _k, _fn in _zth_in.ops.items():
    _zth_export(f"op/{_k}", lambda: _zth_op(_fn, _zth_in.op_args[_k]))
_n, _m = _zth_in.num_args
_zth_export("num/radd", lambda: (_n + Value(_m)).data)
_zth_export("num/rmul", lambda: (_n * Value(_m)).data)
_zth_export("num/rsub", lambda: (_n - Value(_m)).data)
_zth_export("num/rtruediv", lambda: (_n / Value(_m)).data)
_zth_export("num/sub", lambda: (Value(_n) - _m).data)
_zth_export("num/truediv", lambda: (Value(_n) / _m).data)
_zth_export("num/neg", lambda: (-Value(_n)).data)
_zth_export("num/addnum", lambda: (Value(_n) + _m).data)
### END HIDDEN TESTS
def _op(fn, *xs):
    vs = [Value(v) for v in xs]
    out = fn(*vs)
    out.grad = 1.0
    out._backward()
    return out.data, [v.grad for v in vs]

assert _op(lambda a, b: a + b, 2.0, 3.0) == (5.0, [1.0, 1.0]), "a + b"
assert _op(lambda a, b: a * b, 2.0, 3.0) == (6.0, [3.0, 2.0]), "a * b"
assert _op(lambda a: a ** 2, 3.0) == (9.0, [6.0]), "a ** 2"
_d, _g = _op(lambda a: a.tanh(), 0.5)
assert abs(_g[0] - (1 - math.tanh(0.5)**2)) < 1e-12, "d tanh(x)/dx = 1 - tanh(x)**2"
_d, _g = _op(lambda a: a.exp(), 1.0)
assert abs(_d - math.e) < 1e-12 and abs(_g[0] - math.e) < 1e-12, "exp"
_d, _g = _op(lambda a: a.log(), 2.0)
assert abs(_g[0] - 0.5) < 1e-12, "log"
assert _op(lambda a: a.relu(), -1.0) == (0.0, [0.0]), "relu of a negative number"
assert (3 - Value(1.0)).data == 2.0 and (1 / Value(4.0)).data == 0.25, "rsub / rtruediv"
assert (2 * Value(3.0)).data == 6.0 and (1 + Value(3.0)).data == 4.0, "rmul / radd"
print("ok")

# %% check="value_ops"
def check(x, t):
    h = _zth_in
    for k, fn in h.ops.items():
        vs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in h.op_args[k]]
        out = fn(*vs)
        out.backward(torch.tensor(h.out_grad, dtype=torch.float64))
        want = [out.item()] + [v.grad.item() for v in vs]
        t.close(x[f"op/{k}"], want, f"{k}: [output, input grads] after _backward()",
                atol=1e-9, rtol=1e-9)
    n, m = h.num_args
    for k, want in {"radd": n + m, "rmul": n * m, "rsub": n - m, "rtruediv": n / m, "sub": n - m,
                    "truediv": n / m, "neg": -n, "addnum": n + m}.items():
        t.close(x[f"num/{k}"], want, f"{k} with a plain number", atol=1e-12, rtol=1e-12)


# %% mistakes="value_ops"
@mistake("tanh-1-t", "The local derivative of tanh is 1 - t**2 (t = tanh(x)), not 1 - t.",
         see="common-mistakes", atol=1e-9, rtol=1e-9)
def _():
    v = _zth_in.op_args["tanh"][0]
    return {"op/tanh": [math.tanh(v), (1 - math.tanh(v)) * _zth_in.out_grad]}


@mistake("rsub-order", "other - self comes out the wrong way round: __rsub__(self, other) "
         "computes other - self.", see="more-operations", atol=1e-12, rtol=1e-12)
def _():
    n, m = _zth_in.num_args
    return {"num/rsub": m - n}


# %% [markdown]
# ## Task 4: `backward()` (2 points)
#
# Fill in `Value.backward` (in the class above, then re-run that cell): order every
# `Value` the output depends on so that each comes after everything it depends on (a
# topological sort), set the output's grad to 1, and call `_backward` on each node
# from the output back to the inputs. A value used twice (`a * a`, or `b` in
# `b + b*c`) must collect gradient from both uses: that is why `_backward` adds.

# %% test="backward" points=2
### BEGIN HIDDEN TESTS
def _zth_bw(build, xs):
    vs = [Value(v) for v in xs]
    out = build(*vs)
    out.backward()
    return [out.data] + [v.grad for v in vs]
for _k, _b in _zth_in.graphs.items():
    _zth_export(f"bw/{_k}", lambda: _zth_bw(_b, _zth_in.graph_args[_k]))
### END HIDDEN TESTS
# The expression from micrograd's README
a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f_ = e**2
g = f_ / 2.0
g += 10.0 / f_
g.backward()
assert abs(g.data - 24.7041) < 1e-4, f"g = {g.data:.4f}, expected 24.7041"
assert abs(a.grad - 138.8338) < 1e-4, f"dg/da = {a.grad:.4f}, expected 138.8338"
assert abs(b.grad - 645.5773) < 1e-4, f"dg/db = {b.grad:.4f}, expected 645.5773"
_x = Value(3.0)
_y = _x * _x
_y.backward()
assert _x.grad == 6.0, f"d(x*x)/dx at 3 is 6, got {_x.grad}: does _backward add (+=)?"
print("ok")

# %% check="backward"
def check(x, t):
    for k, build in _zth_in.graphs.items():
        vs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in _zth_in.graph_args[k]]
        out = build(*vs)
        out.backward()
        want = [out.item()] + [v.grad.item() for v in vs]
        t.close(x[f"bw/{k}"], want, f"backward() on the graph '{k}'", atol=1e-9, rtol=1e-9)


# %% mistakes="backward"
@mistake("grad-overwrite", "A _backward sets .grad (=) instead of adding to it (+=): a value "
         "used twice, as in a + a, keeps the gradient of one use only.",
         see="the-bug-of-a-node-used-twice", atol=1e-9, rtol=1e-9)
def _():
    a = _zth_in.graph_args["twice"][0]
    return {"bw/twice": [2 * a, 1.0]}


# %% [markdown]
# ## Task 5: softmax and the negative log likelihood (2 points)
#
# Write `nll(logits, label)`: given a list of `Value` logits and the index of the
# correct class, return the `Value` $-\log \mathrm{softmax}(\text{logits})_{label}$,
# built only from `Value` operations so that `backward()` works through it.

# %% solution="softmax_nll"
def nll(logits, label):
    """Negative log likelihood of class `label` under softmax(logits)."""
    ### BEGIN SOLUTION
    counts = [z.exp() for z in logits]
    total = sum(counts)
    return -(counts[label] / total).log()
    ### END SOLUTION


# %% test="softmax_nll" points=2
### BEGIN HIDDEN TESTS
def _zth_nll(zs, y):
    vs = [Value(z) for z in zs]
    loss = nll(vs, y)
    loss.backward()
    return [loss.data] + [v.grad for v in vs]
for _i, (_zs, _y) in enumerate(_zth_in.nll_cases):
    _zth_export(f"nll/{_i}", lambda: _zth_nll(_zs, _y))
### END HIDDEN TESTS
_logits = [Value(v) for v in [0.0, 3.0, -2.0, 1.0]]
_loss = nll(_logits, 3)
_loss.backward()
_want = [0.0417725705, 0.8390245075, 0.0056533027, -0.8864503806]
for _i, (_v, _w) in enumerate(zip(_logits, _want)):
    assert abs(_v.grad - _w) < 1e-8, f"d loss / d logit[{_i}] = {_v.grad:.10f}, expected {_w}"
print("ok")

# %% check="softmax_nll"
def check(x, t):
    import torch.nn.functional as F
    for i, (zs, y) in enumerate(_zth_in.nll_cases):
        z = torch.tensor(zs, dtype=torch.float64, requires_grad=True)
        loss = F.cross_entropy(z[None], torch.tensor([y]))
        loss.backward()
        t.close(x[f"nll/{i}"], [loss.item()] + z.grad.tolist(),
                f"[loss, grads] for {len(zs)} logits", atol=1e-9, rtol=1e-9)


# %% mistakes="softmax_nll"
@mistake("softmax-not-normalised", "nll does not normalise: divide the exponentiated logit "
         "by the sum over all classes (softmax) before taking the log.",
         see="02_bigram#from-counts-to-probabilities", atol=1e-9, rtol=1e-9)
def _():
    return {f"nll/{i}": [-zs[y]] + [-1.0 if j == y else 0.0 for j in range(len(zs))]
            for i, (zs, y) in enumerate(_zth_in.nll_cases)}


# %% [markdown]
# ## Task 6: an MLP trained by gradient descent (3 points)
#
# Build micrograd's `Neuron`, `Layer` and `MLP`: a neuron computes
# $\sum_i w_i x_i + b$ (weights from `random.uniform(-1, 1)`, bias 0), followed by a
# ReLU unless `nonlin=False`; an `MLP(nin, [n1, ..., 1])` applies ReLU in every layer
# but the last. `parameters()` lists, layer by layer and neuron by neuron, each
# neuron's weights and then its bias.
#
# Then write `loss_fn(model, X, y)`: the mean max-margin loss
# $\frac{1}{n}\sum_i \mathrm{relu}(1 - y_i s_i)$ over the scores $s_i$ = `model(X[i])`,
# plus $10^{-4} \sum_p p^2$ over all parameters; and `train_step(model, X, y, lr)`:
# one step of gradient descent (the gradients must be reset first!) that returns the
# loss as a float.

# %%
def make_moons(n, noise=0.1, seed=0):
    """Two interleaving half circles: n points (x1, x2) with labels -1 / +1."""
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            x1, x2, label = math.cos(t), math.sin(t), -1
        else:
            x1, x2, label = 1 - math.cos(t), 0.5 - math.sin(t), 1
        X.append([x1 + rng.gauss(0, noise), x2 + rng.gauss(0, noise)])
        y.append(label)
    return X, y


# %% solution="mlp"
class Neuron:
    def __init__(self, nin, nonlin=True):
        ### BEGIN SOLUTION
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin
        ### END SOLUTION

    def __call__(self, x):
        ### BEGIN SOLUTION
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return self.w + [self.b]
        ### END SOLUTION


class Layer:
    def __init__(self, nin, nout, **kwargs):
        ### BEGIN SOLUTION
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        ### END SOLUTION

    def __call__(self, x):
        ### BEGIN SOLUTION
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return [p for n in self.neurons for p in n.parameters()]
        ### END SOLUTION


class MLP:
    def __init__(self, nin, nouts):
        ### BEGIN SOLUTION
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]
        ### END SOLUTION

    def __call__(self, x):
        ### BEGIN SOLUTION
        for layer in self.layers:
            x = layer(x)
        return x
        ### END SOLUTION

    def parameters(self):
        ### BEGIN SOLUTION
        return [p for layer in self.layers for p in layer.parameters()]
        ### END SOLUTION


def loss_fn(model, X, y):
    """Mean max-margin loss plus 1e-4 * (sum of squared parameters), as a Value."""
    ### BEGIN SOLUTION
    scores = [model(x) for x in X]
    margins = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(margins) * (1.0 / len(margins))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss
    ### END SOLUTION


def train_step(model, X, y, lr):
    """One gradient-descent step on the whole data set; returns the loss before it."""
    ### BEGIN SOLUTION
    loss = loss_fn(model, X, y)
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data
    ### END SOLUTION


# %% [markdown]
# Now train a model on the moons. `SCALE` comes from the setup cell: `"colab"` when you
# run the notebook, `"grading"` (fewer points and steps) when the grader does.

# %%
random.seed(SEED)
N, STEPS, WIDTH = (40, 40, 8) if SCALE == "grading" else (100, 60, 16)
X, y = make_moons(N, noise=0.1, seed=1)
model = MLP(2, [WIDTH, WIDTH, 1])
for step in range(STEPS):
    lr = 1.0 - 0.9 * step / STEPS
    loss = train_step(model, X, y, lr)
    if step % 10 == 0 or step == STEPS - 1:
        acc = sum((model(x).data > 0) == (yi > 0) for x, yi in zip(X, y)) / len(y)
        print(f"step {step:3d}  loss {loss:.4f}  accuracy {acc:.0%}")

# %% test="mlp_train" points=3
### BEGIN HIDDEN TESTS
def _zth_three_steps():
    net = MLP(2, list(_zth_in.mlp_sizes))
    params = net.parameters()
    if len(params) != len(_zth_in.mlp_start):
        raise ValueError(f"MLP(2, {_zth_in.mlp_sizes}) has {len(_zth_in.mlp_start)} parameters, "
                         f"yours has {len(params)}")
    for _p, _v in zip(params, _zth_in.mlp_start):
        _p.data = _v
    losses = [train_step(net, _zth_in.mlp_X, _zth_in.mlp_y, _zth_in.mlp_lr) for _ in range(3)]
    return [float(v) for v in losses] + [p.data for p in net.parameters()]
_zth_export("mlp/steps", _zth_three_steps)
_zth_export("mlp/nparams", lambda: len(MLP(_zth_in.count_nin, list(_zth_in.count_sizes)).parameters()))
_zth_export("mlp/predictions", lambda: [float(model(_x).data) for _x in _zth_in.moons_X])
### END HIDDEN TESTS
assert len(MLP(2, [16, 16, 1]).parameters()) == 337, "MLP(2, [16, 16, 1]) has 337 parameters"
_acc = sum((model(x).data > 0) == (yi > 0) for x, yi in zip(X, y)) / len(y)
assert _acc >= 0.9, f"training accuracy is {_acc:.0%}; it should reach at least 90%"
print("ok")

# %% check="mlp_train"
def three_steps(reset=True):
    """The oracle of three train_step calls: the same net in torch, same starting
    parameters, data and rate; [losses, parameters] as the probe exports them. With
    reset=False the gradients add up from step to step (a known mistake)."""
    h = _zth_in
    ws, k = [], 0
    sizes = [2] + list(h.mlp_sizes)
    for nin, nout in zip(sizes, sizes[1:]):
        W = torch.empty(nout, nin, dtype=torch.float64)
        b = torch.empty(nout, dtype=torch.float64)
        for j in range(nout):
            W[j] = torch.tensor(h.mlp_start[k:k + nin], dtype=torch.float64)
            b[j] = h.mlp_start[k + nin]
            k += nin + 1
        ws += [W.requires_grad_(), b.requires_grad_()]
    X = torch.tensor(h.mlp_X, dtype=torch.float64)
    y = torch.tensor(h.mlp_y, dtype=torch.float64)
    losses = []
    for _ in range(3):
        a = X
        for i in range(0, len(ws), 2):
            a = a @ ws[i].T + ws[i + 1]
            if i + 2 < len(ws):
                a = torch.relu(a)
        loss = torch.relu(1 - y * a[:, 0]).mean() + 1e-4 * sum((w ** 2).sum() for w in ws)
        if reset:
            for w in ws:
                w.grad = None
        loss.backward()
        with torch.no_grad():
            for w in ws:
                w -= h.mlp_lr * w.grad
        losses.append(loss.item())
    flat = []
    for W, b in zip(ws[0::2], ws[1::2]):
        for j in range(W.shape[0]):
            flat += W[j].tolist() + [b[j].item()]
    return losses + flat


def check(x, t):
    h = _zth_in
    sizes = [h.count_nin] + list(h.count_sizes)
    t.equal(x["mlp/nparams"], sum((a + 1) * b for a, b in zip(sizes, sizes[1:])),
            "number of parameters of an MLP of other sizes")
    t.close(x["mlp/steps"], three_steps(),
            "three train_step calls on a small net: [losses, parameters]", atol=1e-8, rtol=1e-7,
            hint="check the loss, that gradients are reset before backward, and the update p -= lr * grad")
    # the trained model separates fresh points from the same distribution (labels shuffled)
    pred = as_tensor(x["mlp/predictions"])
    if pred is None or tuple(pred.shape) != (len(h.moons_y),):
        t.fail(x["mlp/predictions"], "predictions of your trained `model` on new points",
               "could not be computed")
    else:
        acc = float(((pred > 0) == (torch.tensor(h.moons_y) > 0)).double().mean())
        # the solution's trained model scores 83-93% on such draws; an untrained one ~50%
        t.true(acc >= 0.75, "accuracy of your trained `model` on 200 new moons points",
               f"{acc:.0%}, below the 75% required: train longer or check train_step")


# %% mistakes="mlp_train"
@mistake("no-zero-grad", "train_step does not reset the gradients before backward(): each "
         "step then uses the sum of all the gradients so far.",
         see="the-classic-mistake-forgetting-zero-grad", atol=1e-8, rtol=1e-7)
def _():
    return {"mlp/steps": three_steps(reset=False)}
