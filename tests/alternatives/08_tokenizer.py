"""Chapter 8 answers written another way (see tests/alternatives/__init__.py).

MINBPE is Karpathy's minbpe (github.com/karpathy/minbpe, minbpe/base.py, basic.py,
regex.py, gpt4.py), adapted only to this exercise's names and to what its statements
say: BasicTokenizer.train stops when no pair is left (Task 3 asks for it), the
cl100k ranks come from `load_cl100k_ranks()` (tiktoken's own reader, written out)
instead of `tiktoken.get_encoding`, and the split patterns are the notebook's. Its
"none_raise" is an `assert`, its special tokens are split in registration order (no
longest-first), its load() strips lines and splits on whitespace, and its
GPT4Tokenizer keeps minbpe's shuffled-byte vocab with a decode() that undoes it.

INDEPENDENT is a second solution with another structure: index loops, training on
the distinct chunks weighted by their counts, special tokens found with str.find,
save/load by whole lines, a GPT4Tokenizer that merges without the parent's
_encode_chunk.
"""
from alternatives import Alt

# ---------------------------------------------------------------------------- minbpe

MINBPE_GET_STATS = '''
def get_stats(ids, counts=None):
    """
    Given a list of integers, return a dictionary of counts of consecutive pairs
    Example: [1, 2, 3, 1, 2] -> {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    Optionally allows to update an existing dictionary of counts
    """
    counts = {} if counts is None else counts
    for pair in zip(ids, ids[1:]): # iterate consecutive elements
        counts[pair] = counts.get(pair, 0) + 1
    return counts
'''

MINBPE_MERGE = '''
def merge(ids, pair, idx):
    """
    In the list of integers (ids), replace all consecutive occurrences
    of pair with the new integer token idx
    Example: ids=[1, 2, 3, 1, 2], pair=(1, 2), idx=4 -> [4, 3, 4]
    """
    newids = []
    i = 0
    while i < len(ids):
        # if not at the very last position AND the pair matches, replace it
        if ids[i] == pair[0] and i < len(ids) - 1 and ids[i+1] == pair[1]:
            newids.append(idx)
            i += 2
        else:
            newids.append(ids[i])
            i += 1
    return newids
'''

