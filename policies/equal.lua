--- Equal weighting — the uniform baseline of the DTP paper's Table 1 ("Uniform").
--
-- Formula:   w_t = 1 for every task t, so the loss is Σ_t L_t.
-- Needs:     losses only.
-- Options:   none.

local P = {
  name = "equal",
  needs = {},
  defaults = {},
}

function P:weights(s)
  local w = {}
  for t = 1, #s.tasks do
    w[t] = 1.0
  end
  return w
end

return P
