"""Correct answers to chapter 7 written another way (see tests/alternatives/__init__.py):
one written independently of the solution (vectorised get_batch by index arithmetic,
einsum attention with a boolean mask buffer, permute/reshape to split heads, layers of
the feed-forward net applied in a loop, a list-based estimate_loss returning a float),
and the lecture's own code (nanoGPT lecture gpt.py: lambda encode/decode, Head with a
`tril` buffer and `masked_fill`, MultiHeadAttention with `proj`, FeedFoward, Block with
pre-norm residuals, generate with idx_cond, estimate_loss returning `losses.mean()`, a
0-d tensor), adapted to the notebook's signatures."""
from alternatives import Alt

# the code each answer cell ends with, which later cells use (as in the solution)
TRAIN_HEAD = '''
def autocast(device):
    """bfloat16 mixed precision on a GPU; a no-op on the CPU."""
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")

'''

INDEPENDENT = Alt(
    "independent: index arithmetic, einsum, boolean mask, permute, list-based estimate_loss",
    tokenizer='''
vocabulary = "".join(sorted(set(text)))
chars = list(vocabulary)
stoi = dict(zip(vocabulary, range(len(vocabulary))))
itos = dict(enumerate(vocabulary))


def encode(s):
    return list(map(vocabulary.index, s))


def decode(ids):
    out = []
    for i in ids:
        out.append(vocabulary[int(i)])
    return "".join(out)
''',
    get_batch='''
def get_batch(data, block_size, batch_size, generator=None):
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    where = starts.unsqueeze(1) + torch.arange(block_size).unsqueeze(0)     # (batch_size, block_size)
    return data[where], data[where + 1]
''',
    head='''
class Head(nn.Module):
    def __init__(self, n_embd, head_size, block_size, dropout=0.0):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("future", torch.ones(block_size, block_size, dtype=torch.bool).triu(diagonal=1))

    def forward(self, x):
        T = x.size(1)
        q, k, v = self.query(x), self.key(x), self.value(x)
        scores = torch.einsum("bth,bsh->bts", q, k) / math.sqrt(q.size(-1))
        scores = scores.masked_fill(self.future[:T, :T], -math.inf)
        weights = self.dropout(torch.softmax(scores, dim=2))
        return torch.einsum("bts,bsh->bth", weights, v)
''',
    multihead='''
class MultiHeadAttention(nn.Module):
    def __init__(self, num_heads, head_size, n_embd, block_size, dropout=0.0):
        super().__init__()
        self.heads = nn.ModuleList([Head(n_embd, head_size, block_size, dropout) for _ in range(num_heads)])
        self.proj = nn.Linear(head_size * num_heads, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        outs = []
        for head in self.heads:
            outs.append(head(x))
        return self.dropout(self.proj(torch.cat(outs, dim=2)))
''',
    batched='''
class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout=0.0, flash=True):
        super().__init__()
        assert n_embd % n_head == 0
        self.n_head, self.dropout, self.flash = n_head, dropout, flash
        self.qkv = nn.Linear(n_embd, 3 * n_embd, bias=False)
        self.proj = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(dropout)
        self.resid_dropout = nn.Dropout(dropout)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))

    def forward(self, x):
        B, T, C = x.shape
        nh = self.n_head
        qkv = self.qkv(x).reshape(B, T, 3, nh, C // nh).permute(2, 0, 3, 1, 4)   # (3, B, nh, T, hs)
        q, k, v = qkv.unbind(0)
        if self.flash:
            p = self.dropout if self.training else 0.0
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        else:
            scores = torch.einsum("bhtd,bhsd->bhts", q, k) * (C // nh) ** -0.5
            scores = scores.masked_fill(~self.tril[:T, :T].bool(), float("-inf"))
            y = torch.einsum("bhts,bhsd->bhtd", self.attn_dropout(scores.softmax(-1)), v)
        y = y.permute(0, 2, 1, 3).reshape(B, T, C)
        return self.resid_dropout(self.proj(y))
''',
    block='''
class FeedForward(nn.Module):
    def __init__(self, n_embd, dropout=0.0):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.ReLU(),
                                 nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))

    def forward(self, x):
        for layer in self.net:
            x = layer(x)
        return x


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout=0.0):
        super().__init__()
        self.sa = CausalSelfAttention(n_embd, n_head, block_size, dropout)
        self.ffwd = FeedForward(n_embd, dropout)
        self.ln1 = nn.LayerNorm(n_embd)
        self.ln2 = nn.LayerNorm(n_embd)

    def forward(self, x):
        attended = x + self.sa(self.ln1(x))
        return attended + self.ffwd(self.ln2(attended))
''',
    gpt='''
class GPTLanguageModel(nn.Module):
    def __init__(self, vocab_size, n_embd, n_head, n_layer, block_size, dropout=0.0):
        super().__init__()
        self.block_size = block_size
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head, block_size, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)

    def forward(self, idx, targets=None):
        positions = torch.arange(idx.size(1), device=idx.device)
        h = self.token_embedding_table(idx) + self.position_embedding_table(positions)[None]
        for block in self.blocks:
            h = block(h)
        logits = self.lm_head(self.ln_f(h))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, generator=None):
        out = idx
        for _ in range(max_new_tokens):
            context = out if out.size(1) <= self.block_size else out[:, out.size(1) - self.block_size:]
            last = self(context)[0][:, -1]
            nxt = torch.multinomial(last.softmax(dim=-1), num_samples=1, generator=generator)
            out = torch.cat([out, nxt], dim=-1)
        return out
''',
    train=TRAIN_HEAD + '''
def estimate_loss(model, data, block_size, batch_size, eval_iters=20, seed=0):
    device = next(model.parameters()).device
    g = torch.Generator().manual_seed(seed)
    model.eval()
    total = []
    with torch.no_grad():
        for _ in range(eval_iters):
            xb, yb = get_batch(data, block_size, batch_size, g)
            total.append(float(model(xb.to(device), yb.to(device))[1]))
    model.train()
    return sum(total) / len(total)


def train(model, data, max_iters, block_size, batch_size, lr, seed=SEED, log_every=0):
    device = next(model.parameters()).device
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    history = []
    for step in range(max_iters):
        xb, yb = get_batch(data, block_size, batch_size, g)
        opt.zero_grad()
        with autocast(device):
            loss = model(xb.to(device), yb.to(device))[1]
        loss.backward()
        opt.step()
        history.append(float(loss.detach()))
        if log_every and step % log_every == 0:
            print(f"step {step}: {history[-1]:.4f}", flush=True)
    return history
''',
)