MINBPE_BASE = '''
# first two helper functions...
def replace_control_characters(s: str) -> str:
    # we don't want to print control characters
    # which distort the output (e.g. \\n or much worse)
    chars = []
    for ch in s:
        if unicodedata.category(ch)[0] != "C":
            chars.append(ch) # this character is ok
        else:
            chars.append(f"\\\\u{ord(ch):04x}") # escape
    return "".join(chars)

def render_token(t: bytes) -> str:
    # pretty print a token, escaping control characters
    s = t.decode('utf-8', errors='replace')
    s = replace_control_characters(s)
    return s

class Tokenizer:
    """Base class for Tokenizers"""

    def __init__(self):
        # default: vocab size of 256 (all bytes), no merges, no patterns
        self.merges = {} # (int, int) -> int
        self.pattern = "" # str
        self.special_tokens = {} # str -> int, e.g. {'<|endoftext|>': 100257}
        self.vocab = self._build_vocab() # int -> bytes

    def train(self, text, vocab_size, verbose=False):
        # Tokenizer can train a vocabulary of size vocab_size from text
        raise NotImplementedError

    def encode(self, text):
        # Tokenizer can encode a string into a list of integers
        raise NotImplementedError

    def decode(self, ids):
        # Tokenizer can decode a list of integers into a string
        raise NotImplementedError

    def _build_vocab(self):
        # vocab is simply and deterministically derived from merges
        vocab = {idx: bytes([idx]) for idx in range(256)}
        for (p0, p1), idx in self.merges.items():
            vocab[idx] = vocab[p0] + vocab[p1]
        for special, idx in self.special_tokens.items():
            vocab[idx] = special.encode("utf-8")
        return vocab

    def save(self, file_prefix):
        """
        Saves two files: file_prefix.vocab and file_prefix.model
        This is inspired (but not equivalent to!) sentencepiece's model saving:
        - model file is the critical one, intended for load()
        - vocab file is just a pretty printed version for human inspection only
        """
        # write the model: to be used in load() later
        model_file = file_prefix + ".model"
        with open(model_file, 'w') as f:
            # write the version, pattern and merges, that's all that's needed
            f.write("minbpe v1\\n")
            f.write(f"{self.pattern}\\n")
            # write the special tokens, first the number of them, then each one
            f.write(f"{len(self.special_tokens)}\\n")
            for special, idx in self.special_tokens.items():
                f.write(f"{special} {idx}\\n")
            # the merges dict
            for idx1, idx2 in self.merges:
                f.write(f"{idx1} {idx2}\\n")
        # write the vocab: for the human to look at
        vocab_file = file_prefix + ".vocab"
        inverted_merges = {idx: pair for pair, idx in self.merges.items()}
        with open(vocab_file, "w", encoding="utf-8") as f:
            for idx, token in self.vocab.items():
                # note: many tokens may be partial utf-8 sequences
                # and cannot be decoded into valid strings. Here we're using
                # errors='replace' to replace them with the replacement char �.
                # this also means that we couldn't possibly use .vocab in load()
                # because decoding in this way is a lossy operation!
                s = render_token(token)
                # find the children of this token, if any
                if idx in inverted_merges:
                    # if this token has children, render it nicely as a merge
                    idx0, idx1 = inverted_merges[idx]
                    s0 = render_token(self.vocab[idx0])
                    s1 = render_token(self.vocab[idx1])
                    f.write(f"[{s0}][{s1}] -> [{s}] {idx}\\n")
                else:
                    # otherwise this is leaf token, just print it
                    # (this should just be the first 256 tokens, the bytes)
                    f.write(f"[{s}] {idx}\\n")

    def load(self, model_file):
        """Inverse of save() but only for the model file"""
        assert model_file.endswith(".model")
        # read the model file
        merges = {}
        special_tokens = {}
        idx = 256
        with open(model_file, 'r', encoding="utf-8") as f:
            # read the version
            version = f.readline().strip()
            assert version == "minbpe v1"
            # read the pattern
            self.pattern = f.readline().strip()
            # read the special tokens
            num_special = int(f.readline().strip())
            for _ in range(num_special):
                special, special_idx = f.readline().strip().split()
                special_tokens[special] = int(special_idx)
            # read the merges
            for line in f:
                idx1, idx2 = map(int, line.split())
                merges[(idx1, idx2)] = idx
                idx += 1
        self.merges = merges
        self.special_tokens = special_tokens
        self.vocab = self._build_vocab()
'''

MINBPE_BASIC = '''
class BasicTokenizer(Tokenizer):

    def __init__(self):
        super().__init__()

    def train(self, text, vocab_size, verbose=False):
        assert vocab_size >= 256
        num_merges = vocab_size - 256

        # input text preprocessing
        text_bytes = text.encode("utf-8") # raw bytes
        ids = list(text_bytes) # list of integers in range 0..255

        # iteratively merge the most common pairs to create new tokens
        merges = {} # (int, int) -> int
        vocab = {idx: bytes([idx]) for idx in range(256)} # int -> bytes
        for i in range(num_merges):
            # count up the number of times every consecutive pair appears
            stats = get_stats(ids)
            if not stats:
                break # (the exercise asks to stop when no pair is left)
            # find the pair with the highest count
            pair = max(stats, key=stats.get)
            # mint a new token: assign it the next available id
            idx = 256 + i
            # replace all occurrences of pair in ids with idx
            ids = merge(ids, pair, idx)
            # save the merge
            merges[pair] = idx
            vocab[idx] = vocab[pair[0]] + vocab[pair[1]]
            # prints
            if verbose:
                print(f"merge {i+1}/{num_merges}: {pair} -> {idx} ({vocab[idx]}) had {stats[pair]} occurrences")

        # save class variables
        self.merges = merges # used in encode()
        self.vocab = vocab   # used in decode()

    def decode(self, ids):
        # given ids (list of integers), return Python string
        text_bytes = b"".join(self.vocab[idx] for idx in ids)
        text = text_bytes.decode("utf-8", errors="replace")
        return text

    def encode(self, text):
        # given a string text, return the token ids
        text_bytes = text.encode("utf-8") # raw bytes
        ids = list(text_bytes) # list of integers in range 0..255
        while len(ids) >= 2:
            # find the pair with the lowest merge index
            stats = get_stats(ids)
            pair = min(stats, key=lambda p: self.merges.get(p, float("inf")))
            # subtle: if there are no more merges available, the key will
            # result in an inf for every single pair, and the min will be
            # just the first pair in the list, arbitrarily
            # we can detect this terminating case by a membership check
            if pair not in self.merges:
                break # nothing else can be merged anymore
            # otherwise let's merge the best pair (lowest merge index)
            idx = self.merges[pair]
            ids = merge(ids, pair, idx)
        return ids
'''

