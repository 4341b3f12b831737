--- Nash-MTL: multi-task learning as a bargaining game.
-- Navon, Shamsian, Achituve, Maron, Kawaguchi, Chechik, Fetaya, "Multi-Task Learning as a Bargaining
-- Game", ICML 2022, §3 (Theorem 3.2, Algorithm 1); reference implementation AvivNavon/nash-mtl,
-- methods/weight_methods.py (class NashMTL).
--
-- Formula: the Nash bargaining solution is Δθ = Σ_t α_t g_t with α > 0 solving
--   (Ĝ α)_t = 1 / α_t   for every t,        Ĝ = G / ‖G‖_F
-- (G the Gram matrix of the task gradients; the reference divides it by its Frobenius norm,
-- `GTG / torch.norm(GTG)`, which makes α independent of the gradients' scale). α is the minimiser of the
-- strictly convex φ(α) = ½ αᵀĜα − Σ_t log α_t, found here by Newton's method with a positivity-keeping
-- line search to |α_t (Ĝα)_t − 1| ≤ 1e-12 (linalg.alpha_fair with α = 1). The reference instead runs
-- at most 20 sequential convex approximations (cvxpy/ECOS) and stops at ‖Ĝα − 1/α‖ < 1e-3: the same
-- target, reached less exactly.
-- Then, as the reference does after the backward pass, the shared gradient is clipped to max_norm:
--   shared = α · min(1, max_norm / ‖Σ_t α_t g_t‖),   ‖Σ α_t g_t‖ = √(αᵀGα)  (raw G).
-- The answer is { shared = …, heads = 1 }: the heads keep their own gradients, as the paper's Algorithm 1
-- updates only the shared θ. (The reference backpropagates Σ α_t L_t, so its heads get α_t g_t:
-- weight_heads = true does that.)
-- No solution: when a non-negative combination of the gradients vanishes (a zero gradient, opposite
-- gradients, Ĝ singular in a positive direction) the bargaining problem has no solution; the previous
-- α is kept (ones before any; as the reference does when its solver fails) and nash_unsolved = 1 logged.
--
-- Needs:     gram (on the shared parameters).
-- Options:   max_norm = 1.0        clip the shared gradient's norm to this; 0 = no clipping
--                                  (reference: NashMTL(max_norm = 1.0), which its experiments keep)
--            update_every = 1      recompute α every this many steps and reuse it in between
--                                  (reference: update_weights_every = 1, --update-weights-every)
--            weight_heads = false  true: heads get α_t g_t (the unclipped α), as in the reference code

local n = require("numeric")
local linalg = require("linalg")

local P = {
  name = "nash_mtl",
  needs = { "gram" },
  defaults = { max_norm = 1.0, update_every = 1, weight_heads = false },
}

function P:init(ctx)
  assert(self.max_norm >= 0, "nash_mtl: max_norm must be ≥ 0 (0 = no clipping)")
  assert(self.update_every >= 1 and self.update_every == math.floor(self.update_every),
    "nash_mtl: update_every must be a whole number ≥ 1")
  self.alpha = n.fill(#ctx.tasks, 1)
  self.solved = false     -- whether self.alpha is a bargaining solution (warm start for the next one)
  self.calls = 0
  self.ones = n.fill(#ctx.tasks, 1)
end

-- The bargaining weights for this step's Gram matrix, or nil when there are none.
local function bargain(G, start)
  local T, frobenius = #G, 0
  for i = 1, T do
    for j = 1, T do frobenius = frobenius + G[i][j] * G[i][j] end
  end
  frobenius = math.sqrt(frobenius)
  if not (frobenius > 0) then return nil end
  local normalised = {}
  for i = 1, T do
    normalised[i] = {}
    for j = 1, T do normalised[i][j] = G[i][j] / frobenius end
  end
  return (linalg.alpha_fair(normalised, 1, start))
end

function P:weights(s)
  if self.calls % self.update_every == 0 then
    local alpha = bargain(s.gram, self.solved and self.alpha or nil)
    if alpha then
      self.alpha, self.solved = alpha, true
    else
      log("nash_unsolved", 1)
    end
  end
  self.calls = self.calls + 1

  local shared = self.alpha
  if self.max_norm > 0 then
    local norm = math.sqrt(math.max(n.quadratic(s.gram, self.alpha), 0))
    if norm > self.max_norm then
      local scale = self.max_norm / norm
      shared = {}
      for t = 1, #self.alpha do shared[t] = self.alpha[t] * scale end
    end
  end
  return { shared = n.copy(shared), heads = self.weight_heads and n.copy(self.alpha) or self.ones }
end

return P
