--- Self-paced multi-task learning at the instance level: within each task the easy examples train
-- first, and a task joins as a block once enough of its examples are easy. After Li, Yan, Wei, Dong,
-- Liu, Zha, "Self-Paced Multi-Task Learning", AAAI 2017 (joint task and instance weights under a
-- task-oriented regulariser). The task-level counterpart — one weight per task from the task losses,
-- the DTP paper's "Self-Paced" baseline — is self_paced.lua.
--
-- Formula (per step, on this batch's per-example losses ℓ_ti, relative to the task's first loss:
-- r_ti = ℓ_ti / L_t(1), so one age λ serves tasks whose losses have different units):
--   V = argmin_{V ∈ [0,1]^{T×B}} Σ_t Σ_i v_ti r_ti − λ Σ_t Σ_i v_ti + γ Σ_t ‖v_t‖₂
-- The first two terms are Kumar et al.'s self-paced objective (an example counts when r < λ); the
-- group norm ‖v_t‖₂ of each task's weights is the task-oriented part: it charges a task γ for taking
-- part at all, so a task whose easy examples do not outweigh γ sits out, and tasks are prioritised
-- with their instances. (This file's regulariser is the one the paper's abstract describes — joint
-- prioritisation of tasks and instances through a per-task norm; the paper's body was not reachable
-- when it was written: check the exact f(V; λ, γ) against its §3 before citing numbers as the paper's.)
-- Exact minimiser, derived for this file (KKT of a linear term plus a group norm over the box): with
-- a_ti = max(0, λ − r_ti),
--   v_t = 0                                   if ‖a_t‖₂ ≤ γ
--   v_ti = min(a_ti, τ_t) / τ_t               otherwise, τ_t the level with ‖min(a_t, τ_t)‖₂ = γ
-- (γ → 0 gives Kumar's hard selection v = [r < λ]; larger γ keeps only tasks with many easy examples
-- and weighs the easiest of them fully, the borderline ones in proportion to their margin.)
--   λ(epoch) = λ₀ · growth^(epoch − 1),   γ = task_gamma · λ · √B
-- The answer trains task t on (1/B) Σ_i v_ti ℓ_ti (example weights) with task weight 1 when v_t ≠ 0
-- and 0 otherwise. If no task has an easy example, the task of smallest mean r trains on its whole
-- batch and the policy logs "fallback" = 1.
--
-- Needs:     example_loss.
-- Options:   lambda0 = 0              λ₀ > 0 in units of the first loss; 0 = the initial_quantile-quantile
--                                     of the first step's relative example losses
--            initial_quantile = 0.5   q ∈ (0, 1]: about that fraction of examples counts as easy at first
--            growth = 1.3             λ's factor per epoch, ≥ 1 (Kumar et al.'s μ = 1.3)
--            task_gamma = 0.25        γ per unit λ·√B, ≥ 0: a task with a fraction f of its examples at
--                                     margin λ/2 joins when f > 4·task_gamma² (a quarter, by default)
-- Logs:      "lambda": λ; "examples_used": mean v over all tasks and examples.

local n = require("numeric")

local P = {
  name = "self_paced_instance",
  needs = { "example_loss" },
  defaults = { lambda0 = 0.0, initial_quantile = 0.5, growth = 1.3, task_gamma = 0.25 },
}

function P:init(ctx)
  assert(self.lambda0 >= 0, "self_paced_instance: lambda0 must be ≥ 0 (0 = from initial_quantile)")
  assert(self.initial_quantile > 0 and self.initial_quantile <= 1, "self_paced_instance: initial_quantile must be in (0, 1]")
  assert(self.growth >= 1, "self_paced_instance: growth must be ≥ 1")
  assert(self.task_gamma >= 0, "self_paced_instance: task_gamma must be ≥ 0")
end

--- The level τ at which min(a, τ) has Euclidean norm γ (requires ‖a‖ > γ > 0): sort a descending and
--- find k, the number of entries clipped, with k τ² + Σ_{i>k} a_(i)² = γ² and a_(k+1) ≤ τ ≤ a_(k).
local function clip_level(a, gamma)
  local sorted = n.copy(a)
  table.sort(sorted, function(x, y) return x > y end)
  local tail = 0.0
  for i = 1, #sorted do tail = tail + sorted[i] * sorted[i] end
  for k = 1, #sorted do
    tail = tail - sorted[k] * sorted[k]
    local next_value = sorted[k + 1] or 0.0
    local room = gamma * gamma - tail
    if room >= k * next_value * next_value then return math.sqrt(room / k) end
  end
  return gamma / math.sqrt(#sorted)  -- unreachable when ‖a‖ > γ: k = #a always satisfies the test
end

--- Task t's example weights for losses `r` (relative) at age λ and task charge γ; nil when it sits out.
function P.example_weights(r, lambda, gamma)
  local a, norm2 = {}, 0.0
  for i = 1, #r do
    a[i] = math.max(0, lambda - r[i])
    norm2 = norm2 + a[i] * a[i]
  end
  if norm2 == 0 or math.sqrt(norm2) <= gamma then return nil end
  if gamma == 0 then
    for i = 1, #a do a[i] = a[i] > 0 and 1.0 or 0.0 end
    return a
  end
  local tau = clip_level(a, gamma)
  for i = 1, #a do a[i] = math.min(a[i], tau) / tau end
  return a
end

function P:weights(s)
  local T = #s.tasks
  local relative = {}
  for t = 1, T do
    local row, first = {}, s.initial_loss[t]
    for i, l in ipairs(s.example_loss[t]) do row[i] = first > 0 and l / first or l end
    relative[t] = row
  end
  if not self.base then
    local pooled = {}
    for t = 1, T do for _, r in ipairs(relative[t]) do pooled[#pooled + 1] = r end end
    self.base = self.lambda0 > 0 and self.lambda0 or n.quantile(pooled, self.initial_quantile)
  end
  local lambda = self.base * self.growth ^ (s.epoch - 1)
  local B = #s.example_loss[1]
  local gamma = self.task_gamma * lambda * math.sqrt(B)

  local w, examples, used, easiest, easiest_mean = {}, {}, 0.0, 1, math.huge
  for t = 1, T do
    local v = P.example_weights(relative[t], lambda, gamma)
    w[t] = v and 1.0 or 0.0
    examples[t] = v
    if v then used = used + n.sum(v) end
    local mean = n.sum(relative[t]) / B
    if mean < easiest_mean then easiest, easiest_mean = t, mean end
  end
  if used == 0 then
    w[easiest] = 1.0
    log("fallback", 1)
  end
  log("lambda", lambda)
  log("examples_used", used / (T * B))
  w.examples = examples
  return w
end

return P