MINBPE_REGEX = '''
class RegexTokenizer(Tokenizer):

    def __init__(self, pattern=None):
        """
        - pattern: optional string to override the default (GPT-4 split pattern)
        - special_tokens: str -> int dictionary of special tokens
          example: {'<|endoftext|>': 100257}
        """
        super().__init__()
        self.pattern = GPT4_SPLIT_PATTERN if pattern is None else pattern
        self.compiled_pattern = re.compile(self.pattern)
        self.special_tokens = {}
        self.inverse_special_tokens = {}

    def train(self, text, vocab_size, verbose=False):
        assert vocab_size >= 256
        num_merges = vocab_size - 256

        # split the text up into text chunks
        text_chunks = re.findall(self.compiled_pattern, text)

        # input text preprocessing
        ids = [list(ch.encode("utf-8")) for ch in text_chunks]

        # iteratively merge the most common pairs to create new tokens
        merges = {} # (int, int) -> int
        vocab = {idx: bytes([idx]) for idx in range(256)} # idx -> bytes
        for i in range(num_merges):
            # count the number of times every consecutive pair appears
            stats = {}
            for chunk_ids in ids:
                # passing in stats will update it in place, adding up counts
                get_stats(chunk_ids, stats)
            # find the pair with the highest count
            pair = max(stats, key=stats.get)
            # mint a new token: assign it the next available id
            idx = 256 + i
            # replace all occurrences of pair in ids with idx
            ids = [merge(chunk_ids, pair, idx) for chunk_ids in ids]
            # save the merge
            merges[pair] = idx
            vocab[idx] = vocab[pair[0]] + vocab[pair[1]]
            # prints
            if verbose:
                print(f"merge {i+1}/{num_merges}: {pair} -> {idx} ({vocab[idx]}) had {stats[pair]} occurrences")

        # save class variables
        self.merges = merges # used in encode()
        self.vocab = vocab   # used in decode()

    def register_special_tokens(self, special_tokens):
        # special_tokens is a dictionary of str -> int
        # example: {"<|endoftext|>": 100257}
        self.special_tokens = special_tokens
        self.inverse_special_tokens = {v: k for k, v in special_tokens.items()}

    def decode(self, ids):
        # given ids (list of integers), return Python string
        part_bytes = []
        for idx in ids:
            if idx in self.vocab:
                part_bytes.append(self.vocab[idx])
            elif idx in self.inverse_special_tokens:
                part_bytes.append(self.inverse_special_tokens[idx].encode("utf-8"))
            else:
                raise ValueError(f"invalid token id: {idx}")
        text_bytes = b"".join(part_bytes)
        text = text_bytes.decode("utf-8", errors="replace")
        return text

    def _encode_chunk(self, text_bytes):
        # return the token ids
        # let's begin. first, convert all bytes to integers in range 0..255
        ids = list(text_bytes)
        while len(ids) >= 2:
            # find the pair with the lowest merge index
            stats = get_stats(ids)
            pair = min(stats, key=lambda p: self.merges.get(p, float("inf")))
            # subtle: if there are no more merges available, the key will
            # result in an inf for every single pair, and the min will be
            # just the first pair in the list, arbitrarily
            # we can detect this terminating case by a membership check
            if pair not in self.merges:
                break # nothing else can be merged anymore
            # otherwise let's merge the best pair (lowest merge index)
            idx = self.merges[pair]
            ids = merge(ids, pair, idx)
        return ids

    def encode_ordinary(self, text):
        """Encoding that ignores any special tokens."""
        # split text into chunks of text by categories defined in regex pattern
        text_chunks = re.findall(self.compiled_pattern, text)
        # all chunks of text are encoded separately, then results are joined
        ids = []
        for chunk in text_chunks:
            chunk_bytes = chunk.encode("utf-8") # raw bytes
            chunk_ids = self._encode_chunk(chunk_bytes)
            ids.extend(chunk_ids)
        return ids

    def encode(self, text, allowed_special="none_raise"):
        """
        Unlike encode_ordinary, this function handles special tokens.
        allowed_special: can be "all"|"none"|"none_raise" or a custom set of special tokens
        if none_raise, then an error is raised if any special token is encountered in text
        this is the default tiktoken behavior right now as well
        any other behavior is either annoying, or a major footgun
        """
        # decode the user desire w.r.t. handling of special tokens
        special = None
        if allowed_special == "all":
            special = self.special_tokens
        elif allowed_special == "none":
            special = {}
        elif allowed_special == "none_raise":
            special = {}
            assert all(token not in text for token in self.special_tokens)
        elif isinstance(allowed_special, set):
            special = {k: v for k, v in self.special_tokens.items() if k in allowed_special}
        else:
            raise ValueError(f"allowed_special={allowed_special} not understood")
        if not special:
            # shortcut: if no special tokens, just use the ordinary encoding
            return self.encode_ordinary(text)
        # otherwise, we have to be careful with potential special tokens in text
        # we handle special tokens by splitting the text
        # based on the occurrence of any exact match with any of the special tokens
        # we can use re.split for this. note that surrounding the pattern with ()
        # makes it into a capturing group, so the special tokens will be included
        special_pattern = "(" + "|".join(re.escape(k) for k in special) + ")"
        special_chunks = re.split(special_pattern, text)
        # now all the special characters are separated from the rest of the text
        # all chunks of text are encoded separately, then results are joined
        ids = []
        for part in special_chunks:
            if part in special:
                # this is a special token, encode it separately as a special case
                ids.append(special[part])
            else:
                # this is an ordinary sequence, encode it normally
                ids.extend(self.encode_ordinary(part))
        return ids
'''

