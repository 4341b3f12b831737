--- Smooth Tchebycheff scalarisation (STCH), as in the authors' multi-task code.
-- Lin, Zhang, Yang, Liu, Wang, Zhang, "Smooth Tchebycheff Scalarization for Multi-Objective
-- Optimization", ICML 2024; multi-task reference: github.com/Xi-L/STCH, STCH_MTL/LibMTL/weighting/STCH.py
-- (also LibMTL's weighting/STCH.py).
--
-- Formula (the paper):  g_μ(L | λ) = μ log Σ_t exp(λ_t (f_t − z_t) / μ)
--   a smooth maximum of the preference-weighted objectives; μ → 0 gives the Tchebycheff max_t λ_t (f_t − z_t).
-- The reference code for multi-task learning applies it to normalised log losses, after a warm-up:
--   epochs 1 … W        warm-up: minimise Σ_t log L_t, i.e. w_t = 1 / L_t
--   epoch  W + 1        the same, while averaging each task's loss over the epoch: the nadir n_t
--   epochs W + 2 …      f_t = log(L_t / n_t), z = 0, λ = 1 (here: the preference), loss = T · g_μ(f):
--                       w_t = ∂loss/∂L_t = T · λ_t p_t / L_t,   p = softmax(λ ⊙ f / μ)
-- (the reference's 0-based epoch e < W is warm-up and e = W averages; W = STCH_warmup_epoch = 4).
-- So the ideal point is the warm-up level: f_t − z_t = log L_t − log n_t, each task's loss measured
-- against its own level at the end of warm-up; the task that has improved least, relative to that
-- level, gets most of the weight. The factor T keeps the scale of a sum of T losses, as the reference.
-- Choices: λ (the paper's preference vector) is an option — the reference fixes λ = 1; the
-- reference's 1e-20 guards are kept: f_t = log(L_t / n_t + 1e-20), so w_t uses L_t + 1e-20 n_t, and
-- the warm-up weight is 1 / (L_t + 1e-20). A run shorter than W + 2 epochs never leaves the warm-up
-- (lower warmup_epochs for short runs); if epoch W + 1 had no step, the first STCH step's losses are n.
--
-- Needs:     losses only (and s.epoch).
-- Options:   mu = 1.0            smoothing μ > 0; smaller is closer to the hard max (reference default 1)
--            warmup_epochs = 4   W, whole number ≥ 0: epochs of log-loss warm-up before the averaging
--                                epoch (reference default STCH_warmup_epoch = 4)
--            preference = {}     λ: empty for λ_t = 1 (the reference), or T numbers > 0

local n = require("numeric")

local P = {
  name = "stch",
  needs = {},
  defaults = { mu = 1.0, warmup_epochs = 4, preference = {} },
}

local TINY = 1e-20

function P:init(ctx)
  local T = #ctx.tasks
  assert(self.mu > 0, "stch: mu must be > 0")
  assert(self.warmup_epochs >= 0 and self.warmup_epochs == math.floor(self.warmup_epochs),
    "stch: warmup_epochs must be a whole number ≥ 0")
  assert(#self.preference == 0 or #self.preference == T, "stch: preference must be empty or have one entry per task")
  for t = 1, #self.preference do
    assert(type(self.preference[t]) == "number" and self.preference[t] > 0, "stch: preference entries must be numbers > 0")
  end
  self.lambda = #self.preference > 0 and n.copy(self.preference) or n.fill(T, 1)
  self.loss_sum, self.loss_count = n.fill(T, 0), 0
  self.nadir = nil
end

function P:weights(s)
  local T, loss = #s.tasks, s.loss
  local w = {}
  if s.epoch <= self.warmup_epochs + 1 then
    if s.epoch == self.warmup_epochs + 1 then
      for t = 1, T do self.loss_sum[t] = self.loss_sum[t] + loss[t] end
      self.loss_count = self.loss_count + 1
    end
    for t = 1, T do w[t] = 1 / (loss[t] + TINY) end
    return w
  end
  if not self.nadir then
    -- The mean loss of the averaging epoch (this step's losses if the run skipped it), kept > 0.
    self.nadir = {}
    for t = 1, T do
      local mean = self.loss_count > 0 and self.loss_sum[t] / self.loss_count or loss[t]
      self.nadir[t] = math.max(mean, TINY)
    end
  end
  local scaled = {}
  for t = 1, T do scaled[t] = self.lambda[t] * math.log(loss[t] / self.nadir[t] + TINY) end
  local p = n.softmax(scaled, self.mu)
  for t = 1, T do w[t] = T * self.lambda[t] * p[t] / (loss[t] + TINY * self.nadir[t]) end
  return w
end

return P
