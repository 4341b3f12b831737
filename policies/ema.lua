--- Exponential moving average of any policy's weights: a combinator, usable from a manifest
-- (script: policies/ema.lua, options: { policy: dwa, with: "temperature=2", beta: 0.9 }).
-- Smoothing a weighting's answer over steps damps batch noise in its signals, as GradNorm-style and
-- loss-ratio methods are often run in practice (LibMTL's DWA averages over an epoch for this reason).
--
-- Formula: w_k = the inner policy's answer at step k, then
--   w̄_1 = w_1,   w̄_k = β w̄_{k−1} + (1 − β) w_k
-- for the shared coefficients and the head weights apart (a plain answer has them equal); example
-- weights pass through unaveraged. The inner policy sees `s` as the trainer gives it (its s.weights are
-- the averaged weights that were applied) and logs as itself.
--
-- Needs:     those of the inner policy at its options (a needs function of this file's options).
-- Options:   policy = "dwa"   the inner policy, policies/<policy>.lua (not one needing val_align or
--                             grad_ema_gram, nor a grad_norm_scope other than the shared parameters)
--            with = ""        the inner policy's options, "key=value,key=value" (numbers, true/false, text)
--            beta = 0.9       β ∈ [0, 1): the weight of the past

local combinators = require("combinators")

local P = {
  name = "ema",
  defaults = { policy = "dwa", with = "", beta = 0.9 },
}

function P.needs(options)
  local inner = combinators.load(options.policy, "ema")
  return combinators.needs(inner, combinators.options(inner, options.with, "ema"), "ema")
end

function P:init(ctx)
  assert(self.beta >= 0 and self.beta < 1, "ema: beta must be in [0, 1)")
  self.inner = combinators.start(self.policy, self.with, ctx, "ema")
end

local function average(previous, current, beta)
  if not previous then return { table.unpack(current) } end
  local mixed = {}
  for t = 1, #current do mixed[t] = beta * previous[t] + (1 - beta) * current[t] end
  return mixed
end

function P:weights(s)
  local shared, heads, examples = combinators.split(self.inner:weights(s))
  self.shared = average(self.shared, shared, self.beta)
  self.heads = average(self.heads, heads, self.beta)
  return { shared = { table.unpack(self.shared) }, heads = { table.unpack(self.heads) }, examples = examples }
end

return P
