--- A loss-balancing policy stacked on a gradient-balancing one: a combinator, usable from a manifest
-- (script: policies/stack.lua, options: { loss_policy: uncertainty, gradient_policy: nash_mtl }).
-- As in IGB4MTL: Dai, Fei, Lu, "Improvable Gap Balancing for Multi-Task Learning", UAI 2023, which
-- applies its loss weights first and a gradient method (Nash-MTL among others) to the weighted losses.
--
-- Formula: λ = the loss policy's weights at this step (a plain answer, one per task); the gradient
-- policy then sees the weighted problem L′_t = λ_t L_t:
--   loss′_t = λ_t loss_t,  grad_norm′_t = λ_t grad_norm_t,
--   gram′_tu = λ_t λ_u gram_tu  (and rep_gram′ likewise),
-- and answers coefficients α on the gradients of L′ (shared) and head weights h; the update is
--   shared_t = α_t λ_t,   heads_t = h_t λ_t      (a plain gradient answer has h = α).
-- Every other signal reaches both policies unchanged; example weights come from the gradient policy,
-- or else from the loss policy.
--
-- Needs:     the union of the two policies' needs.
-- Options:   loss_policy = "uncertainty"   policies/<loss_policy>.lua, answering plain weights
--            loss_with = ""                its options, "key=value,…"
--            gradient_policy = "nash_mtl"  policies/<gradient_policy>.lua (not one needing val_align
--                                          or grad_ema_gram, nor a grad_norm_scope other than shared)
--            gradient_with = ""            its options, "key=value,…"

local combinators = require("combinators")

local P = {
  name = "stack",
  defaults = { loss_policy = "uncertainty", loss_with = "", gradient_policy = "nash_mtl", gradient_with = "" },
}

function P.needs(options)
  local loss = combinators.load(options.loss_policy, "stack")
  local gradient = combinators.load(options.gradient_policy, "stack")
  return combinators.union(combinators.needs(loss, combinators.options(loss, options.loss_with, "stack"), "stack"),
                           combinators.needs(gradient, combinators.options(gradient, options.gradient_with, "stack"), "stack"))
end

function P:init(ctx)
  self.loss = combinators.start(self.loss_policy, self.loss_with, ctx, "stack")
  self.gradient = combinators.start(self.gradient_policy, self.gradient_with, ctx, "stack")
end

local function scaled_vector(v, lambda)
  if not v then return nil end
  local out = {}
  for t = 1, #v do out[t] = lambda[t] * v[t] end
  return out
end

local function scaled_matrix(m, lambda)
  if not m then return nil end
  local out = {}
  for t = 1, #m do
    out[t] = {}
    for u = 1, #m do out[t][u] = lambda[t] * lambda[u] * m[t][u] end
  end
  return out
end

function P:weights(s)
  local answer = self.loss:weights(s)
  assert(answer.shared == nil, "stack: the loss policy " .. self.loss_policy .. " must answer plain weights")
  local lambda = { table.unpack(answer) }
  local weighted = {}
  for key, value in pairs(s) do weighted[key] = value end
  weighted.loss = scaled_vector(s.loss, lambda)
  weighted.grad_norm = scaled_vector(s.grad_norm, lambda)
  weighted.gram = scaled_matrix(s.gram, lambda)
  weighted.rep_gram = scaled_matrix(s.rep_gram, lambda)
  local alpha, heads, examples = combinators.split(self.gradient:weights(weighted))
  local shared, head = {}, {}
  for t = 1, #lambda do
    shared[t] = alpha[t] * lambda[t]
    head[t] = heads[t] * lambda[t]
  end
  return { shared = shared, heads = head, examples = examples or answer.examples }
end

return P
