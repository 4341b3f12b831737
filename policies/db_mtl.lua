--- DB-MTL: dual balancing of loss scales and gradient magnitudes.
-- Lin, Jiang, Ye, Zhang, Chen, Chen, Liu, Kwok, "Dual-Balancing for Multi-Task Learning",
-- arXiv 2308.12029 (2023); defaults from LibMTL's DB_MTL (DB_beta = 0.9, DB_beta_sigma = 0).
--
-- Formula:
--   loss-scale balancing:       train on log L_t, whose gradient is ∇L_t / L_t
--   gradient-magnitude balancing: ĝ_t ← β ĝ_t + (1 − β) ∇ log L_t (from ĝ_t = 0),
--                                 α_t = max_u ‖ĝ_u‖ / ‖ĝ_t‖,   update Σ_t α_t ĝ_t
-- ‖ĝ_t‖ = √(grad_ema_gram[t][t]): the trainer keeps the averages of ∇ log L_t (grad_ema_log = true).
-- The answer weights this step's gradients: shared_t = α_t / L_t, heads_t = 1 / L_t, so the trunk
-- takes Σ_t α_t ∇ log L_t — every task's log-loss gradient scaled to the largest averaged norm — and
-- each head its own ∇ log L_t, as in LibMTL, where heads get the plain log-loss gradients. It differs
-- from DB-MTL in the direction only: DB-MTL steps along the averages ĝ_t, this file along this step's
-- gradients with DB-MTL's α (the optimiser's own moving average, Adam's β₁, then smooths it once
-- instead of twice). A zero average gives α_t = 1 for that task (LibMTL: α = max/(‖ĝ‖ + 10⁻⁸)).
--
-- Needs:     grad_ema_gram (the trainer's moving averages of the per-task gradients, shared parameters).
-- Options:   grad_ema_beta = 0.9      β of the averages (read by the host; LibMTL's DB_beta)
--            grad_ema_log = true      average ∇ log L_t (read by the host; must stay true for DB-MTL)
--            epsilon = 1e-8           added to L_t inside the log, as LibMTL's log(L + 10⁻⁸)
-- Logs:      "alpha.<task>": α_t.

local P = {
  name = "db_mtl",
  needs = { "grad_ema_gram" },
  defaults = { grad_ema_beta = 0.9, grad_ema_log = true, epsilon = 1e-8 },
}

function P:init(ctx)
  assert(self.grad_ema_log, "db_mtl: grad_ema_log must be true (DB-MTL averages the log-loss gradients)")
  assert(self.epsilon >= 0, "db_mtl: epsilon must be ≥ 0")
  self.tasks = ctx.tasks
end

function P:weights(s)
  local G, T = s.grad_ema_gram, #s.tasks
  local norms, largest = {}, 0.0
  for t = 1, T do
    norms[t] = math.sqrt(math.max(G[t][t], 0))
    largest = math.max(largest, norms[t])
  end
  local shared, heads = {}, {}
  for t = 1, T do
    local alpha = norms[t] > 0 and largest / norms[t] or 1.0
    local inverse = 1 / (s.loss[t] + self.epsilon)
    shared[t], heads[t] = alpha * inverse, inverse
    log("alpha." .. self.tasks[t], alpha)
  end
  return { shared = shared, heads = heads }
end

return P
