"""Correct answers to chapter 4 written another way (see tests/alternatives/__init__.py):
one written independently of the solution (addmm, rsqrt, in-place buffer updates, the
global generator in the experiment), and the lecture's own code (makemore part 3: its
initialisation, its Linear, BatchNorm1d with keepdim=True and Tanh classes, its training
loop), with the one change the statement asks of BatchNorm1d: it normalises with the
biased variance and keeps the unbiased one, as PyTorch does."""
from alternatives import Alt

INDEPENDENT = Alt(
    "independent: addmm, rsqrt, in-place buffers, p.data.add_, global generator",
    init_params='''
def init_params(n_embd, n_hidden, g):
    fan_in = block_size * n_embd
    C = torch.randn(vocab_size, n_embd, generator=g)
    W1 = torch.randn(fan_in, n_hidden, generator=g) * ((5 / 3) * fan_in ** -0.5)
    b1 = 0.01 * torch.randn(n_hidden, generator=g)
    W2 = 0.01 * torch.randn(n_hidden, vocab_size, generator=g)
    b2 = torch.zeros(vocab_size)
    return [C, W1, b1, W2, b2]
''',
    linear_tanh='''
class Linear:
    def __init__(self, fan_in, fan_out, bias=True, generator=None):
        self.weight = torch.randn(fan_in, fan_out, generator=generator) * fan_in ** -0.5
        self.bias = None
        if bias:
            self.bias = torch.zeros(fan_out)

    def __call__(self, x):
        if self.bias is None:
            self.out = x.mm(self.weight)
        else:
            self.out = torch.addmm(self.bias, x, self.weight)
        return self.out

    def parameters(self):
        return [p for p in (self.weight, self.bias) if p is not None]


class Tanh:
    def __call__(self, x):
        self.out = x.tanh()
        return self.out

    def parameters(self):
        return list()
''',
    batchnorm='''
class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps, self.momentum, self.training = eps, momentum, True
        self.gamma, self.beta = torch.ones(dim), torch.zeros(dim)
        self.running_mean, self.running_var = torch.zeros(dim), torch.ones(dim)

    def __call__(self, x):
        if not self.training:
            self.out = (x - self.running_mean) * (self.running_var + self.eps).rsqrt() * self.gamma + self.beta
            return self.out
        n = x.shape[0]
        mu = x.sum(0) / n
        squares = ((x - mu) ** 2).sum(0)
        self.out = (x - mu) * (squares / n + self.eps).rsqrt() * self.gamma + self.beta
        with torch.no_grad():
            self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mu)
            self.running_var.mul_(1 - self.momentum).add_(self.momentum * squares / (n - 1))
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]
''',
    model='''
def build_model(n_embd, n_hidden, g, momentum=0.1):
    C = torch.randn(vocab_size, n_embd, generator=g)
    first = Linear(block_size * n_embd, n_hidden, bias=False, generator=g)
    last = Linear(n_hidden, vocab_size, generator=g)
    first.weight = first.weight * (5 / 3)
    last.weight = last.weight * 0.1
    layers = [first, BatchNorm1d(n_hidden, momentum=momentum), Tanh(), last]
    for p in [C] + [q for layer in layers for q in layer.parameters()]:
        p.requires_grad_(True)
    return C, layers
''',
    train='''
def train(C, layers, X, Y, steps, batch_size=32, lr=0.1, g=None):
    params = parameters_of(C, layers)
    history = []
    for step in range(steps):
        batch = torch.randint(0, X.shape[0], (batch_size,), generator=g)
        loss = F.cross_entropy(model_forward(C, layers, X[batch]), Y[batch])
        for p in params:
            p.grad = None
        loss.backward()
        rate = lr / 10 if step >= steps // 2 else lr
        for p in params:
            p.data.add_(p.grad, alpha=-rate)
        history.append(float(loss))
    return history
''',
    bn_fold='''
def fold_batchnorm(linear, bn):
    with torch.no_grad():
        s = bn.gamma * (bn.running_var + bn.eps) ** -0.5
        b = torch.zeros_like(bn.running_mean) if linear.bias is None else linear.bias
        out = Linear(linear.weight.shape[0], linear.weight.shape[1])
        out.weight = linear.weight * s.unsqueeze(0)
        out.bias = bn.beta + s * (b - bn.running_mean)
    return out
''',
    zero_init='''
def zero_init_experiment(steps):
    C, layers = build_model(10, 100, torch.Generator().manual_seed(SEED))
    params = parameters_of(C, layers)
    for p in params:
        p.data.zero_()
    train(C, layers, Xtr, Ytr, steps)            # the global generator this time
    changed = [p.abs().sum().item() > 0 for p in params]
    for layer in layers:
        layer.training = False
    with torch.no_grad():
        logits = model_forward(C, layers, Xva[:5])
    for layer in layers:
        layer.training = True
    return changed, logits
''',
    zero_init_answer='''
ZERO_INIT_ANSWER = 'c'
''',
)

