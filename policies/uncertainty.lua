--- Homoscedastic uncertainty weighting.
-- Kendall, Gal, Cipolla, "Multi-Task Learning Using Uncertainty to Weigh Losses for Scene Geometry and
-- Semantics", CVPR 2018 (the DTP paper's "Homoscedastic Uncertainty" baseline, Table 1).
--
-- Formula: each task has a learned log-variance s_t = log σ_t² and the loss is
--     L = Σ_t ½ e^(−s_t) L_t + ½ s_t              (Eq. 7 with 1/(2σ²) and log σ = ½ s, for every task)
--   so the weight on L_t is w_t = ∂L/∂L_t = ½ e^(−s_t), and s_t follows its own gradient
--     ∂L/∂s_t = −½ e^(−s_t) L_t + ½,   zero at s_t = log L_t  (for a steady loss, w_t → 1 / (2 L_t)).
-- Each call: the weights come from the current s; then s takes one optimiser step with this step's
-- losses — as in the usual implementation, where s is a parameter updated by the same backward pass as
-- the network, so the step's weighted loss uses s from before the update.
--
-- Variants in use: the paper writes 1/σ² (not 1/(2σ²)) for classification; the authors' reference
-- notebook (Gal, multi-task-learning-example) uses Σ e^(−s) L + s, i.e. 2 × the loss above. Both share
-- the minimiser s = log L; their weights are twice ours, which is a change of learning rate only.
-- We keep ½ for every task, as LibMTL's UW does, so tasks of every kind are treated alike and the
-- stationary weight is 1 / (2 L_t). LibMTL starts s at −0.5; the reference notebook at 0 (our default).
--
-- Needs:     losses only.
-- Options:   initial_log_variance = 0   s_t at the start, for every task (σ² = 1)
--            optimizer = "adam"          "adam" or "sgd", for s (implementations train s with the
--                                        network's optimizer, most often Adam)
--            lr = 0                      step size for s; 0 = the trainer's learning rate at each step
--                                        (s.lr), as when s is one more parameter of the model
--            beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8   Adam's constants (Kingma & Ba's defaults)
-- Logs:      "log_variance.<task>": s_t after the update.

local optimizers = require("optimizers")

local P = {
  name = "uncertainty",
  needs = {},
  defaults = {
    initial_log_variance = 0.0, optimizer = "adam", lr = 0.0,
    beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8,
  },
}

function P:init(ctx)
  local T = #ctx.tasks
  assert(self.optimizer == "adam" or self.optimizer == "sgd", "uncertainty: optimizer must be \"adam\" or \"sgd\"")
  assert(self.lr >= 0, "uncertainty: lr must be ≥ 0 (0 = the trainer's learning rate)")
  assert(math.abs(self.initial_log_variance) < 700, "uncertainty: initial_log_variance must be in (−700, 700)")
  assert(self.beta1 >= 0 and self.beta1 < 1 and self.beta2 >= 0 and self.beta2 < 1,
         "uncertainty: beta1 and beta2 must be in [0, 1)")
  assert(self.epsilon > 0, "uncertainty: epsilon must be > 0")
  self.s = {}
  for t = 1, T do self.s[t] = self.initial_log_variance end
  self.opt = optimizers.optimizer(self.optimizer, T, self.beta1, self.beta2, self.epsilon)
  self.names = {}
  for t = 1, T do self.names[t] = "log_variance." .. ctx.tasks[t] end
end

function P:weights(s)
  local T, w, grad = #s.tasks, {}, {}
  for t = 1, T do
    local precision = math.exp(-self.s[t])
    w[t] = 0.5 * precision
    grad[t] = 0.5 - 0.5 * precision * s.loss[t]
  end
  self.s = optimizers.step(self.opt, self.s, grad, self.lr > 0 and self.lr or s.lr)
  for t = 1, T do log(self.names[t], self.s[t]) end
  return w
end

return P
