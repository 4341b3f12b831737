/// Everything the trainer tells a policy at one step (the `s` of the policy API). Arrays are in task
/// order. Optional signals are present only when the policy's `needs` asked for them.
public struct StepSignals: Sendable, Equatable {
    public var tasks: [String]
    /// 1-based step and epoch; `progress` is the fraction of training done before this step.
    public var step: Int
    public var epoch: Int
    public var progress: Double
    public var learningRate: Double
    /// This batch's unweighted losses, and those of the first step.
    public var loss: [Double]
    public var initialLoss: [Double]
    /// The shared weights applied at the previous step (all 1 before the first).
    public var weights: [Double]

    public var kpi: [Double]?
    public var validationKPI: [Double]?
    public var validationLoss: [Double]?
    /// ‖∇L_t‖ over the shared parameters or the last shared layer (the policy's `gradientNormScope`).
    public var gradientNorm: [Double]?
    /// gram[t][u] = ⟨∇L_t, ∇L_u⟩ over all shared parameters.
    public var gram: [[Double]]?
    /// The same inner products of the gradients at the shared representations the heads read.
    public var representationGram: [[Double]]?
    /// exampleLoss[t][i] = ℓ_ti, the loss of example i of this batch on task t (its mean is loss[t]).
    public var exampleLoss: [[Double]]?
    /// validationAlignment[t] = ⟨∇L_val, ∇L_t⟩ over all shared parameters, with L_val = Σ_t L_t on a
    /// validation batch; present only at the steps it is measured (every `validationAlignmentInterval`).
    public var validationAlignment: [Double]?
    /// gradientEMAGram[t][u] = ⟨ḡ_t, ḡ_u⟩ of the per-task gradient moving averages (`GradientHistory`).
    public var gradientEMAGram: [[Double]]?
    /// adagradNorm[t] = Σ_j g_tj² / √(h_tj + 10⁻⁷), h_t the running sum of task t's squared gradients.
    public var adagradNorm: [Double]?
    /// predictionGain[t] = L_t(x; θ) − L_t(x; θ′) on the previous step's batch x, before and after that
    /// step's update θ → θ′, both in evaluation mode (Graves et al.'s prediction gain); nil at step 1.
    public var predictionGain: [Double]?

    public init(tasks: [String], step: Int, epoch: Int, progress: Double, learningRate: Double,
                loss: [Double], initialLoss: [Double], weights: [Double],
                kpi: [Double]? = nil, validationKPI: [Double]? = nil, validationLoss: [Double]? = nil,
                gradientNorm: [Double]? = nil, gram: [[Double]]? = nil, representationGram: [[Double]]? = nil,
                exampleLoss: [[Double]]? = nil, validationAlignment: [Double]? = nil,
                gradientEMAGram: [[Double]]? = nil, adagradNorm: [Double]? = nil, predictionGain: [Double]? = nil) {
        self.tasks = tasks
        self.step = step
        self.epoch = epoch
        self.progress = progress
        self.learningRate = learningRate
        self.loss = loss
        self.initialLoss = initialLoss
        self.weights = weights
        self.kpi = kpi
        self.validationKPI = validationKPI
        self.validationLoss = validationLoss
        self.gradientNorm = gradientNorm
        self.gram = gram
        self.representationGram = representationGram
        self.exampleLoss = exampleLoss
        self.validationAlignment = validationAlignment
        self.gradientEMAGram = gradientEMAGram
        self.adagradNorm = adagradNorm
        self.predictionGain = predictionGain
    }
}
