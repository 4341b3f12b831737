--- Dynamic Task Prioritization, task level.
-- Guo, Haque, Huang, Yeung, Fei-Fei, "Dynamic Task Prioritization for Multitask Learning", ECCV 2018.
--
-- Formula (§3.1, Eq. 4):
--   κ̄_t(τ) = α κ_t(τ) + (1 − α) κ̄_t(τ−1)        KPI smoothed by an exponential moving average
--   w_t    = FL(κ̄_t; γ_t) = −(1 − κ̄_t)^γ_t · log κ̄_t  harder tasks (low KPI) get larger weights
-- The weight is treated as a constant in back-propagation (Eq. 5 with the second term zero).
-- Example-level focusing (the focal loss, γ₀) belongs to the task's loss, not to this policy.
--
-- Variants (off by default; the defaults are the paper's method). The reading notes this project grew
-- from (not in the repository) suggest: "extended to incorporate with percentile to be more robust to
-- noise. Also, renormalize the weights":
--   kpi_smoothing = "percentile": κ̄_t = the `percentile`-quantile (type 7, linear interpolation) of task
--                   t's last `window` KPIs (fewer during the first steps) — a running median at 0.5,
--                   which a single outlying batch cannot move, unlike the EMA.
--   renormalise = true: w_t ← T · w_t / Σ_u w_u, so the weights sum to T (the notes say "add up to one";
--                   T keeps the loss on the scale of uniform weighting, where every w_t = 1).
--   gammas:         one focusing parameter per task (the paper's γ_1 … γ_t); the options system types an
--                   option by its default, so a list cannot replace the number `gamma`.
--   prioritize = "easy": the paper's "Dynamic Priority - Easy" row of Table 1, the mirror image of the
--                   method: the difficulty is measured on 1 − κ̄_t, w_t = FL(1 − κ̄_t; γ_t)
--                   = −κ̄_t^γ_t · log(1 − κ̄_t), so the task with the highest KPI gets the largest weight.
--   warmup = N:     the first N steps train on uniform weights (w_t = 1) while κ̄ is tracked; Eq. 4
--                   applies from step N + 1. The paper does not say where κ̄ starts. Started at the first
--                   batch's KPI, a task that an untrained network scores exactly 0 on (a box IoU or PCK
--                   hit rate) gets w = −log 1e-6 = 13.8 under DTP-hard and w = 0 under DTP-easy — and
--                   with w = 0 it never trains, so its KPI never leaves 0. A short warm-up starts κ̄
--                   from what a briefly trained network scores instead, the same way for both variants.
--
-- Needs:     kpi (this batch's KPI per task, in [0, 1]).
-- Options:   gamma = 1.0             task-level focusing parameter γ ≥ 0 for every task (Table 2 uses 1 and 2)
--            gammas = []             γ_t per task, T numbers ≥ 0 in manifest order; empty = gamma for all
--            alpha = 0.1             EMA discount factor α ∈ (0, 1]; larger follows recent batches more
--            kpi_smoothing = "ema"   "ema" (the paper) or "percentile"
--            window = 19             KPIs kept per task for "percentile", a whole number ≥ 1; 19 steps is
--                                    the span whose mean age (9 steps) equals that of the EMA with α = 0.1
--                                    ((1 − α)/α = 9), so both smooth over about as many batches
--            percentile = 0.5        the quantile in [0, 1] for "percentile" (0.5 = running median)
--            renormalise = false     true: scale the weights to sum to T
--            prioritize = "hard"     "hard" (the paper's method) or "easy" (Table 1's DTP-easy)
--            warmup = 0              steps of uniform weights before Eq. 4 applies, a whole number ≥ 0
-- κ̄ starts at the first batch's KPI and is clamped to [1e-6, 1 − 1e-6] so log κ̄ stays finite.

local windows = require("windows")

local P = {
  name = "dtp",
  needs = { "kpi" },
  defaults = {
    gamma = 1.0, gammas = {}, alpha = 0.1,
    kpi_smoothing = "ema", window = 19, percentile = 0.5, renormalise = false, prioritize = "hard",
    warmup = 0,
  },
}

local EPS = 1e-6

function P:init(ctx)
  local T = #ctx.tasks
  assert(self.gamma >= 0, "dtp: gamma must be ≥ 0")
  assert(#self.gammas == 0 or #self.gammas == T,
         "dtp: gammas has " .. #self.gammas .. " entries, expected " .. T .. " (one per task) or none")
  self.gamma_of = {}
  for t = 1, T do
    local g = #self.gammas > 0 and self.gammas[t] or self.gamma
    assert(type(g) == "number" and g >= 0, "dtp: gammas[" .. t .. "] must be a number ≥ 0")
    self.gamma_of[t] = g
  end
  assert(self.alpha > 0 and self.alpha <= 1, "dtp: alpha must be in (0, 1]")
  assert(self.kpi_smoothing == "ema" or self.kpi_smoothing == "percentile",
         "dtp: kpi_smoothing must be \"ema\" or \"percentile\"")
  assert(self.window >= 1 and self.window == math.floor(self.window), "dtp: window must be a whole number ≥ 1")
  assert(self.percentile >= 0 and self.percentile <= 1, "dtp: percentile must be in [0, 1]")
  assert(self.prioritize == "hard" or self.prioritize == "easy", "dtp: prioritize must be \"hard\" or \"easy\"")
  assert(self.warmup >= 0 and self.warmup == math.floor(self.warmup), "dtp: warmup must be a whole number ≥ 0")
  self.kbar = {}
  if self.kpi_smoothing == "percentile" then
    self.recent = {}
    for t = 1, T do self.recent[t] = windows.window(self.window) end
  end
end

function P:weights(s)
  local T, w = #s.tasks, {}
  for t = 1, T do
    local k = s.kpi[t]
    if self.recent then
      self.recent[t]:push(k)
      self.kbar[t] = self.recent[t]:quantile(self.percentile)
    else
      local previous = self.kbar[t]
      self.kbar[t] = previous and (self.alpha * k + (1 - self.alpha) * previous) or k
    end
    local kb = math.min(math.max(self.kbar[t], EPS), 1 - EPS)
    if self.prioritize == "easy" then kb = 1 - kb end
    w[t] = -((1 - kb) ^ self.gamma_of[t]) * math.log(kb)
  end
  if s.step <= self.warmup then
    for t = 1, T do w[t] = 1.0 end
    return w
  end
  if self.renormalise then
    local total = 0
    for t = 1, T do total = total + w[t] end
    -- total > 0 unless every (1 − κ̄)^γ underflows (all KPIs ≈ 1 and a huge γ): then uniform.
    for t = 1, T do w[t] = total > 0 and T * w[t] / total or 1.0 end
  end
  return w
end

return P
