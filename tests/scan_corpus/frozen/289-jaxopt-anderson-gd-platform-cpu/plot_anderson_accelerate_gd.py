r"""
Anderson acceleration of gradient descent on ridge regression.
"""

import jax
import jax.numpy as jnp

from sklearn import datasets

from jaxopt import AndersonAcceleration
from jaxopt import FixedPointIteration

from jaxopt import objective
from jaxopt.tree_util import tree_scalar_mul, tree_sub

jax.config.update("jax_platform_name", "cpu")


def run_all(solver, w_init, *args, **kwargs):
  state = solver.init_state(w_init, *args, **kwargs)
  sol = w_init
  sols, errors = [], []
  for _ in range(solver.maxiter):
    sol, state = solver.update(sol, state, *args, **kwargs)
    sols.append(sol)
    errors.append(state.error)
  return jnp.stack(sols, axis=0), errors


X, y = datasets.make_regression(n_samples=100, n_features=10, random_state=0)
ridge_grad = jax.grad(objective.ridge_regression)


def T(params, eta, l2reg, data):
  g = ridge_grad(params, l2reg, data)
  return tree_sub(params, tree_scalar_mul(eta, g))


w_init = jnp.zeros(X.shape[1])
fpi = FixedPointIteration(fixed_point_fun=T, maxiter=100, tol=1e-5)
aa = AndersonAcceleration(fixed_point_fun=T, history_size=5, maxiter=100, tol=1e-5)
_, err_fpi = run_all(fpi, w_init, 1e-1, 0., (X, y))
_, err_aa = run_all(aa, w_init, 1e-1, 0., (X, y))
print(err_fpi[-1], err_aa[-1])
