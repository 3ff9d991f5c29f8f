"""Running the loop: the `run` and `review` use cases around the graph, the run registry, where run
state lives, leases, budgets and the progress stream."""
