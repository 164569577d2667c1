"""Correct answers for chapter 2 written another way (see tests/alternatives/__init__.py).

* "lecture": every answer as the lecture writes it (makemore part 1; the split as in
  part 2: random.seed + random.shuffle on a copy), with the course's general sizes
  (len(stoi), W.shape[0]) where the statement asks for them;
* "vectorised": every answer with another internal structure (bincount and
  index_put_ instead of loops, F.normalize, gather, an SGD optimizer, a shuffled index
  list, walrus loops), written independently of the solution;
* "lecture float32 sum": avg_nll accumulating log-probabilities in a float32 tensor,
  as the lecture's first version does.
"""
from alternatives import Alt

LECTURE = dict(
    vocab='''
def build_vocab(words):
    chars = sorted(list(set(''.join(words))))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi['.'] = 0
    itos = {i: s for s, i in stoi.items()}
    return stoi, itos


stoi, itos = build_vocab(words)
''',
    counts='''
def bigram_counts(words, stoi):
    N = torch.zeros((len(stoi), len(stoi)), dtype=torch.int32)
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            N[ix1, ix2] += 1
    return N


N = bigram_counts(words, stoi)
''',
    probs='''
def bigram_probs(N, smoothing=1):
    P = (N + smoothing).float()
    P /= P.sum(1, keepdims=True)
    return P


P = bigram_probs(N, smoothing=1)
''',
    sample='''
def sample_name(P, itos, g):
    out = []
    ix = 0
    while True:
        p = P[ix]
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    return ''.join(out[:-1])


g = torch.Generator().manual_seed(2147483647)
for i in range(5):
    print(sample_name(P, itos, g))
''',
    nll='''
def avg_nll(words, P, stoi):
    log_likelihood = 0.0
    n = 0
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            prob = P[ix1, ix2]
            logprob = torch.log(prob)
            log_likelihood += logprob.item()
            n += 1
    nll = -log_likelihood
    return nll / n


nll_words = avg_nll(words, P, stoi)
print(f"{nll_words=}")
''',
    net_loss='''
def net_loss(W, xs, ys, reg=0.01):
    num = xs.nelement()
    xenc = F.one_hot(xs, num_classes=W.shape[0]).float()  # input to the network: one-hot encoding
    logits = xenc @ W  # predict log-counts
    counts = logits.exp()  # counts, equivalent to N
    probs = counts / counts.sum(1, keepdims=True)  # probabilities for next character
    loss = -probs[torch.arange(num), ys].log().mean() + reg * (W**2).mean()
    return loss
''',
    net_train='''
def train_net(xs, ys, steps, lr, reg=0.01, seed=2147483647, V=27):
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((V, V), generator=g, requires_grad=True)
    losses = []
    for k in range(steps):
        # forward pass
        loss = net_loss(W, xs, ys, reg)
        losses.append(loss.item())
        # backward pass
        W.grad = None  # set to zero the gradient
        loss.backward()
        # update
        W.data += -lr * W.grad
    return W, losses
''',
    trigram='''
def trigram_counts(words, stoi):
    N3 = torch.zeros((len(stoi), len(stoi), len(stoi)), dtype=torch.int32)
    for w in words:
        chs = ['.', '.'] + list(w) + ['.']
        for ch1, ch2, ch3 in zip(chs, chs[1:], chs[2:]):
            N3[stoi[ch1], stoi[ch2], stoi[ch3]] += 1
    return N3


def trigram_probs(N3, smoothing=1):
    P3 = (N3 + smoothing).float()
    P3 /= P3.sum(2, keepdims=True)
    return P3


def trigram_nll(words, P3, stoi):
    log_likelihood = 0.0
    n = 0
    for w in words:
        chs = ['.', '.'] + list(w) + ['.']
        for ch1, ch2, ch3 in zip(chs, chs[1:], chs[2:]):
            log_likelihood += torch.log(P3[stoi[ch1], stoi[ch2], stoi[ch3]]).item()
            n += 1
    return -log_likelihood / n


N3 = trigram_counts(words, stoi)
P3 = trigram_probs(N3, smoothing=1)
nll3_words = trigram_nll(words, P3, stoi)
print(nll3_words)
''',
    split='''
def split_words(words, seed=42):
    words = words[:]
    random.seed(seed)
    random.shuffle(words)
    n1 = int(0.8 * len(words))
    n2 = int(0.9 * len(words))
    return words[:n1], words[n1:n2], words[n2:]


def eval_splits(train, dev, test, stoi):
    out = {}
    P = bigram_probs(bigram_counts(train, stoi), smoothing=1)
    out["bigram"] = [avg_nll(dev, P, stoi), avg_nll(test, P, stoi)]
    P3 = trigram_probs(trigram_counts(train, stoi), smoothing=1)
    out["trigram"] = [trigram_nll(dev, P3, stoi), trigram_nll(test, P3, stoi)]
    return out


train_words, dev_words, test_words = split_words(words[:CFG["split_words"]])
split_nll = eval_splits(train_words, dev_words, test_words, stoi)
print(split_nll)
''',
    smoothing='''
def tune_smoothing(train, dev, stoi, ks):
    N3 = trigram_counts(train, stoi)
    best_k, best_loss, losses = None, float("inf"), []
    for k in ks:
        loss = trigram_nll(dev, trigram_probs(N3, smoothing=k), stoi)
        losses.append(loss)
        if loss < best_loss:
            best_k, best_loss = k, loss
    return best_k, losses


best_k, dev_losses = tune_smoothing(train_words, dev_words, stoi, [0.01, 0.03, 0.1, 0.3, 1, 3])
print(best_k, dev_losses)
''',
    indexing='''
def net_loss_indexed(W, xs, ys, reg=0.01):
    num = xs.nelement()
    logits = W[xs]  # the row of W for each input: what one_hot(xs) @ W picks out
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + reg * (W**2).mean()
    return loss
''',
    cross_entropy='''
def net_loss_ce(W, xs, ys, reg=0.01):
    logits = W[xs]
    loss = F.cross_entropy(logits, ys) + reg * (W**2).mean()
    return loss
''',
)

