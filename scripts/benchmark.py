"""Measure the course's performance figures in one run, on this machine, and write
them to book/performance.md (the performance report page) and docs/performance.json.

    .venv/bin/python scripts/benchmark.py                  # everything (about 30 min on 2 cores)
    .venv/bin/python scripts/benchmark.py --only gpt_step  # one part; the others are kept
    .venv/bin/python scripts/benchmark.py --only none      # redraw the page only

Figures: time to grade one submission (the solution) per chapter; time to grade 20
submissions of chapter 1 with --jobs 1 and --jobs 2; the book build cold (no
_build) and cached; the time of one training step of chapter 7's full-scale model
(the solution's own code) on this machine; and, from autograder/records/, each
training chapter's reference runs against the lecture's anchors. Figures go to
docs/performance.json; the page is drawn from it. CI runs none of this.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.source import chapters  # noqa: E402

ANCHORS = {  # chapter: (what, lecture figure) from the course spec
    "03_mlp": ("train / dev loss, 200k steps", "2.1260 / 2.1701"),
    "04_batchnorm": ("train / val loss, 200k steps", "2.0674 / 2.1057"),
    "05_backprop_ninja": ("train / val loss, 200k steps", "2.0705 / 2.1099"),
    "06_wavenet": ("train / val loss, 200k steps", "1.7690 / 1.9937"),
    "07_gpt": ("val loss, 5000 iterations", "1.48 (A100, ~15 min); nanoGPT 1.4697 (A100, ~3 min)"),
}


def grade(chapter, files, jobs):
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        for i, f in enumerate(files):
            shutil.copy(f, subs / f"student{i:02d}_{chapter}.ipynb")
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "autograder", "grade", chapter, str(subs), "-o",
                        str(Path(tmp) / "out"), "--jobs", str(jobs)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        return round(time.monotonic() - start, 1)


def book_build():
    start = time.monotonic()
    subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", "."], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return round(time.monotonic() - start, 1)


def gpt_step(steps=3):
    """Seconds per training step of chapter 7's full-scale model on this machine's CPU,
    in float32 and under bfloat16 autocast: the solution notebook's code (its cells up
    to the training cell), its `train` function, the lecture's settings."""
    import nbformat
    import torch
    nb = nbformat.read(ROOT / "solutions" / "07_gpt.ipynb", as_version=4)
    ns = {}
    os.environ.setdefault("ZTH_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.source.startswith("CFG = {"):
            break
        exec(compile(cell.source, "07_gpt", "exec"), ns)
    torch.set_num_threads(os.cpu_count())
    out = {"threads": torch.get_num_threads()}
    for name, bf16 in (("float32", False), ("bfloat16", True)):
        ns["autocast"] = lambda device, on=bf16: torch.autocast("cpu", dtype=torch.bfloat16, enabled=on)
        torch.manual_seed(0)
        model = ns["GPTLanguageModel"](ns["vocab_size"], 384, 6, 6, 256, 0.2)
        out["parameters"] = sum(p.numel() for p in model.parameters())
        ns["train"](model, ns["train_data"], 1, 256, 64, 3e-4)            # warm-up
        start = time.monotonic()
        ns["train"](model, ns["train_data"], steps, 256, 64, 3e-4)
        out[name] = round((time.monotonic() - start) / steps, 2)
    return out


def records():
    rows = []
    for path in sorted((ROOT / "autograder" / "records").glob("*/*.json")):
        r = json.loads(path.read_text())
        s = r["summary"]
        fig = " / ".join(f"{s[k]['mean']:.4f}" for k in ("record/train_loss", "record/val_loss") if k in s)
        wall = sum(x["wall_s"] for x in r["runs"]) / len(r["runs"])
        rows.append((r["chapter"], r["scale"], r["device_name"], len(r["runs"]), fig, wall))
    return rows


def main():
    parts = ("grading", "book", "gpt_step")
    p = argparse.ArgumentParser()
    p.add_argument("--only", default=",".join(parts),
                   help=f"comma-separated parts to measure, of {', '.join(parts)}; 'none' redraws the page")
    a = p.parse_args()
    only = set(a.only.split(",")) - {"none", ""}
    if only - set(parts):
        p.error(f"unknown part(s) {', '.join(sorted(only - set(parts)))}; choose from {', '.join(parts)}")
    store = ROOT / "docs" / "performance.json"
    out = json.loads(store.read_text()) if store.is_file() and only != set(parts) else {}
    here = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "python": platform.python_version()}
    if out and any(out.get(k) != v for k, v in here.items()):
        raise SystemExit(f"docs/performance.json was measured on {out.get('machine')}; measure "
                         "every part here (no --only) so the page holds one machine's figures")
    out.update(here)
    if "grading" in only:
        out["grade_one"] = {ch: grade(ch, [ROOT / "solutions" / f"{ch}.ipynb"], 1) for ch in chapters()}
        twenty = [ROOT / ("solutions" if i % 2 else "exercises") / "01_micrograd.ipynb" for i in range(20)]
        out["grade_20_jobs1"] = grade("01_micrograd", twenty, 1)
        out["grade_20_jobs2"] = grade("01_micrograd", twenty, 2)
    if "book" in only:
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
        out["book_cold"] = book_build()
        out["book_cached"] = book_build()
    if "gpt_step" in only:
        out["gpt_step"] = gpt_step()
    if only:
        out["one_run"] = only == set(parts)      # every figure below from this run
    store.write_text(json.dumps(out, indent=1) + "\n")
    lines = ["# Performance report", "",
             f"Measured {'in one run of' if out.get('one_run') else 'with'} `scripts/benchmark.py` "
             f"on {out['machine']} (Python "
             f"{out['python']}, no GPU). Re-run it to refresh this page.", "",
             "## Grading", "", "| chapter | grade one submission (s) |", "|---|---|"]
    lines += [f"| {ch} | {s} |" for ch, s in out["grade_one"].items()]
    speed = out["grade_20_jobs1"] / out["grade_20_jobs2"]
    lines += ["", f"20 submissions of chapter 1 (10 solutions, 10 untouched exercises): "
              f"{out['grade_20_jobs1']} s with `--jobs 1`, {out['grade_20_jobs2']} s with "
              f"`--jobs 2`: a speedup of {speed:.2f}.", ""]
    if "book_cold" in out:
        lines += ["## Book", "", f"Build from a clean `_build`: {out['book_cold']} s; again, "
                  f"with the execution cache: {out['book_cached']} s.", ""]
    lines += ["## Reference runs", "", "From `autograder/records/` (`python -m autograder reference`).", "",
              "| chapter | scale | device | seeds | train / val (mean) | wall per run (s) |",
              "|---|---|---|---|---|---|"]
    rows = records()
    lines += [f"| {c} | {s} | {d} | {n} | {f} | {w:.0f} |" for c, s, d, n, f, w in rows]
    full = sorted({c for c, s, *_ in rows if s == "full"})
    on_gpu = sorted({c for c, s, d, *_ in rows if s == "full" and not d.startswith("cpu")})
    missing = [c for c in ANCHORS if c not in full]
    no_gpu = [c for c in ANCHORS if c not in on_gpu]
    lines += ["", "Wall times of the records are those of the machine that made them, which was "
              "shared with other work at the time.", "",
              f"Full-scale (lecture settings) records missing: {', '.join(missing) or 'none'}. "
              f"Full-scale records from a GPU missing: {', '.join(no_gpu) or 'none'}; records made "
              "on a CPU say so in the device column. GPU records come from "
              "`python -m autograder reference CHAPTER --scale full --device cuda` "
              "on a GPU machine."]
    if "gpt_step" in out:
        g = out["gpt_step"]
        hours = {k: g[k] * 5000 / 3600 for k in ("float32", "bfloat16")}
        lines += ["", f"Why chapter 7's full-scale run needs a GPU: one training step of its "
                  f"{g['parameters'] / 1e6:.2f}M-parameter model (batch 64, context 256, the "
                  f"solution's `train`) takes {g['float32']} s on this CPU in float32 and "
                  f"{g['bfloat16']} s under bfloat16 autocast ({g['threads']} threads), so the "
                  f"lecture's 5,000 steps would take {hours['float32']:.1f} h or "
                  f"{hours['bfloat16']:.1f} h here, against about 15 min on an A100."]
    lines += ["", "Lecture anchors:", "", "| chapter | figure | lecture |", "|---|---|---|"]
    lines += [f"| {c} | {w} | {v} |" for c, (w, v) in ANCHORS.items()]
    (ROOT / "book" / "performance.md").write_text("\n".join(lines) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
