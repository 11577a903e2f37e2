"""Exercise 9: one Adam update of one parameter, bias corrections and all.

Run it: ``python -m demos ex9_adam``, or open it as a notebook.
"""

import math  # noqa: F401 - for math.sqrt

from demos.exercises._check import check_adam

STAGE = 9
SUMMARY = "one Adam update with both bias corrections, matched against nn.Adam and PyTorch's formula"

# %% [markdown]
# # Exercise 9: Adam
#
# Plain gradient descent moves every parameter by `lr × grad`, so a parameter
# with large gradients takes large steps and one with tiny gradients barely
# moves. Adam gives each parameter a step of roughly the same size, `lr`,
# pointed by the *trend* of its gradient. It keeps two running averages per
# parameter:
#
# - `m`, the average gradient: $m \leftarrow \beta_1 m + (1 - \beta_1)\,g$;
# - `v`, the average *squared* gradient: $v \leftarrow \beta_2 v + (1 - \beta_2)\,g^2$.
#
# Both start at 0, which drags them towards 0 for the first steps (after one
# step, $m$ is only $(1 - \beta_1) g$, a tenth of $g$ with $\beta_1 = 0.9$).
# The **bias corrections** undo that drag at step $t$ (counting from 1):
#
# $$\hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}.$$
#
# Then the step divides the average gradient by its typical size, the square
# root of the average square, with a small $\varepsilon$ added so the division
# is safe:
#
# $$p \leftarrow p - \text{lr}\cdot\frac{\hat m}{\sqrt{\hat v} + \varepsilon}.$$
#
# This is the formula `torch.optim.Adam` uses, and `nn.Adam` too. Where
# $\varepsilon$ goes matters once gradients are small: outside the square root,
# after the bias correction.

# %% [markdown]
# ## Your turn
#
# Write one update for one parameter, with plain numbers: given the parameter
# `p`, its gradient `g`, the running averages `m` and `v` from the previous step
# and the step number `t`, return the new `(p, m, v)`.

# %%
def adam_update(p, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step: returns (new p, new m, new v)."""
    raise NotImplementedError("your code here")

# %% [markdown]
# ## Check
#
# Twelve random cases (some with tiny gradients and a large ε, some at step 1,
# where the bias corrections are largest), then eight steps of training with
# your update, compared with `nn.Adam` step for step.

# %%
result = check_adam(adam_update)
