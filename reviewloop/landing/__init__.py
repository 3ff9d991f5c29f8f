"""Committing an approved change on the run's branch and landing it in the user's checkout."""
