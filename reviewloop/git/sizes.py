"""The one size limit on a file's content, committed, changed or untracked alike.

A file over it is never diffed line by line, scanned, analyzed or sent to a model: its diff
is git's "Binary files differ" and it is listed as not read, with its size. Untracked files
over it are not even snapshotted (`git.untracked`). A 50 MB data file would otherwise cost
minutes of diff parsing and secret scanning for lines no reviewer can read anyway.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1_000_000

# For every diff reviewloop asks git for: git treats files over the threshold as binary,
# so their lines never reach the parser, the secrets scan or a prompt.
DIFF_SIZE_LIMIT = ("-c", f"core.bigFileThreshold={MAX_FILE_BYTES}")
