"""Correct answers of chapter 5 written another way (see tests/alternatives/__init__.py)."""
from alternatives import Alt

# The lecture's notebook (makemore part 4, exercises 1-4), its lines put into the
# functions the tasks ask for: the atomic backward line by line (dbnmeani kept (1, h),
# the shape the task asks for), dC by the lecture's double loop, the fused cross-entropy
# and BatchNorm lines, and its training step (p.data += -lr * grad, the loss left a 0-d
# tensor; there dC's double loop is written as one index_add_, since 3,000 steps of it
# take a minute on a loaded grader).
LECTURE_MANUAL = '''
def manual_backward(v, d):
    """Fill d.<name> with dloss/d<name> for every name in NAMES."""
    n = v.n
    logprobs, probs, counts, counts_sum, counts_sum_inv = v.logprobs, v.probs, v.counts, v.counts_sum, v.counts_sum_inv
    logits, h, W2, bnraw, bngain, bndiff, bnvar = v.logits, v.h, v.W2, v.bnraw, v.bngain, v.bndiff, v.bnvar
    bnvar_inv, bndiff2, hprebn, embcat, W1, emb, C, Xb, Yb = (v.bnvar_inv, v.bndiff2, v.hprebn, v.embcat,
                                                           v.W1, v.emb, v.C, v.Xb, v.Yb)
    d.logprobs = torch.zeros_like(logprobs)
    d.logprobs[range(n), Yb] = -1.0/n
    d.probs = (1.0 / probs) * d.logprobs
    d.counts_sum_inv = (counts * d.probs).sum(1, keepdim=True)
    d.counts = counts_sum_inv * d.probs
    d.counts_sum = (-counts_sum**-2) * d.counts_sum_inv
    d.counts += torch.ones_like(counts) * d.counts_sum
    d.norm_logits = counts * d.counts
    d.logits = d.norm_logits.clone()
    d.logit_maxes = (-d.norm_logits).sum(1, keepdim=True)
    d.logits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * d.logit_maxes
    d.h = d.logits @ W2.T
    d.W2 = h.T @ d.logits
    d.b2 = d.logits.sum(0)
    d.hpreact = (1.0 - h**2) * d.h
    d.bngain = (bnraw * d.hpreact).sum(0, keepdim=True)
    d.bnraw = bngain * d.hpreact
    d.bnbias = d.hpreact.sum(0, keepdim=True)
    d.bndiff = bnvar_inv * d.bnraw
    d.bnvar_inv = (bndiff * d.bnraw).sum(0, keepdim=True)
    d.bnvar = (-0.5*(bnvar + 1e-5)**-1.5) * d.bnvar_inv
    d.bndiff2 = (1.0/(n-1))*torch.ones_like(bndiff2) * d.bnvar
    d.bndiff += (2*bndiff) * d.bndiff2
    d.hprebn = d.bndiff.clone()
    d.bnmeani = (-d.bndiff).sum(0, keepdim=True)
    d.hprebn += 1.0/n * (torch.ones_like(hprebn) * d.bnmeani)
    d.embcat = d.hprebn @ W1.T
    d.W1 = embcat.T @ d.hprebn
    d.b1 = d.hprebn.sum(0)
    d.emb = d.embcat.view(emb.shape)
    d.C = torch.zeros_like(C)
    for k in range(Xb.shape[0]):
        for j in range(Xb.shape[1]):
            ix = Xb[k, j]
            d.C[ix] += d.emb[k, j]
'''

LECTURE_CE = '''
def cross_entropy_backward(logits, Yb):
    """dloss/dlogits for loss = F.cross_entropy(logits, Yb)."""
    n = logits.shape[0]
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    return dlogits
'''

LECTURE_BN = '''
def batchnorm_backward(hprebn, bngain, dhpreact):
    """dloss/dhprebn through the BatchNorm of the forward above (unbiased variance)."""
    n = hprebn.shape[0]
    bnmeani = 1/n*hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bnvar = 1/(n-1)*(bndiff**2).sum(0, keepdim=True)
    bnvar_inv = (bnvar + 1e-5)**-0.5
    bnraw = bndiff * bnvar_inv
    dhprebn = bngain*bnvar_inv/n * (n*dhpreact - dhpreact.sum(0) - n/(n-1)*bnraw*(dhpreact*bnraw).sum(0))
    return dhprebn
'''

