"""Exercise 5: put a graph's nodes in an order where each comes after its inputs.

Run it: ``python -m demos ex5_topological_order``, or open it as a notebook.
"""

from demos.exercises._check import check_topological_order, describe_graph, teaching_graph

STAGE = 5
SUMMARY = "order a graph's nodes so that each one comes after all of its inputs"

# %% [markdown]
# # Exercise 5: topological order
#
# In exercise 4 you could only work on a node once every node *using* it had
# passed its gradient down. A program doing the same needs a schedule: a list
# of all the nodes in which every node appears after all of its inputs.
# Walked from the end, that list visits each node only after everything that
# depends on it, which is exactly what the backward pass needs (exercise 6).
#
# Such a list is called a **topological order**. One way to build it is a
# depth-first walk from the root: to place a node, first place each of its
# inputs (recursively), and only then append the node itself. Two details
# decide whether it works:
#
# - a node can be reached along several routes (in the graph below `u` feeds
#   both `v` and `w`, and `x` feeds `u` and `v`), so remember which nodes are
#   already placed and skip them the second time;
# - the append comes *after* the recursion, never before it.
#
# Every node has `v.inputs`, a tuple of the nodes it was made from (empty for a
# leaf). Return a list of the nodes themselves.
#
# Here is the first graph the checker uses, inputs first:

# %%
print(describe_graph(teaching_graph()))

# %% [markdown]
# ## Your turn

# %%
def topo_order(root):
    """Every node root depends on (and root), each once, each after its inputs."""
    raise NotImplementedError("your code here")

# %% [markdown]
# ## Check
#
# The checker runs your function on that graph and on six random ones with
# shared nodes, and says which node is duplicated, missing or out of place.
# Any valid order passes, not only the one the engine's own
# `topological_order` produces.

# %%
result = check_topological_order(topo_order)
