--- FAMO: Fast Adaptive Multitask Optimization.
-- Liu, Feng, Stone, Liu, "FAMO: Fast Adaptive Multitask Optimization", NeurIPS 2023 (§3, Algorithm 1);
-- reference code: github.com/Cranial-XIX/FAMO, famo.py (and LibMTL's weighting/FAMO.py, adapted from it).
--
-- Formula:
--   z = softmax(ξ)                                  task logits ξ, starting at 0
--   w_t = c · z_t / L_t,   c = (Σ_u z_u / L_u)⁻¹    the step follows Σ_t z_t ∇log L_t, rescaled (Σ_t w_t = 1)
-- and before each step's weights, from the losses of the previous and this step:
--   δ_t = log L_t(prev) − log L_t(now)              how much each task's log loss fell
--   ∇ = ∇_ξ (zᵀδ) + γ ξ = z ⊙ (δ − zᵀδ) + γ ξ       (the softmax Jacobian is diag(z) − z zᵀ)
--   ξ ← ξ − β · ∇                                   descending moves z toward the tasks that fell least
-- The reference code takes that step with Adam (torch.optim.Adam(lr = β, weight_decay = γ): the γ ξ term
-- is added to the gradient, moments 0.9 / 0.999, ε = 1e-8, bias-corrected), which is the default here;
-- optimizer = "sgd" is the plain step of the paper's Algorithm 1. Losses enter as L_t + 1e-8, as in the
-- code (its minimum losses L*_t are 0 unless set; not an option here).
-- One difference: the code measures L(now) on the SAME batch after the parameter step (an extra forward
-- pass); the trainer gives this policy one loss per batch, so δ compares the losses of consecutive
-- steps (different batches: noisier, no extra pass), and the first step leaves ξ at 0. Gradient-norm
-- clipping (the code's max_norm) belongs to the trainer, not to the weights.
--
-- Needs:     losses only.
-- Options:   lr = 0.025          β, the step size of the logits ξ (the code's w_lr; paper and code: 0.025)
--            gamma = 0.01        γ ≥ 0, the decay of ξ toward 0 (famo.py and the code's experiments
--                                default 0.01; LibMTL and the QM9 script use 0.001)
--            optimizer = "adam"  "adam" (the reference code) or "sgd" (the paper's Algorithm 1)
-- Logs:      logit1 … logitT — ξ after this step's update.

local n = require("numeric")
local optimizers = require("optimizers")

local P = {
  name = "famo",
  needs = {},
  defaults = { lr = 0.025, gamma = 0.01, optimizer = "adam" },
}

local EPSILON = 1e-8               -- added to the losses, as the reference

function P:init(ctx)
  assert(self.lr > 0, "famo: lr must be > 0")
  assert(self.gamma >= 0, "famo: gamma must be ≥ 0")
  assert(self.optimizer == "adam" or self.optimizer == "sgd", 'famo: optimizer must be "adam" or "sgd"')
  local T = #ctx.tasks
  self.xi = n.fill(T, 0)
  self.opt = optimizers.optimizer(self.optimizer, T)   -- Adam's moments 0.9 / 0.999, ε = 1e-8: torch's defaults
  self.previous = nil
  self.log_names = {}
  for t = 1, T do self.log_names[t] = "logit" .. t end
end

-- ξ ← ξ − β · ∇, ∇ = z ⊙ (δ − zᵀδ) + γ ξ, taken by the chosen optimiser.
function P:update(delta)
  local xi = self.xi
  local z = n.softmax(xi)
  local mean = n.dot(z, delta)
  local gradient = {}
  for t = 1, #delta do gradient[t] = z[t] * (delta[t] - mean) + self.gamma * xi[t] end
  self.xi = optimizers.step(self.opt, xi, gradient, self.lr)
end

function P:weights(s)
  local T, loss = #s.tasks, s.loss
  if self.previous then
    local delta = {}
    for t = 1, T do delta[t] = math.log(self.previous[t] + EPSILON) - math.log(loss[t] + EPSILON) end
    self:update(delta)
  end
  self.previous = n.copy(loss)

  local z = n.softmax(self.xi)
  local w, total = {}, 0
  for t = 1, T do
    w[t] = z[t] / (loss[t] + EPSILON)
    total = total + w[t]
  end
  for t = 1, T do
    w[t] = w[t] / total
    log(self.log_names[t], self.xi[t])
  end
  return w
end

return P
