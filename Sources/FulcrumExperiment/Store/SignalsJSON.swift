import Foundation
import FulcrumCore

/// `s` as JSON, with the policy API's field names — the store's record of what a policy saw each step,
/// and the line format of `fulcrum policy replay --signals` (so signals logged by any trainer replay).
extension StepSignals: Codable {
    enum CodingKeys: String, CodingKey {
        case tasks, step, epoch, progress, lr, loss, weights, kpi, gram
        case initialLoss = "initial_loss", validationKPI = "val_kpi", validationLoss = "val_loss"
        case gradientNorm = "grad_norm", representationGram = "rep_gram"
        case exampleLoss = "example_loss", validationAlignment = "val_align"
        case gradientEMAGram = "grad_ema_gram", adagradNorm = "adagrad_norm2", predictionGain = "prediction_gain"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let loss = try c.decode([Double].self, forKey: .loss)
        let tasks = try c.decodeIfPresent([String].self, forKey: .tasks) ?? loss.indices.map { "task\($0 + 1)" }
        self.init(tasks: tasks, step: try c.decode(Int.self, forKey: .step), epoch: try c.decodeIfPresent(Int.self, forKey: .epoch) ?? 1,
                  progress: try c.decodeIfPresent(Double.self, forKey: .progress) ?? 0,
                  learningRate: try c.decodeIfPresent(Double.self, forKey: .lr) ?? 0, loss: loss,
                  initialLoss: try c.decodeIfPresent([Double].self, forKey: .initialLoss) ?? loss,
                  weights: try c.decodeIfPresent([Double].self, forKey: .weights) ?? loss.map { _ in 1 },
                  kpi: try c.decodeIfPresent([Double].self, forKey: .kpi),
                  validationKPI: try c.decodeIfPresent([Double].self, forKey: .validationKPI),
                  validationLoss: try c.decodeIfPresent([Double].self, forKey: .validationLoss),
                  gradientNorm: try c.decodeIfPresent([Double].self, forKey: .gradientNorm),
                  gram: try c.decodeIfPresent([[Double]].self, forKey: .gram),
                  representationGram: try c.decodeIfPresent([[Double]].self, forKey: .representationGram),
                  exampleLoss: try c.decodeIfPresent([[Double]].self, forKey: .exampleLoss),
                  validationAlignment: try c.decodeIfPresent([Double].self, forKey: .validationAlignment),
                  gradientEMAGram: try c.decodeIfPresent([[Double]].self, forKey: .gradientEMAGram),
                  adagradNorm: try c.decodeIfPresent([Double].self, forKey: .adagradNorm),
                  predictionGain: try c.decodeIfPresent([Double].self, forKey: .predictionGain))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tasks, forKey: .tasks)
        try c.encode(step, forKey: .step)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(progress, forKey: .progress)
        try c.encode(learningRate, forKey: .lr)
        try c.encode(loss, forKey: .loss)
        try c.encode(initialLoss, forKey: .initialLoss)
        try c.encode(weights, forKey: .weights)
        try c.encodeIfPresent(kpi, forKey: .kpi)
        try c.encodeIfPresent(validationKPI, forKey: .validationKPI)
        try c.encodeIfPresent(validationLoss, forKey: .validationLoss)
        try c.encodeIfPresent(gradientNorm, forKey: .gradientNorm)
        try c.encodeIfPresent(gram, forKey: .gram)
        try c.encodeIfPresent(representationGram, forKey: .representationGram)
        try c.encodeIfPresent(exampleLoss, forKey: .exampleLoss)
        try c.encodeIfPresent(validationAlignment, forKey: .validationAlignment)
        try c.encodeIfPresent(gradientEMAGram, forKey: .gradientEMAGram)
        try c.encodeIfPresent(adagradNorm, forKey: .adagradNorm)
        try c.encodeIfPresent(predictionGain, forKey: .predictionGain)
    }
}
