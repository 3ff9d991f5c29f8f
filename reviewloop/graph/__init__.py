"""The loop as a LangGraph state machine: state, thin nodes, pure routing, the builder."""
