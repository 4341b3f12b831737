--- Aligned-MTL: aligning the principal components of the task gradients.
-- Senushkin, Patakin, Kuznetsov, Konushin, "Independent Component Alignment for Multi-Task Learning",
-- CVPR 2023, §4 (Algorithm 1); reference implementation SamsungLabs/MTL, code/optim/aligned/.
--
-- Formula: with the task gradients as columns of G_vec and the Gram matrix G = G_vecᵀ G_vec = V Λ Vᵀ,
-- keep the eigenvalues λ_k > tol (rank r), σ_k = √λ_k, and align the gradients to an orthogonal system
-- of equal norms σ̂:
--   B = σ̂ · V_r Σ_r⁻¹ V_rᵀ,        Ĝ_vec = G_vec B   (so Ĝ_vecᵀ Ĝ_vec = σ̂² on the kept subspace),
--   shared update = Σ_t ĝ_t = G_vec B 1,  i.e.  α = B · 1  (the reference sums the aligned gradients,
--   `grads[0].sum(-1), weights.sum(-1)`: unit task weights, not 1/T),
--   σ̂ = σ_min (scale_mode "min", the default), the median σ ("median"; torch.median's lower middle
--   for an even count), or √(mean λ) ("rmse"), over the kept eigenvalues.
--   tol = λ_max · T · 1.19e-7, the reference's rank cut-off (torch.finfo(float32).eps).
-- The answer is { shared = α, heads = 1 }: the heads keep their own gradients (scale_decoder_grad = False
-- in the reference, its default).
--
-- Negative weights: B is positive semi-definite but its row sums α = B·1 can be negative. The trunk takes
-- them as they are, as the reference does (the host accepts finite negative shared coefficients); the
-- step logs aligned_negative = 1. clip_negative = true clips them at 0 and rescales the rest to keep
-- Σ_t α_t = 1ᵀB1 (≥ 0) instead, logging aligned_clipped = 1: the aligned system is then not exactly
-- reproduced.
-- All gradients zero (λ_max = 0): α = 1 and aligned_singular = 1 is logged.
--
-- Needs:     gram (on the shared parameters; Aligned-MTL-UB, at the shared representation, is the same
--            computation on rep_gram).
-- Options:   scale_mode = "min"   "min" | "median" | "rmse": the common norm σ̂ of the aligned gradients
--                                 (reference default "min", the paper's choice)
--            clip_negative = false  true: negative α_t are set to 0 and the rest rescaled to Σ_t α_t = 1ᵀB1

local n = require("numeric")
local linalg = require("linalg")

local P = {
  name = "aligned_mtl",
  needs = { "gram" },
  defaults = { scale_mode = "min", clip_negative = false },
}

local FLOAT32_EPS = 1.1920928955078125e-07

function P:init(ctx)
  local mode = self.scale_mode
  assert(mode == "min" or mode == "median" or mode == "rmse", "aligned_mtl: scale_mode must be \"min\", \"median\" or \"rmse\"")
  self.heads = n.fill(#ctx.tasks, 1)
end

-- σ̂² from the kept eigenvalues, given in descending order as the reference orders them.
local function scale_squared(kept, mode)
  if mode == "min" then return kept[#kept] end
  if mode == "rmse" then return n.sum(kept) / #kept end
  local ascending = {}
  for k = 1, #kept do ascending[k] = kept[#kept + 1 - k] end
  return ascending[(#kept - 1) // 2 + 1]
end

function P:weights(s)
  local T = #s.tasks
  local values, V = linalg.eigensym(s.gram)         -- ascending; columns of V are eigenvectors
  local tolerance = values[T] * T * FLOAT32_EPS
  if not (values[T] > 0) then
    log("aligned_singular", 1)
    return { shared = n.fill(T, 1), heads = self.heads }
  end
  local kept, columns = {}, {}
  for k = T, 1, -1 do
    if values[k] > tolerance then
      kept[#kept + 1] = values[k]
      columns[#columns + 1] = k
    end
  end
  local sigma = math.sqrt(scale_squared(kept, self.scale_mode))

  -- α_i = (B·1)_i = σ̂ Σ_k V_ik (Σ_j V_jk) / σ_k.
  local alpha, total = {}, 0
  for i = 1, T do
    local a = 0
    for m = 1, #kept do
      local k = columns[m]
      local column_sum = 0
      for j = 1, T do column_sum = column_sum + V[j][k] end
      a = a + V[i][k] * column_sum / math.sqrt(kept[m])
    end
    alpha[i] = sigma * a
    total = total + alpha[i]
  end

  local clipped, negative = n.clip_negative(alpha)
  if negative then
    if not self.clip_negative then
      log("aligned_negative", 1)
    else
      log("aligned_clipped", 1)
      alpha = (total > 0 and n.sum(clipped) > 0) and n.normalise(clipped, total) or clipped
    end
  end
  return { shared = alpha, heads = self.heads }
end

return P
