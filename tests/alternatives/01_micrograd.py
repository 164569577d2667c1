"""Chapter 1 answers written another way (see tests/alternatives/__init__.py)."""
from alternatives import Alt

VALUE = '''
class Value:
    """Each node stores its inputs with their local derivatives; backward walks an
    explicit stack instead of recursing."""

    def __init__(self, data, _children=(), _op='', _local=()):
        self.data = float(data)
        self.grad = 0.0
        self._prev = set(_children)
        self._op = _op
        self._edges = list(zip(_children, _local))
        self._backward = self._push

    def _push(self):
        for child, local in self._edges:
            child.grad += local * self.grad

    @staticmethod
    def _wrap(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = self._wrap(other)
        return Value(self.data + other.data, (self, other), '+', (1.0, 1.0))

    def __mul__(self, other):
        other = self._wrap(other)
        if other is self:
            return Value(self.data ** 2, (self,), '*', (2 * self.data,))
        return Value(self.data * other.data, (self, other), '*', (other.data, self.data))

    def __pow__(self, k):
        return Value(self.data ** k, (self,), f'**{k}', (k * self.data ** (k - 1),))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), 'exp', (e,))

    def log(self):
        return Value(math.log(self.data), (self,), 'log', (1.0 / self.data,))

    def tanh(self):
        th = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
        return Value(th, (self,), 'tanh', (1 - th * th,))

    def relu(self):
        return Value(max(self.data, 0.0), (self,), 'relu', (1.0 if self.data > 0 else 0.0,))

    def __neg__(self):
        return Value(-self.data, (self,), 'neg', (-1.0,))

    def __sub__(self, other):
        other = self._wrap(other)
        return Value(self.data - other.data, (self, other), '-', (1.0, -1.0))

    def __truediv__(self, other):
        other = self._wrap(other)
        return Value(self.data / other.data, (self, other), '/',
                     (1.0 / other.data, -self.data / other.data ** 2))

    def __radd__(self, other):
        return self._wrap(other) + self

    def __rmul__(self, other):
        return self._wrap(other) * self

    def __rsub__(self, other):
        return self._wrap(other) - self

    def __rtruediv__(self, other):
        return self._wrap(other) / self

    def backward(self):
        order, done, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in done:
                done.add(node)
                stack.append((node, True))
                stack.extend((c, False) for c in node._prev if c not in done)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
'''

MLP = '''
class Neuron:
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        total = self.b
        for wi, xi in zip(self.w, x):
            total = total + wi * xi
        return total.relu() if self.nonlin else total

    def parameters(self):
        return [*self.w, self.b]


class Layer:
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        if len(outs) == 1:
            return outs[0]
        return outs

    def parameters(self):
        params = []
        for n in self.neurons:
            params.extend(n.parameters())
        return params


class MLP:
    def __init__(self, nin, nouts):
        self.layers = []
        for i, nout in enumerate(nouts):
            self.layers.append(Layer(nin, nout, nonlin=(i < len(nouts) - 1)))
            nin = nout

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def loss_fn(model, X, y):
    losses = []
    for xi, yi in zip(X, y):
        losses.append((1 - yi * model(xi)).relu())
    loss = sum(losses) / len(losses)
    return loss + 1e-4 * sum(p ** 2 for p in model.parameters())


def train_step(model, X, y, lr):
    params = model.parameters()
    for p in params:
        p.grad = 0
    loss = loss_fn(model, X, y)
    loss.backward()
    for p in params:
        p.data += -lr * p.grad
    return float(loss.data)
'''

ALTERNATIVES = [
    Alt("edges with local derivatives, iterative topological sort, loops",
        grad_f='''def grad_f(a, b, c):
    dfa = -3 * a * a - 1 / (2 * math.sqrt(a))
    dfb = 3 * math.cos(3 * b) + 2.5 * b * math.sqrt(b)
    dfc = c ** -2
    return [dfa, dfb, dfc]''',
        numeric_grad='''def _bump(args, i, delta):
    return [v + delta if j == i else v for j, v in enumerate(args)]


def forward_diff(f, args, h=1e-6):
    f0 = f(*args)
    return [(f(*_bump(args, i, h)) - f0) / h for i in range(len(args))]


def symmetric_diff(f, args, h=1e-6):
    return [(f(*_bump(args, i, h)) - f(*_bump(args, i, -h))) / (2 * h) for i in range(len(args))]''',
        value=VALUE,
        softmax_nll='''def nll(logits, label):
    m = max(z.data for z in logits)          # shift for stability: softmax is unchanged
    exps = [(z - m).exp() for z in logits]
    return (sum(exps)).log() - (logits[label] - m)''',
        mlp=MLP),
    Alt("the lecture's softmax: exp, normalise, pick, -log",
        softmax_nll='''def nll(logits, label):
    counts = [logit.exp() for logit in logits]
    denominator = sum(counts)
    out = [c / denominator for c in counts]
    return -out[label].log()'''),
]