LECTURE = Alt(
    "the lecture's code (makemore part 3)",
    init_params='''
def init_params(n_embd, n_hidden, g):
  C  = torch.randn((vocab_size, n_embd),            generator=g)
  W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5/3)/((n_embd * block_size)**0.5) #* 0.2
  b1 = torch.randn(n_hidden,                        generator=g) * 0.01
  W2 = torch.randn((n_hidden, vocab_size),          generator=g) * 0.01
  b2 = torch.randn(vocab_size,                      generator=g) * 0
  return [C, W1, b1, W2, b2]
''',
    linear_tanh='''
class Linear:

  def __init__(self, fan_in, fan_out, bias=True, generator=None):
    self.weight = torch.randn((fan_in, fan_out), generator=generator) / fan_in**0.5
    self.bias = torch.zeros(fan_out) if bias else None

  def __call__(self, x):
    self.out = x @ self.weight
    if self.bias is not None:
      self.out += self.bias
    return self.out

  def parameters(self):
    return [self.weight] + ([] if self.bias is None else [self.bias])


class Tanh:
  def __call__(self, x):
    self.out = torch.tanh(x)
    return self.out
  def parameters(self):
    return []
''',
    batchnorm='''
class BatchNorm1d:

  def __init__(self, dim, eps=1e-5, momentum=0.1):
    self.eps = eps
    self.momentum = momentum
    self.training = True
    # parameters (trained with backprop)
    self.gamma = torch.ones(dim)
    self.beta = torch.zeros(dim)
    # buffers (trained with a running 'momentum update')
    self.running_mean = torch.zeros(dim)
    self.running_var = torch.ones(dim)

  def __call__(self, x):
    # calculate the forward pass
    if self.training:
      xmean = x.mean(0, keepdim=True) # batch mean
      xvar = x.var(0, keepdim=True, unbiased=False) # batch variance (biased, as the statement asks)
    else:
      xmean = self.running_mean
      xvar = self.running_var
    xhat = (x - xmean) / torch.sqrt(xvar + self.eps) # normalize to unit variance
    self.out = self.gamma * xhat + self.beta
    # update the buffers
    if self.training:
      with torch.no_grad():
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * x.var(0, keepdim=True)
    return self.out

  def parameters(self):
    return [self.gamma, self.beta]
''',
    model='''
def build_model(n_embd, n_hidden, g, momentum=0.1):
  C = torch.randn((vocab_size, n_embd), generator=g)
  layers = [
    Linear(n_embd * block_size, n_hidden, bias=False, generator=g), BatchNorm1d(n_hidden, momentum=momentum), Tanh(),
    Linear(           n_hidden, vocab_size, generator=g),
  ]
  with torch.no_grad():
    # last layer: make less confident
    layers[-1].weight *= 0.1
    # all other layers: apply gain
    for layer in layers[:-1]:
      if isinstance(layer, Linear):
        layer.weight *= 5/3
  parameters = [C] + [p for layer in layers for p in layer.parameters()]
  for p in parameters:
    p.requires_grad = True
  return C, layers
''',
    train='''
def train(C, layers, X, Y, steps, batch_size=32, lr=0.1, g=None):
  parameters = [C] + [p for layer in layers for p in layer.parameters()]
  lossi = []
  for i in range(steps):
    # minibatch construct
    ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)
    Xb, Yb = X[ix], Y[ix] # batch X,Y
    # forward pass
    x = model_forward(C, layers, Xb)
    loss = F.cross_entropy(x, Yb) # loss function
    # backward pass
    for p in parameters:
      p.grad = None
    loss.backward()
    # update
    lr_i = lr if i < steps // 2 else lr / 10 # step learning rate decay
    for p in parameters:
      p.data += -lr_i * p.grad
    # track stats
    lossi.append(loss.item())
  return lossi
''',
)

ALTERNATIVES = [INDEPENDENT, LECTURE]
