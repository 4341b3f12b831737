--- Dynamic Weight Average (DWA).
-- Liu, Johns, Davison, "End-to-End Multi-Task Learning with Attention", CVPR 2019, Eq. 7.
--
-- Formula:
--   r_t(k−1) = L̄_t(k−1) / L̄_t(k−2)                 the rate at which task t's loss falls
--   w_t(k)   = T · exp(r_t(k−1) / temp) / Σ_u exp(r_u(k−1) / temp)
-- where k counts windows (epochs in the paper), L̄_t(k) is task t's mean training loss over window k,
-- and T is the number of tasks, so the weights sum to T. For the first two windows w_t = 1.
-- The weights are constant within a window.
--
-- Needs:     losses only.
-- Options:   temperature = 2.0   temp > 0; larger makes the weights more uniform (paper: 2)
--            window = 0          window length in steps; 0 = one epoch, as in the paper

local P = {
  name = "dwa",
  needs = {},
  defaults = { temperature = 2.0, window = 0 },
}

function P:init(ctx)
  assert(self.temperature > 0, "dwa: temperature must be > 0")
  assert(self.window >= 0 and self.window == math.floor(self.window), "dwa: window must be a whole number ≥ 0")
  self.period = self.window > 0 and self.window or ctx.steps_per_epoch
  self.sums, self.count = {}, 0
  self.before, self.last = nil, nil   -- mean losses of the two latest complete windows
end

local function dwa_weights(before, last, temperature)
  local T, exps, total = #last, {}, 0
  for t = 1, T do
    exps[t] = math.exp((last[t] / math.max(before[t], 1e-12)) / temperature)
    total = total + exps[t]
  end
  local w = {}
  for t = 1, T do
    w[t] = T * exps[t] / total
  end
  return w
end

function P:weights(s)
  local T = #s.tasks
  local w
  if self.before then
    w = dwa_weights(self.before, self.last, self.temperature)
  else
    w = {}
    for t = 1, T do w[t] = 1.0 end
  end

  -- This step's losses join the current window; a full window becomes the latest mean.
  for t = 1, T do
    self.sums[t] = (self.sums[t] or 0) + s.loss[t]
  end
  self.count = self.count + 1
  if self.count == self.period then
    local mean = {}
    for t = 1, T do mean[t] = self.sums[t] / self.count end
    self.before, self.last = self.last, mean
    self.sums, self.count = {}, 0
  end
  return w
end

return P
