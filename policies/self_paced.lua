--- Self-paced learning at the task level: easy tasks first, harder ones join as the "age" λ grows.
-- The DTP paper's "Self-Paced" baseline (Guo et al., ECCV 2018, Table 1: "task weights are learnable
-- parameters and are regularized to encourage selecting the easy tasks in the earlier iterations"),
-- which cites Li, Yan, Wei, Dong, Liu, Zha, "Self-Paced Multi-Task Learning", AAAI 2017. That paper's
-- task-oriented regulariser weighs tasks and the instances within them jointly: that is
-- self_paced_instance.lua, on the per-example losses. This file is the task-level form the DTP paper
-- describes: the self-paced regularisers of the literature applied to the task losses.
--
-- Formula:
--   w = argmin_{w ∈ [0,1]^T} Σ_t w_t L_t + f(w; λ)
--   "hard"   f = −λ Σ_t w_t             (Kumar, Packer, Koller, NeurIPS 2010)  →  w_t = 1 if L_t < λ, else 0
--   "linear" f = λ Σ_t (½ w_t² − w_t)   (Jiang, Meng, Mitamura, Hauptmann, ACM MM 2014)
--                                                                             →  w_t = max(0, 1 − L_t / λ)
--   λ(epoch) = λ₀ · growth^(epoch − 1)  the age grows each epoch, so harder tasks join later;
--   λ₀ = lambda0, or (lambda0 = 0) the `initial_quantile`-quantile of the first step's losses, so that
--   at first about that fraction of the tasks counts as easy (Kumar et al. start with half the samples).
-- The weights are the closed-form minimiser, recomputed every step from this step's losses (they are
-- "learned" by exact minimisation over w, alternating with the network's step, as in self-paced learning).
-- If every weight is 0 (no task easy enough yet), the easiest task — smallest loss — gets weight 1, so
-- something always trains; the policy then logs "fallback" = 1.
--
-- Needs:     losses only.
-- Options:   regulariser = "hard"     "hard" (binary selection, as in Kumar et al.) or "linear" (soft)
--            lambda0 = 0              λ₀ > 0, in loss units; 0 = from initial_quantile
--            initial_quantile = 0.5   q ∈ (0, 1] of the first losses giving λ₀ (type-7 quantile)
--            growth = 1.3             λ's factor per epoch, ≥ 1 (Kumar et al.'s μ = 1.3)
-- Logs:      "lambda": λ this step.

local n = require("numeric")

local P = {
  name = "self_paced",
  needs = {},
  defaults = { regulariser = "hard", lambda0 = 0.0, initial_quantile = 0.5, growth = 1.3 },
}

function P:init(ctx)
  assert(self.regulariser == "hard" or self.regulariser == "linear", "self_paced: regulariser must be \"hard\" or \"linear\"")
  assert(self.lambda0 >= 0, "self_paced: lambda0 must be ≥ 0 (0 = from initial_quantile)")
  assert(self.initial_quantile > 0 and self.initial_quantile <= 1, "self_paced: initial_quantile must be in (0, 1]")
  assert(self.growth >= 1, "self_paced: growth must be ≥ 1")
end

function P:weights(s)
  local T, w = #s.tasks, {}
  if not self.base then
    self.base = self.lambda0 > 0 and self.lambda0 or n.quantile(s.initial_loss, self.initial_quantile)
  end
  local lambda = self.base * self.growth ^ (s.epoch - 1)
  local any, easiest = false, 1
  for t = 1, T do
    local L = s.loss[t]
    if self.regulariser == "hard" then
      w[t] = L < lambda and 1.0 or 0.0
    else
      w[t] = lambda > 0 and math.max(0, 1 - L / lambda) or 0.0
    end
    any = any or w[t] > 0
    if L < s.loss[easiest] then easiest = t end
  end
  if not any then
    w[easiest] = 1.0
    log("fallback", 1)
  end
  log("lambda", lambda)
  return w
end

return P
