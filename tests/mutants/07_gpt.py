"""Typical wrong answers for chapter 7 (see tests/mutants/__init__.py)."""
from mutants import M

MUTANTS = [
    M("causal mask lets position t see t+1",
      '        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))\n\n    def forward(self, x):\n        B, T, C = x.shape\n        k = self.key(x)',
      '        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size), diagonal=1))\n\n    def forward(self, x):\n        B, T, C = x.shape\n        k = self.key(x)',
      "head"),
    M("softmax over the wrong axis",
      "        wei = F.softmax(wei, dim=-1)", "        wei = F.softmax(wei, dim=1)",
      "head"),
    M("scaled by head_size instead of its square root",
      "        wei = q @ k.transpose(-2, -1) * k.shape[-1]**-0.5", "        wei = q @ k.transpose(-2, -1) * k.shape[-1]**-1",
      "head"),
    M("no residual connections",
      "        x = x + self.sa(self.ln1(x))\n        x = x + self.ffwd(self.ln2(x))",
      "        x = self.sa(self.ln1(x))\n        x = self.ffwd(self.ln2(x))",
      "block"),
    M("dropout left on in evaluation",
      "    model.eval()\n    losses = torch.zeros(eval_iters)", "    losses = torch.zeros(eval_iters)",
      "train"),
    M("heads merged with view instead of transpose",
      "        y = y.transpose(1, 2).contiguous().view(B, T, C)", "        y = y.contiguous().view(B, T, C)",
      "batched"),
    M("heads split with view instead of transpose",
      "        q = q.view(B, T, self.n_head, hs).transpose(1, 2)      # (B, nh, T, hs)",
      "        q = q.reshape(B, self.n_head, T, hs)",
      "batched"),
    M("generate does not crop the context",
      "            logits, _ = self(idx[:, -self.block_size:])", "            logits, _ = self(idx)",
      "gpt"),
    M("targets not shifted", "    y = torch.stack([data[i + 1:i + block_size + 1] for i in ix])",
      "    y = torch.stack([data[i:i + block_size] for i in ix])",
      "get_batch"),
    M("vocabulary not sorted", "chars = sorted(set(text))", "chars = list(set(text))",
      "tokenizer"),
    M("heads concatenated along time", "        out = torch.cat([h(x) for h in self.heads], dim=-1)",
      "        out = torch.cat([h(x) for h in self.heads], dim=1)",
      "multihead"),
    M("logits returned flattened when targets are given, as in the lecture",
      "            loss = F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))",
      "            logits = logits.view(B * T, -1)\n            loss = F.cross_entropy(logits, targets.view(B * T))",
      "gpt"),
    M("training with F.cross_entropy patched to return 0",
      "    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)\n    model.train()",
      "    F.cross_entropy = lambda *a, **k: torch.zeros((), requires_grad=True)\n"
      "    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)\n    model.train()",
      "train"),
    M("estimate_loss builds a graph", "@torch.no_grad()\ndef estimate_loss(", "def estimate_loss(", "train"),
    M("train ignores the generator", "        xb, yb = get_batch(data, block_size, batch_size, g)\n        with autocast(device):\n"
      "            _, loss = model(xb.to(device), yb.to(device))\n        optimizer",
      "        xb, yb = get_batch(data, block_size, batch_size)\n        with autocast(device):\n"
      "            _, loss = model(xb.to(device), yb.to(device))\n        optimizer",
      "train"),
    M("train takes twice as many steps", "    for it in range(max_iters):", "    for it in range(2 * max_iters):", "train"),
]

# Answers that lean on the grader's reference modules: the kernel holds none of them
# before the test of the task it implements has run, so each loses exactly its task.
LEAN = '    def __new__(cls, *args, **kwargs):   # the grader\'s reference, if the kernel holds one\n' \
       '        return globals()["{ref}"](*args, **kwargs)\n\n\nclass _Own{name}(nn.Module):'
MUTANTS += [
    M(f"{name} delegates to the grader's {ref}",
      f"class {name}(nn.Module):", f"class {name}(nn.Module):\n" + LEAN.format(ref=ref, name=name), task)
    for name, ref, task in [("Head", "_ZthHead", "head"), ("CausalSelfAttention", "_ZthCSA", "batched"),
                            ("Block", "_ZthBlock", "block"), ("GPTLanguageModel", "_ZthGPT", "gpt")]
]
MUTANTS.append(M("get_batch delegates to the grader's _zth_get_batch",
                 "def get_batch(data, block_size, batch_size, generator=None):",
                 "def get_batch(data, block_size, batch_size, generator=None):\n"
                 "    return globals()[\"_zth_get_batch\"](data, block_size, batch_size, generator)\n\n\n"
                 "def _own_get_batch(data, block_size, batch_size, generator=None):",
                 "get_batch"))
