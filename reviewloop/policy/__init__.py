"""Policy: what an agent may touch and run, and what needs a human before it is committed.

`governance` merges reviewloop's settings with `.kiro/config.yaml` and `.kiro/governance.yaml`
(`governance_file`, read through `kiro_yaml`) into one `Policy`; `approval` decides from it
whether a change needs a human (`change_types` recognises schema, CI, … changes);
`sensitive` decides which files may hold secrets; `classification` what keeps a file from a
model (generated, vendored, lock files); `commands` is the allow/deny filter for shell
commands; `trust` names the levers that can lower a verdict and whose a line is, `levers`
what a run's change to them needs (a human's approval) and `weakening` what no approval may
land (a weaker sandbox or command policy). Agents, gates and the graph read the policy; none
of them decide it.
"""
