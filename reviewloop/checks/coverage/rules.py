"""The coverage analyzer's name, its rules and its reviewer: shared by the analyzer (`analyzer`)
and the check it runs (`check`), which loads only when the tests run."""

NAME = "coverage"
RULE = "untested-public-function"
THRESHOLD_RULE = "changed-lines-below-threshold"
AGENT = "review-test-quality"
