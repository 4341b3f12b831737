---@meta
-- LuaLS / LuaCATS annotations of Fulcrum's policy API, so an editor completes `s.` and `ctx.` and
-- checks what a policy returns. Not loaded at run time (`---@meta`).

---@alias fulcrum.Signal "kpi"|"val_kpi"|"val_loss"|"grad_norm"|"gram"|"rep_gram"|"example_loss"|"val_align"|"grad_ema_gram"|"adagrad_norm2"|"prediction_gain"

---What a policy knows before the first step.
---@class fulcrum.Context
---@field tasks string[]            task names, in manifest order
---@field kinds string[]            per task: "classification" | "binary" | "regression" | "segmentation" | "detection" | "keypoints"
---@field options table<string, number|boolean|string|number[]> defaults merged with the manifest's
---@field total_steps integer
---@field steps_per_epoch integer
---@field seed integer              the run's seed (random() is already seeded from it)
---@field memory? fulcrum.MemoryRecord[] read-only: what earlier generations remembered, by generation, seed, run (memory = true)
---@field generation? integer       this run's generation, from 1 (memory = true)
---@field generations? integer      the manifest entry's generations (memory = true)

---One earlier run's memory: what its P:finish returned.
---@class fulcrum.MemoryRecord
---@field generation integer
---@field seed integer
---@field run string                its run id
---@field value any                 numbers, booleans, strings and tables, as finish returned them

---How a run ended, for P:finish (validation only: the test split is the report's).
---@class fulcrum.Result
---@field steps integer             steps trained (the diverged step, if it diverged)
---@field diverged boolean
---@field diverged_step? integer
---@field val_step? integer         the step of the last validation evaluation
---@field val_kpi? number[]         its KPIs per task
---@field val_loss? number[]        its losses per task

---What a policy sees at every step. `s` and its arrays are refilled in place from step to step:
---copy what you keep (`{ table.unpack(s.loss) }`), do not keep `s.loss` itself.
---@class fulcrum.Signals
---@field tasks string[]
---@field step integer              from 1
---@field epoch integer             from 1
---@field progress number           fraction of training done before this step (0 at step 1)
---@field lr number                 this step's learning rate
---@field loss number[]             this batch's unweighted losses
---@field initial_loss number[]     the first step's losses
---@field weights number[]          the shared weights applied at the previous step (1 at step 1)
---@field kpi? number[]             this batch's KPIs in [0, 1] (needs "kpi")
---@field val_kpi? number[]         latest validation KPIs (needs "val_kpi")
---@field val_loss? number[]        latest validation losses (needs "val_loss")
---@field grad_norm? number[]       ‖∇L_t‖ on the shared parameters or the last shared layer (needs "grad_norm")
---@field gram? number[][]          ⟨∇L_t, ∇L_u⟩ on the shared parameters (needs "gram")
---@field rep_gram? number[][]      the same at the shared representation (needs "rep_gram")
---@field example_loss? number[][]  example_loss[t][i]: example i's loss on task t, B per task (needs "example_loss")
---@field val_align? number[]       ⟨∇L_val, ∇L_t⟩ on the shared parameters, L_val = Σ_t L_t on a validation
---                                 batch; only at steps 1, 1 + k, … (k = option val_align_every), else nil (needs "val_align")
---@field grad_ema_gram? number[][] ⟨ḡ_t, ḡ_u⟩ of the per-task gradients' moving averages (β = option grad_ema_beta;
---                                 of ∇ log L_t when option grad_ema_log is true) (needs "grad_ema_gram")
---@field adagrad_norm2? number[]   Σ_j g_tj² / √(h_tj + 1e-7), h_t the running sum of g_t² (needs "adagrad_norm2")
---@field prediction_gain? number[] the previous batch's loss before minus after the previous update, evaluation
---                                 mode; nil at step 1 (needs "prediction_gain")

---One weight ≥ 0 per task, or shared-trunk coefficients (finite, of either sign) and head weights (≥ 0) apart;
---either may carry `examples[t]`, B weights ≥ 0 for task t's examples (its loss becomes (1/B) Σ_i v_i ℓ_ti).
---@alias fulcrum.Answer number[]|{ shared: number[], heads: number[], examples?: (number[]|nil)[] }

---The table a policy file returns.
---@class fulcrum.Policy
---@field name string
---@field needs? fulcrum.Signal[]|fun(options: table): fulcrum.Signal[]   a function for combinators, called once with the options
---@field defaults? table<string, number|boolean|string|number[]>
---@field grad_norm_scope? "shared"|"last_shared_layer"
---@field memory? boolean           true: ctx.memory in init, and finish's answer is remembered across runs
---@field init? fun(self: table, ctx: fulcrum.Context)
---@field weights fun(self: table, s: fulcrum.Signals): fulcrum.Answer
---@field finish? fun(self: table, ctx: fulcrum.Context, result: fulcrum.Result): any   after the run (memory = true only)

---Records a custom series for the report (a finite number per call).
---@param name string
---@param value number
function log(name, value) end

---A uniform number from the run's seeded generator: random() in [0, 1), random(m) in 1..m, random(m, n) in m..n.
---@param m? integer
---@param n? integer
---@return number
function random(m, n) end

---Loads policies/lib/NAME.lua (dots are folders) once and returns what it returns.
---@param name string
---@return any
function require(name) end

---Loads policies/NAME.lua (beside the policy) and returns a fresh copy of its policy table (for combinators).
---@param name string
---@return fulcrum.Policy
function load_policy(name) end
