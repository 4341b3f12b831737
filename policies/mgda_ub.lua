--- MGDA-UB: MGDA on the gradients at the shared representation (the paper's upper bound).
-- Sener, Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018 (§3.3, Theorem 1,
-- Eq. 4, Algorithm 2 with the approximation; `use_approximation` in the authors' code).
--
-- Formula: as policies/mgda.lua with the gradients ∇_Z L_t at the shared representation Z = g(x; θ_sh)
-- in place of ∇_{θ_sh} L_t:
--   α* = argmin_{α ∈ Δ} ‖Σ_t α_t ẑ_t‖²   with ẑ_t = ∇_Z L_t / n_t,  Δ = { α_t ≥ 0, Σ_t α_t = 1 }
--   shared trunk:  Σ_t w_t ∇_{θ_sh} L_t  with  w_t = α*_t / n_t;   each head: its own gradient (h_t = 1)
-- Since ‖Σ_t α_t ∇_θ L_t‖ ≤ ‖∂Z/∂θ‖·‖Σ_t α_t ∇_Z L_t‖, minimising the right-hand side minimises an upper
-- bound of MGDA's objective with one backward pass per task through the heads only. Its optimum makes the
-- step a descent direction for every task when ∂Z/∂θ has full rank (Theorem 1).
-- n_t (from rep_gram): "none": 1, "l2": ‖∇_Z L_t‖, "loss": L_t, "loss+": L_t·‖∇_Z L_t‖, as the authors'
-- gradient_normalizers applied to the representation gradients. Solved exactly (lib/mgda_weights.lua,
-- shared with policies/mgda.lua). Scale, heads and logs as in mgda.lua: Σ_t α*_t = 1 (shared weights sum
-- to 1 with "none", to Σ_t α*_t / n_t otherwise), weights ≥ 0 by construction, `min_norm` logged,
-- and `solver_fallback` / `solver_limit` when projected gradient answers (qp.log_fallback).
--
-- Needs:     rep_gram (inner products of the per-task gradients at the shared representation).
-- Options:   normalization = "loss+"  "none" | "l2" | "loss" | "loss+": n_t above; the default is the
--                                     authors' sample.json, which runs MGDA-UB (use_approximation = true)
--            scale_back = true        true: w_t = α*_t / n_t (as LibMTL); false: w_t = α*_t, the scales the
--                                     authors' train_multi_task.py puts on the raw losses

local mgda_weights = require("mgda_weights")
local n = require("numeric")
local qp = require("qp")

local P = {
  name = "mgda_ub",
  needs = { "rep_gram" },
  defaults = { normalization = "loss+", scale_back = true },
}

function P:init(ctx)
  assert(mgda_weights.NORMALIZATIONS[self.normalization],
         "mgda_ub: normalization must be \"none\", \"l2\", \"loss\" or \"loss+\", got \"" .. tostring(self.normalization) .. "\"")
  self.heads = n.fill(#ctx.tasks, 1)
end

function P:weights(s)
  -- warm-started from the previous step's support (the library's fresh array, not part of s)
  local w, _, norm, support, how = mgda_weights.weights(s.rep_gram, s.loss, self.normalization, self.scale_back, self.support)
  self.support = support
  log("min_norm", norm)
  qp.log_fallback(how)
  return { shared = w, heads = self.heads }
end

return P
