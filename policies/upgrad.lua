--- UPGrad: Unconflicting Projection of Gradients (Jacobian descent).
-- Quinton, Rey, "Jacobian Descent for Multi-Objective Optimization", arXiv:2406.16232, 2024 (§3, Eq. 3–4,
-- Proposition 1); the authors' library torchjd (aggregation/_upgrad.py, _dual_cone_utils.py,
-- _gramian_utils.py).
--
-- Formula (J has rows g_1 … g_T, G = JJᵀ the Gram, p the preference vector, default p_t = 1/T):
--   π(x) = argmin_{y : ⟨y, g_t⟩ ≥ 0 ∀t} ‖y − x‖     projection onto the dual cone of the gradients
--   shared trunk:  d = Σ_i p_i π(g_i) = Σ_t w_t g_t;   each head: its own gradient (h_t = 1, as
--                  torchjd's mtl_backward, which aggregates only the shared parameters' Jacobian)
-- By Proposition 1, π(Jᵀu) = Jᵀv with v = argmin_v vᵀGv subject to v ≥ u (componentwise); so with
-- u = p_i e_i for each i:  w = Σ_i v^(i),  v^(i) = argmin_{v ≥ p_i e_i} vᵀ G̃ v.
-- As torchjd, the QPs use G̃ = G / tr(G) + reg_eps·I (G̃ = reg_eps·I if tr(G) < norm_eps): the scaling does
-- not change v, the regulariser makes G̃ positive definite (it may then leave ⟨d, g_t⟩ as low as
-- −reg_eps·tr(G)·w_t instead of ≥ 0; reg_eps = 0 gives the exact projection when G is non-singular).
-- Each QP is solved exactly by Lawson & Hanson's active set on z = v − p_i e_i ≥ 0 (lib/qp.lua:
-- nnqp) instead of quadprog. Weights are ≥ 0 by construction (v ≥ p_i e_i ≥ 0).
-- When an active set gives up and projected gradient answers, logs `solver_fallback` = 1 (and
-- `solver_limit` = 1 if that stopped at its iteration cap): qp.log_fallback.
-- Scale: Σ_t w_t ≥ Σ_t p_t (= 1 by default), with equality iff no gradient conflicts with another
-- (then d is the mean gradient, torchjd's scale: a T-th of equal weighting's Σ_t g_t).
--
-- Needs:     gram (inner products of the per-task gradients on the shared parameters).
-- Options:   pref_vector = {}   p: T numbers ≥ 0; {} = 1/T each (torchjd's default, the mean)
--            norm_eps = 1e-4    tr(G) below this (an absolute threshold, as torchjd's): G̃ = reg_eps·I, so
--                               d = Σ_t p_t g_t (torchjd's default)
--            reg_eps = 1e-4     ≥ 0, added to the diagonal of G / tr(G) (torchjd's default)

local qp = require("qp")
local n = require("numeric")

local P = {
  name = "upgrad",
  needs = { "gram" },
  defaults = { pref_vector = {}, norm_eps = 1e-4, reg_eps = 1e-4 },
}

function P:init(ctx)
  local T = #ctx.tasks
  assert(#self.pref_vector == 0 or #self.pref_vector == T,
         ("upgrad: pref_vector must be empty or have one entry per task (%d), got %d"):format(T, #self.pref_vector))
  for _, p in ipairs(self.pref_vector) do
    assert(type(p) == "number" and p >= 0, "upgrad: pref_vector entries must be numbers ≥ 0")
  end
  assert(self.norm_eps >= 0, "upgrad: norm_eps must be ≥ 0")
  assert(self.reg_eps >= 0, "upgrad: reg_eps must be ≥ 0")
  self.preference = #self.pref_vector == T and n.copy(self.pref_vector) or n.fill(T, 1 / T)
  self.heads = n.fill(T, 1)
  self.supports = {}
end

function P:weights(s)
  local G, T = s.gram, #s.tasks
  local trace = 0
  for t = 1, T do trace = trace + G[t][t] end
  local Q = {}
  for t = 1, T do
    local row = {}
    for u = 1, T do row[u] = (trace >= self.norm_eps and trace > 0) and G[t][u] / trace or 0 end
    row[t] = row[t] + self.reg_eps
    Q[t] = row
  end
  local w = n.fill(T, 0)
  local fallback   -- the worst of the T solves: nil, "projected gradient" or "iteration limit"
  for i = 1, T do
    local p = self.preference[i]
    if p > 0 then
      -- v = p e_i + z, z ≥ 0 minimising ½zᵀQz + zᵀ(Q p e_i): the projection of p·g_i onto the dual cone.
      local q = {}
      for t = 1, T do q[t] = p * Q[t][i] end
      local z, support, how = qp.nnqp(Q, q, self.supports[i])   -- warm start: the previous step's support
      if how and fallback ~= "iteration limit" then fallback = how end
      self.supports[i] = support
      for t = 1, T do w[t] = w[t] + z[t] end
      w[i] = w[i] + p
    end
  end
  qp.log_fallback(fallback)
  return { shared = w, heads = self.heads }
end

return P
