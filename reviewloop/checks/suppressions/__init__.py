"""Suppressions: which ones count for a verdict, and the ones a change adds.

A suppression lowers a verdict only when it comes from the trusted side (the base commit of
a pull request, the tree a run started from, or the user's own working change): `files`
reads suppression files as that side has them, `tool_config` reads the wrapped tools' own
skip lists from their config files, `suppressor` decides whether a finding is suppressed
(inline markers in every syntax `reviewloop.policy.trust` knows, `.reviewloop-baseline.json`,
`.gitleaksignore`, the tools' config), `added` turns what the untrusted change adds into
findings of their own, and `scope` builds all of it for a review or a run's round.
"""
