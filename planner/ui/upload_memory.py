"""An upload's memory given back to the system once the upload has been read.

Two things would keep it in the server for good. Streamlit keeps every uploaded file in
memory until the browser removes it or the session ends, so `release` drops its copy as
soon as the file has been read. And glibc's malloc, after a large block is freed, raises
the size above which it asks the system for memory directly (up to 32 MiB), so the next
buffers of an upload's size come from the heap and stay with the process when freed;
`large_buffers_from_the_system` fixes that size at 1 MiB, so every buffer of an upload's
size is returned when freed. Measured with `scripts/measure_upload_memory.py`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
from collections.abc import Iterable

from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileManager

M_MMAP_THRESHOLD = -3  # mallopt's parameter number in glibc's malloc.h
MMAP_FROM_BYTES = 1 << 20
_set = False


def large_buffers_from_the_system() -> None:
    """Have glibc map every block of 1 MiB or more on its own (once; elsewhere a no-op)."""
    global _set
    if _set:
        return
    _set = True
    name = ctypes.util.find_library("c")
    if name is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).mallopt(M_MMAP_THRESHOLD, MMAP_FROM_BYTES)


def release(files: Iterable[UploadedFile | None]) -> None:
    """Drop Streamlit's in-memory copy of uploaded files that have been read."""
    ctx = get_script_run_ctx()
    if ctx is not None:  # else not run by a Streamlit server
        drop_files(ctx.uploaded_file_mgr, ctx.session_id, files)


def drop_files(
    manager: UploadedFileManager, session_id: str, files: Iterable[UploadedFile | None]
) -> None:
    """Remove `files` from the session's uploads held by `manager` (a manager that keeps
    no files in memory has no `remove_file`, and nothing to drop)."""
    remove = getattr(manager, "remove_file", None)
    if remove is None:
        return
    for file in files:
        if file is not None:
            remove(session_id, file.file_id)
