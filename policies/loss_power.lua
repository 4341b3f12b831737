--- Loss exponentiation.
-- The "Loss Exponentiation" baseline of Guo, Haque, Huang, Yeung, Fei-Fei, "Dynamic Task Prioritization
-- for Multitask Learning", ECCV 2018, §4.1 and Table 1: "Un-weighted loss outputs are raised to the power
-- 1.2. This assumes larger loss magnitudes indicate more difficult tasks."
--
-- Formula:   the loss is Σ_t L_t^p. Its gradient is Σ_t p L_t^(p−1) ∇L_t, so as weights on the L_t:
--              w_t = p · L_t^(p−1)
--            (p > 1: larger losses get larger weights; p = 1 is uniform weighting.)
-- Needs:     losses only.
-- Options:   power = 1.2   p > 0 (the paper's value, "selected by grid-search")
-- A loss below 1e-12 (0, or negative for losses that can be) is taken as 1e-12, so L^p is defined and
-- the weight stays finite when p < 1.

local P = {
  name = "loss_power",
  needs = {},
  defaults = { power = 1.2 },
}

local FLOOR = 1e-12

function P:init(ctx)
  assert(self.power > 0 and self.power < math.huge, "loss_power: power must be a finite number > 0")
end

function P:weights(s)
  local p, w = self.power, {}
  for t = 1, #s.tasks do
    w[t] = p * math.max(s.loss[t], FLOOR) ^ (p - 1)
  end
  return w
end

return P