VECTORISED = dict(
    vocab='''
def build_vocab(words):
    itos = dict(enumerate(['.'] + sorted({c for w in words for c in w})))
    stoi = {c: i for i, c in itos.items()}
    return stoi, itos


stoi, itos = build_vocab(words)
''',
    counts='''
def _pairs(words, stoi):
    """flat indices i * V + j of every bigram"""
    V = len(stoi)
    flat = [stoi[a] * V + stoi[b] for w in words for a, b in zip('.' + w, w + '.')]
    return torch.tensor(flat, dtype=torch.long)


def bigram_counts(words, stoi):
    V = len(stoi)
    return torch.bincount(_pairs(words, stoi), minlength=V * V).view(V, V).to(torch.int32)


N = bigram_counts(words, stoi)
''',
    probs='''
def bigram_probs(N, smoothing=1):
    return F.normalize(N.to(torch.float32) + smoothing, p=1, dim=1)


P = bigram_probs(N, smoothing=1)
''',
    sample='''
def sample_name(P, itos, g):
    name, ix = "", 0
    while (ix := torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()) != 0:
        name += itos[ix]
    return name


gen = torch.Generator().manual_seed(2147483647)
print([sample_name(P, itos, gen) for _ in range(5)])
''',
    nll='''
def avg_nll(words, P, stoi):
    pairs = torch.tensor([(stoi[a], stoi[b]) for w in words for a, b in zip('.' + w, w + '.')])
    i, j = pairs.unbind(1)
    return float(-P[i, j].double().log().sum() / len(pairs))


nll_words = avg_nll(words, P, stoi)
print(nll_words)
''',
    net_loss='''
def net_loss(W, xs, ys, reg=0.01):
    V = W.shape[0]
    logits = F.one_hot(xs, V).to(W.dtype) @ W
    e = torch.exp(logits)
    p = e / e.sum(dim=-1, keepdim=True)
    picked = p.gather(1, ys.view(-1, 1)).squeeze(1)
    return -torch.log(picked).mean() + reg * W.pow(2).mean()
''',
    net_train='''
def train_net(xs, ys, steps, lr, reg=0.01, seed=2147483647, V=27):
    W = torch.randn((V, V), generator=torch.Generator().manual_seed(seed), requires_grad=True)
    opt = torch.optim.SGD([W], lr=lr)
    history = []
    for _ in range(steps):
        loss = net_loss(W=W, xs=xs, ys=ys, reg=reg)       # keywords: the names the statement gives
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        history.append(float(loss))
    return W, history
''',
    trigram='''
def _triples(words, stoi):
    return torch.tensor([(stoi[a], stoi[b], stoi[c]) for w in words
                         for a, b, c in zip('..' + w, '.' + w, w + '.')], dtype=torch.long)


def trigram_counts(words, stoi):
    V = len(stoi)
    N3 = torch.zeros((V, V, V), dtype=torch.int32)
    t = _triples(words, stoi)
    N3.index_put_((t[:, 0], t[:, 1], t[:, 2]), torch.ones(len(t), dtype=torch.int32), accumulate=True)
    return N3


def trigram_probs(N3, smoothing=1):
    return F.normalize(N3.float() + smoothing, p=1, dim=-1)


def trigram_nll(words, P3, stoi):
    t = _triples(words, stoi)
    return -P3[t[:, 0], t[:, 1], t[:, 2]].double().log().mean().item()


N3 = trigram_counts(words, stoi)
P3 = trigram_probs(N3, smoothing=1)
nll3_words = trigram_nll(words, P3, stoi)
print(nll3_words)
''',
    split='''
def split_words(words, seed=42):
    order = list(range(len(words)))
    random.Random(seed).shuffle(order)          # the same permutation as shuffling a copy
    shuffled = [words[i] for i in order]
    n1, n2 = (int(f * len(words)) for f in (0.8, 0.9))
    return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]


def eval_splits(train, dev, test, stoi):
    models = {"bigram": (bigram_probs(bigram_counts(train, stoi), smoothing=1), avg_nll),
              "trigram": (trigram_probs(trigram_counts(train, stoi), smoothing=1), trigram_nll)}
    return {name: [score(part, model, stoi) for part in (dev, test)]
            for name, (model, score) in models.items()}


train_words, dev_words, test_words = split_words(words[:CFG["split_words"]])
split_nll = eval_splits(train_words, dev_words, test_words, stoi)
''',
    smoothing='''
def tune_smoothing(train, dev, stoi, ks):
    counts = trigram_counts(train, stoi)
    losses = [trigram_nll(dev, trigram_probs(counts, smoothing=k), stoi) for k in ks]
    return ks[int(torch.tensor(losses).argmin())], losses


best_k, dev_losses = tune_smoothing(train_words, dev_words, stoi, [0.01, 0.03, 0.1, 0.3, 1, 3])
''',
    indexing='''
def net_loss_indexed(W, xs, ys, reg=0.01):
    logp = W.index_select(0, xs).log_softmax(dim=1)
    return -logp.gather(1, ys[:, None]).mean() + reg * W.square().mean()
''',
    cross_entropy='''
def net_loss_ce(W, xs, ys, reg=0.01):
    logits = F.one_hot(xs, W.shape[0]).float() @ W
    return F.cross_entropy(logits, ys, reduction="mean") + reg * torch.mean(W * W)
''',
)

NLL_FLOAT32 = '''
def avg_nll(words, P, stoi):
    log_likelihood = 0.0
    n = 0
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            prob = P[stoi[ch1], stoi[ch2]]
            logprob = torch.log(prob)
            log_likelihood += logprob
            n += 1
    nll = -log_likelihood
    return nll / n


nll_words = avg_nll(words, P, stoi)
print(f"{nll_words=}")
'''

ALTERNATIVES = [
    Alt("lecture code throughout (net_loss: F.one_hot(xs, num_classes=W.shape[0]).float() @ W, "
        "exp, sum(1, keepdims=True), -log prob mean + reg)", **LECTURE),
    Alt("vectorised, other structure", **VECTORISED),
    Alt("lecture float32 sum in avg_nll", nll=NLL_FLOAT32),
]
