"""What reviewloop writes into a project: `.reviewloop.toml` with the detected gates, the
pull-request workflow, the pre-commit entry (`project.py`), and the git pre-commit hook for
projects without pre-commit (`githook.py`). Each change is planned as data first, so a second
run can say that nothing changed."""
