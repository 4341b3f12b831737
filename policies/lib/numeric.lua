--- Small numerics on arrays (1-based sequences of numbers) shared by the policies.
-- Pure functions: each returns a new array and leaves its arguments alone.
local M = {}

--- { value, value, … } of length n.
function M.fill(n, value)
  local v = {}
  for i = 1, n do v[i] = value end
  return v
end

--- A copy of v (policies must copy what they keep from `s`).
function M.copy(v)
  local c = {}
  for i = 1, #v do c[i] = v[i] end
  return c
end

function M.sum(v)
  local total = 0
  for i = 1, #v do total = total + v[i] end
  return total
end

function M.dot(a, b)
  local total = 0
  for i = 1, #a do total = total + a[i] * b[i] end
  return total
end

--- v scaled so that its entries sum to `total` (default 1). v must have a positive sum.
function M.normalise(v, total)
  local s = M.sum(v)
  assert(s > 0, "normalise: the entries must have a positive sum")
  local scale, w = (total or 1) / s, {}
  for i = 1, #v do w[i] = v[i] * scale end
  return w
end

--- softmax(v / temperature)_i = exp(v_i / τ) / Σ_j exp(v_j / τ), computed without overflow.
function M.softmax(v, temperature)
  local tau, top = temperature or 1, -math.huge
  for i = 1, #v do top = math.max(top, v[i] / tau) end
  local e = {}
  for i = 1, #v do e[i] = math.exp(v[i] / tau - top) end
  return M.normalise(e)
end

--- Exponential moving average, elementwise: α·x + (1 − α)·previous (x itself when previous is nil).
function M.ema(previous, x, alpha)
  if previous == nil then return M.copy(x) end
  local m = {}
  for i = 1, #x do m[i] = alpha * x[i] + (1 - alpha) * previous[i] end
  return m
end

--- The q-quantile (q in [0, 1]) of the values in v, linearly interpolated between order statistics
-- (the "linear" / type-7 definition of numpy and R).
function M.quantile(v, q)
  local sorted = M.copy(v)
  table.sort(sorted)
  local position = 1 + q * (#sorted - 1)
  local below = math.floor(position)
  local above = math.min(below + 1, #sorted)
  return sorted[below] + (position - below) * (sorted[above] - sorted[below])
end

--- v with its negative entries set to 0, and whether there were any (for closed forms whose
-- coefficients can turn negative while the host accepts only weights ≥ 0).
function M.clip_negative(v)
  local w, clipped = {}, false
  for i = 1, #v do
    if v[i] < 0 then w[i], clipped = 0, true else w[i] = v[i] end
  end
  return w, clipped
end

--- M x for a square matrix given as rows.
function M.matvec(m, x)
  local y = {}
  for i = 1, #m do y[i] = M.dot(m[i], x) end
  return y
end

--- xᵀ M x.
function M.quadratic(m, x)
  return M.dot(x, M.matvec(m, x))
end

--- A standard normal draw from the host's seeded `random()` (Box–Muller).
function M.normal()
  local u = 1 - random()   -- in (0, 1], so the log is finite
  return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * random())
end

return M
