--- Dynamic Task Prioritization, task level.
-- Guo, Haque, Huang, Yeung, Fei-Fei, "Dynamic Task Prioritization for Multitask Learning", ECCV 2018.
--
-- Formula (§3.1, Eq. 4):
--   κ̄_t(τ) = α κ_t(τ) + (1 − α) κ̄_t(τ−1)        KPI smoothed by an exponential moving average
--   w_t    = FL(κ̄_t; γ) = −(1 − κ̄_t)^γ · log κ̄_t  harder tasks (low KPI) get larger weights
-- The weight is treated as a constant in back-propagation (Eq. 5 with the second term zero).
-- Example-level focusing (the focal loss, γ₀) belongs to the task's loss, not to this policy.
--
-- Needs:     kpi (this batch's KPI per task, in [0, 1]).
-- Options:   gamma = 1.0   task-level focusing parameter γ ≥ 0 (the paper's Table 2 uses 1 and 2)
--            alpha = 0.1   EMA discount factor α ∈ (0, 1]; larger follows recent batches more
-- κ̄ starts at the first batch's KPI and is clamped to [1e-6, 1 − 1e-6] so log κ̄ stays finite.

local P = {
  name = "dtp",
  needs = { "kpi" },
  defaults = { gamma = 1.0, alpha = 0.1 },
}

local EPS = 1e-6

function P:init(ctx)
  assert(self.gamma >= 0, "dtp: gamma must be ≥ 0")
  assert(self.alpha > 0 and self.alpha <= 1, "dtp: alpha must be in (0, 1]")
  self.kbar = {}
end

function P:weights(s)
  local w = {}
  for t = 1, #s.tasks do
    local k = s.kpi[t]
    local previous = self.kbar[t]
    self.kbar[t] = previous and (self.alpha * k + (1 - self.alpha) * previous) or k
    local kb = math.min(math.max(self.kbar[t], EPS), 1 - EPS)
    w[t] = -((1 - kb) ^ self.gamma) * math.log(kb)
  end
  return w
end

return P
