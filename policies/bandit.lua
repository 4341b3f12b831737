--- A learned curriculum: an EXP3 bandit over tasks, rewarded by learning progress.
-- Graves, Bellemare, Menick, Munos, Kavukcuoglu, "Automated Curriculum Learning for Neural Networks",
-- ICML 2017, §2–3 (their Exp3.S with β = 0 and no weight sharing, which is Exp3 of Auer, Cesa-Bianchi,
-- Freund, Schapire, "The Nonstochastic Multiarmed Bandit Problem", SIAM J. Computing 2002).
--
-- Formula, with one arm per task and preferences h (all 0 at the start):
--   π   = (1 − ε) · softmax(h) + ε / T              the policy over tasks
--   a   ~ π                                         one arm drawn per step with the run's random()
--   r̂   = learning progress of arm a over the step it was drawn (observed at the next step):
--           progress = "loss": (L_a(then) − L_a(now)) / L_a(then)   relative loss decrease
--           progress = "kpi":   κ_a(now) − κ_a(then)                KPI gain
--   r̃   = −1 if r̂ < q²⁰;  1 if r̂ > q⁸⁰;  else 2 (r̂ − q²⁰) / (q⁸⁰ − q²⁰) − 1   (0 if q⁸⁰ = q²⁰)
--         with q²⁰, q⁸⁰ the 20th and 80th percentiles of the recent raw rewards, r̂ included (Graves et
--         al. rescale with these percentiles of the reward history, which they keep as a reservoir
--         sample; here the last `window` rewards, so the scale follows training)
--   h_a ← h_a + η r̃ / π_a                           importance-weighted EXP3 update of the drawn arm
--   w   = T · π                                     the answer: every task trains, weighted by how
--                                                   often the curriculum would draw it (Σ w = T, w ≥ ε)
-- Each call: reward the arm drawn at the previous step, update h, compute π, return T · π, then draw
-- this step's arm and remember its loss (or KPI) and probability for the next call.
-- Training on T · π instead of only the drawn task keeps every task learning; the draw only decides
-- which task's progress the bandit credits, so its estimates stay unbiased (importance weights 1/π_a).
--
-- Needs:     kpi (read only when progress = "kpi"; the needs of a policy are fixed, so it is declared).
-- Options:   eta = 0.001        step size η > 0 of the preferences (Graves et al.: 10⁻³)
--            epsilon = 0.05     exploration ε ∈ (0, 1]: every task keeps probability ≥ ε / T (Graves et al.: 0.05)
--            window = 1000      raw rewards kept for the percentiles, a whole number ≥ 1
--            progress = "loss"  "loss" (relative loss decrease) or "kpi" (KPI gain)
-- Logs:      "arm": the task drawn this step (1..T); "reward": r̃ of the previous step's arm (from step 2).

local n = require("numeric")
local windows = require("windows")

local P = {
  name = "bandit",
  needs = { "kpi" },
  defaults = { eta = 0.001, epsilon = 0.05, window = 1000, progress = "loss" },
}

local TINY = 1e-12

function P:init(ctx)
  assert(self.eta > 0, "bandit: eta must be > 0")
  assert(self.epsilon > 0 and self.epsilon <= 1, "bandit: epsilon must be in (0, 1]")
  assert(self.window >= 1 and self.window == math.floor(self.window), "bandit: window must be a whole number ≥ 1")
  assert(self.progress == "loss" or self.progress == "kpi", "bandit: progress must be \"loss\" or \"kpi\"")
  self.h = n.fill(#ctx.tasks, 0)
  self.rewards = windows.window(self.window)
  self.drawn = nil   -- { arm, value (loss or KPI when drawn), probability }
end

local function measure(self, s, t)
  return self.progress == "kpi" and s.kpi[t] or s.loss[t]
end

-- Graves et al.'s rescaling of a raw reward to [−1, 1] by the 20th and 80th percentiles.
local function rescale(raw, low, high)
  if raw < low then return -1 end
  if raw > high then return 1 end
  if high > low then return 2 * (raw - low) / (high - low) - 1 end
  return 0
end

function P:weights(s)
  local T = #s.tasks
  local drawn = self.drawn
  if drawn then
    local now = measure(self, s, drawn.arm)
    local raw
    if self.progress == "kpi" then
      raw = now - drawn.value
    else
      raw = (drawn.value - now) / math.max(drawn.value, TINY)
    end
    self.rewards:push(raw)
    local reward = rescale(raw, self.rewards:quantile(0.2), self.rewards:quantile(0.8))
    self.h[drawn.arm] = self.h[drawn.arm] + self.eta * reward / drawn.probability
    log("reward", reward)
  end

  local greedy, pi, w = n.softmax(self.h), {}, {}
  for t = 1, T do
    pi[t] = (1 - self.epsilon) * greedy[t] + self.epsilon / T
    w[t] = T * pi[t]
  end

  local u, cumulative, arm = random(), 0, T
  for t = 1, T do
    cumulative = cumulative + pi[t]
    if u < cumulative then arm = t; break end
  end
  self.drawn = { arm = arm, value = measure(self, s, arm), probability = pi[arm] }
  log("arm", arm)
  return w
end

return P
