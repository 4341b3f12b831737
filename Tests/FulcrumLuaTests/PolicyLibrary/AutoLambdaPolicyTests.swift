import FulcrumCore
import FulcrumLua
import FulcrumTestSupport
import Testing

/// policies/auto_lambda.lua: w ← Π_{w ≥ 0, Σ w = T}(w + η a / rms(a)) at the steps val_align arrives.
@Suite("auto_lambda.lua")
struct AutoLambdaPolicyTests {
    /// The projection onto { w ≥ 0, Σ w = z } by bisection on the threshold θ of w = max(m − θ, 0)
    /// (a different algorithm from the library's sort-based one).
    static func project(_ m: [Double], total z: Double) -> [Double] {
        var low = (m.min() ?? 0) - z, high = m.max() ?? 0
        for _ in 0..<200 {
            let theta = (low + high) / 2
            if m.reduce(0, { $0 + max($1 - theta, 0) }) > z { low = theta } else { high = theta }
        }
        return m.map { max($0 - (low + high) / 2, 0) }
    }

    func trace(_ alignments: [[Double]?]) -> PolicyTrace {
        let names = ["a", "b", "c"]
        let steps = alignments.enumerated().map { step, a -> StepSignals in
            var s = StepSignals(tasks: names, step: step + 1, epoch: 1, progress: 0, learningRate: 0.01,
                                loss: [1, 1, 1], initialLoss: [1, 1, 1], weights: [1, 1, 1])
            s.validationAlignment = a
            return s
        }
        return PolicyTrace(steps: steps, gradients: [], representationGradients: [])
    }

    @Test func weightsAscendTheValidationAlignmentOnTheScaledSimplex() throws {
        let alignments: [[Double]?] = [[3, -1, 0.5], nil, [-2, 4, 1], nil, [0.1, 0.1, -5]]
        let eta = 0.4
        let result = try run("auto_lambda", options: ["eta": .number(eta)], on: trace(alignments))
        var w = [1.0, 1.0, 1.0]
        for (step, a) in alignments.enumerated() {
            if let a {
                let rms = (a.reduce(0) { $0 + $1 * $1 } / 3).squareRoot()
                w = Self.project(zip(w, a).map { $0 + eta * $1 / rms }, total: 3)
            }
            #expect(Linear.maxDifference(result.weights[step].shared, w) < 1e-9, "step \(step + 1)")
            #expect(abs(result.weights[step].shared.reduce(0, +) - 3) < 1e-12)
        }
        #expect(result.weights[4].shared[2] < result.weights[0].shared[2], "the task against the validation loss loses weight")
    }

    @Test func rawStepsWhenNotNormalised() throws {
        let result = try run("auto_lambda", options: ["eta": .number(0.1), "normalise": .boolean(false)], on: trace([[1, 0, -1]]))
        #expect(Linear.maxDifference(result.weights[0].shared, [1.1, 1.0, 0.9]) < 1e-12)
    }

    @Test func aPolicyNeedingValAlignMustDeclareItsInterval() throws {
        let directory = ScratchDirectory()
        let file = directory.write("align.lua", """
            return { name = "align", needs = { "val_align" }, weights = function(self, s) return { 1 } end }
            """)
        #expect(throws: LuaPolicyError.self) { try LuaPolicy(file: file) }
        do { _ = try LuaPolicy(file: file) } catch let error as LuaPolicyError {
            #expect(error.message == "\(file): a policy that needs 'val_align' declares the option 'val_align_every' "
                    + "(steps between measurements, a whole number ≥ 1) in its defaults; it declares none")
        }
        #expect(try LuaPolicy(file: shippedPolicy("auto_lambda"), options: ["val_align_every": .number(25)]).validationAlignmentInterval == 25)
    }
}