LECTURE = Alt(
    "lecture gpt.py: lambdas, tril/masked_fill Head, proj, FeedFoward, pre-norm Block, losses.mean()",
    tokenizer='''
chars = sorted(list(set(text)))
stoi = { ch:i for i,ch in enumerate(chars) }
itos = { i:ch for i,ch in enumerate(chars) }
encode = lambda s: [stoi[c] for c in s] # encoder: take a string, output a list of integers
decode = lambda l: ''.join([itos[i] for i in l]) # decoder: take a list of integers, output a string
''',
    get_batch='''
def get_batch(data, block_size, batch_size, generator=None):
    # generate a small batch of data of inputs x and targets y
    ix = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    x = torch.stack([data[i:i+block_size] for i in ix])
    y = torch.stack([data[i+1:i+block_size+1] for i in ix])
    return x, y
''',
    head='''
class Head(nn.Module):
    """ one head of self-attention """

    def __init__(self, n_embd, head_size, block_size, dropout=0.0):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.register_buffer('tril', torch.tril(torch.ones(block_size, block_size)))

        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        # input of size (batch, time-step, channels)
        # output of size (batch, time-step, head size)
        B,T,C = x.shape
        k = self.key(x)   # (B,T,hs)
        q = self.query(x) # (B,T,hs)
        # compute attention scores ("affinities")
        wei = q @ k.transpose(-2,-1) * k.shape[-1]**-0.5 # (B, T, hs) @ (B, hs, T) -> (B, T, T)
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float('-inf')) # (B, T, T)
        wei = F.softmax(wei, dim=-1) # (B, T, T)
        wei = self.dropout(wei)
        # perform the weighted aggregation of the values
        v = self.value(x) # (B,T,hs)
        out = wei @ v # (B, T, T) @ (B, T, hs) -> (B, T, hs)
        return out
''',
    multihead='''
class MultiHeadAttention(nn.Module):
    """ multiple heads of self-attention in parallel """

    def __init__(self, num_heads, head_size, n_embd, block_size, dropout=0.0):
        super().__init__()
        self.heads = nn.ModuleList([Head(n_embd, head_size, block_size, dropout) for _ in range(num_heads)])
        self.proj = nn.Linear(head_size * num_heads, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        out = torch.cat([h(x) for h in self.heads], dim=-1)
        out = self.dropout(self.proj(out))
        return out
''',
    block='''
class FeedFoward(nn.Module):
    """ a simple linear layer followed by a non-linearity """

    def __init__(self, n_embd, dropout=0.0):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_embd, 4 * n_embd),
            nn.ReLU(),
            nn.Linear(4 * n_embd, n_embd),
            nn.Dropout(dropout),
        )

    def forward(self, x):
        return self.net(x)


FeedForward = FeedFoward   # the notebook's name for it


class Block(nn.Module):
    """ Transformer block: communication followed by computation """

    def __init__(self, n_embd, n_head, block_size, dropout=0.0):
        # n_embd: embedding dimension, n_head: the number of heads we'd like
        super().__init__()
        self.sa = CausalSelfAttention(n_embd, n_head, block_size, dropout)
        self.ffwd = FeedFoward(n_embd, dropout)
        self.ln1 = nn.LayerNorm(n_embd)
        self.ln2 = nn.LayerNorm(n_embd)

    def forward(self, x):
        x = x + self.sa(self.ln1(x))
        x = x + self.ffwd(self.ln2(x))
        return x
''',
    gpt='''
class GPTLanguageModel(nn.Module):

    def __init__(self, vocab_size, n_embd, n_head, n_layer, block_size, dropout=0.0):
        super().__init__()
        self.block_size = block_size
        # each token directly reads off the logits for the next token from a lookup table
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head, block_size, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd) # final layer norm
        self.lm_head = nn.Linear(n_embd, vocab_size)

        # better init, not covered in the original GPT video, but important, will cover in followup video
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        B, T = idx.shape

        # idx and targets are both (B,T) tensor of integers
        tok_emb = self.token_embedding_table(idx) # (B,T,C)
        pos_emb = self.position_embedding_table(torch.arange(T, device=idx.device)) # (T,C)
        x = tok_emb + pos_emb # (B,T,C)
        x = self.blocks(x) # (B,T,C)
        x = self.ln_f(x) # (B,T,C)
        logits = self.lm_head(x) # (B,T,vocab_size)

        if targets is None:
            loss = None
        else:
            B, T, C = logits.shape
            loss = F.cross_entropy(logits.view(B*T, C), targets.view(B*T))   # logits keep (B,T,C)

        return logits, loss

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, generator=None):
        # idx is (B, T) array of indices in the current context
        for _ in range(max_new_tokens):
            # crop idx to the last block_size tokens
            idx_cond = idx[:, -self.block_size:]
            # get the predictions
            logits, loss = self(idx_cond)
            # focus only on the last time step
            logits = logits[:, -1, :] # becomes (B, C)
            # apply softmax to get probabilities
            probs = F.softmax(logits, dim=-1) # (B, C)
            # sample from the distribution
            idx_next = torch.multinomial(probs, num_samples=1, generator=generator) # (B, 1)
            # append sampled index to the running sequence
            idx = torch.cat((idx, idx_next), dim=1) # (B, T+1)
        return idx
''',
    train=TRAIN_HEAD + '''
@torch.no_grad()
def estimate_loss(model, data, block_size, batch_size, eval_iters=20, seed=0):
    g = torch.Generator().manual_seed(seed)
    model.eval()
    losses = torch.zeros(eval_iters)
    for k in range(eval_iters):
        X, Y = get_batch(data, block_size, batch_size, g)
        logits, loss = model(X, Y)
        losses[k] = loss.item()
    model.train()
    return losses.mean()


def train(model, data, max_iters, block_size, batch_size, lr, seed=SEED, log_every=0):
    g = torch.Generator().manual_seed(seed)
    losses = []
    # create a PyTorch optimizer
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)

    for iter in range(max_iters):
        # sample a batch of data
        xb, yb = get_batch(data, block_size, batch_size, g)

        # evaluate the loss
        logits, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
''',
)

ALTERNATIVES = [INDEPENDENT, LECTURE]
