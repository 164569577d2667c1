"""Correct answers to chapter 3 written another way (see tests/alternatives/__init__.py):
one written independently of the solution (padded slices, one randn per shape, unbind and
addmm, in-place sub_, a decorated split_loss, a list of indices when sampling), and the
lecture's own code (makemore part 2: C[X], emb.view(-1, ...), torch.tanh,
F.cross_entropy, the float32 -torch.tensor(1/27).log())."""
from alternatives import Alt

# the code after each answer that later cells use (as in the solution)
PARAMS_AFTER = '''

params = init_params(vocab_size, CFG["n_embd"], block_size, CFG["n_hidden"],
                     torch.Generator().manual_seed(2147483647))
print(sum(p.nelement() for p in params), "parameters")
'''
FORWARD_AFTER = '''

logits = forward(params, Xtr[:32])
print("logits", tuple(logits.shape))
'''
SPLIT_AFTER = '''

train_loss = split_loss(params, Xtr.to(device), Ytr.to(device))
dev_loss = split_loss(params, Xdev.to(device), Ydev.to(device))
print(f"train {train_loss:.4f}   dev {dev_loss:.4f}")
'''
SAMPLE_AFTER = '''

cpu_params = [p.detach().cpu() for p in params]
g = torch.Generator().manual_seed(2147483647 + 10)
print([sample(cpu_params, block_size, g) for _ in range(10)])
'''

INDEPENDENT = Alt(
    "independent: padded slices, unbind/addmm, sub_, decorated split_loss, index list",
    dataset='''
def build_dataset(words, block_size):
    xs, ys = [], []
    for word in words:
        ids = [0] * block_size + [stoi[c] for c in word] + [stoi['.']]
        for end in range(block_size, len(ids)):
            xs.append(ids[end - block_size:end])
            ys.append(ids[end])
    return torch.tensor(xs, dtype=torch.long), torch.tensor(ys, dtype=torch.long)
''',
    uniform='''
def uniform_loss(vocab_size):
    return math.log(vocab_size)
''',
    params='''
def init_params(vocab_size, n_embd, block_size, n_hidden, g):
    shapes = [(vocab_size, n_embd), (block_size * n_embd, n_hidden), (n_hidden,),
              (n_hidden, vocab_size), (vocab_size,)]
    return [torch.randn(*shape, generator=g).requires_grad_() for shape in shapes]
''' + PARAMS_AFTER,
    forward='''
def forward(params, X):
    C, W1, b1, W2, b2 = params
    flat = torch.cat(torch.unbind(C[X], 1), 1)       # the embeddings side by side
    hidden = (flat @ W1 + b1).tanh()
    return torch.addmm(b2, hidden, W2)
''' + FORWARD_AFTER,
    train='''
def train(params, X, Y, steps, batch_size, lr_at, g):
    history = []
    for step in range(steps):
        batch = torch.randint(0, X.shape[0], (batch_size,), generator=g)
        loss = F.cross_entropy(forward(params, X[batch]), Y[batch])
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(lr_at(step) * p.grad)
        history.append(float(loss))
    return history
''',
    split_loss='''
@torch.no_grad()
def split_loss(params, X, Y):
    return float(F.cross_entropy(forward(params, X), Y))
''' + SPLIT_AFTER,
    sample='''
def sample(params, block_size, g):
    ids, context = [], [0] * block_size
    while not ids or ids[-1] != 0:
        probs = F.softmax(forward(params, torch.tensor([context])), dim=1)
        ids.append(torch.multinomial(probs, num_samples=1, generator=g).item())
        context = context[1:] + ids[-1:]
    return ''.join(itos[i] for i in ids[:-1])
''' + SAMPLE_AFTER,
)

LECTURE = Alt(
    "the lecture's code (makemore part 2)",
    dataset='''
def build_dataset(words, block_size):
  X, Y = [], []
  for w in words:
    context = [0] * block_size
    for ch in w + '.':
      ix = stoi[ch]
      X.append(context)
      Y.append(ix)
      context = context[1:] + [ix] # crop and append
  X = torch.tensor(X)
  Y = torch.tensor(Y)
  return X, Y
''',
    uniform='''
def uniform_loss(vocab_size):
  return -torch.tensor(1/vocab_size).log()
''',
    params='''
def init_params(vocab_size, n_embd, block_size, n_hidden, g):
  C = torch.randn((vocab_size, n_embd), generator=g)
  W1 = torch.randn((n_embd * block_size, n_hidden), generator=g)
  b1 = torch.randn(n_hidden, generator=g)
  W2 = torch.randn((n_hidden, vocab_size), generator=g)
  b2 = torch.randn(vocab_size, generator=g)
  parameters = [C, W1, b1, W2, b2]
  for p in parameters:
    p.requires_grad = True
  return parameters
''' + PARAMS_AFTER,
    forward='''
def forward(params, X):
  C, W1, b1, W2, b2 = params
  emb = C[X] # (32, 3, 2)
  h = torch.tanh(emb.view(-1, W1.shape[0]) @ W1 + b1) # (32, 100)
  logits = h @ W2 + b2 # (32, 27)
  return logits
''' + FORWARD_AFTER,
    train='''
def train(params, X, Y, steps, batch_size, lr_at, g):
  lossi = []
  for i in range(steps):
    # minibatch construct
    ix = torch.randint(0, X.shape[0], (batch_size,), generator=g)
    # forward pass
    logits = forward(params, X[ix])
    loss = F.cross_entropy(logits, Y[ix])
    # backward pass
    for p in params:
      p.grad = None
    loss.backward()
    # update
    lr = lr_at(i)
    for p in params:
      p.data += -lr * p.grad
    # track stats
    lossi.append(loss.item())
  return lossi
''',
    split_loss='''
@torch.no_grad() # this decorator disables gradient tracking
def split_loss(params, x, y):
  C, W1, b1, W2, b2 = params
  logits = forward(params, x)
  loss = F.cross_entropy(logits, y)
  return loss.item()
''' + SPLIT_AFTER,
    sample='''
def sample(params, block_size, g):
  out = []
  context = [0] * block_size # initialize with all ...
  while True:
    logits = forward(params, torch.tensor([context]))
    probs = F.softmax(logits, dim=1)
    ix = torch.multinomial(probs, num_samples=1, generator=g).item()
    context = context[1:] + [ix]
    out.append(ix)
    if ix == 0:
      break
  return ''.join(itos[i] for i in out[:-1])
''' + SAMPLE_AFTER,
)

ALTERNATIVES = [INDEPENDENT, LECTURE]
