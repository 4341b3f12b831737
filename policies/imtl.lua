--- Impartial Multi-Task Learning, gradient part (IMTL-G).
-- Liu, Li, Kuang, Xue, Chen, Yang, Liao, Zhang, "Towards Impartial Multi-task Learning", ICLR 2021, §3.2.
--
-- Formula (Eq. 5–8): find the shared update g = Σ_t α_t g_t, Σ_t α_t = 1, whose projections onto every
-- task's unit gradient u_t = g_t / ‖g_t‖ are equal: g·u_1 = g·u_t for all t. With the rows
--   D = [g_1 − g_2; …; g_1 − g_T],   U = [u_1 − u_2; …; u_1 − u_T],
--   α_{2..T} = g_1 Uᵀ (D Uᵀ)⁻¹,      α_1 = 1 − Σ_{t≥2} α_t.
-- Everything is an inner product, so it is computed from the Gram matrix:
--   (g_1 Uᵀ)_j = G_11/‖g_1‖ − G_1j/‖g_j‖,
--   (D Uᵀ)_ij  = (G_11 − G_i1)/‖g_1‖ − (G_1j − G_ij)/‖g_j‖.
-- The answer is { shared = α, heads = 1 }: the trunk gets Σ α_t g_t, each head its own gradient.
-- Only the gradient part: IMTL-L (learned loss scales) is a loss transformation, not a weighting.
--
-- Negative weights: the closed form can give α_t < 0 (for T ≥ 3, e.g. when two gradients nearly coincide
-- and a third points elsewhere). The trunk takes them as they are, as the method needs and LibMTL's IMTL
-- does (the host accepts finite negative shared coefficients); the step logs imtl_negative = 1.
-- clip_negative = true clips them at 0 and renormalises to Σ α = 1 instead (logging imtl_clipped = 1):
-- the equal-projection property then no longer holds exactly.
-- Degenerate steps (T = 1, a zero gradient, collinear gradients: D Uᵀ singular) give α_t = 1/T and log
-- imtl_singular = 1 (with collinear gradients every α with Σ α = 1 has equal projections).
--
-- Needs:     gram (on the shared parameters).
-- Options:   clip_negative = false   true: negative α_t are set to 0 and the rest renormalised to Σ α = 1
--            (The paper's Algorithm 1 takes the gradients at the shared feature z, for speed, as
--            MGDA-UB does; this file uses the gradients on the shared parameters, as in §3.2.)

local n = require("numeric")
local linalg = require("linalg")

local P = {
  name = "imtl",
  needs = { "gram" },
  defaults = { clip_negative = false },
}

local ZERO_GRADIENT = 1e-12   -- ‖g_t‖ below this fraction of the largest norm counts as zero

function P:init(ctx)
  self.heads = n.fill(#ctx.tasks, 1)
end

-- α_{2..T} solving α (D Uᵀ) = g_1 Uᵀ, i.e. (U Dᵀ) αᵀ = U g_1ᵀ, from the Gram matrix; nil if singular.
local function impartial_weights(G, T)
  local norm, largest = {}, 0
  for t = 1, T do
    norm[t] = math.sqrt(math.max(G[t][t], 0))
    largest = math.max(largest, norm[t])
  end
  if T < 2 or largest == 0 then return nil end
  for t = 1, T do
    if norm[t] <= ZERO_GRADIENT * largest then return nil end
  end
  local UDt, Ug1 = {}, {}   -- row j − 1: u_1 − u_j;  column i − 1: g_1 − g_i
  for j = 2, T do
    local row = {}
    for i = 2, T do
      row[i - 1] = (G[1][1] - G[i][1]) / norm[1] - (G[1][j] - G[i][j]) / norm[j]
    end
    UDt[j - 1] = row
    Ug1[j - 1] = G[1][1] / norm[1] - G[1][j] / norm[j]
  end
  local rest = linalg.solve(UDt, Ug1)
  if not rest then return nil end
  local alpha = { 1 - n.sum(rest) }
  for t = 2, T do alpha[t] = rest[t - 1] end
  return alpha
end

function P:weights(s)
  local T = #s.tasks
  local alpha = impartial_weights(s.gram, T)
  if not alpha then
    if T > 1 then log("imtl_singular", 1) end
    return { shared = n.fill(T, 1 / T), heads = self.heads }
  end
  local clipped, negative = n.clip_negative(alpha)
  if negative then
    if not self.clip_negative then
      log("imtl_negative", 1)
    else
      log("imtl_clipped", 1)
      alpha = n.normalise(clipped, 1)
    end
  end
  return { shared = alpha, heads = self.heads }
end

return P
