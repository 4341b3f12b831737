--- State that policies keep for themselves: optimisers for the parameters a policy learns on its own
-- (uncertainty's log-variances, GradNorm's weights) and sliding windows of recent values with cheap
-- quantiles (DTP's percentile smoothing, the bandit's reward rescaling).
local n = require("numeric")

local M = {}

-- Optimisers -----------------------------------------------------------------------------------------

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

-- Sliding windows ------------------------------------------------------------------------------------

local Window = {}
Window.__index = Window

--- The last `size` values pushed, kept both in arrival order (a ring) and sorted, so that a push costs
-- two binary searches and two table moves, and a quantile costs nothing: no sort per step.
function M.window(size)
  assert(size >= 1 and size == math.floor(size), "window: size must be a whole number ≥ 1")
  return setmetatable({ size = size, ring = {}, sorted = {}, oldest = 1 }, Window)
end

-- The first index i with sorted[i] > x (or sorted[i] >= x when `lower`), by binary search.
local function search(sorted, x, lower)
  local low, high = 1, #sorted + 1
  while low < high do
    local middle = (low + high) // 2
    local value = sorted[middle]
    if value < x or (not lower and value == x) then low = middle + 1 else high = middle end
  end
  return low
end

--- Adds x; once the window is full, the oldest value leaves.
function Window:push(x)
  if #self.ring == self.size then
    local old = self.ring[self.oldest]
    table.remove(self.sorted, search(self.sorted, old, true))
    self.ring[self.oldest] = x
    self.oldest = self.oldest % self.size + 1
  else
    self.ring[#self.ring + 1] = x
  end
  table.insert(self.sorted, search(self.sorted, x, false), x)
end

--- How many values the window holds (at most its size).
function Window:count()
  return #self.sorted
end

--- The q-quantile (q in [0, 1]) of the values in the window, type 7 like numeric.quantile.
function Window:quantile(q)
  local sorted = self.sorted
  assert(#sorted > 0, "window: quantile of an empty window")
  local position = 1 + q * (#sorted - 1)
  local below = math.floor(position)
  local above = math.min(below + 1, #sorted)
  return sorted[below] + (position - below) * (sorted[above] - sorted[below])
end

return M
