"""Exercise 8: zero_grad and one step of gradient descent.

Run it: ``python -m demos ex8_sgd``, or open it as a notebook.
"""

from demos.exercises._check import check_sgd

STAGE = 8
SUMMARY = "zero_grad and one SGD step, then a short training run checked against nn.SGD"

# %% [markdown]
# # Exercise 8: zero_grad and an SGD step
#
# Training repeats four lines: reset the gradients, compute the loss, run
# `backward()`, nudge every parameter. This exercise is the first and the
# last of them.
#
# **The step.** A parameter's grad says how fast the loss rises as the
# parameter grows. To make the loss *fall*, move each parameter a little
# against its gradient:
#
# $$p \leftarrow p - \text{lr}\cdot\frac{\partial L}{\partial p}.$$
#
# The learning rate `lr` sets "a little": the gradient is only a local
# promise, trustworthy for small moves.
#
# **The reset.** `backward()` *adds* into every `.grad` (the `+=` of exercise
# 6, which a node used twice relies on). Across training steps that same
# habit is a bug: step 2's gradient lands on top of step 1's, and the
# parameters follow a sum of stale slopes. So each step begins by setting every
# parameter's grad back to 0.
#
# Both functions change the Values they are given in place: write to `p.data`
# and `p.grad`; returning new numbers changes nothing.

# %% [markdown]
# ## Your turn

# %%
def zero_grad(params):
    """Set the gradient of every parameter in params to 0."""
    raise NotImplementedError("your code here")


def sgd_step(params, lr):
    """Move every parameter against its gradient, scaled by the learning rate lr."""
    raise NotImplementedError("your code here")

# %% [markdown]
# ## Check
#
# First each function alone, on random parameters, grads and learning rates;
# then five training steps with them (fitting a line to three points), which
# must match `nn.SGD` step for step.

# %%
result = check_sgd(zero_grad, sgd_step)
