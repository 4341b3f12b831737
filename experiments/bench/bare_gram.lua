--- The host's cost floor: a policy that does no work of its own. It returns one preallocated answer,
-- so `fulcrum bench --policies experiments/bench/bare_gram.lua` times only what the host does per step
-- (refill `s` with losses, KPIs and the Gram matrix, call P:weights under pcall and the time limit, check the answer).
--
-- Formula:   w_t = 1.
-- Needs:     kpi and gram (so `s.kpi` and the T×T `s.gram` are filled too).
-- Options:   none.

local P = { name = "bare_gram", needs = { "kpi", "gram" }, defaults = {} }

local answer = {}

function P:init(ctx)
  for t = 1, #ctx.tasks do answer[t] = 1.0 end
end

function P:weights(s)
  return answer
end

return P
