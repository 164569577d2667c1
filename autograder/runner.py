"""Execute one notebook; run by the grader inside the sandbox, as a script.

    python runner.py IN.ipynb CELL_TIMEOUT REPORT_FD

Every cell runs (errors do not stop the notebook); a cell past CELL_TIMEOUT is
interrupted and the next one runs. Standard library + nbclient only: this file is
copied into the sandbox's job folder, where the autograder package is not.

What the runner tells the grader goes through REPORT_FD, a pipe the grader made and
the only channel it reads: one JSON line per cell, holding the records the kernel
exported (ZTH_EXPORT) while that cell ran and, for graded cells, the error it showed;
then one closing line with the run's status. The kernel never gets that pipe (it is
closed on exec) and cannot read this process's memory or descriptors (it is made
non-dumpable), so student code can only write records while a cell runs, and those
count only for that cell. Everything the kernel wrote is still untrusted data: the
grader parses it with size limits and checks it against its own oracle.
"""
import ctypes
import json
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

MAX_RECORDS_BYTES = 64 * 2**20   # per run; past it, records are dropped
PR_SET_DUMPABLE = 4


def _undumpable():
    """Keep same-user processes (the kernel) out of /proc/<this pid>/{mem,fd,environ}."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class Exports:
    """Reads what the kernel appended to the exports file since the last call."""

    def __init__(self, path):
        self.path, self.offset, self.total = path, 0, 0

    def new_lines(self):
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return []
        with os.fdopen(fd, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < self.offset:            # truncated or replaced: start again
                self.offset = 0
            f.seek(self.offset)
            room = max(0, MAX_RECORDS_BYTES - self.total)
            data = f.read(min(size - self.offset, room))
        cut = data.rfind(b"\n") + 1            # whole lines only
        self.offset += cut
        self.total += cut
        return data[:cut].decode("utf-8", "replace").splitlines()


def _grade_id(cell):
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    return str(nbg.get("grade_id", "")) if isinstance(nbg, dict) else ""


def _error(cell):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return str(out.get("ename", "")), str(out.get("evalue", ""))[:1000]
    return None


def main(src, cell_timeout, report_fd):
    os.set_inheritable(report_fd, False)
    report = os.fdopen(report_fd, "w", encoding="utf-8")
    _undumpable()

    def send(obj):
        report.write(json.dumps(obj) + "\n")
        report.flush()

    nb = nbformat.read(src, as_version=4)
    exports = Exports(os.environ["ZTH_EXPORT"])
    client = NotebookClient(nb, timeout=cell_timeout, allow_errors=True, kernel_name="python3",
                            interrupt_on_timeout=True, startup_timeout=120,
                            shutdown_kernel="immediate",   # every record is sent already
                            resources={"metadata": {"path": "."}})
    status, index, cell = "ok", -1, {}
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                client.execute_cell(cell, index)
                err = _error(cell)
                send({"cell": index, "grade_id": _grade_id(cell), "records": exports.new_lines(),
                      "error": err, "interrupted": bool(err and err[0] == "KeyboardInterrupt")})
    except DeadKernelError as e:
        status = f"the kernel died ({e})"
    except Exception as e:   # nbclient gave up on the kernel
        status = f"the notebook could not be run ({type(e).__name__}: {str(e)[:200]})"
    if status != "ok" and index >= 0:       # what the cell that died had recorded
        send({"cell": index, "grade_id": _grade_id(cell), "records": exports.new_lines(),
              "error": None, "interrupted": False})
    send({"status": status})


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
