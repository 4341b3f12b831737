--- Optimisers for the parameters a policy learns on its own (uncertainty's log-variances, GradNorm's
-- weights, FAMO's logits), one step per call of the policy.
local n = require("numeric")

local M = {}

--- An optimiser for `count` parameters.
--   "sgd":  x ← x − lr · g
--   "adam": Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Algorithm 1:
--           m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  m̂ = m / (1 − β₁ᵏ),  v̂ = v / (1 − β₂ᵏ),
--           x ← x − lr · m̂ / (√v̂ + ε)          (k counts the steps from 1; defaults 0.9, 0.999, 1e-8)
function M.optimizer(kind, count, beta1, beta2, epsilon)
  assert(kind == "sgd" or kind == "adam", "optimizer: kind must be \"sgd\" or \"adam\", got " .. tostring(kind))
  return {
    kind = kind, k = 0, m = n.fill(count, 0), v = n.fill(count, 0),
    beta1 = beta1 or 0.9, beta2 = beta2 or 0.999, epsilon = epsilon or 1e-8,
  }
end

--- One step of `optimizer` on `params` with gradient `grads` and step size `lr`: returns the new
-- parameters (a new array) and advances the optimiser's moments.
function M.step(optimizer, params, grads, lr)
  local x = {}
  if optimizer.kind == "sgd" then
    for i = 1, #params do x[i] = params[i] - lr * grads[i] end
    return x
  end
  local b1, b2, m, v = optimizer.beta1, optimizer.beta2, optimizer.m, optimizer.v
  optimizer.k = optimizer.k + 1
  local correction1, correction2 = 1 - b1 ^ optimizer.k, 1 - b2 ^ optimizer.k
  for i = 1, #params do
    m[i] = b1 * m[i] + (1 - b1) * grads[i]
    v[i] = b2 * v[i] + (1 - b2) * grads[i] * grads[i]
    x[i] = params[i] - lr * (m[i] / correction1) / (math.sqrt(v[i] / correction2) + optimizer.epsilon)
  end
  return x
end

return M
