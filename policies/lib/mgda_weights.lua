--- MGDA's shared weights (Sener & Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS
-- 2018, §3.2 and their code's min_norm_solvers.py): the min-norm point of the hull of the normalised task
-- gradients, in Gram terms, solved exactly by qp.min_norm. Used by mgda.lua (on the shared parameters)
-- and mgda_ub.lua (at the shared representation).
local qp = require("qp")

local M = {}

local max, sqrt = math.max, math.sqrt

-- Scratch arrays reused from call to call (one set per size): the normalisers n and the normalised Gram.
local scratch = {}
local function buffers(n)
  local b = scratch[n]
  if not b then
    b = { gram = {}, n = {} }
    for i = 1, n do b.gram[i] = {} end
    scratch[n] = b
  end
  return b
end

--- The gradient normalisations of Sener & Koltun's code (min_norm_solvers.gradient_normalizers):
-- g_t is divided by n_t = 1 ("none"), ‖g_t‖ ("l2"), L_t ("loss") or L_t·‖g_t‖ ("loss+").
M.NORMALIZATIONS = { none = true, l2 = true, loss = true, ["loss+"] = true }

local function normaliser(normalization, loss, norm)
  if normalization == "none" then return 1 end
  if normalization == "l2" then return norm end
  if normalization == "loss" then return loss end
  return loss * norm
end

--- MGDA's shared weights on the Gram G of the task gradients (on the shared parameters for MGDA, at the
-- shared representation for MGDA-UB), with the gradient normalisation `normalization` (see above):
-- α = min_norm(Ĝ) with Ĝ_tu = G_tu / (n_t n_u), the Gram of the normalised gradients g_t / n_t. With
-- scale_back (true) the weights are w_t = α_t / n_t, so that Σ_t w_t g_t = Σ_t α_t g_t / n_t is the
-- min-norm point of the normalised gradients' hull; without, w_t = α_t (the authors' train_multi_task.py
-- uses α as the raw losses' scales). A task with n_t = 0 (a zero gradient, or a zero loss for the loss
-- normalisations) has no normalised gradient: it is left out of the problem and gets weight 0.
-- Losses must be ≥ 0 for "loss"/"loss+" (an error otherwise). `first` (optional): a support to start
-- from, e.g. the previous step's. Returns w, α, ‖Σ_t α_t g_t / n_t‖ (0 at a Pareto-stationary point),
-- α's support, and how α was found (nil: exactly; see qp.fallback).
function M.weights(G, loss, normalization, scale_back, first)
  local T = #G
  local work = buffers(T)
  local n, largest = work.n, 0
  local loss_based = normalization == "loss" or normalization == "loss+"
  for t = 1, T do
    if loss_based and not (loss[t] >= 0) then
      error(("mgda: normalization \"%s\" needs losses ≥ 0; task %d has loss %g"):format(normalization, t, loss[t]), 2)
    end
    n[t] = normaliser(normalization, loss[t], sqrt(max(G[t][t], 0)))
    largest = max(largest, n[t])
  end
  -- the tasks with a normalised gradient (n_t > 0), and the Gram of their g_t / n_t
  local live, position, floor = {}, {}, 1e-12 * largest
  for t = 1, T do
    if n[t] > floor then live[#live + 1] = t; position[t] = #live end
  end
  local normalised = buffers(#live).gram
  for i = 1, #live do
    local row, source, ni = normalised[i], G[live[i]], n[live[i]]
    for j = 1, #live do row[j] = source[live[j]] / (ni * n[live[j]]) end
  end
  local alpha, w, value, support, how = {}, {}, 0, {}, nil
  for t = 1, T do alpha[t], w[t] = 0, 0 end
  if #live > 0 then
    local hint = {}
    for _, t in ipairs(first or {}) do
      if position[t] then hint[#hint + 1] = position[t] end
    end
    local solution, live_support
    solution, value, live_support, how = qp.min_norm(normalised, hint)
    for i, t in ipairs(live) do
      alpha[t] = solution[i]
      w[t] = scale_back and solution[i] / n[t] or solution[i]
    end
    for i, index in ipairs(live_support) do support[i] = live[index] end
  end
  return w, alpha, sqrt(value), support, how
end

return M
