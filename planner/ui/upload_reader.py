"""The process that reads an upload: `python -m planner.ui.upload_reader REQUEST RESULT`.

REQUEST holds `(reader, arguments)` pickled by `planner.ui.uploads`; the reader (a
function of that module) runs here and its `UploadResult` is pickled to RESULT. Whatever
memory pandas and GDAL take for a large file is given back to the system when this
process ends, not kept by the app's server.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

READERS = ("read_package", "read_layers")


def main(argv: list[str]) -> int:
    request, answer = Path(argv[0]), Path(argv[1])
    from planner.ui import uploads

    reader, arguments = pickle.loads(request.read_bytes())
    if reader not in READERS:
        raise SystemExit(f"unknown reader {reader!r}")
    result = getattr(uploads, reader)(**arguments)
    partial = answer.with_name(answer.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(answer)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
