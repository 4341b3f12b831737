import Foundation
import FulcrumCore

/// The cost of one policy call as the trainer makes it (marshal `s`, call `P:weights`, check the
/// answer, collect `log`/`print` output), for `fulcrum bench policies`.
public enum PolicyBenchmark {
    public struct Result: Sendable, Codable {
        public let policy: String
        public let tasks: Int
        public let needs: [String]
        /// The median round, and the fastest (a shared VM only ever adds time, so the fastest
        /// round is the closest to the cost itself).
        public let microsecondsPerCall: Double
        public let bestMicrosecondsPerCall: Double
    }

    /// Per call over `rounds` rounds of `calls` calls each, after half a second of warm-up (which
    /// also lets OpenBLAS's idle workers, spinning for a while after start-up, go to sleep).
    public static func run(file: String, tasks: Int = 4, calls: Int = 2000, rounds: Int = 101) throws -> Result {
        let policy = try LuaPolicy(file: file)
        let names = (1...tasks).map { "task\($0)" }
        try policy.start(PolicyContext(tasks: names, taskKinds: names.map { _ in "classification" }, totalSteps: calls * rounds,
                                       stepsPerEpoch: 100, seed: 1))
        var generator = SeededGenerator(seed: 2)
        var initialLoss: [Double] = []
        var signals = PolicyCheck.generateSignals(step: 1, steps: 2, tasks: names, stepsPerEpoch: 100, needs: policy.needs,
                                                  previous: [Double](repeating: 1, count: tasks), initialLoss: &initialLoss, &generator)
        var step = 0
        func call() throws {
            step += 1
            signals.step = step
            _ = try policy.weights(for: signals)
            _ = try policy.takeOutput()
        }
        let warmUp = ContinuousClock.now
        while ContinuousClock.now - warmUp < .milliseconds(500) {
            for _ in 0..<calls { try call() }
        }
        var perCall: [Double] = []
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            for _ in 0..<calls { try call() }
            perCall.append((ContinuousClock.now - start).seconds / Double(calls))
        }
        let sorted = perCall.sorted()
        return Result(policy: policy.name, tasks: tasks, needs: policy.needs.sorted().map(\.rawValue),
                      microsecondsPerCall: 1e6 * sorted[sorted.count / 2], bestMicrosecondsPerCall: 1e6 * sorted[0])
    }
}
