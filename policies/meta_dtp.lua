--- A meta-learned weighting: an evolution strategy, run across runs, over the parameters of DTP —
-- its focusing γ, its KPI smoothing α and a prior weight per task — scored on the validation split.
-- Each generation's runs (one per seed) are the strategy's population; generation g proposes its
-- parameters from what generations 1 … g − 1 remembered (ctx.memory), and the last generation trains
-- the strategy's mean — its best guess — on every seed: that is the row a report compares.
--
-- Formula.
-- Base weighting: Guo, Haque, Huang, Yeung, Fei-Fei, "Dynamic Task Prioritization for Multitask
-- Learning", ECCV 2018, Eq. 4 (as dtp.lua, prioritising hard tasks, renormalised, with a warm-up):
--   κ̄_t ← α κ_t + (1 − α) κ̄_t,    w_t ∝ π_t · FL(κ̄_t; γ) = −π_t (1 − κ̄_t)^γ log κ̄_t,   Σ_t w_t = T
-- Parameters searched, θ = (log γ, logit α, z_1 … z_T), π = T · softmax(z); θ₀ = (log γ₀, logit α₀, 0 …).
-- Strategy: a (μ/μ_W, λ)-ES (Hansen, "The CMA Evolution Strategy: A Tutorial", 2016, §3: weighted
-- recombination of the μ = ⌊λ/2⌋ best, w_i ∝ log(μ + ½) − log i) with an isotropic step size that
-- shrinks by `sigma_decay` per generation (no covariance or step-size adaptation: a handful of
-- generations of at most a few dozen runs cannot estimate them):
--   generation g < G:  θ = m_g + σ_g ε,  ε ~ N(0, I) drawn from (g, seed) alone (reproducible)
--   generation G:      θ = m_G                                   (G = ctx.generations)
--   m_1 = θ₀, σ_1 = sigma;  m_{g+1} = Σ_{i ≤ μ} w_i θ_(i:λ),  σ_{g+1} = sigma_decay · σ_g
-- where θ_(i:λ) is generation g's i-th best by score. Score, validation only (the test split is never
-- seen): r = (1/T) Σ_t val_kpi_t / ref_t, ref_t the mean final validation KPI of generation 1 — a Δm
-- on validation against the population around DTP's defaults; a diverged run scores last.
-- Every run recomputes m_g and σ_g from the memory, so the same memory gives the same proposal.
--
-- Needs:     kpi.
-- Memory:    each run remembers its θ, its parameters (params: gamma, alpha, one prior per task) and
--            its final validation KPIs; the report plots params and the validation score per generation.
-- Options:   gamma0 = 1.0        γ of the first mean (DTP's Table 1 value)
--            alpha0 = 0.1        α of the first mean, in (0, 1)
--            sigma = 0.5         the first step size in θ (0.5 in log γ: γ × 1.65)
--            sigma_decay = 0.8   σ's factor per generation, in (0, 1]
--            warmup = 100        steps of uniform weights while κ̄ is tracked (as dtp.lua's warmup)
-- Logs:      "gamma", "alpha" and "prior_<task>" at the first step.

local P = {
  name = "meta_dtp",
  needs = { "kpi" },
  memory = true,
  defaults = { gamma0 = 1.0, alpha0 = 0.1, sigma = 0.5, sigma_decay = 0.8, warmup = 100 },
}

local EPS = 1e-6

--- SplitMix64 (Steele, Lea, Flood 2014) on Lua's wrapping 64-bit integers: a hash of (g, seed, i).
local function mix(x)
  x = x + 0x9E3779B97F4A7C15
  x = (x ~ (x >> 30)) * 0xBF58476D1CE4E5B9
  x = (x ~ (x >> 27)) * 0x94D049BB133111EB
  return x ~ (x >> 31)
end

local function uniform(key) return ((mix(key) >> 11) + 0.5) / 2 ^ 53 end

--- The i-th standard normal of a run's perturbation (Box–Muller on two hashed uniforms).
local function normal(generation, seed, i)
  local key = ((generation * 1000003 + seed) * 1024 + i) * 2
  return math.sqrt(-2 * math.log(uniform(key))) * math.cos(2 * math.pi * uniform(key + 1))
end

local function logit(p) return math.log(p / (1 - p)) end

--- γ, α and π from θ.
local function parameters(theta, T)
  local z, largest = {}, -math.huge
  for t = 1, T do z[t] = theta[2 + t]; largest = math.max(largest, z[t]) end
  local total, prior = 0, {}
  for t = 1, T do prior[t] = math.exp(z[t] - largest); total = total + prior[t] end
  for t = 1, T do prior[t] = T * prior[t] / total end
  return math.exp(theta[1]), 1 / (1 + math.exp(-theta[2])), prior
end

--- Generation g's records in the memory, sorted best first by score (ties: by seed).
local function ranked(records, g, ref, T)
  local population = {}
  for _, record in ipairs(records) do
    if record.generation == g then
      local value, score = record.value, -math.huge
      if not value.diverged and value.val_kpi then
        score = 0
        for t = 1, T do score = score + value.val_kpi[t] / ref[t] end
        score = score / T
      end
      population[#population + 1] = { theta = value.theta, score = score, seed = record.seed }
    end
  end
  table.sort(population, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    return a.seed < b.seed
  end)
  return population
end

--- m_g and σ_g: the recombination replayed over generations 1 … g − 1 of the memory.
function P.search_state(options, records, g, T)
  local m = { math.log(options.gamma0), logit(options.alpha0) }
  for t = 1, T do m[2 + t] = 0 end
  local sigma = options.sigma
  if g == 1 then return m, sigma end
  local ref, count = {}, 0
  for t = 1, T do ref[t] = 0 end
  for _, record in ipairs(records) do
    if record.generation == 1 and record.value.val_kpi and not record.value.diverged then
      count = count + 1
      for t = 1, T do ref[t] = ref[t] + record.value.val_kpi[t] end
    end
  end
  for t = 1, T do ref[t] = math.max(count > 0 and ref[t] / count or 1, EPS) end
  for h = 1, g - 1 do
    local population = ranked(records, h, ref, T)
    if #population > 0 then
      local mu = math.max(1, #population // 2)
      local weights, total = {}, 0
      for i = 1, mu do weights[i] = math.log(mu + 0.5) - math.log(i); total = total + weights[i] end
      local next_mean = {}
      for k = 1, #m do
        next_mean[k] = 0
        for i = 1, mu do next_mean[k] = next_mean[k] + weights[i] / total * population[i].theta[k] end
      end
      m = next_mean
    end
    sigma = sigma * options.sigma_decay
  end
  return m, sigma
end

function P:init(ctx)
  local T = #ctx.tasks
  assert(self.gamma0 > 0, "meta_dtp: gamma0 must be > 0")
  assert(self.alpha0 > 0 and self.alpha0 < 1, "meta_dtp: alpha0 must be in (0, 1)")
  assert(self.sigma >= 0, "meta_dtp: sigma must be ≥ 0")
  assert(self.sigma_decay > 0 and self.sigma_decay <= 1, "meta_dtp: sigma_decay must be in (0, 1]")
  assert(self.warmup >= 0 and self.warmup == math.floor(self.warmup), "meta_dtp: warmup must be a whole number ≥ 0")
  local mean, sigma = P.search_state(self, ctx.memory, ctx.generation, T)
  self.theta = {}
  for k = 1, #mean do
    local noise = ctx.generation < ctx.generations and sigma * normal(ctx.generation, ctx.seed, k) or 0
    self.theta[k] = mean[k] + noise
  end
  self.gamma, self.alpha, self.prior = parameters(self.theta, T)
  self.tasks = ctx.tasks
  self.kbar = {}
end

function P:weights(s)
  local T, w, total = #s.tasks, {}, 0
  if s.step == 1 then
    log("gamma", self.gamma)
    log("alpha", self.alpha)
    for t = 1, T do log("prior_" .. self.tasks[t], self.prior[t]) end
  end
  for t = 1, T do
    local previous = self.kbar[t]
    self.kbar[t] = previous and (self.alpha * s.kpi[t] + (1 - self.alpha) * previous) or s.kpi[t]
    local kb = math.min(math.max(self.kbar[t], EPS), 1 - EPS)
    w[t] = -self.prior[t] * ((1 - kb) ^ self.gamma) * math.log(kb)
    total = total + w[t]
  end
  for t = 1, T do
    -- total > 0 unless every (1 − κ̄)^γ underflows (all KPIs ≈ 1 and a huge γ): then uniform.
    w[t] = (s.step <= self.warmup or total <= 0) and 1.0 or T * w[t] / total
  end
  return w
end

function P:finish(ctx, result)
  local params = { gamma = self.gamma, alpha = self.alpha }
  for t = 1, #self.tasks do params["prior_" .. self.tasks[t]] = self.prior[t] end
  return { theta = self.theta, params = params, val_kpi = result.val_kpi, diverged = result.diverged }
end

return P
