--- KPI-gap softmax: DTP's signal, DWA's normalisation.
-- The KPI gap 1 − κ̄_t of Dynamic Task Prioritization (Guo et al., ECCV 2018), through the softmax of
-- Dynamic Weight Average (Liu et al., CVPR 2019), so the weights always sum to T:
--   κ̄_t ← α κ_t + (1 − α) κ̄_t           (κ̄_t = κ_t at the first step)
--   w_t  = T · exp((1 − κ̄_t)/τ) / Σ_u exp((1 − κ̄_u)/τ)
-- Options: temperature τ > 0 (smaller: more weight on the hardest task), alpha ∈ (0, 1].

local P = {
  name = "kpi_softmax",
  needs = { "kpi" },
  defaults = { temperature = 0.2, alpha = 0.1 },
}

function P:init(ctx)
  assert(self.temperature > 0, "kpi_softmax: temperature must be > 0")
  assert(self.alpha > 0 and self.alpha <= 1, "kpi_softmax: alpha must be in (0, 1]")
  self.kbar = {}
end

function P:weights(s)
  local T, exps, total = #s.tasks, {}, 0
  for t = 1, T do
    local k = s.kpi[t]
    self.kbar[t] = self.kbar[t] and self.alpha * k + (1 - self.alpha) * self.kbar[t] or k
    exps[t] = math.exp((1 - self.kbar[t]) / self.temperature)
    total = total + exps[t]
  end
  local w = {}
  for t = 1, T do w[t] = T * exps[t] / total end
  log("hardest_share", math.max(table.unpack(w)) / T)
  return w
end

return P
