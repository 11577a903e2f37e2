"""Exercise 2: give three ops their forward rule and their local derivatives, as engine.define_op takes them.

Run it: ``python -m demos ex2_local_derivatives``, or open it as a notebook.
"""

import math  # noqa: F401 - your forward functions will want math.exp

from demos.exercises._check import check_op

STAGE = 2
SUMMARY = "write forward and local derivatives for exp, x³ and a / b, plugged in with define_op"

# %% [markdown]
# # Exercise 2: local derivatives
#
# The engine knows very little. For each kind of node (an op) it knows two
# things: how to compute the output from the inputs, and how much the output
# moves when one input moves while the others stay put. The second is the
# op's **local derivative**, one number per input, worked out during the
# forward pass and stored on the node. Backpropagation never needs anything
# else about an op: it only multiplies these local numbers together along the
# paths of the graph.
#
# `engine.define_op` lets you add an op of your own by supplying exactly those
# two rules as plain functions of floats:
#
# ```python
# my_exp = define_op("my_exp", forward=exp_forward, local=exp_local)
# y = my_exp(Value(0.3)); y.backward()
# ```
#
# - `forward(x)` (or `forward(a, b)` for two inputs) returns the output number;
# - `local(x, out)` (or `local(a, b, out)`) returns a **tuple** with one local
#   derivative per input. It is handed the output `out` as well, because some
#   derivatives are cheapest to write in terms of it.
#
# Three ops to write:
#
# 1. `exp(x)`. Its slope at every point equals its own value, so the local
#    derivative is simply `out`. (A tempting slip is to reach for the input `x`.)
# 2. `cube(x) = x³`. The power rule: bring the exponent down in front and lower
#    it by one.
# 3. `divide(a, b) = a / b`. Two inputs, so two numbers: how the quotient moves
#    with the numerator, and how it moves with the denominator. Mind the sign of
#    the second: a bigger positive `b` makes `a / b` smaller when `a > 0`.
#
# The checker hands your two functions to `define_op`, builds a node with
# random inputs, runs `backward()` through it and compares the input grads with
# finite differences of the op (exercise 1's idea). When they disagree it also
# checks the catalogue of known slips (`engine.MISTAKES`) and names the one
# that reproduces your numbers.

# %% [markdown]
# ## Your turn

# %%
def exp_forward(x):
    raise NotImplementedError("your code here")


def exp_local(x, out):
    raise NotImplementedError("your code here")


def cube_forward(x):
    raise NotImplementedError("your code here")


def cube_local(x, out):
    raise NotImplementedError("your code here")


def divide_forward(a, b):
    raise NotImplementedError("your code here")


def divide_local(a, b, out):
    raise NotImplementedError("your code here")

# %% [markdown]
# ## Check
#
# One check per op, so you can finish them one at a time.

# %%
exp_result = check_op("exp", exp_forward, exp_local)

# %%
cube_result = check_op("cube", cube_forward, cube_local)

# %%
divide_result = check_op("divide", divide_forward, divide_local)
