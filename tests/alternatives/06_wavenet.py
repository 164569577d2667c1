"""Correct answers of chapter 6 written another way (see tests/alternatives/__init__.py)."""
from alternatives import Alt

# The lecture's code (makemore part 5), put into the functions the tasks ask for. Its
# Embedding, FlattenConsecutive and Sequential are the lecture's as they are; its
# BatchNorm1d picks the dimensions by x.ndim (dim=(0, 1) for 3-D input) and keeps the
# statistics with keepdim=True, normalising with the biased variance and keeping the
# buffers of shape (C,) as the statement asks (the lecture normalised with the unbiased
# one); the model is the lecture's list of layers, one level per halving of the context;
# training is the lecture's loop (p.data += -lr * p.grad); evaluate returns the loss as
# a 0-d tensor, as the lecture's split_loss computes it.
LECTURE_EMBEDDING = '''
class Embedding:

  def __init__(self, num_embeddings, embedding_dim):
    self.weight = torch.randn((num_embeddings, embedding_dim))

  def __call__(self, IX):
    self.out = self.weight[IX]
    return self.out

  def parameters(self):
    return [self.weight]
'''

LECTURE_FLATTEN = '''
class FlattenConsecutive:

  def __init__(self, n):
    self.n = n

  def __call__(self, x):
    B, T, C = x.shape
    x = x.view(B, T//self.n, C*self.n)
    if x.shape[1] == 1:
      x = x.squeeze(1)
    self.out = x
    return self.out

  def parameters(self):
    return []
'''

LECTURE_SEQUENTIAL = '''
class Sequential:

  def __init__(self, layers):
    self.layers = layers

  def __call__(self, x):
    for layer in self.layers:
      x = layer(x)
    self.out = x
    return self.out

  def parameters(self):
    # get parameters of all layers and stretch them out into one list
    return [p for layer in self.layers for p in layer.parameters()]
'''

LECTURE_BATCHNORM = '''
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
      if x.ndim == 2:
        dim = 0
      elif x.ndim == 3:
        dim = (0,1)
      xmean = x.mean(dim, keepdim=True) # batch mean
      xvar = x.var(dim, keepdim=True, unbiased=False) # batch variance
    else:
      xmean = self.running_mean
      xvar = self.running_var
    xhat = (x - xmean) / torch.sqrt(xvar + self.eps) # normalize to unit variance
    self.out = self.gamma * xhat + self.beta
    # update the buffers
    if self.training:
      with torch.no_grad():
        n = x.numel() / x.shape[-1]
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean.view(-1)
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar.view(-1) * n / (n - 1)
    return self.out

  def parameters(self):
    return [self.gamma, self.beta]
'''

LECTURE_MODEL = '''
def hierarchical_model(vocab_size, n_embd, n_hidden, block_size=8):
    layers = [Embedding(vocab_size, n_embd),
              FlattenConsecutive(2), Linear(n_embd * 2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh()]
    for _ in range(int(math.log2(block_size)) - 1):
        layers += [FlattenConsecutive(2), Linear(n_hidden*2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh()]
    layers += [Linear(n_hidden, vocab_size)]
    model = Sequential(layers)
    # parameter init
    with torch.no_grad():
      model.layers[-1].weight *= 0.1 # last layer make less confident
    return model
'''

LECTURE_TRAIN = '''
def train(model, X, Y, steps, batch_size=32, lr=0.1, seed=SEED):
    """Train `model` in place; return the per-step training losses (floats)."""
    g = torch.Generator().manual_seed(seed)
    params = model.parameters()
    for p in params:
        p.requires_grad = True
    losses = []
    parameters = params
    for i in range(steps):
      # minibatch construct
      ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)
      Xb, Yb = X[ix], Y[ix] # batch X,Y

      # forward pass
      logits = model(Xb)
      loss = F.cross_entropy(logits, Yb) # loss function

      # backward pass
      for p in parameters:
        p.grad = None
      loss.backward()

      # update: simple SGD
      lr_i = lr if i < 0.75 * steps else lr / 10 # step learning rate decay
      for p in parameters:
        p.data += -lr_i * p.grad

      # track stats
      losses.append(loss.item())
    return losses


@torch.no_grad() # this decorator disables gradient tracking inside pytorch
def evaluate(model, X, Y):
    # put layers into eval mode (needed for batchnorm especially)
    for layer in model.layers:
      layer.training = False
    logits = model(X)
    loss = F.cross_entropy(logits, Y)
    for layer in model.layers:
      layer.training = True
    return loss
'''

