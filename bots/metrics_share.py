"""One count across uvicorn worker processes: prometheus-client's multiprocess mode.

Each ``weiquan serve --workers N`` process counts in its own memory, and a scrape
reads whichever process answers it (3, then 7, for 10 messages). In multiprocess mode
every process writes its samples to files in one directory and ``/metrics`` adds them
up. The directory must be named before ``prometheus_client`` is first imported in a
process, so this module does not import it; ``serve`` empties the directory at start,
since files left by an earlier run would be counted again.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def share_between_processes(var_dir: Path) -> Path:
    """Empty (or create) the metrics directory and name it for the worker processes.

    ``PROMETHEUS_MULTIPROC_DIR`` set by the operator wins over ``var_dir/metrics``.
    """
    directory = Path(os.environ.get(ENV) or var_dir / "metrics")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(directory)
    return directory