MINBPE_CL100K = '''
def load_cl100k_ranks():
    # tiktoken.load.load_tiktoken_bpe, on the course's copy of the file
    contents = load_text("cl100k_base.tiktoken")
    return {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in contents.splitlines() if line)
    }


def bpe(mergeable_ranks, token, max_rank):
    # helper function used in get_gpt4_merges() to reconstruct the merge forest
    parts = [bytes([b]) for b in token]
    while True:
        min_idx = None
        min_rank = None
        for i, pair in enumerate(zip(parts[:-1], parts[1:])):
            rank = mergeable_ranks.get(pair[0] + pair[1])
            if rank is not None and (min_rank is None or rank < min_rank):
                min_idx = i
                min_rank = rank
        if min_rank is None or (max_rank is not None and min_rank >= max_rank):
            break
        assert min_idx is not None
        parts = parts[:min_idx] + [parts[min_idx] + parts[min_idx + 1]] + parts[min_idx + 2:]
    return parts


def recover_merges(mergeable_ranks):
    # the `merges` are already the byte sequences in their merged state.
    # so we have to recover the original pairings. We can do this by doing
    # a small BPE training run on all the tokens, in their order.
    # also see https://github.com/openai/tiktoken/issues/60
    # also see https://github.com/karpathy/minbpe/issues/11#issuecomment-1950805306
    merges = {}
    for token, rank in mergeable_ranks.items():
        if len(token) == 1:
            continue # skip raw bytes
        pair = tuple(bpe(mergeable_ranks, token, max_rank=rank))
        assert len(pair) == 2
        # recover the integer ranks of the pair
        ix0 = mergeable_ranks[pair[0]]
        ix1 = mergeable_ranks[pair[1]]
        merges[(ix0, ix1)] = rank

    return merges
'''

