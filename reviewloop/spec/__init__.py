"""Spec readers (Kiro, Spec Kit, single-document), the task model, selection and write-back."""
