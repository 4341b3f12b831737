--- Random draws shared by the policies (PCGrad's and GradVac's task orders, RLW's weights).
-- Every draw goes through the host's `random()`, seeded from the run's seed, so a run replays exactly.
-- Pure functions: each returns a new value and leaves its arguments alone.
-- (Standard normal draws are `numeric.normal()`.)
local M = {}

--- A uniformly random permutation of 1..n (Fisher–Yates: n − 1 draws).
function M.permutation(n)
  local p = {}
  for i = 1, n do p[i] = i end
  for i = n, 2, -1 do
    local j = random(i)
    p[i], p[j] = p[j], p[i]
  end
  return p
end

--- The entries of v in a uniformly random order, as a new array.
function M.shuffled(v)
  local order, w = M.permutation(#v), {}
  for i = 1, #v do w[i] = v[order[i]] end
  return w
end

--- The tasks 1..T other than i, in task order or shuffled (the order in which PCGrad-style surgery
-- visits them for task i).
function M.others(T, i, shuffle)
  local list = {}
  for j = 1, T do
    if j ~= i then list[#list + 1] = j end
  end
  if shuffle then return M.shuffled(list) end
  return list
end

--- A draw from the exponential distribution Exp(1): −log U with U uniform in (0, 1].
function M.exponential()
  return -math.log(1 - random())
end

--- A draw from the flat Dirichlet distribution Dir(1, …, 1) over n entries (uniform on the simplex):
-- n Exp(1) draws divided by their sum.
function M.flat_dirichlet(n)
  local e, total = {}, 0
  for i = 1, n do
    e[i] = M.exponential()
    total = total + e[i]
  end
  for i = 1, n do e[i] = e[i] / total end
  return e
end

--- true with probability p.
function M.bernoulli(p)
  return random() < p
end

return M
