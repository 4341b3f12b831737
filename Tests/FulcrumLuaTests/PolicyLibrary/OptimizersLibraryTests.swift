import Foundation
import Testing

/// policies/lib/optimizers.lua (optimisers for policy-owned parameters) against values computed here.
@Suite("policies/lib/optimizers.lua")
struct OptimizersLibraryTests {
    @Test func sgdStepsAgainstTheGradient() throws {
        let values = try runLua("""
            local optimizers = require("optimizers")
            local opt = optimizers.optimizer("sgd", 2)
            local x = optimizers.step(opt, { 1, -2 }, { 0.5, -4 }, 0.1)
            out(x[1]); out(x[2])
            """)
        #expect(values == [1 - 0.1 * 0.5, -2 + 0.1 * 4])
    }

    /// Adam (Kingma & Ba 2015, Algorithm 1) over three steps with changing gradients.
    @Test func adamFollowsKingmaAndBa() throws {
        let values = try runLua("""
            local optimizers = require("optimizers")
            local opt = optimizers.optimizer("adam", 2, 0.8, 0.9, 1e-3)
            local x = { 1, -1 }
            for _, g in ipairs({ { 1, -3 }, { -2, 0.5 }, { 0.25, 4 } }) do
              x = optimizers.step(opt, x, g, 0.05)
              out(x[1]); out(x[2])
            end
            """)
        let (b1, b2, eps, lr) = (0.8, 0.9, 1e-3, 0.05)
        var x = [1.0, -1.0], m = [0.0, 0.0], v = [0.0, 0.0]
        var expected: [Double] = []
        for (k, g) in [[1.0, -3], [-2, 0.5], [0.25, 4]].enumerated() {
            for i in 0..<2 {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let mHat = m[i] / (1 - pow(b1, Double(k + 1))), vHat = v[i] / (1 - pow(b2, Double(k + 1)))
                x[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
            expected += x
        }
        #expect(Linear.maxDifference(values, expected) < 1e-14)
    }

    @Test func unknownOptimizerIsAnError() throws {
        #expect(throws: (any Error).self) { try runLua(#"require("optimizers").optimizer("rmsprop", 2)"#) }
    }
}
