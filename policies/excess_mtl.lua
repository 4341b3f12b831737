--- ExcessMTL: task weights that follow each task's excess risk, not its loss.
-- He, Zhou, Zhang, Yun, Xu, Zeng, Chilimbi, Zhao, "Robust Multi-Task Learning with Excess Risks",
-- ICML 2024; the update as in the authors' code (carried into LibMTL's ExcessMTL), step size 10⁻²
-- as LibMTL's robust_step_size default.
--
-- Formula: a task's excess risk (its loss above the best it can reach) is estimated by the
-- second-order term ½ g_tᵀ H_t⁻¹ g_t with H_t ≈ diag(√(Σ_{k ≤ now} g_t,k²)), Adagrad's diagonal;
-- the code drops the ½, giving r_t = adagrad_norm2[t] (the trainer keeps the sums of squares). The
-- first step's r(1) fixes each task's scale; afterwards, with r̃_t = r_t / r_t(1),
--   w_t ← w_t · exp(η r̃_t),   w ← T · w / Σ_u w_u      (exponentiated gradient ascent: DRO over tasks)
-- and the step trains on Σ_t w_t L_t. Weights start at 1 and are not updated at the first step.
-- Tasks with a large remaining excess risk gain weight; a task whose loss is high only because of
-- label noise (its gradients small relative to their history) does not.
--
-- Needs:     adagrad_norm2 (on the shared parameters).
-- Options:   robust_step_size = 0.01  η
-- Logs:      "excess_risk.<task>": r̃_t (from the second step).

local n = require("numeric")

local P = {
  name = "excess_mtl",
  needs = { "adagrad_norm2" },
  defaults = { robust_step_size = 0.01 },
}

function P:init(ctx)
  assert(self.robust_step_size >= 0, "excess_mtl: robust_step_size must be ≥ 0")
  self.tasks = ctx.tasks
  self.w = n.fill(#ctx.tasks, 1.0)
end

function P:weights(s)
  local r, T = s.adagrad_norm2, #s.tasks
  if not self.initial then
    self.initial = n.copy(r)
  else
    for t = 1, T do
      local relative = self.initial[t] > 0 and r[t] / self.initial[t] or 0.0
      self.w[t] = self.w[t] * math.exp(self.robust_step_size * relative)
      log("excess_risk." .. self.tasks[t], relative)
    end
    self.w = n.normalise(self.w, T)
  end
  return n.copy(self.w)
end

return P
