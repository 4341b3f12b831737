--- Policies built from other policies: the inner ones are policy files beside the combinator, loaded
-- with `load_policy(name)`, each given its own options and state as the host would give them.
-- Used by ema.lua and stack.lua; a combinator's run id covers the files it loads (options whose
-- name ends in "policy").

local M = {}

--- "key=value,key=value" → table: numbers, true/false, and strings otherwise ("" → empty table).
function M.parse_options(text, owner)
  local options = {}
  for item in text:gmatch("[^,]+") do
    local key, value = item:match("^%s*([%a_][%w_]*)%s*=%s*(.-)%s*$")
    if not key then error(owner .. ": '" .. item .. "' is not key=value", 0) end
    if tonumber(value) then
      options[key] = tonumber(value)
    elseif value == "true" or value == "false" then
      options[key] = value == "true"
    else
      options[key] = value
    end
  end
  return options
end

local function copy(value)
  if type(value) ~= "table" then return value end
  local c = {}
  for k, v in pairs(value) do c[k] = copy(v) end
  return c
end

--- Loads policy `name` and checks that a combinator can drive it: no signal whose settings the host
--- reads from options (val_align, grad_ema_gram: the host reads the combinator's options, not the
--- inner policy's) and no grad_norm_scope but the shared parameters'.
function M.load(name, owner)
  local P = load_policy(name)
  if P.grad_norm_scope ~= nil and P.grad_norm_scope ~= "shared" then
    error(owner .. ": " .. name .. " measures grad_norm on '" .. tostring(P.grad_norm_scope) .. "'; a combinator gives it the shared parameters' only", 0)
  end
  return P
end

--- The options of an instance of P: its defaults with `overrides` (a "key=value,…" text) merged over
--- them; an undeclared option or one of another type is an error naming both policies.
function M.options(P, overrides, owner)
  local options = copy(P.defaults or {})
  for key, value in pairs(M.parse_options(overrides, owner)) do
    if options[key] == nil then error(owner .. ": " .. P.name .. " has no option '" .. key .. "'", 0) end
    if type(options[key]) ~= type(value) then
      error(owner .. ": " .. P.name .. "'s option '" .. key .. "' is a " .. type(options[key]) .. ", got " .. type(value), 0)
    end
    options[key] = value
  end
  return options
end

--- The signals P reads at `options` (its `needs` array, or its needs function's answer).
function M.needs(P, options, owner)
  local needs = P.needs or {}
  if type(needs) == "function" then needs = needs(options) end
  for _, signal in ipairs(needs) do
    if signal == "val_align" or signal == "grad_ema_gram" then
      error(owner .. ": " .. P.name .. " needs " .. signal .. ", whose settings the host reads from the combinator's own options: not supported", 0)
    end
  end
  return needs
end

--- The union of signal lists, in first-seen order.
function M.union(...)
  local seen, all = {}, {}
  for _, list in ipairs({ ... }) do
    for _, signal in ipairs(list) do
      if not seen[signal] then seen[signal], all[#all + 1] = true, signal end
    end
  end
  return all
end

--- An instance of policy `name` with its options, started with `ctx` (its options in ctx.options).
function M.start(name, overrides, ctx, owner)
  local P = M.load(name, owner)
  local options = M.options(P, overrides, owner)
  local instance = setmetatable(copy(options), { __index = P })
  if P.init then
    local inner = copy(ctx)
    inner.options = options
    instance:init(inner)
  end
  return instance
end

--- An answer as { shared, heads, examples } (a plain array gives equal shared and heads).
function M.split(answer)
  if answer.shared then return answer.shared, answer.heads, answer.examples end
  local plain = {}
  for t = 1, #answer do plain[t] = answer[t] end
  return plain, plain, answer.examples
end

return M