LECTURE_TRAIN = '''
def train_step(params, Xb, Yb, lr):
    """One SGD step with manual gradients; returns the loss before the step."""
    C, W1, b1, W2, b2, bngain, bnbias = params
    n = Xb.shape[0]
    # forward pass
    emb = C[Xb] # embed the characters into vectors
    embcat = emb.view(emb.shape[0], -1) # concatenate the vectors
    # Linear layer
    hprebn = embcat @ W1 + b1 # hidden layer pre-activation
    # BatchNorm layer
    bnmean = hprebn.mean(0, keepdim=True)
    bnvar = hprebn.var(0, keepdim=True, unbiased=True)
    bnvar_inv = (bnvar + 1e-5)**-0.5
    bnraw = (hprebn - bnmean) * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    # Non-linearity
    h = torch.tanh(hpreact) # hidden layer
    logits = h @ W2 + b2 # output layer
    loss = F.cross_entropy(logits, Yb) # loss function
    # manual backprop
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    # 2nd layer backprop
    dh = dlogits @ W2.T
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    # tanh
    dhpreact = (1.0 - h**2) * dh
    # batchnorm backprop
    dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
    dbnbias = dhpreact.sum(0, keepdim=True)
    dhprebn = bngain*bnvar_inv/n * (n*dhpreact - dhpreact.sum(0) - n/(n-1)*bnraw*(dhpreact*bnraw).sum(0))
    # 1st layer
    dembcat = dhprebn @ W1.T
    dW1 = embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    # embedding
    demb = dembcat.view(emb.shape)
    dC = torch.zeros_like(C)
    dC.index_add_(0, Xb.view(-1), demb.view(-1, C.shape[1]))   # the lecture's double loop, at once
    grads = [dC, dW1, db1, dW2, db2, dbngain, dbnbias]
    # update
    for p, grad in zip(params, grads):
        p.data += -lr * grad
    return loss
'''

# Written independently of the solution: every gradient from an explicit formula of its
# own (division instead of multiplication by an inverse, scatter and one-hot matrices
# instead of index_add_, the textbook three-stage BatchNorm derivation), and a training
# step that reuses the two fused backward functions and computes the loss by hand.
OWN_MANUAL = '''
def manual_backward(v, d):
    n, V = v.n, v.logits.shape[1]
    onehot_y = torch.zeros_like(v.logits).scatter_(1, v.Yb.view(-1, 1), 1.0)
    d.logprobs = -onehot_y / n
    d.probs = d.logprobs / v.probs
    d.counts_sum_inv = torch.einsum("ij,ij->i", d.probs, v.counts).unsqueeze(1)
    d.counts_sum = -d.counts_sum_inv / (v.counts_sum * v.counts_sum)
    d.counts = d.probs * v.counts_sum_inv + d.counts_sum.expand_as(v.counts)
    d.norm_logits = d.counts * v.norm_logits.exp()
    d.logit_maxes = -d.norm_logits.sum(dim=1, keepdim=True)
    argmax = torch.zeros_like(v.logits).scatter_(1, v.logits.argmax(1, keepdim=True), 1.0)
    d.logits = d.norm_logits + argmax * d.logit_maxes
    d.h = torch.einsum("nv,hv->nh", d.logits, v.W2)
    d.W2 = torch.einsum("nh,nv->hv", v.h, d.logits)
    d.b2 = torch.einsum("nv->v", d.logits)
    d.hpreact = d.h * (1 - v.h * v.h)
    d.bngain = torch.sum(d.hpreact * v.bnraw, 0, keepdim=True)
    d.bnbias = torch.sum(d.hpreact, 0, keepdim=True)
    d.bnraw = d.hpreact * v.bngain
    d.bnvar_inv = torch.sum(d.bnraw * v.bndiff, 0, keepdim=True)
    d.bnvar = d.bnvar_inv * (-0.5) / (v.bnvar + 1e-5) / torch.sqrt(v.bnvar + 1e-5)
    d.bndiff2 = d.bnvar.expand_as(v.bndiff2) / (n - 1)
    d.bndiff = d.bnraw * v.bnvar_inv + d.bndiff2 * 2 * v.bndiff
    d.bnmeani = -torch.sum(d.bndiff, 0, keepdim=True)
    d.hprebn = d.bndiff + d.bnmeani.expand_as(v.hprebn) / n
    d.embcat = torch.einsum("nh,ih->ni", d.hprebn, v.W1)
    d.W1 = torch.einsum("ni,nh->ih", v.embcat, d.hprebn)
    d.b1 = torch.einsum("nh->h", d.hprebn)
    d.emb = d.embcat.reshape(v.emb.shape)
    flat = v.Xb.flatten()
    d.C = F.one_hot(flat, v.C.shape[0]).to(d.emb.dtype).T @ d.emb.reshape(flat.shape[0], -1)
'''

