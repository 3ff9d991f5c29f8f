"""Handing a session off and picking it up: the facts of where work stands (git, the run
registry, the specs, recorded notes), rendered as `.reviewloop/handoff.md`, and checked
against reality by `pickup`. Deterministic; a model only adds a prose summary."""
