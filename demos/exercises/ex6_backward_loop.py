"""Exercise 6: write backward(): seed the root, walk the topological order in reverse, accumulate.

Run it: ``python -m demos ex6_backward_loop``, or open it as a notebook.
"""

from engine import topological_order  # noqa: F401 - yours from exercise 5 works too

from demos.exercises._check import check_backward

STAGE = 6
SUMMARY = "write backward(): seed the root with 1, walk the order in reverse, add with +="

# %% [markdown]
# # Exercise 6: the backward loop
#
# Time to put exercises 3 to 5 together into the loop that `Value.backward()`
# runs. Every node carries what the loop needs:
#
# - `v.inputs`: the nodes it was made from;
# - `v.local`: its local derivatives, one per input, in the same order (the
#   engine computed them in the forward pass, with rules like exercise 2's);
# - `v.grad`: where its gradient accumulates, 0 to begin with.
#
# The loop has three parts, and each one is a classic place to slip:
#
# 1. **Seed.** The root's gradient with respect to itself is 1. Leave it at 0
#    and every product below is 0 too.
# 2. **Order.** Visit the nodes in *reverse* topological order: root first,
#    leaves last. Only then is a node's grad complete when its turn comes.
# 3. **Accumulate.** For each input, add `local × v.grad` to the input's
#    grad with `+=`. A node used twice receives two contributions; `=` would
#    keep only the last.
#
# You may use `engine.topological_order(root)` (imported above) or your own
# from exercise 5. The engine's own backward pass is switched off while the
# checker runs your code, so `root.backward()` will not help.

# %% [markdown]
# ## Your turn

# %%
def backward(root):
    """Fill in .grad of root and of every node below it."""
    raise NotImplementedError("your code here")

# %% [markdown]
# ## Check
#
# Your loop runs on a graph with shared nodes and on six random graphs, each
# fresh (all grads 0). Every node's grad is compared, intermediate ones too,
# and the mistake that reproduces your numbers (if any) is named.

# %%
result = check_backward(backward)
