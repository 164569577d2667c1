"""Typical wrong answers for chapter 8 (see tests/mutants/__init__.py)."""
from mutants import M

MUTANTS = [
    M("merge does not skip past a merged pair ('aaa' merges twice)",
      "            out.append(idx)\n            i += 2",
      "            out.append(idx)\n            i += 1",
      "merge"),
    M("get_stats misses the last pair",
      "    for pair in zip(ids, ids[1:]):\n        counts[pair] = counts.get(pair, 0) + 1",
      "    for pair in zip(ids[:-2], ids[1:-1]):\n        counts[pair] = counts.get(pair, 0) + 1",
      "get_stats"),
    M("training ties go to the last pair seen (sorted(...)[-1])",
      "            pair = max(stats, key=stats.get)     # most frequent; a tie goes to the first seen",
      "            pair = sorted(stats, key=stats.get)[-1]",
      "basic_train"),
    M("encode merges the most frequent pair instead of the earliest merge",
      '            pair = min(stats, key=lambda p: self.merges.get(p, float("inf")))  # earliest merge',
      "            pair = max(stats, key=stats.get)",
      "basic_encode_decode"),
    M("decode raises on partial UTF-8 (no errors='replace')",
      '        return text_bytes.decode("utf-8", errors="replace")',
      '        return text_bytes.decode("utf-8")',
      "basic_encode_decode"),
    M("RegexTokenizer training counts pairs across chunk boundaries",
      "            for ids in chunks:\n                get_stats(ids, stats)            # pairs inside each chunk, counted together",
      "            get_stats([i for ids in chunks for i in ids], stats)",
      "regex_train"),
    M("RegexTokenizer decode raises on partial UTF-8 (GPT4Tokenizer inherits it)",
      '        return b"".join(parts).decode("utf-8", errors="replace")',
      '        return b"".join(parts).decode("utf-8")',
      "regex_train", "gpt4"),
    M("special tokens go through the regex split (never handled before splitting)",
      "        if not special:\n            return self.encode_ordinary(text)",
      "        if True:\n            return self.encode_ordinary(text)",
      "regex_special"),
    M("'none_raise' does not raise",
      "            if found:\n                raise ValueError",
      "            if False:\n                raise ValueError",
      "regex_special"),
    M("a set of allowed specials is treated as 'all'",
      "            special = {s: i for s, i in self.special_tokens.items() if s in allowed_special}",
      "            special = dict(self.special_tokens)",
      "regex_special"),
    M("load does not rebuild the vocab",
      "        self.pattern, self.merges, self.special_tokens = pattern, merges, special_tokens\n"
      "        self.vocab = self._build_vocab()",
      "        self.pattern, self.merges, self.special_tokens = pattern, merges, special_tokens",
      "save_load"),
    M("ranks file read without base64 decoding",
      "            ranks[base64.b64decode(token)] = int(rank)",
      "            ranks[token.encode()] = int(rank)",
      "cl100k_merges"),
    M("recover_merges merges the first mergeable pair, not the lowest-ranked one",
      "if r is not None and r < max_rank and (best is None or r < best[0]):",
      "if r is not None and r < max_rank and best is None:",
      "cl100k_merges"),
    M("GPT-4 bytes not mapped through byte_shuffle",
      "        shuffled = bytes(self.byte_shuffle[b] for b in text_bytes)",
      "        shuffled = text_bytes",
      "gpt4"),
    M("GPT-4 special tokens not registered",
      "        self.register_special_tokens(GPT4_SPECIAL_TOKENS)\n",
      "",
      "gpt4"),
]

# Added with the per-submission hidden inputs: each key of a check needs work (rule 5),
# and save and load are graded apart.
MUTANTS += [
    M("encode returns the raw bytes (no merges applied)",
      '''        ids = list(text.encode("utf-8"))
        while len(ids) >= 2:
            stats = get_stats(ids)
            pair = min(stats, key=lambda p: self.merges.get(p, float("inf")))  # earliest merge''',
      '''        ids = list(text.encode("utf-8"))
        while False:
            stats = get_stats(ids)
            pair = min(stats, key=lambda p: self.merges.get(p, float("inf")))  # earliest merge''',
      "basic_encode_decode"),
    M("get_stats with counts given returns a new dict (the given one untouched)",
      "    counts = {} if counts is None else counts\n    for pair in zip(ids, ids[1:]):",
      "    counts = {} if counts is None else dict(counts)\n    for pair in zip(ids, ids[1:]):",
      "get_stats"),
    M("merge changes its input list in place",
      "    out, i = [], 0\n    while i < len(ids):\n        if i < len(ids) - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:\n"
      "            out.append(idx)\n            i += 2\n        else:\n            out.append(ids[i])\n            i += 1\n    return out",
      "    out, i = [], 0\n    while i < len(ids):\n        if i < len(ids) - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:\n"
      "            out.append(idx)\n            i += 2\n        else:\n            out.append(ids[i])\n            i += 1\n"
      "    ids[:] = out\n    return ids",
      "merge"),
    M("'none_raise' raises on every text",
      "            found = [s for s in self.special_tokens if s in text]",
      "            found = [True]",
      "regex_special"),
    M("save writes the merges in a shuffled order (load untouched)",
      "            for (p0, p1), idx in sorted(self.merges.items(), key=lambda kv: kv[1]):",
      "            for (p0, p1), idx in sorted(self.merges.items(), key=lambda kv: -kv[1]):",
      "save_load"),
    M("load numbers the merges from 0 (save untouched)",
      "            for idx, line in enumerate(f, start=256):",
      "            for idx, line in enumerate(f, start=0):",
      "save_load"),
    M("GPT-4 vocab in shuffled-byte space with no decode to undo it",
      "        self.vocab = {rank: token for token, rank in ranks.items()}",
      "        self.vocab = {i: bytes([i]) for i in range(256)}\n"
      "        for (p0, p1), idx in sorted(self.merges.items(), key=lambda kv: kv[1]):\n"
      "            self.vocab[idx] = self.vocab[p0] + self.vocab[p1]",
      "gpt4"),
]

# Answers that lean on the grader's reference helpers: the kernel holds none of them
# before the tests of get_stats and merge have run, so each loses exactly its task.
MUTANTS += [
    M("get_stats delegates to the grader's _zth_get_stats",
      "def get_stats(ids, counts=None):",
      "def get_stats(ids, counts=None):\n    return globals()['_zth_get_stats'](ids, counts)\n\n\n"
      "def _own_get_stats(ids, counts=None):",
      "get_stats"),
    M("merge delegates to the grader's _zth_merge",
      "def merge(ids, pair, idx):",
      "def merge(ids, pair, idx):\n    return globals()['_zth_merge'](ids, pair, idx)\n\n\n"
      "def _own_merge(ids, pair, idx):",
      "merge"),
    M("load_cl100k_ranks delegates to the hidden tests' own reader",
      "    ranks = {}\n    for line in load_text(\"cl100k_base.tiktoken\").splitlines():\n        if line:\n"
      "            token, rank = line.split()",
      "    return globals()['_zth_ranks']()\n"
      "    ranks = {}\n    for line in load_text(\"cl100k_base.tiktoken\").splitlines():\n        if line:\n"
      "            token, rank = line.split()",
      "cl100k_merges"),
]
