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
--   w ← optimiser step on w with ∂L_grad/∂w,  then  w ← T · w / Σ_u w_u   (renormalised each step, §3.2)
-- L_grad would be 0 where every G_t equals its target: w_t ∝ r_t^α / n_t, scaled to Σ w = T. Averaging
-- G_t = Ḡ r_t^α over t shows that point is exact only when mean_t r_t^α = 1 — for α = 0 and α = 1, as
-- r has mean 1; for other α (Jensen) it is off by the factor mean_t r_t^α, close to 1 when α is small
-- or the r_t are close, and it is the point the weights settle around when the signals hold still.
-- The optimiser is Adam, as in the paper (which states that all its optimizers are Adam, so its
-- learning rate 0.025 for w is an Adam rate) and in the public ports (brianlan/pytorch-grad-norm,
-- train.py, puts w in the network's Adam). Adam's step is about lr whatever the scale of n_t; plain SGD
-- moves w_t by lr · n_t, so with gradient norms spread over two orders of magnitude its steps are too
-- large for the tasks whose weight must be small and too small for the others.
-- The weights start at 1. Each call returns the current weights, then updates them from this step's
-- signals (the update uses G computed with the weights just returned, as in Algorithm 1, where w(t+1)
-- is set after the step trained on w(t)). A weight that a step would take to 0 or below is held at a
-- tiny positive value (1e-6) before renormalising: a guard only, not part of the method.
--
-- Needs:     grad_norm, on the last shared layer (grad_norm_scope = "last_shared_layer"), as the paper
--            applies GradNorm to the last shared layer to keep it cheap.
-- Options:   alpha = 1.5         the asymmetry α ≥ 0: how strongly tasks are pulled back to a common
--                                training rate. The paper tunes α per experiment (0.12 on its synthetic
--                                regression example, 1.5 on NYUv2); 1.5 is also LibMTL's default.
--            lr = 0.025          step size for w (the paper's value for w, an Adam rate)
--            optimizer = "adam"  "adam" (Kingma & Ba's defaults β = (0.9, 0.999), ε = 1e-8) or "sgd"
--                                (w_t ← w_t − lr · ∂L_grad/∂w_t: this policy's update before issue 16,
--                                kept to compare)
-- Logs:      "l_grad": L_grad at this step (before the update).

local optimizers = require("optimizers")

local P = {
  name = "gradnorm",
  needs = { "grad_norm" },
  grad_norm_scope = "last_shared_layer",
  defaults = { alpha = 1.5, lr = 0.025, optimizer = "adam" },
}

local GUARD = 1e-6   -- smallest weight before renormalising: keeps w positive, nothing more
local TINY = 1e-12   -- guards L_t(0) = 0

function P:init(ctx)
  assert(self.alpha >= 0, "gradnorm: alpha must be ≥ 0")
  assert(self.lr >= 0, "gradnorm: lr must be ≥ 0")
  assert(self.optimizer == "adam" or self.optimizer == "sgd", "gradnorm: optimizer must be \"adam\" or \"sgd\"")
  self.w = {}
  for t = 1, #ctx.tasks do self.w[t] = 1.0 end
  self.opt = optimizers.optimizer(self.optimizer, #ctx.tasks)
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
  local lgrad, grad = 0, {}
  for t = 1, T do
    local r = meanRatio > 0 and ratio[t] / meanRatio or 1
    local gap = G[t] - meanG * r ^ self.alpha
    lgrad = lgrad + math.abs(gap)
    grad[t] = (gap > 0 and 1 or (gap < 0 and -1 or 0)) * s.grad_norm[t]
  end
  local stepped, total = optimizers.step(self.opt, w, grad, self.lr), 0
  for t = 1, T do
    stepped[t] = math.max(stepped[t], GUARD)
    total = total + stepped[t]
  end
  for t = 1, T do w[t] = T * stepped[t] / total end
  log("l_grad", lgrad)
  return answer
end

return P
