"""Exercise 4: every gradient of a small graph by hand, graded by engine.grade.

Run it: ``python -m demos ex4_graph_by_hand``, or open it as a notebook.
"""

from engine import Value

from demos.exercises._check import check_graph_by_hand

STAGE = 4
SUMMARY = "every gradient of a seven-node graph by hand, graded by engine.grade"

# %% [markdown]
# # Exercise 4: a whole graph by hand
#
# Exercise 3 handed you each node's upstream gradient. Now you produce them
# yourself, for a whole graph, starting from the top.
#
# The top is easy: the loss L moves exactly as much as L does, so ∂L/∂L = 1.
# From there, go down one node at a time and apply exercise 3's step, each
# node passing `local × its own grad` to each of its inputs.
#
# One new thing. In this graph the leaf `a` is used **twice**: once in
# `e = a * b` and once in `f = d * a`. Nudging `a` moves L along both routes
# at once, so its gradient is the **sum** of what the two routes deliver. A
# node's gradient is complete only when every node that uses it has passed its
# share down, which is also why the order of the steps matters.

# %%
a = Value(2.0, label="a")
b = Value(-1.0, label="b")
c = Value(1.0, label="c")
e = a * b;  e.label = "e"
d = c - e;  d.label = "d"
f = d * a;  f.label = "f"
L = f ** 2; L.label = "L"

for v in (a, b, c, e, d, f, L):
    print(f"{v.label} = {v.data:g}")

# %% [markdown]
# ## Your turn
#
# Give ∂L/∂node for every node, keyed by its label. Work from L downwards;
# leave `...` for any you have not done yet, and check as you go.

# %%
answers = {
    "L": ...,
    "f": ...,
    "d": ...,
    "e": ...,
    "c": ...,
    "b": ...,
    "a": ...,
}

# %% [markdown]
# ## Check
#
# `engine.grade(L, answers)` compares each number with the right one, finds
# the first wrong node going backwards, and tries every mistake in
# `engine.MISTAKES` on the whole graph: if one of them reproduces all your
# numbers, it is named (forgetting to add up the two uses of `a` is one).

# %%
result = check_graph_by_hand(L, answers)
