--- MGDA: Multiple Gradient Descent, on the per-task gradients of the shared parameters.
-- Sener, Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018 (§3.1, Eq. 3,
-- Algorithm 2 without the representation bound); Désidéri, "Multiple-gradient descent algorithm (MGDA)
-- for multiobjective optimization", Comptes Rendus Mathématique 350, 2012.
--
-- Formula:
--   α* = argmin_{α ∈ Δ} ‖Σ_t α_t ĝ_t‖²   with ĝ_t = g_t / n_t,  Δ = { α_t ≥ 0, Σ_t α_t = 1 }
--   shared trunk:  Σ_t α*_t ĝ_t = Σ_t w_t g_t  with  w_t = α*_t / n_t;   each head: its own gradient (h_t = 1)
-- n_t is the authors' gradient normaliser (min_norm_solvers.py: gradient_normalizers; not in the paper):
--   "none": 1    "l2": ‖g_t‖    "loss": L_t    "loss+": L_t·‖g_t‖      (‖g_t‖ = √gram[t][t])
-- α* is computed exactly from the Gram of the ĝ_t (lib/qp.lua: min_norm, an active-set method warm-
-- started from the previous step's support), not with the authors' Frank–Wolfe / projected-gradient
-- iterations (250 at most, and their 2-task step is clipped to [0.001, 0.999]).
-- Scale: Σ_t α*_t = 1, so with "none" the shared weights sum to 1 — the step is the min-norm element
-- itself, as in the paper (equal weighting's Σ_t g_t is T times a convex combination); with a normaliser
-- they sum to Σ_t α*_t / n_t. The weights are ≥ 0 by construction. Heads keep weight 1 as in Algorithm 2
-- (the authors' code also scales the heads' losses by α). A task with n_t = 0 (zero gradient or loss)
-- has no normalised gradient: it is left out of the problem and gets weight 0.
-- Logs `min_norm` = ‖Σ_t α*_t ĝ_t‖ (0 at a Pareto-stationary point, where MGDA stops moving).
-- When the exact solver gives up and projected gradient answers, logs `solver_fallback` = 1 (and
-- `solver_limit` = 1 if that stopped at its iteration cap): qp.log_fallback.
--
-- Needs:     gram (inner products of the per-task gradients on the shared parameters).
-- Options:   normalization = "loss+"  "none" | "l2" | "loss" | "loss+": n_t above; the default is the
--                                     authors' sample.json (LibMTL's default is "none")
--            scale_back = true        true: w_t = α*_t / n_t, the min-norm direction of the normalised
--                                     gradients (as LibMTL applies it); false: w_t = α*_t, the scales the
--                                     authors' train_multi_task.py puts on the raw losses

local mgda_weights = require("mgda_weights")
local n = require("numeric")
local qp = require("qp")

local P = {
  name = "mgda",
  needs = { "gram" },
  defaults = { normalization = "loss+", scale_back = true },
}

function P:init(ctx)
  assert(mgda_weights.NORMALIZATIONS[self.normalization],
         "mgda: normalization must be \"none\", \"l2\", \"loss\" or \"loss+\", got \"" .. tostring(self.normalization) .. "\"")
  self.heads = n.fill(#ctx.tasks, 1)
end

function P:weights(s)
  -- warm-started from the previous step's support (the library's fresh array, not part of s)
  local w, _, norm, support, how = mgda_weights.weights(s.gram, s.loss, self.normalization, self.scale_back, self.support)
  self.support = support
  log("min_norm", norm)
  qp.log_fallback(how)
  return { shared = w, heads = self.heads }
end

return P
