import Foundation

/// The learning rate at each step: an optional linear warm-up, then a decay.
public struct LearningRateSchedule: Sendable, Equatable {
    public enum Decay: Sendable, Equatable {
        case constant
        /// Multiply by `factor` every `every` steps after the warm-up.
        case step(every: Int, factor: Double)
        /// Cosine from the base rate down to `minimum` over the steps after the warm-up, the last
        /// `holdFinal` fraction of them (0 by default) held at `minimum`: a curve that still rises there
        /// gains from training on at the final rate, not from the annealing itself.
        case cosine(minimum: Double, holdFinal: Double = 0)
    }

    public let base: Double
    public let warmupSteps: Int
    public let decay: Decay
    public let totalSteps: Int

    public init(base: Double, warmupSteps: Int = 0, decay: Decay = .constant, totalSteps: Int) {
        self.base = base
        self.warmupSteps = warmupSteps
        self.decay = decay
        self.totalSteps = totalSteps
    }

    /// The rate for 1-based `step`: base · step / warmup during the warm-up, then the decay, where
    /// t counts the steps after the warm-up from 0.
    public func rate(atStep step: Int) -> Double {
        if step <= warmupSteps { return base * Double(step) / Double(warmupSteps) }
        let t = step - warmupSteps - 1
        switch decay {
        case .constant:
            return base
        case let .step(every, factor):
            return base * pow(factor, Double(t / every))
        case let .cosine(minimum, holdFinal):
            let span = max(Int((Double(totalSteps - warmupSteps) * (1 - holdFinal)).rounded()) - 1, 1)
            return minimum + (base - minimum) * 0.5 * (1 + cos(Double.pi * Double(min(t, span)) / Double(span)))
        }
    }
}
