--- Dynamic Weight Average (DWA).
-- Liu, Johns, Davison, "End-to-End Multi-Task Learning with Attention", CVPR 2019, Eq. 7.
--
-- Formula:
--   r_t(k−1) = L̄_t(k−1) / L̄_t(k−2)                 the rate at which task t's loss falls
--   w_t(k)   = T · exp(r_t(k−1) / temp) / Σ_u exp(r_u(k−1) / temp)
-- where k counts windows (epochs in the paper), L̄_t(k) is task t's mean training loss over window k,
-- and T is the number of tasks, so the weights sum to T. For the first two windows w_t = 1.
-- The weights are constant within a window. The softmax subtracts the largest r_t/temp first, so a
-- fast-changing loss cannot overflow exp (the weights are the same).
--
-- Needs:     losses only.
-- Options:   temperature = 2.0   temp > 0; larger makes the weights more uniform (paper: 2)
--            window = 0          window length in steps; 0 = one epoch, as in the paper


local n = require("numeric")
local windows = require("windows")

local P = {
  name = "dwa",
  needs = {},
  defaults = { temperature = 2.0, window = 0 },
}

function P:init(ctx)
  assert(self.temperature > 0, "dwa: temperature must be > 0")
  assert(self.window >= 0 and self.window == math.floor(self.window), "dwa: window must be a whole number ≥ 0")
  self.means = windows.period_mean(self.window > 0 and self.window or ctx.steps_per_epoch)
  self.before, self.last = nil, nil   -- L̄(k−2), L̄(k−1): the mean losses of the two latest complete windows
  self.uniform = n.fill(#ctx.tasks, 1)
end

function P:weights(s)
  local w = self.uniform
  if self.before then
    local rate = {}
    for t = 1, #s.tasks do rate[t] = self.last[t] / math.max(self.before[t], 1e-12) end
    w = n.normalise(n.softmax(rate, self.temperature), #s.tasks)
  end
  -- This step's losses join the current window; a full window becomes the latest mean.
  local mean = self.means:add(s.loss)
  if mean then self.before, self.last = self.last, mean end
  return w
end

return P
