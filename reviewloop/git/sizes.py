"""The size limits on a file's content, committed, changed or untracked alike.

Two limits, for two readers. A model reads at most `MAX_FILE_BYTES` of a file: a larger
one is left out of every prompt and listed as not sent, with its size. The analyzers read
far more (`MAX_DIFFED_BYTES`, and each analyzer's own limit from a measurement, see
`reviewloop.checks.analyzers.contract`): a size the change's author chooses must never be a
way around bandit. Over `MAX_DIFFED_BYTES` git's diff is "Binary files differ", no analyzer
reads the file, and the review says so and is incomplete. A 50 MB data file would otherwise
cost minutes of diff parsing and secret scanning.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1_000_000  # of a file a model may read
MAX_DIFFED_BYTES = 16_000_000  # of a file whose lines the diff shows: the analyzers' ceiling

# For every diff reviewloop asks git for: git treats files over the threshold as binary,
# so their lines never reach the parser, the secrets scan or a prompt.
DIFF_SIZE_LIMIT = ("-c", f"core.bigFileThreshold={MAX_DIFFED_BYTES}")
