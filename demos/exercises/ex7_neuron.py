"""Exercise 7: a neuron's forward pass, tanh(w·x + b), built out of Values.

Run it: ``python -m demos ex7_neuron``, or open it as a notebook.
"""

from demos.exercises._check import check_neuron

STAGE = 7
SUMMARY = "a neuron's forward pass: tanh(w·x + b) built from Values, checked against nn.Neuron"

# %% [markdown]
# # Exercise 7: a neuron
#
# With a working backward pass, everything else is just building graphs. A
# neuron is a small one. It holds a weight for each input and one bias; given
# the inputs it
#
# 1. multiplies each input by its weight and adds the products up, $w \cdot x = \sum_i w_i x_i$;
# 2. adds the bias, $z = w \cdot x + b$;
# 3. squashes the result with an activation function, here $\tanh(z)$.
#
# The weights and the bias are the numbers training will adjust, so they are
# Values, and the output must be computed *from them* with Value arithmetic:
# only then does `backward()` find a path from the output back to each weight.
# A shortcut through plain floats (`math.tanh(z.data)`, say) gives the right
# number and cuts that path.
#
# The bias matters more than it looks: without it, every neuron's output at
# `x = 0` is stuck at `tanh(0) = 0`. And without the activation, a stack of
# neurons can only ever compute a linear function of its inputs.

# %% [markdown]
# ## Your turn
#
# `w` is a list of Values (the weights), `x` a list of plain numbers of the same
# length, `b` a Value. Return the output Value. (`v.tanh()` is the Value's
# tanh.)

# %%
def neuron_forward(w, x, b):
    """tanh(w·x + b) as a Value."""
    raise NotImplementedError("your code here")

# %% [markdown]
# ## Check
#
# The checker builds six neurons of one to four inputs (the first fixed, the
# others with random weights, inputs and bias) and compares your output, and
# the gradients `backward()` gives from it, with `nn.Neuron(n, "tanh")`
# holding the same numbers.

# %%
result = check_neuron(neuron_forward)
