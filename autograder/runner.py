"""Execute one notebook; run by the grader inside the sandbox, as a script.

    python runner.py IN.ipynb OUT.ipynb CELL_TIMEOUT

Every cell runs (errors do not stop the notebook); a cell past CELL_TIMEOUT is
interrupted and the next one runs. Standard library + nbclient only: this file
is copied into the sandbox's job folder, where the autograder package is not.
Whatever it writes is untrusted: the student's code ran in the same sandbox.
"""
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError


def main(src, dst, cell_timeout):
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(nb, timeout=cell_timeout, allow_errors=True, kernel_name="python3",
                            interrupt_on_timeout=True, startup_timeout=120,
                            resources={"metadata": {"path": "."}})
    status = "ok"
    try:
        client.execute()
    except DeadKernelError as e:
        status = f"the kernel died ({e})"
    except CellTimeoutError as e:
        status = f"a cell timed out ({e})"
    nb.metadata["zth_run"] = {"status": status}
    nbformat.write(nb, dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
