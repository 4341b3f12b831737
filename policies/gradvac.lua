--- Gradient Vaccine (GradVac): align task gradients to an adaptive target similarity.
-- Wang, Tsvetkov, Firat, Cao, "Gradient Vaccine: Investigating and Improving Multi-task Optimization in
-- Massively Multilingual Models", ICLR 2021 (§3, Eq. 2–3, Algorithm 1).
--
-- Formula:
--   for each task i:   g_i' ← g_i
--     for each other task j, in a random order:
--       φ_ij = ⟨g_i', g_j⟩ / (‖g_i'‖ ‖g_j‖)                        the current cosine similarity
--       if φ_ij < φ̂_ij:                                           below the target: move g_i' toward g_j
--         g_i' ← g_i' + ‖g_i'‖ (φ̂_ij √(1 − φ_ij²) − φ_ij √(1 − φ̂_ij²)) / (‖g_j‖ √(1 − φ̂_ij²)) · g_j
--       φ̂_ij ← (1 − β) φ̂_ij + β φ_ij                              EMA of the similarity (Eq. 3)
--   update of the shared parameters: Σ_i g_i'
-- After a correction cos(g_i', g_j) = φ̂_ij exactly; with φ̂ = 0 the correction is PCGrad's projection
-- (so the first step, φ̂ starting at 0 as in the paper, is PCGrad). The coefficient added to g_j is
-- ‖g_i'‖ sin(θ_ij − θ̂_ij) / (‖g_j‖ sin θ̂_ij) ≥ 0, so, as in pcgrad.lua, g_i' = Σ_k C_ik g_k with
-- C ≥ 0 computed from the Gram matrix, the answer is α_k = Σ_i C_ik for the shared trunk and every head
-- keeps its own gradient (heads = 1).
-- Choices where the paper leaves room:
--   * one similarity per task pair on the WHOLE shared gradient; the paper keeps one per pair and per
--     layer (Algorithm 1 loops over model components) — the Gram signal has no per-layer split
--     (LibMTL's GradVac_group_type = 0, "whole_model", does the same);
--   * φ̂ is updated after the check at every visit, whether or not a correction was made, as in the
--     paper's Algorithm 1 (LibMTL updates it only when it corrects);
--   * √(1 − φ̂²) is floored at 1e-6 so a target of exactly ±1 stays finite; a pair where g_i' or g_j is
--     zero is skipped (no correction, no EMA update).
--
-- Needs:     gram (inner products of the per-task gradients on the shared parameters).
-- Options:   beta = 0.01        EMA rate β ∈ (0, 1] of the target similarities (the paper: β = 1e-2;
--                               LibMTL's default is 0.5)
--            order = "random"   the order in which task i meets the others: "random" draws a fresh
--                               permutation per task and step from the run's generator (the paper);
--                               "fixed" uses task order (deterministic: for tests and ablations)
-- Logs:      corrections — how many corrections were made this step (0 … T(T − 1)).

local n = require("numeric")
local sampling = require("sampling")

local P = {
  name = "gradvac",
  needs = { "gram" },
  defaults = { beta = 0.01, order = "random" },
}

function P:init(ctx)
  assert(self.beta > 0 and self.beta <= 1, "gradvac: beta must be in (0, 1]")
  assert(self.order == "random" or self.order == "fixed", 'gradvac: order must be "random" or "fixed"')
  self.target = {}   -- φ̂[i][j], 0 before the first step (Algorithm 1)
  for i = 1, #ctx.tasks do self.target[i] = n.fill(#ctx.tasks, 0) end
end

function P:weights(s)
  local G, T, beta = s.gram, #s.tasks, self.beta
  local alpha, corrections = n.fill(T, 0), 0
  for i = 1, T do
    local c = n.fill(T, 0)   -- g_i' = Σ_k c_k g_k
    c[i] = 1
    local d = n.copy(G[i])   -- d_k = ⟨g_i', g_k⟩
    local target = self.target[i]
    for _, j in ipairs(sampling.others(T, i, self.order == "random")) do
      local norm_i, norm_j = math.sqrt(math.max(n.dot(c, d), 0)), math.sqrt(math.max(G[j][j], 0))
      if norm_i > 0 and norm_j > 0 then
        local phi = math.min(math.max(d[j] / (norm_i * norm_j), -1), 1)
        local goal = target[j]
        if phi < goal then
          local sine_goal = math.max(math.sqrt(1 - goal * goal), 1e-6)
          local step = norm_i * (goal * math.sqrt(1 - phi * phi) - phi * sine_goal) / (norm_j * sine_goal)
          step = math.max(step, 0)   -- ≥ 0 in exact arithmetic; guard against rounding
          c[j] = c[j] + step
          for k = 1, T do d[k] = d[k] + step * G[j][k] end
          corrections = corrections + 1
        end
        target[j] = (1 - beta) * goal + beta * phi
      end
    end
    for k = 1, T do alpha[k] = alpha[k] + c[k] end
  end
  log("corrections", corrections)
  return { shared = alpha, heads = n.fill(T, 1) }
end

return P
