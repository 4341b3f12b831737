--- FairGrad: α-fair resource allocation among the tasks.
-- Ban, Ji, "Fair Resource Allocation in Multi-Task Learning", ICML 2024, §4 (Algorithm 1);
-- reference implementation OptMN-Lab/fairgrad, methods/weight_methods.py (class FairGrad).
--
-- Formula: the update d = Σ_t w_t g_t maximises the α-fair utility Σ_t (g_tᵀd)^(1−α) / (1−α); its
-- weights w > 0 solve, with G the Gram matrix of the task gradients (not normalised, as in the reference),
--   (G w)_t = w_t^(−1/α)   for every t.
-- α = 1 is proportional fairness (Nash-MTL's (Gw)_t = 1/w_t, without its normalisation of G); α → ∞
-- approaches max-min fairness. w is the minimiser of the strictly convex
--   F(w) = ½ wᵀGw − Σ_t log w_t                         (α = 1)
--   F(w) = ½ wᵀGw − α/(α−1) · Σ_t w_t^((α−1)/α)          (α ≠ 1)
-- (∇F = Gw − w^(−1/α)), found by Newton's method with a positivity-keeping line search to
-- |w_t^(1/α) (Gw)_t − 1| ≤ 1e-12 (linalg.alpha_fair). The reference solves the same system by
-- scipy's least_squares from w = 1/T.
-- The shared gradient is then, as in the reference, T · Σ_t w_t g_t (`overwrite_grad` multiplies by
-- n_tasks "to match the sum loss"), clipped to max_norm:
--   shared = T · w · min(1, max_norm / (T · √(wᵀGw))).
-- The answer is { shared = …, heads = 1 }: the heads keep their own gradients, as in the reference
-- (each task loss is backpropagated unweighted; only the shared gradient is overwritten).
-- No solution: when a non-negative combination of the gradients vanishes (a zero gradient, opposite
-- gradients) the system has none; the previous w is kept (1/T before any) and fairgrad_unsolved = 1 logged.
--
-- Needs:     gram (on the shared parameters).
-- Options:   alpha = 1.0      fairness α > 0 (reference default --alpha 1.0; the paper tunes it per
--                             benchmark)
--            max_norm = 1.0   clip the shared gradient's norm to this; 0 = no clipping
--                             (reference default --max_norm 1.0)

local n = require("numeric")
local linalg = require("linalg")

local P = {
  name = "fairgrad",
  needs = { "gram" },
  defaults = { alpha = 1.0, max_norm = 1.0 },
}

function P:init(ctx)
  assert(self.alpha > 0, "fairgrad: alpha must be > 0")
  assert(self.max_norm >= 0, "fairgrad: max_norm must be ≥ 0 (0 = no clipping)")
  local T = #ctx.tasks
  self.w = n.fill(T, 1 / T)
  self.solved = false     -- whether self.w solves a previous step's system (warm start)
  self.ones = n.fill(T, 1)
end

function P:weights(s)
  local T = #s.tasks
  local w = linalg.alpha_fair(s.gram, self.alpha, self.solved and self.w or nil)
  if w then
    self.w, self.solved = w, true
  else
    log("fairgrad_unsolved", 1)
  end

  local scale = T
  if self.max_norm > 0 then
    local norm = T * math.sqrt(math.max(n.quadratic(s.gram, self.w), 0))
    if norm > self.max_norm then scale = T * self.max_norm / norm end
  end
  local shared = {}
  for t = 1, T do shared[t] = scale * self.w[t] end
  return { shared = shared, heads = self.ones }
end

return P
