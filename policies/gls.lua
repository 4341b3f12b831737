--- Geometric Loss Strategy (GLS).
-- Chennupati, Sistu, Yogamani, Rawashdeh, "MultiNet++: Multi-Stream Feature Aggregation and Geometric
-- Loss Strategy for Multi-Task Learning", CVPR Workshops 2019.
--
-- Formula:
--   L_GLS = (Π_t L_t)^(1/T)                      the geometric mean of the task losses
-- As weights on the L_t (the trainer minimises Σ_t w_t L_t), its gradient:
--   w_t = ∂L_GLS/∂L_t = L_GLS / (T · L_t)
-- so Σ_t w_t L_t = L_GLS (the geometric mean is homogeneous of degree 1), the step is the same as
-- training on L_GLS, and a task's weight is inversely proportional to its loss: the optimisation is
-- invariant to rescaling any one loss. L_GLS is computed as exp(mean_t log L_t) (no overflow of the
-- product); losses are floored at 1e-12 so a zero loss gives a large finite weight, not ∞ or NaN
-- (the geometric mean needs positive losses).
--
-- Needs:     losses only.
-- Options:   none (the method has no hyperparameter).

local P = {
  name = "gls",
  needs = {},
  defaults = {},
}

local FLOOR = 1e-12

function P:weights(s)
  local T, loss = #s.tasks, s.loss
  local log_sum = 0
  for t = 1, T do log_sum = log_sum + math.log(math.max(loss[t], FLOOR)) end
  local geometric_mean = math.exp(log_sum / T)
  local w = {}
  for t = 1, T do w[t] = geometric_mean / (T * math.max(loss[t], FLOOR)) end
  return w
end

return P