OWN_CE = '''
def cross_entropy_backward(logits, Yb):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    e = torch.exp(shifted)
    softmax = e / e.sum(dim=1, keepdim=True)
    target = torch.zeros_like(softmax)
    target[torch.arange(len(Yb)), Yb] = 1.0
    return (softmax - target) / len(Yb)
'''

OWN_BN = '''
def batchnorm_backward(hprebn, bngain, dhpreact):
    m = hprebn.shape[0]
    mu = hprebn.sum(0) / m
    xc = hprebn - mu
    var = (xc * xc).sum(0) / (m - 1)
    std = torch.sqrt(var + 1e-5)
    dxhat = dhpreact * bngain
    dvar = (dxhat * xc).sum(0) * (-0.5) / std**3
    dmu = -(dxhat / std).sum(0) - dvar * 2 * xc.sum(0) / (m - 1)
    return dxhat / std + dvar * 2 * xc / (m - 1) + dmu / m
'''

OWN_TRAIN = '''
def train_step(params, Xb, Yb, lr):
    C, W1, b1, W2, b2, bngain, bnbias = params
    rows = Xb.shape[0]
    x = C[Xb].reshape(rows, -1)
    pre = x @ W1 + b1
    mu = pre.mean(0, keepdim=True)
    sd = torch.sqrt(((pre - mu) ** 2).sum(0, keepdim=True) / (rows - 1) + 1e-5)
    xhat = (pre - mu) / sd
    act = torch.tanh(bngain * xhat + bnbias)
    out = act @ W2 + b2
    loss = -out.log_softmax(1).gather(1, Yb.view(-1, 1)).mean()
    g_out = cross_entropy_backward(out, Yb)
    g_act = g_out @ W2.t()
    g_pre_act = g_act * (1 - act ** 2)
    g_pre = batchnorm_backward(pre, bngain, g_pre_act)
    g_x = g_pre @ W1.t()
    grads = {
        0: torch.zeros_like(C).index_put_((Xb.flatten(),), g_x.reshape(-1, C.shape[1]), accumulate=True),
        1: x.t() @ g_pre,
        2: g_pre.sum(0),
        3: act.t() @ g_out,
        4: g_out.sum(0),
        5: (g_pre_act * xhat).sum(0, keepdim=True),
        6: g_pre_act.sum(0, keepdim=True),
    }
    for i, p in enumerate(params):
        p.sub_(lr * grads[i])
    return float(loss)
'''

ALTERNATIVES = [
    Alt("the lecture's code (makemore part 4)", manual_backward=LECTURE_MANUAL,
        cross_entropy_backward=LECTURE_CE, batchnorm_backward=LECTURE_BN, train_step=LECTURE_TRAIN),
    Alt("written independently (einsum, scatter, one-hot, staged BatchNorm backward)",
        manual_backward=OWN_MANUAL, cross_entropy_backward=OWN_CE, batchnorm_backward=OWN_BN,
        train_step=OWN_TRAIN),
]
