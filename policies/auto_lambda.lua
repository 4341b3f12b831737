--- First-order Auto-λ: task weights that follow the validation loss's gradient.
-- Liu, Liang, Zhao, Davison, "Auto-Lambda: Disentangling Dynamic Task Relationships", TMLR 2022.
--
-- Formula: Auto-λ chooses λ to lower the validation loss after one training step:
--   λ ← λ − η ∂/∂λ L_val(θ − α Σ_t λ_t ∇L_t(θ)),
--   ∂/∂λ_t L_val(θ − α Σ_u λ_u ∇L_u) = −α ⟨∇L_val(θ'), ∇L_t(θ)⟩,  θ' the look-ahead parameters.
-- This file takes the first-order form: ∇L_val at θ instead of θ' (no look-ahead step, so no
-- second-order term through θ'), which is the `val_align` signal a_t = ⟨∇L_val(θ), ∇L_t(θ)⟩ over the
-- shared parameters with L_val = Σ_t L_t on a validation batch (every task a primary task, as in
-- Auto-λ's "all tasks" setting). The ascent step, projected to keep the weights on T × the simplex:
--   w ← Π_{w ≥ 0, Σ w = T}( w + η · a / rms(a) )
-- The raw a_t carry the squared scale of the gradients (and Auto-λ's α folds in the learning rate);
-- dividing by rms(a) = √(Σ a_t² / T) makes η a step in weight units (normalise = false takes η · a as
-- written). What it approximates: Auto-λ's meta-gradient to first order in α, without the look-ahead,
-- measured every k steps (k = val_align_every) on one validation batch; between measurements the
-- weights stay. Auto-λ itself updates λ with Adam on the exact meta-gradient each step.
--
-- Needs:     val_align.
-- Options:   eta = 0.05               η, the step per measurement (in weight units when normalised)
--            normalise = true         divide a by its root mean square (scale-free); false: raw a
--            val_align_every = 10     k: measure val_align at steps 1, 1 + k, … (the host reads it)
-- Logs:      "weight.<task>": w_t after the update (at the steps it changes).

local qp = require("qp")

local P = {
  name = "auto_lambda",
  needs = { "val_align" },
  defaults = { eta = 0.05, normalise = true, val_align_every = 10 },
}

function P:init(ctx)
  assert(self.eta > 0, "auto_lambda: eta must be > 0")
  self.tasks = ctx.tasks
  self.w = {}
  for t = 1, #ctx.tasks do self.w[t] = 1.0 end
end

function P:weights(s)
  local a, T = s.val_align, #s.tasks
  if a then
    local scale = 1.0
    if self.normalise then
      local squares = 0.0
      for t = 1, T do squares = squares + a[t] * a[t] end
      local rms = math.sqrt(squares / T)
      scale = rms > 0 and 1 / rms or 0
    end
    local moved = {}
    for t = 1, T do moved[t] = self.w[t] + self.eta * scale * a[t] end
    self.w = qp.project(moved, T)
    for t = 1, T do log("weight." .. self.tasks[t], self.w[t]) end
  end
  return { table.unpack(self.w) }
end

return P