# Written independently of the solution: a one-hot product for the lookup, a reshape
# with an explicit group axis for the flattening, reduce and chain for Sequential,
# BatchNorm from sums over every axis but the last, a recursive tree builder, and a
# training loop with in-place updates and a hand-written cross-entropy in evaluate.
OWN_EMBEDDING = '''
class Embedding:
    def __init__(self, num_embeddings, embedding_dim):
        self.weight = torch.randn((num_embeddings, embedding_dim))

    def __call__(self, IX):
        onehot = F.one_hot(IX, num_classes=self.weight.shape[0]).to(self.weight.dtype)
        self.out = onehot @ self.weight
        return self.out

    def parameters(self):
        return list((self.weight,))
'''

OWN_FLATTEN = '''
class FlattenConsecutive:
    def __init__(self, n):
        self.n = n

    def __call__(self, x):
        B, T, C = x.shape
        groups = x.reshape(B, T // self.n, self.n, C)     # (B, groups, n, C)
        out = groups.flatten(start_dim=2)                 # n steps laid end to end
        self.out = out[:, 0] if out.shape[1] == 1 else out
        return self.out

    def parameters(self):
        return []
'''

OWN_SEQUENTIAL = '''
import functools
import itertools


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        self.out = functools.reduce(lambda acc, layer: layer(acc), self.layers, x)
        return self.out

    def parameters(self):
        return list(itertools.chain.from_iterable(layer.parameters() for layer in self.layers))
'''

OWN_BATCHNORM = '''
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
        axes = tuple(range(x.dim() - 1))          # every axis but the channels
        if not self.training:
            centred = x - self.running_mean
            self.out = self.gamma * centred / (self.running_var + self.eps).sqrt() + self.beta
            return self.out
        count = 1
        for a in axes:
            count *= x.shape[a]
        mu = x.sum(dim=axes) / count
        sq = ((x - mu) ** 2).sum(dim=axes)
        self.out = self.gamma * (x - mu) * torch.rsqrt(sq / count + self.eps) + self.beta
        m = self.momentum
        self.running_mean = self.running_mean * (1 - m) + mu.detach() * m
        self.running_var = self.running_var * (1 - m) + (sq / (count - 1)).detach() * m
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]
'''

OWN_MODEL = '''
def hierarchical_model(vocab_size, n_embd, n_hidden, block_size=8):
    def levels(width, context):
        if context == 1:
            return []
        return [FlattenConsecutive(2), Linear(width * 2, n_hidden, bias=False),
                BatchNorm1d(n_hidden), Tanh()] + levels(n_hidden, context // 2)

    head = Linear(n_hidden, vocab_size)
    head.weight = head.weight * 0.1
    return Sequential([Embedding(vocab_size, n_embd)] + levels(n_embd, block_size) + [head])
'''

OWN_TRAIN = '''
def train(model, X, Y, steps, batch_size=32, lr=0.1, seed=SEED):
    g = torch.Generator().manual_seed(seed)
    params = model.parameters()
    for p in params:
        p.requires_grad = True
    losses = []
    switch = 0.75 * steps
    step = 0
    while step < steps:
        rows = torch.randint(0, X.shape[0], (batch_size,), generator=g)
        loss = F.cross_entropy(model(X[rows]), Y[rows])
        for p in params:
            p.grad = None
        loss.backward()
        rate = lr / 10 if step >= switch else lr
        with torch.no_grad():
            for p in params:
                p.sub_(rate * p.grad)
        losses.append(float(loss))
        step += 1
    return losses


def evaluate(model, X, Y):
    for layer in model.layers:
        layer.training = False
    try:
        with torch.no_grad():
            logp = model(X).log_softmax(dim=-1)
            return -logp[torch.arange(len(Y)), Y].mean().item()
    finally:
        for layer in model.layers:
            layer.training = True
'''

ALTERNATIVES = [
    Alt("the lecture's code (makemore part 5)", embedding=LECTURE_EMBEDDING, flatten=LECTURE_FLATTEN,
        sequential=LECTURE_SEQUENTIAL, batchnorm=LECTURE_BATCHNORM, model=LECTURE_MODEL,
        train=LECTURE_TRAIN),
    Alt("written independently (one-hot lookup, grouped reshape, reduce, sums over axes, recursion)",
        embedding=OWN_EMBEDDING, flatten=OWN_FLATTEN, sequential=OWN_SEQUENTIAL, batchnorm=OWN_BATCHNORM,
        model=OWN_MODEL, train=OWN_TRAIN),
]
