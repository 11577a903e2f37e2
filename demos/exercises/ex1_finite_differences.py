"""Exercise 1: estimate a derivative from two nearby values of the function, a central difference.

Run it: ``python -m demos ex1_finite_differences``, or open it as a notebook.
"""

from demos.exercises._check import check_central_difference

STAGE = 1
SUMMARY = "estimate a slope by nudging x both ways: the central difference"

# %% [markdown]
# # Exercise 1: finite differences
#
# Every gradient the engine computes is a claim: "if you move this input a
# tiny bit, the output moves this many times as much". Before trusting a
# machine that makes such claims by the thousand, it helps to have a way of
# testing one without any calculus at all. Move the input and watch.
#
# Take a function $f$ and a point $x$. Evaluate $f$ a small distance $h$ to the
# right, $f(x + h)$, and the same distance to the left, $f(x - h)$. The line
# through those two points has slope
#
# $$\frac{f(x + h) - f(x - h)}{2h},$$
#
# rise over run, where the run is $2h$ because the points are $2h$ apart. As $h$
# shrinks, this number closes in on $f'(x)$.
#
# Why both sides? Looking only to the right, $(f(x + h) - f(x))/h$, is also a
# slope, but its error is proportional to $h$: the curvature of $f$ tilts it.
# Taking one step each way makes the curvature's effect cancel, and what is
# left is proportional to $h^2$. With $h = 0.01$ that is the difference between
# being off in the second decimal and being off in the fourth.
#
# `engine.gradcheck` runs exactly this test on `backward()`; the exercises that
# follow use it to check the derivatives you write.

# %% [markdown]
# ## Your turn
#
# Finish `central_difference(f, x, h)` so that it returns the central difference
# of `f` at `x` with step `h`. `f` is an ordinary Python function of one float.
# Use the `h` you are given; the default is only for when the caller gives none.

# %%
def central_difference(f, x, h=1e-5):
    """The slope of f at x, estimated from f(x + h) and f(x - h)."""
    raise NotImplementedError("your code here")

# %% [markdown]
# ## Check
#
# The checker calls your function on ten cases (five functions, random points,
# steps from 0.2 down to 0.001) and compares it with the formula above. If it
# recognises a slip, such as a one-sided difference or a forgotten factor of 2,
# it names it.

# %%
result = check_central_difference(central_difference)
