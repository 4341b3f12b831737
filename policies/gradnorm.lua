--- GradNorm: gradient normalisation for adaptive loss balancing.
-- Chen, Badrinarayanan, Lee, Rabinovich, "GradNorm: Gradient Normalization for Adaptive Loss Balancing
-- in Deep Multitask Networks", ICML 2018, §3 and Algorithm 1.
--
-- Formula, with W the last shared layer and n_t = ‖∇_W L_t‖ (s.grad_norm, of the unweighted loss):
--   G_t  = w_t n_t                      the weighted task's gradient norm on W
--   Ḡ    = mean_t G_t
--   L̃_t  = L_t / L_t(0),  r_t = L̃_t / mean_u L̃_u     relative inverse training rate
--   L_grad = Σ_t |G_t − Ḡ r_t^α|        with the target Ḡ r_t^α treated as a constant (§3.2)
--   ∂L_grad/∂w_t = sign(G_t − Ḡ r_t^α) · n_t
--   w_t ← max(w_t − lr · ∂L_grad/∂w_t, 1e-4),  then  w ← T · w / Σ_u w_u   (renormalised each step, §3.2)
-- The weights start at 1. Each call returns the current weights, then updates them from this step's
-- signals (the update uses G computed with the weights just returned, as in Algorithm 1, where w(t+1)
-- is set after the step trained on w(t)). The floor keeps a weight from reaching 0 or going negative.
--
-- Needs:     grad_norm, on the last shared layer (grad_norm_scope = "last_shared_layer"), as the paper
--            applies GradNorm to the last shared layer to keep it cheap.
-- Options:   alpha = 1.5   the asymmetry α ≥ 0: how strongly tasks are pulled back to a common training
--                          rate. The paper tunes α per experiment (0.12 on its synthetic regression
--                          example, 1.5 on NYUv2); 1.5 is also LibMTL's default.
--            lr = 0.025    SGD step size for the weights (the value used for w in the paper's experiments).
-- Logs:      "l_grad": L_grad at this step (before the update).

local P = {
  name = "gradnorm",
  needs = { "grad_norm" },
  grad_norm_scope = "last_shared_layer",
  defaults = { alpha = 1.5, lr = 0.025 },
}

local FLOOR = 1e-4   -- smallest weight before renormalising
local TINY = 1e-12   -- guards L_t(0) = 0

function P:init(ctx)
  assert(self.alpha >= 0, "gradnorm: alpha must be ≥ 0")
  assert(self.lr >= 0, "gradnorm: lr must be ≥ 0")
  self.w = {}
  for t = 1, #ctx.tasks do self.w[t] = 1.0 end
end

function P:weights(s)
  local T, w = #s.tasks, self.w
  local answer = {}
  for t = 1, T do answer[t] = w[t] end

  local G, ratio, meanG, meanRatio = {}, {}, 0, 0
  for t = 1, T do
    G[t] = w[t] * s.grad_norm[t]
    ratio[t] = s.loss[t] / math.max(s.initial_loss[t], TINY)
    meanG = meanG + G[t] / T
    meanRatio = meanRatio + ratio[t] / T
  end
  local lgrad, updated, total = 0, {}, 0
  for t = 1, T do
    local r = meanRatio > 0 and ratio[t] / meanRatio or 1
    local gap = G[t] - meanG * r ^ self.alpha
    lgrad = lgrad + math.abs(gap)
    local sign = gap > 0 and 1 or (gap < 0 and -1 or 0)
    updated[t] = math.max(w[t] - self.lr * sign * s.grad_norm[t], FLOOR)
    total = total + updated[t]
  end
  for t = 1, T do w[t] = T * updated[t] / total end
  log("l_grad", lgrad)
  return answer
end

return P