MINBPE_GPT4 = '''
class GPT4Tokenizer(RegexTokenizer):
    """Lightweight wrapper on RegexTokenizer that matches GPT-4's tokenizer."""

    def __init__(self):
        super().__init__(pattern=GPT4_SPLIT_PATTERN)
        # get the official tokenizer and its merges
        mergeable_ranks = load_cl100k_ranks()
        # the merges are those of gpt4, but we have to recover them
        self.merges = recover_merges(mergeable_ranks)
        # reconstruct the vocab from the merges
        vocab = {idx: bytes([idx]) for idx in range(256)}
        for (p0, p1), idx in self.merges.items():
            vocab[idx] = vocab[p0] + vocab[p1]
        self.vocab = vocab
        # now here is another tricky part.
        # for some reason, the tokens corresponding to individual bytes
        # are permuted in a different order. This is completely non-sensical
        # and probably historical, but therefore we have to deal with it here.
        self.byte_shuffle = {i: mergeable_ranks[bytes([i])] for i in range(256)}
        self.inverse_byte_shuffle = {v: k for k, v in self.byte_shuffle.items()}
        # finally register the special tokens
        self.register_special_tokens(GPT4_SPECIAL_TOKENS)

    def _encode_chunk(self, text_bytes):
        # before we start processing bytes, we have to permute them
        text_bytes = bytes(self.byte_shuffle[b] for b in text_bytes)
        ids = super()._encode_chunk(text_bytes)
        return ids

    def decode(self, ids):
        # we have to un-permute the bytes before we decode
        text_bytes = b"".join(self.vocab[idx] for idx in ids)
        text_bytes = bytes(self.inverse_byte_shuffle[b] for b in text_bytes)
        text = text_bytes.decode("utf-8", errors="replace")
        return text

    # this is a pretrained tokenizer, it is not intended to be trained
    def train(self, text, vocab_size, verbose=False):
        raise NotImplementedError

    # save/load would require some thought.
    def save(self, file_prefix):
        raise NotImplementedError("GPT4Tokenizer cannot be saved.")

    def load(self, model_file):
        raise NotImplementedError("GPT4Tokenizer cannot be loaded.")
'''

# ------------------------------------------------------------------------ independent

IND_GET_STATS = '''
def get_stats(ids, counts=None):
    if counts is None:
        counts = {}
    for i in range(1, len(ids)):
        key = (ids[i - 1], ids[i])
        if key in counts:
            counts[key] += 1
        else:
            counts[key] = 1
    return counts
'''

IND_MERGE = '''
def merge(ids, pair, idx):
    first, second = pair
    result, skip = [], False
    for i, tok in enumerate(ids):
        if skip:
            skip = False
        elif tok == first and i + 1 < len(ids) and ids[i + 1] == second:
            result.append(idx)
            skip = True
        else:
            result.append(tok)
    return result
'''

