--- Random Loss Weighting (RLW).
-- Lin, Ye, Zhang, Tsang, "Reasonable Effectiveness of Random Weighting: A Litmus Test for Multi-Task
-- Learning", TMLR 2022 (first circulated as "A Closer Look at Loss Weighting in Multi-Task Learning",
-- arXiv:2111.10603); reference code: LibMTL's weighting/RLW.py (same authors).
--
-- Formula (each step, independently of the signals):
--   λ̃ ~ p(λ̃),   λ = softmax(λ̃),   loss = Σ_t λ_t L_t
-- so λ is a random point of the simplex (Σ_t λ_t = 1) and E[λ_t] = 1/T for the symmetric distributions.
-- The distributions of the paper and of LibMTL:
--   "normal"                 λ̃ ~ N(0, I)                          (the default of the paper and LibMTL)
--   "uniform"                λ̃ ~ U(0, 1)^T, then softmax
--   "dirichlet"              λ̃ ~ Dir(1, …, 1), then softmax        (LibMTL applies the softmax here too)
--   "bernoulli"              λ_t ~ Bernoulli(1/2), redrawn while all are 0; NOT normalised (0/1 weights)
--   "constrained_bernoulli"  one task drawn uniformly gets 1, the others 0 (a vertex of the simplex)
-- Draws come from the run's generator (`random()`), so a run replays exactly and seeds differ.
--
-- Needs:     losses only (and not even those: the weights ignore the signals).
-- Options:   distribution = "normal"   one of the five above (default: the paper's and LibMTL's)
--            sum_to_tasks = false      false: Σ_t λ_t = 1 as in the paper; true: λ scaled by T so that
--                                      Σ_t λ_t = T, the scale of equal.lua (weights 1). Applies to the
--                                      simplex distributions, not to "bernoulli"'s 0/1 weights.

local n = require("numeric")
local sampling = require("sampling")

local P = {
  name = "rlw",
  needs = {},
  defaults = { distribution = "normal", sum_to_tasks = false },
}

local DISTRIBUTIONS = { normal = true, uniform = true, dirichlet = true, bernoulli = true, constrained_bernoulli = true }

function P:init(ctx)
  assert(DISTRIBUTIONS[self.distribution],
    'rlw: distribution must be "normal", "uniform", "dirichlet", "bernoulli" or "constrained_bernoulli"')
end

-- λ for one step, on the simplex except for "bernoulli".
local function draw(distribution, T)
  if distribution == "bernoulli" then
    local w
    repeat
      w = {}
      for t = 1, T do w[t] = sampling.bernoulli(0.5) and 1 or 0 end
    until n.sum(w) > 0
    return w
  elseif distribution == "constrained_bernoulli" then
    local w = n.fill(T, 0)
    w[random(T)] = 1
    return w
  end
  local raw
  if distribution == "normal" then
    raw = {}
    for t = 1, T do raw[t] = n.normal() end
  elseif distribution == "uniform" then
    raw = {}
    for t = 1, T do raw[t] = random() end
  else -- "dirichlet"
    raw = sampling.flat_dirichlet(T)
  end
  return n.softmax(raw)
end

function P:weights(s)
  local T = #s.tasks
  local w = draw(self.distribution, T)
  if self.sum_to_tasks and self.distribution ~= "bernoulli" then
    for t = 1, T do w[t] = w[t] * T end
  end
  return w
end

return P
