"""LLM agents: the model factory, the tool-calling loop, and the tools an agent may use.

`models` builds LangChain chat models (Bedrock by default); `loop` drives a bounded
tool-calling conversation; `tools` gives an agent file, search and command tools confined
to one workspace (`workspace`, `search`, `shell`). The implementer and the fixer are two
thin users of it (`implement`, `fixer`); the reviewers use it read-only from `review`.
"""
