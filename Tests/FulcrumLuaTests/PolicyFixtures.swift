import Foundation
import FulcrumCore
import FulcrumLua
import FulcrumTestSupport

/// A policy file shipped in the repository's `policies/` folder.
func shippedPolicy(_ name: String) -> String { "\(repositoryRoot)/policies/\(name).lua" }

func context(tasks: [String], stepsPerEpoch: Int = 100, seed: UInt64 = 1) -> PolicyContext {
    PolicyContext(tasks: tasks, taskKinds: tasks.map { _ in "classification" }, totalSteps: 1000,
                  stepsPerEpoch: stepsPerEpoch, seed: seed)
}

func signals(step: Int, loss: [Double], kpi: [Double]? = nil) -> StepSignals {
    StepSignals(tasks: loss.indices.map { "task\($0 + 1)" }, step: step, epoch: 1, progress: 0, learningRate: 0.01,
                loss: loss, initialLoss: loss, weights: loss.map { _ in 1 }, kpi: kpi)
}
