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
import socket
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def share_between_processes(var_dir: Path, port: int) -> Path:
    """Empty (or create) the metrics directory and name it for the worker processes.

    The directory is ``var_dir/metrics/<host>-<port>``: two servers sharing a data
    volume (compose replicas) neither add up nor empty each other's files.
    ``PROMETHEUS_MULTIPROC_DIR`` set by the operator wins.
    """
    own = f"{socket.gethostname()}-{port}"
    directory = Path(os.environ.get(ENV) or var_dir / "metrics" / own)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(directory)
    return directory
