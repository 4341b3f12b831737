--- Fixed task weights, given as options.
-- The static baselines of Guo, Haque, Huang, Yeung, Fei-Fei, "Dynamic Task Prioritization for Multitask
-- Learning", ECCV 2018, §4.1 and Table 1 (tasks: pose P, detection D, segmentation S, classification C):
--   Hand-Crafted      P 0.4, D 0.3, S 0.2, C 0.1    (selected by grid search)
--   Prioritize Easy   C 0.97, all others 0.01
--   Prioritize Hard   P 0.97, all others 0.01
-- e.g. hand-crafted:  weights = [0.4, 0.3, 0.2, 0.1], tasks = ["pose", "detection", "segmentation", "classification"]
--
-- Formula:   w_t = weights[t], constant over training; the loss is Σ_t w_t L_t.
-- Needs:     losses only.
-- Options:   weights = []   one number ≥ 0 per task (not all 0); empty = 1 for every task (uniform)
--            tasks = []     the task name each weight belongs to, in any order, every task exactly once;
--                           empty = the weights are in manifest order
-- A length mismatch, an unknown, repeated or missing task name, or a negative weight is an init error.

local P = {
  name = "fixed",
  needs = {},
  defaults = { weights = {}, tasks = {} },
}

function P:init(ctx)
  local T, weights, names = #ctx.tasks, self.weights, self.tasks
  for i = 1, #weights do
    local w = weights[i]
    assert(type(w) == "number" and w >= 0 and w < math.huge,
           "fixed: weights[" .. i .. "] must be a finite number ≥ 0, got " .. tostring(w))
  end
  assert(#names == 0 or #weights > 0, "fixed: tasks is given but weights is empty")

  self.w = {}
  if #weights == 0 then
    for t = 1, T do self.w[t] = 1.0 end
  elseif #names == 0 then
    assert(#weights == T, "fixed: weights has " .. #weights .. " entries, expected " .. T .. " (one per task)")
    for t = 1, T do self.w[t] = weights[t] end
  else
    assert(#names == #weights, "fixed: tasks has " .. #names .. " entries but weights has " .. #weights)
    local index = {}
    for t = 1, T do index[ctx.tasks[t]] = t end
    for i = 1, #names do
      local t = index[names[i]]
      assert(t ~= nil, "fixed: unknown task '" .. tostring(names[i]) .. "'; tasks are: " .. table.concat(ctx.tasks, ", "))
      assert(self.w[t] == nil, "fixed: task '" .. names[i] .. "' is given twice")
      self.w[t] = weights[i]
    end
    for t = 1, T do
      assert(self.w[t] ~= nil, "fixed: task '" .. ctx.tasks[t] .. "' has no weight")
    end
  end
  local total = 0
  for t = 1, T do total = total + self.w[t] end
  assert(total > 0, "fixed: the weights must not all be 0")
end

function P:weights(s)
  local w = {}
  for t = 1, #s.tasks do w[t] = self.w[t] end
  return w
end

return P
