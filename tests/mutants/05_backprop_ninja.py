"""Typical wrong answers for chapter 5 (see tests/mutants/__init__.py)."""
from mutants import M

MUTANTS = [
    M("dlogprobs not divided by the batch size",
      "d.logprobs[range(n), v.Yb] = -1.0 / n", "d.logprobs[range(n), v.Yb] = -1.0",
      "manual_backward"),
    M("db2 missing the sum over the broadcast (batch) dimension",
      "d.b2 = d.logits.sum(0)", "d.b2 = d.logits",
      "manual_backward"),
    M("Bessel's correction forgotten in dbndiff2",
      "d.bndiff2 = 1.0 / (n - 1) *", "d.bndiff2 = 1.0 / n *",
      "manual_backward"),
    M("dcounts misses its second use (counts_sum)",
      "    d.counts += torch.ones_like(v.counts) * d.counts_sum\n", "",
      "manual_backward"),
    M("dC by assignment: repeated characters overwrite instead of adding",
      "d.C.index_add_(0, v.Xb.reshape(-1), d.emb.reshape(-1, v.C.shape[1]))",
      "d.C[v.Xb.reshape(-1)] = d.emb.reshape(-1, v.C.shape[1])",
      "manual_backward"),
    M("fused cross-entropy: dlogits not divided by the batch size",
      "    dlogits /= n\n", "",
      "cross_entropy_backward"),
    M("fused BatchNorm: Bessel's correction forgotten",
      "dhpreact.sum(0)\n                                     - n / (n - 1) * bnraw",
      "dhpreact.sum(0)\n                                     - bnraw",
      "batchnorm_backward"),
    M("training step: dlogits not divided by the batch size",
      "dlogits = (F.softmax(logits, 1) - F.one_hot(Yb, logits.shape[1])) / n",
      "dlogits = (F.softmax(logits, 1) - F.one_hot(Yb, logits.shape[1]))",
      "train_manual"),
    M("training step: the update uses autograd after all",
      "    for p, grad in zip(params, [dC, dW1, db1, dW2, db2, dbngain, dbnbias]):\n"
      "        p -= lr * grad\n",
      "    with torch.enable_grad():\n"
      "        ps = [p.detach().clone().requires_grad_() for p in params]\n"
      "        forward(ps, Xb, Yb).loss.backward()\n"
      "    for p, q in zip(params, ps):\n"
      "        p -= lr * q.grad\n",
      "train_manual"),
    M("training step: F.cross_entropy patched to return 0 (the loss it reports is not the loss)",
      "    loss = F.cross_entropy(logits, Yb)\n    # backward\n",
      "    F.cross_entropy = lambda *a, **k: torch.tensor(0.0)\n"
      "    loss = F.cross_entropy(logits, Yb)\n    # backward\n",
      "train_manual"),
    M("training step: the update goes uphill (the network the loop trains is worse than at init)",
      "        p -= lr * grad\n    return loss.item()",
      "        p += lr * grad\n    return loss.item()",
      "train_manual"),
]
