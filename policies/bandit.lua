--- A learned curriculum: an Exp3.S bandit over tasks, rewarded by the progress the drawn task made.
-- Graves, Bellemare, Menick, Munos, Kavukcuoglu, "Automated Curriculum Learning for Neural Networks",
-- ICML 2017: Algorithm 1 (Exp3.S of Auer, Cesa-Bianchi, Freund, Schapire, SIAM J. Computing 2002)
-- with the prediction-gain reward of §3.1 and the percentile rescaling of §2.
--
-- Formula, with one arm per task and log-weights w (all 0 at the start):
--   π(i) = (1 − ε) e^{w_i} / Σ_j e^{w_j} + ε / T        the policy over tasks
--   a ~ π                                               one arm drawn per step with the run's random()
--   the step trains task a alone: weights T · [i = a]   (Σ w = T, as uniform weights)
--   ν = L_a(x; θ) − L_a(x; θ′)                          prediction gain on the step's own batch x, from
--                                                       the trainer (prediction_gain, next step), relative
--                                                       to L_a(x; θ) when progress = "relative"
--   r = −1 if ν < q²⁰;  1 if ν > q⁸⁰;  else 2 (ν − q²⁰) / (q⁸⁰ − q²⁰) − 1   (0 if q⁸⁰ = q²⁰), the
--       percentiles of the last `window` gains (Graves et al. keep a reservoir sample of the history)
--   r̃_i = (r · [i = a] + β) / π(i)                      importance-weighted reward (β = 0 in Graves et al.)
--   w_i ← log[(1 − α_t) e^{w_i + η r̃_i} + α_t / (T − 1) Σ_{j ≠ i} e^{w_j + η r̃_j}],  α_t = 1/t, t the
--       round whose weights are computed (2 at the first update): Exp3.S's weight sharing, which lets
--       a curriculum move back to a task whose progress returns
-- Causality: only task a trains at the step, and ν is measured on the batch that step trained on,
-- before and after its update, so the reward is the drawn task's own progress — not the trend of
-- training as a whole, nor another batch's noise (the earlier form of this file, which trained every
-- task and credited the drawn one with their joint progress, was not causal and has been replaced).
-- The cost of causality is Graves et al.'s: each step trains one task.
--
-- Needs:     prediction_gain.
-- Options:   eta = 0.001          η > 0 (Graves et al.: 10⁻³)
--            epsilon = 0.05       ε ∈ (0, 1]: every task keeps probability ≥ ε / T (Graves et al.: 0.05)
--            beta = 0             β ≥ 0, Exp3.S's exploration bonus (Graves et al.: 0)
--            window = 1000        gains kept for the percentiles, a whole number ≥ 1
--            progress = "relative"  "relative" (ν / L_a(x; θ): tasks of different loss scales compete
--                                 fairly) or "absolute" (ν, as Graves et al. with one loss)
-- Logs:      "arm": the task drawn this step (1..T); "probability": π(arm); "reward": r of the previous
--            step's arm (from step 2).

local n = require("numeric")
local windows = require("windows")

local P = {
  name = "bandit",
  needs = { "prediction_gain" },
  defaults = { eta = 0.001, epsilon = 0.05, beta = 0.0, window = 1000, progress = "relative" },
}

local TINY = 1e-12

function P:init(ctx)
  assert(self.eta > 0, "bandit: eta must be > 0")
  assert(self.epsilon > 0 and self.epsilon <= 1, "bandit: epsilon must be in (0, 1]")
  assert(self.beta >= 0, "bandit: beta must be ≥ 0")
  assert(self.window >= 1 and self.window == math.floor(self.window), "bandit: window must be a whole number ≥ 1")
  assert(self.progress == "relative" or self.progress == "absolute", "bandit: progress must be \"relative\" or \"absolute\"")
  self.w = n.fill(#ctx.tasks, 0)
  self.gains = windows.window(self.window)
  self.updates = 0
  self.drawn = nil   -- { arm, loss (L_a before the step), pi (the policy it was drawn from) }
end

-- Graves et al.'s rescaling of a raw reward to [−1, 1] by the 20th and 80th percentiles.
local function rescale(raw, low, high)
  if raw < low then return -1 end
  if raw > high then return 1 end
  if high > low then return 2 * (raw - low) / (high - low) - 1 end
  return 0
end

--- Exp3.S's update of the log-weights w for reward r of arm a drawn from pi, sharing α.
function P.share(w, pi, a, r, eta, beta, alpha)
  local T, moved, top = #w, {}, -math.huge
  for i = 1, T do
    local reward = ((i == a) and r or 0) + beta
    moved[i] = w[i] + eta * reward / pi[i]
    top = math.max(top, moved[i])
  end
  local total = 0.0
  for i = 1, T do total = total + math.exp(moved[i] - top) end
  local updated = {}
  for i = 1, T do
    local own = math.exp(moved[i] - top)
    local others = T > 1 and (total - own) / (T - 1) or 0
    updated[i] = top + math.log((1 - alpha) * own + alpha * others)
  end
  return updated
end

function P:weights(s)
  local T = #s.tasks
  local drawn = self.drawn
  if drawn and s.prediction_gain then
    local gain = s.prediction_gain[drawn.arm]
    if self.progress == "relative" then gain = gain / math.max(drawn.loss, TINY) end
    self.gains:push(gain)
    local reward = rescale(gain, self.gains:quantile(0.2), self.gains:quantile(0.8))
    self.updates = self.updates + 1
    self.w = P.share(self.w, drawn.pi, drawn.arm, reward, self.eta, self.beta, 1 / (self.updates + 1))
    log("reward", reward)
  end

  local greedy, pi = n.softmax(self.w), {}
  for t = 1, T do pi[t] = (1 - self.epsilon) * greedy[t] + self.epsilon / T end
  local u, cumulative, arm = random(), 0, T
  for t = 1, T do
    cumulative = cumulative + pi[t]
    if u < cumulative then arm = t; break end
  end
  self.drawn = { arm = arm, loss = s.loss[arm], pi = pi }
  log("arm", arm)
  log("probability", pi[arm])
  local weights = n.fill(T, 0)
  weights[arm] = T
  return weights
end

return P
