--- PCGrad: projecting conflicting gradients ("gradient surgery").
-- Yu, Kumar, Gupta, Levine, Hausman, Finn, "Gradient Surgery for Multi-Task Learning", NeurIPS 2020
-- (Algorithm 1).
--
-- Formula:
--   for each task i:   g_i' ← g_i
--     for each other task j, in a random order:
--       if ⟨g_i', g_j⟩ < 0:   g_i' ← g_i' − ⟨g_i', g_j⟩ / ‖g_j‖² · g_j     (drop the part of g_i' against g_j)
--   update of the shared parameters: Σ_i g_i'
-- Each g_i' is kept as coefficients over the original gradients, g_i' = Σ_k C_ik g_k, so all inner
-- products come from the Gram matrix: ⟨g_i', g_j⟩ = Σ_k C_ik ⟨g_k, g_j⟩. A projection adds
-- −⟨g_i', g_j⟩ / ‖g_j‖² > 0 to C_ij, so the coefficients stay ≥ 0 (and C_ii = 1). The answer is
-- α_k = Σ_i C_ik for the shared trunk (Σ_k α_k g_k = Σ_i g_i'); every head keeps its own gradient
-- (heads = 1). As in the paper, g_i' is projected against the ORIGINAL g_j, and j ranges over the tasks
-- other than i (LibMTL's PCGrad also visits j = i; that changes nothing unless ⟨g_i', g_i⟩ < 0).
--
-- Needs:     gram (inner products of the per-task gradients on the shared parameters).
-- Options:   order = "random"   the order in which task i meets the others: "random" draws a fresh
--                               permutation per task and step from the run's generator (the paper);
--                               "fixed" uses task order (deterministic: for tests and ablations)
-- Logs:      conflicts — how many projections were made this step (0 … T(T − 1)).

local n = require("numeric")
local sampling = require("sampling")

local P = {
  name = "pcgrad",
  needs = { "gram" },
  defaults = { order = "random" },
}

function P:init(ctx)
  assert(self.order == "random" or self.order == "fixed", 'pcgrad: order must be "random" or "fixed"')
end

function P:weights(s)
  local G, T = s.gram, #s.tasks
  local alpha, conflicts = n.fill(T, 0), 0
  for i = 1, T do
    local c = n.fill(T, 0)   -- g_i' = Σ_k c_k g_k
    c[i] = 1
    local d = n.copy(G[i])   -- d_k = ⟨g_i', g_k⟩
    for _, j in ipairs(sampling.others(T, i, self.order == "random")) do
      if d[j] < 0 and G[j][j] > 0 then
        local step = -d[j] / G[j][j]
        c[j] = c[j] + step
        for k = 1, T do d[k] = d[k] + step * G[j][k] end
        conflicts = conflicts + 1
      end
    end
    for k = 1, T do alpha[k] = alpha[k] + c[k] end
  end
  log("conflicts", conflicts)
  return { shared = alpha, heads = n.fill(T, 1) }
end

return P
