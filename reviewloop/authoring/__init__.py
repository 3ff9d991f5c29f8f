"""Writing a spec with a human gate after every phase: research, requirements, high-level
design, low-level design and a task plan, drafted by a model (or as an offline skeleton),
validated by the spec readers, and written in one of the three formats `reviewloop tasks`
reads. The pipeline is its own small LangGraph graph, checkpointed under `.reviewloop/`."""
