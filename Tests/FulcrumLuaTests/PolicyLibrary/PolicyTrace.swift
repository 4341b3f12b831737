import Foundation
import FulcrumCore
import FulcrumLua
import FulcrumTestSupport

/// A random multi-task trace for checking a policy against its paper. The per-task gradients are
/// explicit vectors, so a test can compute a method's update direction on the vectors themselves and
/// compare it with Σ_t w_t g_t built from the policy's weights.
struct PolicyTrace {
    var steps: [StepSignals]
    /// step → task → gradient on the shared parameters (their inner products are `gram`).
    var gradients: [[[Double]]]
    /// step → task → gradient at the shared representation (their inner products are `rep_gram`).
    var representationGradients: [[[Double]]]

    var taskCount: Int { steps.first?.tasks.count ?? 0 }

    /// `steps` steps of T tasks: losses falling at task-specific rates with noise, KPIs rising toward
    /// task-specific ceilings (harder tasks lower), a validation KPI and loss, gradients of dimension
    /// `dimension` (default T + 3) whose norms follow the losses and which conflict at random; every
    /// signal of the API is filled, whatever the policy needs.
    static func random(tasks: Int, steps: Int, seed: UInt64, dimension: Int? = nil, stepsPerEpoch: Int = 100) -> PolicyTrace {
        var generator = SeededGenerator(seed: seed)
        let width = dimension ?? tasks + 3
        let names = (1...tasks).map { "task\($0)" }
        let start = (0..<tasks).map { _ in 0.5 + 2 * generator.uniform() }
        let rate = (0..<tasks).map { _ in 0.5 + 2 * generator.uniform() }
        let ceiling = (0..<tasks).map { t in 0.95 - 0.6 * Double(t) / Double(max(tasks - 1, 1)) }
        var trace = PolicyTrace(steps: [], gradients: [], representationGradients: [])
        var initialLoss: [Double] = []
        for step in 1...steps {
            let progress = Double(step - 1) / Double(steps)
            let loss = (0..<tasks).map { t in start[t] * exp(-rate[t] * progress) * (1 + 0.1 * generator.normal()) + 0.01 }
            if initialLoss.isEmpty { initialLoss = loss }
            let kpi = (0..<tasks).map { t in min(max(ceiling[t] * (0.3 + 0.7 * (1 - exp(-3 * progress))) + 0.05 * generator.normal(), 0.001), 0.999) }
            let gradients = (0..<tasks).map { t in (0..<width).map { _ in loss[t] * generator.normal() } }
            let representation = (0..<tasks).map { t in (0..<width).map { _ in loss[t] * generator.normal() } }
            var signals = StepSignals(tasks: names, step: step, epoch: (step - 1) / stepsPerEpoch + 1, progress: progress,
                                      learningRate: 0.01, loss: loss, initialLoss: initialLoss,
                                      weights: [Double](repeating: 1, count: tasks))
            signals.kpi = kpi
            signals.validationKPI = kpi.map { max($0 - 0.03, 0) }
            signals.validationLoss = loss.map { $0 * 1.1 }
            let gram = Linear.gram(gradients)
            signals.gram = gram
            signals.gradientNorm = (0..<tasks).map { gram[$0][$0].squareRoot() }
            signals.representationGram = Linear.gram(representation)
            trace.steps.append(signals)
            trace.gradients.append(gradients)
            trace.representationGradients.append(representation)
        }
        return trace
    }
}

/// Runs a shipped policy (`policies/NAME.lua`) over a trace as the trainer would: `s.weights` is the
/// shared answer of the previous step (ones before the first). Returns each step's answer and logs.
func run(_ name: String, options: [String: SettingValue] = [:], on trace: PolicyTrace, seed: UInt64 = 1,
         stepsPerEpoch: Int = 100) throws -> (weights: [TaskWeights], logs: [[PolicyLog]]) {
    let policy = try LuaPolicy(file: shippedPolicy(name), options: options)
    let names = trace.steps.first?.tasks ?? []
    try policy.start(context(tasks: names, stepsPerEpoch: stepsPerEpoch, seed: seed))
    _ = try policy.takeOutput()
    var answers: [TaskWeights] = [], logs: [[PolicyLog]] = []
    var previous = [Double](repeating: 1, count: names.count)
    for var signals in trace.steps {
        signals.weights = previous
        let answer = try policy.weights(for: signals)
        answers.append(answer)
        logs.append(try policy.takeOutput().logs)
        previous = answer.shared
    }
    return (answers, logs)
}

/// Runs Lua statements in the policy sandbox with `policies/lib` on the `require` path and returns the
/// numbers passed to `out(x)` in order — for testing the shared numerics in `policies/lib/`.
func runLua(_ statements: String) throws -> [Double] {
    let directory = ScratchDirectory()
    try FileManager.default.createSymbolicLink(atPath: "\(directory.path)/lib", withDestinationPath: "\(repositoryRoot)/policies/lib")
    let file = directory.write("probe.lua", """
        local function out(x) log("out", x) end
        local P = { name = "probe" }
        function P:init(ctx)
        \(statements)
        end
        function P:weights(s) return { 1 } end
        return P
        """)
    let policy = try LuaPolicy(file: file)
    try policy.start(context(tasks: ["a"]))
    return try policy.takeOutput().logs.map(\.value)
}

/// Small dense linear algebra for computing expected answers in tests, independent of policies/lib.
enum Linear {
    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
    static func add(_ a: [Double], _ b: [Double], scaling s: Double = 1) -> [Double] { zip(a, b).map { $0 + s * $1 } }
    static func scale(_ a: [Double], _ s: Double) -> [Double] { a.map { $0 * s } }
    static func gram(_ vectors: [[Double]]) -> [[Double]] { vectors.map { a in vectors.map { b in dot(a, b) } } }
    static func matvec(_ m: [[Double]], _ v: [Double]) -> [Double] { m.map { dot($0, v) } }
    /// Σ_t w_t v_t.
    static func combine(_ vectors: [[Double]], _ weights: [Double]) -> [Double] {
        var sum = [Double](repeating: 0, count: vectors.first?.count ?? 0)
        for (v, w) in zip(vectors, weights) { sum = add(sum, v, scaling: w) }
        return sum
    }
    /// Solves A x = b by Gaussian elimination with partial pivoting; nil if A is singular.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        let n = b.count
        var m = a, x = b
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }),
                  abs(m[pivot][column]) > 1e-14 else { return nil }
            m.swapAt(column, pivot); x.swapAt(column, pivot)
            for row in (column + 1)..<max(n, column + 1) {
                let f = m[row][column] / m[column][column]
                for k in column..<n { m[row][k] -= f * m[column][k] }
                x[row] -= f * x[column]
            }
        }
        for row in stride(from: n - 1, through: 0, by: -1) {
            var sum = x[row]
            for k in (row + 1)..<max(n, row + 1) { sum -= m[row][k] * x[k] }
            x[row] = sum / m[row][row]
        }
        return x
    }
    /// The largest absolute difference between two arrays of equal length (∞ if the lengths differ).
    static func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }
}
