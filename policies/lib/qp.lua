--- Small quadratic and convex programs over the probability simplex Δ = { x : x_t ≥ 0, Σ_t x_t = 1 } and
-- the orthant { z ≥ 0 } that the gradient-based weighting methods solve, all in Gram terms
-- (G[t][u] = ⟨g_t, g_u⟩, never the vectors). MGDA's weights are in mgda_weights.lua, CAGrad's in
-- conflict_averse.lua; both solve with these.
--
--   project(v, z)              Euclidean projection onto { x ≥ 0, Σ x = z } (Duchi et al., ICML 2008)
--   solve(A, b, S)             linalg.solve_in on A or its principal block A[S][S], in reused buffers; nil if singular
--   by_support(T, face, first) exact solver skeleton: try every support S ⊆ {1..T}, smallest first
--   min_norm(G, first)         argmin_{α∈Δ} αᵀGα, the min-norm point of the convex hull of the g_t (MGDA)
--   minimise(fg, x0, project)  projected gradient, step backtracked on the curvature, for a smooth convex f
--   nnqp(Q, q, first)          argmin_{z≥0} ½zᵀQz + qᵀz (Lawson & Hanson's active set, in Gram form)
--
-- Pure functions: arguments are never modified. The exact solvers are for a handful of tasks (the
-- support enumeration tries 2^T − 1 faces; above T = 10 it gives up and the callers fall back to
-- `minimise`).
local linalg = require("linalg")

local M = {}

local abs, max, sqrt = math.abs, math.max, math.sqrt

--- Relative tolerance of the optimality checks (KKT conditions hold to TOL × the Gram's scale).
M.TOL = 1e-9
local MAX_ENUMERATED_TASKS = 10

local function max_diagonal(G)
  local scale = 0
  for t = 1, #G do scale = max(scale, G[t][t]) end
  return scale
end

--- The Euclidean projection of v onto { x : x_i ≥ 0, Σ_i x_i = z } (z > 0, default 1): sort-based,
-- Duchi, Shalev-Shwartz, Singer, Chandra, "Efficient Projections onto the ℓ1-Ball", ICML 2008, Fig. 1:
-- with u = v sorted decreasingly, ρ = max{ j : u_j − (Σ_{r≤j} u_r − z)/j > 0 },
-- θ = (Σ_{r≤ρ} u_r − z)/ρ, and x_i = max(v_i − θ, 0).
function M.project(v, z)
  z = z or 1
  local n, u = #v, {}
  for i = 1, n do u[i] = v[i] end
  table.sort(u, function(a, b) return a > b end)
  local cumulative, theta = 0, 0
  for j = 1, n do
    cumulative = cumulative + u[j]
    local candidate = (cumulative - z) / j
    if u[j] - candidate > 0 then theta = candidate end
  end
  local x = {}
  for i = 1, n do x[i] = max(v[i] - theta, 0) end
  return x
end

-- Scratch arrays reused from call to call, so the hot paths (solve, nnqp, min_norm) allocate
-- only their answers; one set per size n, each field owned by one function.
local scratch = {}
local function buffers(n)
  local b = scratch[n]
  if not b then
    b = { rows = {}, x = {}, z = {}, g = {}, passive = {}, P = {}, rhs = {}, Q = {}, q = {} }
    for i = 1, n do b.rows[i], b.Q[i] = {}, {} end
    scratch[n] = b
  end
  return b
end

-- A x = b, or A[S][S] x = b if S is given, solved in buffers(n) (linalg.solve_in): returns buffers(n).x,
-- overwritten by the next solve of that size, or nil when the matrix is singular to working precision.
local function solve_in(A, b, S, n)
  return linalg.solve_in(A, b, S, n, 1e-13, buffers(n))
end

--- x with A x = b (A square, given as rows), or nil when A is singular to working precision. With S (an
-- array of indices), solves the principal system A[S][S] x = b instead (b has #S entries).
function M.solve(A, b, S)
  local n = S and #S or #b
  local x = solve_in(A, b, S, n)
  if not x then return nil end
  local answer = {}
  for i = 1, n do answer[i] = x[i] end
  return answer
end

-- Every non-empty subset of {1..T} as an array of indices, smallest first; built once per T.
local supports = {}
local function supports_of(T)
  if supports[T] then return supports[T] end
  local by_size = {}
  for k = 1, T do by_size[k] = {} end
  for mask = 1, (1 << T) - 1 do
    local S = {}
    for t = 1, T do
      if mask & (1 << (t - 1)) ~= 0 then S[#S + 1] = t end
    end
    table.insert(by_size[#S], S)
  end
  local list = {}
  for k = 1, T do
    for _, S in ipairs(by_size[k]) do list[#list + 1] = S end
  end
  supports[T] = list
  return list
end

--- The exact solver of a convex problem over Δ by its support: face(S) solves the problem restricted to
-- the affine hull of the face { x ∈ Δ : x_t = 0 for t ∉ S } and returns the full x if that point is in
-- Δ and satisfies the problem's KKT conditions (nil otherwise). For a convex problem any KKT point is a
-- minimiser, and the minimiser lies in the relative interior of some face, so trying every S finds it.
-- `first` (optional) is a support to try before the others, e.g. the previous step's. Returns x and its
-- support, or nil if no face answers (degenerate problems) or T > 10.
function M.by_support(T, face, first)
  if T > MAX_ENUMERATED_TASKS then return nil end
  if first and #first > 0 then
    local x = face(first)
    if x then return x, first end
  end
  for _, S in ipairs(supports_of(T)) do
    local x = face(S)
    if x then return x, S end
  end
  return nil
end

-- x clipped at 0 and rescaled to sum 1 (it is already in Δ up to rounding).
local function clean(x)
  local total = 0
  for t = 1, #x do
    x[t] = max(x[t], 0)
    total = total + x[t]
  end
  for t = 1, #x do x[t] = x[t] / total end
  return x
end

local function quadratic_on_simplex(G)
  return function(x)
    local gx, value = {}, 0
    for t = 1, #G do
      local sum, row = 0, G[t]
      for u = 1, #G do sum = sum + row[u] * x[u] end
      gx[t] = 2 * sum
      value = value + x[t] * sum
    end
    return value, gx
  end
end

--- α ∈ Δ minimising αᵀGα, and that minimum ρ = ‖Σ_t α_t g_t‖²: the min-norm point of the convex hull of
-- the gradients (Désidéri 2012; Sener & Koltun 2018, Eq. 3). Optimality (Wolfe's condition for the
-- nearest point): (Gα)_t ≥ ρ for every t, with equality where α_t > 0.
-- Solved exactly by the least-distance-programming trick of Lawson & Hanson (1974, ch. 23): the u ≥ 0
-- minimising ‖Σ_t u_t g_t‖² + (Σ_t u_t − 1)², i.e. ½uᵀ(G + 11ᵀ)u − 1ᵀu, is u = α/(1 + ρ) — its KKT
-- conditions, G u + (1ᵀu − 1)1 ≥ 0 with equality where u_t > 0, are Wolfe's — so α = u / Σ_t u_t, from
-- nnqp. G is first divided by its largest diagonal entry (α does not change) so G and 11ᵀ share a scale.
-- `first` (optional): a support to start from (nnqp's warm start). Returns α, ρ, α's support and how
-- α was found (nil: exactly; see M.fallback).
function M.min_norm(G, first)
  local T = #G
  local scale = max_diagonal(G)
  local alpha = {}
  if not (scale > 0) then   -- every gradient is zero: every α is optimal
    local support = {}
    for t = 1, T do alpha[t], support[t] = 1 / T, t end
    return alpha, 0, support
  end
  local work = buffers(T)
  local Q, q = work.Q, work.q
  for t = 1, T do
    local row, source = Q[t], G[t]
    for u = 1, T do row[u] = source[u] / scale + 1 end
    q[t] = -1
  end
  local u, support, how = M.nnqp(Q, q, first)
  local total = 0
  for t = 1, T do total = total + u[t] end
  if total > 0 then
    alpha = clean(u)
  else   -- cannot happen for a PSD G (u = 0 is not optimal: the gradient there is −1); kept for safety
    local converged
    alpha, converged = M.minimise(quadratic_on_simplex(G), M.project(u))
    how = M.fallback(converged)
  end
  local value = 0
  for t = 1, T do
    local sum, row = 0, G[t]
    for v = 1, T do sum = sum + row[v] * alpha[v] end
    value = value + alpha[t] * sum
  end
  return alpha, max(value, 0), support, how
end

--- Projected gradient descent for a smooth convex f on a convex set: fg(x) returns f(x) and ∇f(x);
-- `project` maps onto the set (default M.project, the simplex). The step is backtracked until it is at
-- most 1 / the curvature seen along it, ⟨∇f(y) − ∇f(x), y − x⟩ ≤ ‖y − x‖² / step (a test on gradients,
-- not on values of f, which stop resolving progress at √ε from the optimum), then grown by 1.5.
-- Options: max_iter (2000), tol (1e-13: stop when a step moves x by less, in the ∞-norm, relative to
-- max(1, |x|∞)), step (initial step, 1). Returns the last iterate, and whether the stopping test held
-- (false: it stopped at max_iter).
function M.minimise(fg, x0, project, options)
  project = project or M.project
  options = options or {}
  local max_iter, tol = options.max_iter or 2000, options.tol or 1e-13
  local step = options.step or 1
  local x = project(x0)
  local _, g = fg(x)
  local n = #x
  for _ = 1, max_iter do
    local y, gy, moved
    for _ = 1, 100 do
      local trial = {}
      for i = 1, n do trial[i] = x[i] - step * g[i] end
      y = project(trial)
      _, gy = fg(y)
      local curvature, squared = 0, 0
      moved = 0
      for i = 1, n do
        local d = y[i] - x[i]
        curvature, squared = curvature + (gy[i] - g[i]) * d, squared + d * d
        moved = max(moved, abs(d))
      end
      if curvature * step <= squared then break end
      step = step / 2
    end
    local size = 1
    for i = 1, n do size = max(size, abs(y[i])) end
    x, g = y, gy
    if moved <= tol * size then return x, true end
    step = step * 1.5
  end
  return x, false
end

--- How a solver's answer was found, as nnqp, min_norm and conflict_averse.weights return it: nil for the
-- exact method, "projected gradient" for the fallback, "iteration limit" when the fallback stopped at its
-- cap. `log_fallback` logs the last two (solver_fallback = 1, and solver_limit = 1 at the cap), once per
-- step: a silent fallback would hide a degenerate problem from the report.
function M.fallback(converged)
  return converged and "projected gradient" or "iteration limit"
end

function M.log_fallback(how)
  if not how then return end
  log("solver_fallback", 1)
  if how == "iteration limit" then log("solver_limit", 1) end
end

local function orthant(v)
  local x = {}
  for i = 1, #v do x[i] = max(v[i], 0) end
  return x
end
M.orthant = orthant

--- z ≥ 0 minimising ½ zᵀQz + qᵀz for a symmetric positive semi-definite Q (bounded below): the active-set
-- method of Lawson & Hanson ("Solving Least Squares Problems", 1974, ch. 23, NNLS) written with Q = AᵀA
-- and q = −Aᵀb, so it never needs A. At the answer z ≥ 0, ∇ = Qz + q ≥ 0 and z_t ∇_t = 0 (KKT).
-- `first` (optional, an array of indices): a warm start — if the minimiser on that passive set is > 0,
-- the method starts there instead of at z = 0 (with the previous step's support, consecutive steps
-- usually need one solve). Falls back to projected gradient if a passive-set system is singular or the
-- iteration cap is reached. Returns z, its support (the indices with z_t > 0) and how it was found
-- (nil: exactly; see M.fallback).
function M.nnqp(Q, q, first)
  local T = #q
  local scale = max_diagonal(Q)
  for t = 1, T do scale = max(scale, abs(q[t])) end
  local work = buffers(T)
  local z, passive, g, P, rhs = work.z, work.passive, work.g, work.P, work.rhs
  for t = 1, T do z[t], passive[t] = 0, false end
  local function answer()
    local copy, support = {}, {}
    for t = 1, T do
      copy[t] = z[t]
      if z[t] > 0 then support[#support + 1] = t end
    end
    return copy, support
  end
  if not (scale > 0) then return answer() end
  local tol = M.TOL * scale

  local function gradient(x)   -- g = Qx + q
    for t = 1, T do
      local sum, row = q[t], Q[t]
      for u = 1, T do
        local xu = x[u]
        if xu ~= 0 then sum = sum + row[u] * xu end
      end
      g[t] = sum
    end
    return g
  end

  if first and #first > 0 then
    local k = 0
    for _, t in ipairs(first) do
      if t >= 1 and t <= T and not passive[t] then
        k = k + 1
        P[k], rhs[k], passive[t] = t, -q[t], true
      end
    end
    local s = solve_in(Q, rhs, P, k)
    local feasible = s ~= nil
    for i = 1, s and k or 0 do feasible = feasible and s[i] > 0 end
    for i = 1, k do
      z[P[i]], passive[P[i]] = feasible and s[i] or 0, feasible
    end
  end

  local converged = false
  for _ = 1, 3 * T + 3 do
    gradient(z)
    local j, best = nil, tol
    for t = 1, T do
      if not passive[t] and -g[t] > best then j, best = t, -g[t] end
    end
    if not j then converged = true; break end
    passive[j] = true
    local ok = false
    for _ = 1, T + 1 do
      -- the unconstrained minimiser on the passive set P (zero elsewhere): Q_PP s_P = −q_P
      local k = 0
      for t = 1, T do
        if passive[t] then k = k + 1; P[k], rhs[k] = t, -q[t] end
      end
      local s = solve_in(Q, rhs, P, k)
      if not s then break end
      local feasible, ratio = true, math.huge
      for i = 1, k do
        if s[i] <= 0 then
          feasible = false
          local zi = z[P[i]]
          local gap = zi - s[i]
          ratio = math.min(ratio, gap > 0 and zi / gap or 0)
        end
      end
      if feasible then
        for t = 1, T do z[t] = 0 end
        for i = 1, k do z[P[i]] = s[i] end
        ok = true
        break
      end
      -- step from z toward s until the first passive variable reaches 0, and free those at 0
      for i = 1, k do
        local t = P[i]
        z[t] = z[t] + ratio * (s[i] - z[t])
        if z[t] <= 1e-15 * scale then passive[t], z[t] = false, 0 end
      end
    end
    if not ok then break end
  end
  if converged then return answer() end
  local function fg(x)
    local value, gx = 0, {}
    gradient(x)
    for t = 1, T do
      gx[t] = g[t]
      value = value + x[t] * (g[t] + q[t]) / 2
    end
    return value, gx
  end
  local x, converged = M.minimise(fg, (answer()), orthant)
  local support = {}
  for t = 1, T do
    if x[t] > 0 then support[#support + 1] = t end
  end
  return x, support, M.fallback(converged)
end

return M
