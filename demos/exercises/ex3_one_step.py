"""Exercise 3: one step of the backward pass by hand, at six single nodes.

Run it: ``python -m demos ex3_one_step``, or open it as a notebook.
"""

from demos.exercises._check import check_one_step, show_step_problems

STAGE = 3
SUMMARY = "one chain-rule step by hand: upstream grad × local derivative, at six nodes"

# %% [markdown]
# # Exercise 3: one backward step
#
# Picture a node somewhere in the middle of a big graph, say `c = a * b`. By
# the time the backward pass reaches it, the node already knows one number:
# its **upstream** gradient ∂L/∂c, how much the final loss L moves per unit
# change of `c`. It has that number from the nodes above it; how they got it
# is none of its business.
#
# The node's own job is to pass the gradient on to its inputs. For each input
# it asks "how much does `c` move when this input moves?" (the local
# derivative, from exercise 2) and multiplies:
#
# $$\frac{\partial L}{\partial a} = \frac{\partial c}{\partial a}\cdot\frac{\partial L}{\partial c}.$$
#
# That product is the chain rule, and it is all that happens at a node. The
# whole backward pass is this one step, repeated at every node, in the right
# order (exercises 5 and 6).
#
# Two reminders for the nodes below: in `a * b` each input's local derivative
# is the *other* input, and for `tanh` and `exp` the local derivative is
# easiest in terms of the node's own output (printed for you).

# %% [markdown]
# ## The six nodes
#
# Each line shows a node, its inputs' values and the upstream gradient it
# received. Work out the gradient of L for each input (three significant
# figures are plenty).

# %%
show_step_problems()

# %% [markdown]
# ## Your turn
#
# Replace each `...` with a number (you may type an expression such as
# `-2 * 1.5`). You can answer some and check those first; the rest stay `...`.

# %%
answers = {
    1: {"a": ..., "b": ...},
    2: {"a": ..., "b": ...},
    3: {"x": ...},
    4: {"n": ...},
    5: {"z": ...},
    6: {"a": ..., "b": ...},
}

# %% [markdown]
# ## Check
#
# A wrong number is compared with what each known slip would give at that
# node (for example, forgetting to multiply by the upstream gradient, or a
# dropped minus sign), and the slip that matches is named.

# %%
result = check_one_step(answers)