IND_BASE = '''
class Tokenizer:
    def __init__(self):
        self.merges = {}
        self.pattern = ""
        self.special_tokens = {}
        self.vocab = self._build_vocab()

    def _build_vocab(self):
        vocab = {i: bytes([i]) for i in range(256)}
        for (left, right), idx in sorted(self.merges.items(), key=lambda kv: kv[1]):
            vocab[idx] = vocab[left] + vocab[right]
        vocab.update({idx: name.encode("utf-8") for name, idx in self.special_tokens.items()})
        return vocab

    def save(self, file_prefix):
        lines = ["minbpe v1", self.pattern, str(len(self.special_tokens))]
        lines += [f"{name} {idx}" for name, idx in self.special_tokens.items()]
        lines += [f"{a} {b}" for a, b in sorted(self.merges, key=self.merges.get)]
        with open(file_prefix + ".model", "w", encoding="utf-8") as f:
            f.write("\\n".join(lines) + "\\n")
        children = {idx: pair for pair, idx in self.merges.items()}
        rows = []
        for idx in sorted(self.vocab):
            shown = render_token(self.vocab[idx])
            if idx in children:
                a, b = children[idx]
                rows.append(f"[{render_token(self.vocab[a])}][{render_token(self.vocab[b])}] -> [{shown}] {idx}")
            else:
                rows.append(f"[{shown}] {idx}")
        with open(file_prefix + ".vocab", "w", encoding="utf-8") as f:
            f.write("\\n".join(rows) + "\\n")

    def load(self, model_file):
        assert model_file.endswith(".model")
        with open(model_file, encoding="utf-8") as f:
            lines = f.read().split("\\n")
        if lines[0] != "minbpe v1":
            raise ValueError(f"{model_file} is not a minbpe v1 model")
        n_special = int(lines[2])
        self.pattern = lines[1]
        self.special_tokens = {}
        for line in lines[3:3 + n_special]:
            name, idx = line.rsplit(" ", 1)
            self.special_tokens[name] = int(idx)
        self.merges = {}
        for line in lines[3 + n_special:]:
            if line.strip():
                a, b = line.split()
                self.merges[(int(a), int(b))] = 256 + len(self.merges)
        self.vocab = self._build_vocab()
'''

IND_BASIC = '''
def _first_most_frequent(counts):
    best, best_n = None, 0
    for pair, n in counts.items():      # strictly greater: a tie keeps the earlier pair
        if n > best_n:
            best, best_n = pair, n
    return best


def _apply_merges(ids, merges):
    """Merge the pair with the lowest id among those present, until none is in merges."""
    while True:
        ranked = [(merges[p], p) for p in zip(ids, ids[1:]) if p in merges]
        if not ranked:
            return ids
        idx, pair = min(ranked)
        ids = merge(ids, pair, idx)


class BasicTokenizer(Tokenizer):
    def train(self, text, vocab_size, verbose=False):
        ids = list(text.encode("utf-8"))
        self.merges, self.vocab = {}, {i: bytes([i]) for i in range(256)}
        next_id = 256
        while next_id < vocab_size:
            pair = _first_most_frequent(get_stats(ids))
            if pair is None:
                break
            ids = merge(ids, pair, next_id)
            self.merges[pair] = next_id
            self.vocab[next_id] = self.vocab[pair[0]] + self.vocab[pair[1]]
            next_id += 1

    def encode(self, text):
        return _apply_merges(list(text.encode("utf-8")), self.merges)

    def decode(self, ids):
        out = bytearray()
        for idx in ids:
            out += self.vocab[idx]
        return bytes(out).decode("utf-8", errors="replace")
'''

IND_REGEX = '''
class RegexTokenizer(Tokenizer):
    def __init__(self, pattern=None):
        super().__init__()
        self.pattern = GPT4_SPLIT_PATTERN if pattern is None else pattern

    def train(self, text, vocab_size, verbose=False):
        # each distinct chunk once, weighted by how often it occurs (in first-seen order,
        # so the pairs are still counted in the order they first occur)
        weights = {}
        for chunk in re.findall(self.pattern, text):
            weights[chunk] = weights.get(chunk, 0) + 1
        words = [[list(c.encode("utf-8")), n] for c, n in weights.items()]
        self.merges, self.vocab = {}, {i: bytes([i]) for i in range(256)}
        for idx in range(256, vocab_size):
            counts = {}
            for ids, n in words:
                for p in zip(ids, ids[1:]):
                    counts[p] = counts.get(p, 0) + n
            pair = _first_most_frequent(counts)
            if pair is None:
                break
            for w in words:
                w[0] = merge(w[0], pair, idx)
            self.merges[pair] = idx
            self.vocab[idx] = self.vocab[pair[0]] + self.vocab[pair[1]]

    def register_special_tokens(self, special_tokens):
        self.special_tokens = dict(special_tokens)
        for name, idx in self.special_tokens.items():
            self.vocab[idx] = name.encode("utf-8")

    def decode(self, ids):
        names = {idx: name for name, idx in self.special_tokens.items()}
        out = bytearray()
        for idx in ids:
            out += names[idx].encode("utf-8") if idx in names else self.vocab[idx]
        return bytes(out).decode("utf-8", errors="replace")

    def _encode_chunk(self, text_bytes):
        return _apply_merges(list(text_bytes), self.merges)

    def encode_ordinary(self, text):
        out = []
        for chunk in re.findall(self.pattern, text):
            out += self._encode_chunk(chunk.encode("utf-8"))
        return out

    def encode(self, text, allowed_special="none_raise"):
        if isinstance(allowed_special, str):
            if allowed_special not in ("all", "none", "none_raise"):
                raise ValueError(allowed_special)
            if allowed_special == "none_raise":
                for name in self.special_tokens:
                    if name in text:
                        raise RuntimeError(f"special token {name} in the text")
            allowed = list(self.special_tokens) if allowed_special == "all" else []
        else:
            allowed = [name for name in self.special_tokens if name in allowed_special]
        out, start = [], 0
        while True:
            hits = [(text.find(name, start), name) for name in allowed]
            hits = [(pos, name) for pos, name in hits if pos >= 0]
            if not hits:
                return out + self.encode_ordinary(text[start:])
            pos, name = min(hits)
            out += self.encode_ordinary(text[start:pos])
            out.append(self.special_tokens[name])
            start = pos + len(name)
'''

