words = load_text("names.txt").splitlines()
chars = sorted(set("".join(words)))
stoi = {ch: i + 1 for i, ch in enumerate(chars)}
stoi["."] = 0
itos = {i: ch for ch, i in stoi.items()}
vocab_size = len(itos)          # 27
block_size = $block_size                  # characters of context


def build_dataset(words, block_size=block_size):
    """Inputs X (N, block_size) and targets Y (N,) of integer character ids.

    >>> X, Y = build_dataset(["ab"], 3); X.tolist(), Y.tolist()
    ([[0, 0, 0], [0, 0, 1], [0, 1, 2]], [1, 2, 0])
    """
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


random.seed(42)
random.shuffle(words)
n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xva, Yva = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])
print(Xtr.shape, Xva.shape, Xte.shape)
