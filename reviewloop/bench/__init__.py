"""`reviewloop bench`: the reviewers replayed on the repository's own history."""