IND_CL100K = '''
def load_cl100k_ranks():
    table = {}
    for line in load_text("cl100k_base.tiktoken").split("\\n"):
        token, _, rank = line.strip().partition(" ")
        if token:
            table[base64.b64decode(token)] = int(rank)
    return table


def recover_merges(ranks):
    found = {}
    for token, rank in ranks.items():
        if len(token) < 2:
            continue
        parts = [token[i:i + 1] for i in range(len(token))]
        while len(parts) > 2:
            best_rank, best_at = rank, -1
            for i in range(len(parts) - 1):
                r = ranks.get(parts[i] + parts[i + 1], rank)
                if r < best_rank:
                    best_rank, best_at = r, i
            if best_at < 0:
                break
            parts[best_at:best_at + 2] = [parts[best_at] + parts[best_at + 1]]
        left, right = parts
        found[(ranks[left], ranks[right])] = rank
    return found
'''

IND_GPT4 = '''
class GPT4Tokenizer(RegexTokenizer):
    def __init__(self):
        super().__init__(pattern=GPT4_SPLIT_PATTERN)
        ranks = load_cl100k_ranks()
        self.merges = recover_merges(ranks)
        self.byte_shuffle = [ranks[bytes([b])] for b in range(256)]
        self.vocab = {}
        for token, rank in ranks.items():
            self.vocab[rank] = token
        self.register_special_tokens(GPT4_SPECIAL_TOKENS)

    def _encode_chunk(self, text_bytes):
        ids = [self.byte_shuffle[b] for b in text_bytes]
        while len(ids) > 1:
            best = None
            for i in range(len(ids) - 1):
                r = self.merges.get((ids[i], ids[i + 1]))
                if r is not None and (best is None or r < best):
                    best = r
            if best is None:
                break
            out, i = [], 0
            while i < len(ids):
                if i + 1 < len(ids) and self.merges.get((ids[i], ids[i + 1])) == best:
                    out.append(best)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            ids = out
        return ids
'''

ALTERNATIVES = [
    Alt("minbpe's own code (base.py, basic.py, regex.py, gpt4.py), adapted to the names",
        get_stats=MINBPE_GET_STATS, merge=MINBPE_MERGE, tokenizer_io=MINBPE_BASE, basic=MINBPE_BASIC,
        regex=MINBPE_REGEX, cl100k=MINBPE_CL100K, gpt4=MINBPE_GPT4),
    Alt("an independent solution: index loops, weighted distinct chunks, str.find for special tokens",
        get_stats=IND_GET_STATS, merge=IND_MERGE, tokenizer_io=IND_BASE, basic=IND_BASIC,
        regex=IND_REGEX, cl100k=IND_CL100K, gpt4=IND_GPT4),
]
