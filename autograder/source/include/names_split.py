# Grader side: the names.txt splits and examples exactly as the notebooks' data cell
# (include/names_data.py) makes them, for checks that rebuild the true labels.
import random


def split_names(which):
    """The names of a split ("train" or "val"), shuffled and cut 80 / 10 / 10 as the notebook does."""
    words = load_text("names.txt").splitlines()
    random.Random(42).shuffle(words)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    return {"train": words[:n1], "val": words[n1:n2]}[which]


def words_xy(words, block_size=$block_size):
    """X (N, block_size) and Y (N,) of character ids ('.' is 0), as build_dataset makes them."""
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ix in [ord(c) - 96 for c in w] + [0]:
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


def names_xy(split, block_size=$block_size):
    """X, Y of a whole split of names.txt."""
    return words_xy(split_names(split), block_size)
