"""Reference runs: train a chapter's solution at a named scale and record the result.

    python -m autograder reference 03_mlp --scale grading --seeds 3
    python -m autograder reference 07_gpt --scale full --device cuda

Runs the solution notebook (hidden probes included, exactly as grading runs it) once
per seed, and writes autograder/records/NN_name/SCALE.json: the chapter, scale,
device and its name, torch version, seeds, every `record/...` value the probes
exported for each run with its wall time, and per numeric value the mean, min, max
and standard deviation over the seeds. The hidden tests of training tasks compare a
submission with the grading-scale record. A record of a CPU run says "cpu".
"""
from __future__ import annotations

import json
import platform
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import torch

from .build import graded_template
from .check import RECORDS, Exports, Missing
from .grade import Options, prepare_data, run_submission
from .source import ROOT, read_source, source_path


CPU_THREADS = 1   # the course's small models train fastest on one thread


class ReferenceError(Exception):
    """A reference run that cannot be made or recorded; the CLI prints it."""


def device_name(device: str) -> str:
    if device == "cuda":
        return torch.cuda.get_device_name(0)
    threads = f"{CPU_THREADS} thread{'s' if CPU_THREADS > 1 else ''}"
    return f"cpu: {platform.processor() or platform.machine()}, {threads}"


def summarize(runs: list[dict]) -> dict:
    """mean/min/max/std over runs of every numeric scalar value."""
    out = {}
    for key in runs[0]["values"]:
        vals = [r["values"].get(key) for r in runs]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            out[key] = {"mean": statistics.fmean(vals), "min": min(vals), "max": max(vals),
                        "std": statistics.stdev(vals) if len(vals) > 1 else 0.0}
    return out


def run(chapter: str, scale: str, seeds: list[int], device: str = "cpu",
        sandbox: bool = True, timeout: int = 3600) -> dict:
    if device == "cuda" and not torch.cuda.is_available():
        raise ReferenceError("--device cuda: no CUDA device is visible here")
    src = read_source(source_path(chapter))
    nb = nbformat.read(ROOT / "solutions" / f"{chapter}.ipynb", as_version=4)
    template = graded_template(src)
    work = Path(tempfile.mkdtemp(prefix="zth-ref-"))
    datadir = prepare_data(work)
    runs = []
    try:
        for seed in seeds:
            opt = Options(scale=scale, cell_timeout=timeout, timeout=timeout, seed=seed,
                          sandbox=sandbox and device == "cpu", gpu=device == "cuda",
                          threads=CPU_THREADS if device == "cpu" else torch.get_num_threads())
            start = time.monotonic()
            run, _ = run_submission(nb, src, template, work, datadir, opt, inputs_seed=seed)
            wall = time.monotonic() - start
            if run.problem or run.interrupted or run.errors():
                raise ReferenceError(f"{chapter} at scale {scale}, seed {seed}: "
                                     f"{run.problem or run.interrupted} {run.errors()}")
            exports = Exports.parse([line for t in src.tasks for line in run.records(t.name)])
            values = {k: v for k, v in exports.items() if k.startswith("record/")}
            bad = [k for k, v in values.items() if isinstance(v, Missing)]
            if not values or bad:
                raise ReferenceError(f"{chapter}: the solution recorded no usable record/ values {bad}")
            values = {k: (v.tolist() if isinstance(v, torch.Tensor) else v) for k, v in values.items()}
            runs.append({"seed": seed, "wall_s": round(wall, 1), "values": values})
            print(f"{chapter} {scale} seed {seed}: {wall:.1f} s  "
                  + "  ".join(f"{k[7:]}={v:.4f}" for k, v in values.items() if isinstance(v, float)),
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"chapter": chapter, "scale": scale, "device": device, "device_name": device_name(device),
            "torch": torch.__version__, "seeds": seeds,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
            "runs": runs, "summary": summarize(runs)}


def write(record: dict) -> Path:
    path = RECORDS / record["chapter"] / f"{record['scale']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1) + "\n")
    return path
