--- CAGrad's inner problem (Liu et al., "Conflict-Averse Gradient Descent for Multi-task Learning",
-- NeurIPS 2021, Eq. 3 in Gram terms; policies/cagrad.lua states the method): with b_t = ⟨g_t, g_0⟩ and
-- r = c‖g_0‖, the weights w* ∈ Δ minimising F(w) = wᵀb + r‖g_w‖, g_w = Σ_t w_t g_t — exactly, support by
-- support (qp.by_support), or by projected gradient (qp.minimise) when every face is degenerate or T > 10.
local qp = require("qp")
local n = require("numeric")

local M = {}

-- The problem's value and gradient: F(w) = wᵀb + r √(wᵀGw), ∇F = b + r Gw / ‖g_w‖, with b = G1/T.
local function objective(G, b, r)
  local T = #G
  return function(w)
    local Gw, quadratic, linear = n.matvec(G, w), 0, 0
    for t = 1, T do
      quadratic, linear = quadratic + w[t] * Gw[t], linear + w[t] * b[t]
    end
    local norm = math.sqrt(math.max(quadratic, 1e-300))
    local gradient = {}
    for t = 1, T do gradient[t] = b[t] + r * Gw[t] / norm end
    return linear + r * norm, gradient
  end
end

--- w* ∈ Δ minimising wᵀb + r‖g_w‖ (b_t = ⟨g_t, g_0⟩, r = √φ > 0), exactly by supports. On support S,
-- stationarity is b_S + r G_SS w_S / ‖g_w‖ = μ1; with a = G_SS⁻¹1, β = G_SS⁻¹b_S, A = 1ᵀa, B = 1ᵀβ,
-- C = b_Sᵀβ and the constraints 1ᵀw_S = 1, ‖g_w‖² = w_SᵀG_SS w_S, its solution is
--   w_S = (μa − β)/√D,  μ = (B + √D)/A,  D = B² − A(C − r²) > 0,  and then ‖g_w‖ = r/√D;
-- it is the minimiser if w_S ≥ 0 and ∂F/∂w_t = b_t + √D (Gw)_t ≥ μ for every t outside S (KKT).
-- `first` is the support to try first (the previous step's: consecutive Grams are alike).
local function by_supports(G, b, r, scale, ones, first)
  local T = #G
  local tol = qp.TOL * scale
  return qp.by_support(T, function(S)
    local k, bS = #S, {}
    if k == 1 then   -- w = e_i: √D = r/‖g_i‖, μ = b_i + r‖g_i‖; no system to solve
      local i = S[1]
      local norm = math.sqrt(G[i][i])
      if not (norm > 0) then return nil end
      local root, mu = r / norm, b[i] + r * norm
      for t = 1, T do
        if b[t] + root * G[t][i] < mu - tol then return nil end
      end
      local w = n.fill(T, 0)
      w[i] = 1
      return w
    end
    for i = 1, k do bS[i] = b[S[i]] end
    local a = qp.solve(G, ones, S)
    local beta = a and qp.solve(G, bS, S)
    if not beta then return nil end
    local A, B, C = 0, 0, 0
    for i = 1, k do A, B, C = A + a[i], B + beta[i], C + bS[i] * beta[i] end
    local D = B * B - A * (C - r * r)
    if not (A > 0 and D > 0) then return nil end
    local root = math.sqrt(D)
    local mu = (B + root) / A
    local w = n.fill(T, 0)
    for i = 1, k do
      local value = (mu * a[i] - beta[i]) / root
      if value < -1e-12 then return nil end
      w[S[i]] = math.max(value, 0)
    end
    for t = 1, T do
      if w[t] == 0 then
        local Gw, row = 0, G[t]
        for i = 1, k do Gw = Gw + row[S[i]] * w[S[i]] end
        if b[t] + root * Gw < mu - tol then return nil end
      end
    end
    return n.normalise(w)
  end, first)
end

local ones = {}   -- the all-ones vector of each size, made once

--- w* for the Gram G, b and r > 0; `scale` is max_t G_tt (the tolerance's scale) and `first` the support
-- to try first (the previous step's: consecutive Grams are alike). Returns w* and its support, or w*,
-- nil and how projected gradient found it (qp.fallback).
function M.weights(G, b, r, scale, first)
  local T = #G
  ones[T] = ones[T] or n.fill(T, 1)
  local exact, support = by_supports(G, b, r, scale, ones[T], first)
  if exact then return exact, support end
  local w, converged = qp.minimise(objective(G, b, r), n.fill(T, 1 / T))
  return w, nil, qp.fallback(converged)
end

return M
