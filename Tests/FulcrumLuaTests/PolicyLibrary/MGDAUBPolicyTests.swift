import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// MGDA-UB (Sener & Koltun, NeurIPS 2018, §3.3): MGDA's min-norm problem on the gradients at the
/// shared representation. The min-norm checks are MGDAPolicyTests'; the tests that hold for both
/// policies (simplex, Wolfe's condition, errors) run there over both names.
@Suite("MGDA-UB policy")
struct MGDAUBPolicyTests {
    /// MGDA-UB solves the same problem on the gradients at the shared representation (rep_gram), not on
    /// the parameters' gradients.
    @Test(arguments: MGDAPolicyTests.normalizations)
    func mgdaUBUsesTheRepresentationGradients(_ normalization: String) throws {
        for tasks in 2...5 {
            let trace = PolicyTrace.random(tasks: tasks, steps: 6, seed: UInt64(50 + tasks))
            let result = try run("mgda_ub", options: ["normalization": .string(normalization)], on: trace)
            let parameters = try run("mgda", options: ["normalization": .string(normalization)], on: trace)
            for (step, answer) in result.weights.enumerated() {
                MGDAPolicyTests.expectMinNorm(answer, log: result.logs[step], gradients: trace.representationGradients[step],
                                   losses: trace.steps[step].loss, normalization: normalization,
                                   comment: "mgda_ub \(normalization) T=\(tasks) step \(step + 1)")
            }
            #expect(Linear.maxDifference(result.weights[0].shared, parameters.weights[0].shared) > 1e-6)
        }
    }
}
