--- ConFIG: a conflict-free update, equally aligned with every task's gradient.
-- Liu, Chu, Thuerey, "ConFIG: Towards Conflict-free Training of Physics Informed Neural Networks",
-- ICLR 2025 (§3, Eq. 3–4; the authors' `conflictfree` package: equal weights, projection length).
--
-- Formula: with unit gradients û_t = g_t / ‖g_t‖, the direction d solves
--   [û_1ᵀ; …; û_Tᵀ] d = 1            in least squares, minimum-norm (a pseudo-inverse),
-- so every task sees the same cosine with d; the update is
--   g = (Σ_t g_tᵀ d̂) d̂,   d̂ = d / ‖d‖   (its length: the sum of the gradients' projections on d̂).
-- In inner products: d = Σ_t (c_t / ‖g_t‖) g_t with c = C⁺ 1, C_tu = cos(g_t, g_u) (C⁺ from the
-- eigendecomposition, eigenvalues below 10⁻¹² · the largest treated as 0), ‖d‖² = cᵀ C c, and
--   shared_t = (Σ_u g_uᵀ d / ‖d‖²) · c_t / ‖g_t‖,   heads_t = 1.
-- A task with a zero gradient takes no part (c_t = 0); if every gradient is zero, or d is, the answer
-- is equal weights and the step logs "config_degenerate" = 1.
--
-- Needs:     gram (on the shared parameters).
-- Options:   none.
-- Logs:      "config_cosine": the common cosine ĝ·û_t (of the tasks that take part).

local linalg = require("linalg")

local P = {
  name = "config",
  needs = { "gram" },
  defaults = {},
}

--- c = C⁺ 1 for a cosine matrix C, by its eigendecomposition.
local function pseudo_inverse_ones(C)
  local values, V = linalg.eigensym(C)
  local size, largest = #C, 0.0
  for k = 1, size do largest = math.max(largest, math.abs(values[k])) end
  local c = {}
  for i = 1, size do c[i] = 0.0 end
  for k = 1, size do
    if values[k] > 1e-12 * largest then
      local projection = 0.0   -- v_kᵀ 1
      for i = 1, size do projection = projection + V[i][k] end
      for i = 1, size do c[i] = c[i] + V[i][k] * projection / values[k] end
    end
  end
  return c
end

local function equal(T)
  local w = {}
  for t = 1, T do w[t] = 1.0 end
  return w
end

function P:weights(s)
  local G, T = s.gram, #s.tasks
  local active, norms = {}, {}
  for t = 1, T do
    norms[t] = math.sqrt(math.max(G[t][t], 0))
    if norms[t] > 0 then active[#active + 1] = t end
  end
  local C = {}
  for i, t in ipairs(active) do
    C[i] = {}
    for j, u in ipairs(active) do C[i][j] = G[t][u] / (norms[t] * norms[u]) end
  end
  local c = #active > 0 and pseudo_inverse_ones(C) or {}
  -- d = Σ_i (c_i / ‖g_i‖) g_i: its coefficients, squared norm and inner product with Σ_u g_u.
  local coefficient, d_norm2, projections = {}, 0.0, 0.0
  for i, t in ipairs(active) do coefficient[i] = c[i] / norms[t] end
  for i, t in ipairs(active) do
    for j, u in ipairs(active) do d_norm2 = d_norm2 + coefficient[i] * coefficient[j] * G[t][u] end
    for u = 1, T do projections = projections + coefficient[i] * G[t][u] end
  end
  if d_norm2 <= 0 then
    log("config_degenerate", 1)
    return { shared = equal(T), heads = equal(T) }
  end
  local shared, scale = equal(T), projections / d_norm2
  for t = 1, T do shared[t] = 0.0 end
  for i, t in ipairs(active) do shared[t] = scale * coefficient[i] end
  -- The common cosine, from the first active task: (d · g_t) / (‖d‖ ‖g_t‖).
  local first, along = active[1], 0.0
  for i, u in ipairs(active) do along = along + coefficient[i] * G[u][first] end
  log("config_cosine", along / (math.sqrt(d_norm2) * norms[first]))
  return { shared = shared, heads = equal(T) }
end

return P
