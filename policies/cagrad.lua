--- CAGrad: Conflict-Averse Gradient descent.
-- Liu, Liu, Jin, Stone, Liu, "Conflict-Averse Gradient Descent for Multi-task Learning", NeurIPS 2021
-- (§3.1, Eq. 2–3, Algorithm 1); the authors' code: Cranial-XIX/CAGrad, nyuv2/utils.py `cagrad`.
--
-- Formula (all in Gram terms: g_w = Σ_t w_t g_t, g_0 = (1/T) Σ_t g_t the mean gradient):
--   w* = argmin_{w ∈ Δ}  g_wᵀ g_0 + √φ ‖g_w‖,   φ = c² ‖g_0‖²,   Δ = { w_t ≥ 0, Σ_t w_t = 1 }
--   d  = g_0 + λ g_{w*},   λ = √φ / ‖g_{w*}‖                (the maximiser of min_t ⟨g_t, d⟩ over the ball
--                                                           ‖d − g_0‖ ≤ c‖g_0‖; so ‖d − g_0‖ = c‖g_0‖)
--   shared trunk:  K · d = Σ_t α_t g_t  with  α_t = K (1/T + λ w*_t);   each head: its own gradient (h_t = 1)
-- K is the authors' scale: d / (1 + c²) (rescale = 1, their default), d (0) or d / (1 + c) (2), times T
-- because their overwrite_grad multiplies by the number of tasks "to match the sum loss" — so with c = 0,
-- K·d = Σ_t g_t, equal weighting's step (weights 1). In general Σ_t α_t = K (1 + λ).
-- w* is computed exactly: on each support S of Δ the stationary point of the objective has a closed form
-- (G_SS w = (‖g_w‖/√φ)(μ1 − (G1/T)_S), a quadratic in the multiplier μ), and the one that satisfies the
-- problem's KKT conditions is kept (lib/conflict_averse.lua, on qp.by_support); projected gradient if every face is
-- degenerate (or T > 10). The authors solve it with scipy's SLSQP and add 1e-8 to ‖g_0‖², √φ, wᵀGw and
-- ‖g_w‖; this file has no such terms: if g_0 = 0 or c = 0, then d = g_0. The α_t are ≥ 0 by construction.
-- Logs `lambda` = λ.
-- When the exact solver gives up and projected gradient answers, logs `solver_fallback` = 1 (and
-- `solver_limit` = 1 if that stopped at its iteration cap): qp.log_fallback.
--
-- Needs:     gram (inner products of the per-task gradients on the shared parameters).
-- Options:   c = 0.5        c ∈ [0, 1): the radius of the ball around g_0, relative to ‖g_0‖ (the authors'
--                           default alpha = 0.5; 0.4 in their NYUv2 script; c = 0 is the mean gradient)
--            rescale = 1    0, 1 or 2: K = T, T/(1 + c²) or T/(1 + c) (the authors' `rescale`, default 1)

local conflict_averse = require("conflict_averse")
local n = require("numeric")
local qp = require("qp")

local P = {
  name = "cagrad",
  needs = { "gram" },
  defaults = { c = 0.5, rescale = 1 },
}

function P:init(ctx)
  assert(self.c >= 0 and self.c < 1, "cagrad: c must be in [0, 1)")
  assert(self.rescale == 0 or self.rescale == 1 or self.rescale == 2, "cagrad: rescale must be 0, 1 or 2")
  local T = #ctx.tasks
  self.scale = ({ [0] = T, [1] = T / (1 + self.c ^ 2), [2] = T / (1 + self.c) })[self.rescale]
  self.heads = n.fill(T, 1)
end

function P:weights(s)
  local G, T = s.gram, #s.tasks
  local b, scale = {}, 0
  for t = 1, T do
    b[t] = n.sum(G[t]) / T                        -- ⟨g_t, g_0⟩
    scale = math.max(scale, G[t][t])
  end
  local r = self.c * math.sqrt(math.max(n.sum(b) / T, 0))   -- √φ = c‖g_0‖
  local lambda, w = 0, n.fill(T, 1 / T)
  if r > 1e-12 * math.sqrt(scale) then
    local support, how
    w, support, how = conflict_averse.weights(G, b, r, scale, self.support)
    qp.log_fallback(how)
    self.support = support or self.support   -- the library's own (read-only) array, not s's
    local norm = math.sqrt(math.max(n.quadratic(G, w), 0))
    lambda = norm > 0 and r / norm or 0
  end
  log("lambda", lambda)
  local shared = {}
  for t = 1, T do shared[t] = self.scale * (1 / T + lambda * w[t]) end
  return { shared = shared, heads = self.heads }
end

return P
