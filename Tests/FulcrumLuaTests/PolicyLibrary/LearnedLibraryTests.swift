import Foundation
import Testing

/// policies/lib/learned.lua (optimisers for policy-owned parameters, sliding windows) against values
/// computed here.
@Suite("policies/lib/learned.lua")
struct LearnedLibraryTests {
    @Test func sgdStepsAgainstTheGradient() throws {
        let values = try runLua("""
            local learned = require("learned")
            local opt = learned.optimizer("sgd", 2)
            local x = learned.step(opt, { 1, -2 }, { 0.5, -4 }, 0.1)
            out(x[1]); out(x[2])
            """)
        #expect(values == [1 - 0.1 * 0.5, -2 + 0.1 * 4])
    }

    /// Adam (Kingma & Ba 2015, Algorithm 1) over three steps with changing gradients.
    @Test func adamFollowsKingmaAndBa() throws {
        let values = try runLua("""
            local learned = require("learned")
            local opt = learned.optimizer("adam", 2, 0.8, 0.9, 1e-3)
            local x = { 1, -1 }
            for _, g in ipairs({ { 1, -3 }, { -2, 0.5 }, { 0.25, 4 } }) do
              x = learned.step(opt, x, g, 0.05)
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
        #expect(throws: (any Error).self) { try runLua(#"require("learned").optimizer("rmsprop", 2)"#) }
    }

    /// A window of 4 keeps the last 4 values; its quantiles are type 7 over them, whatever left it.
    @Test func windowQuantilesCoverTheLastValuesOnly() throws {
        let pushed = [5.0, 1, 4, 1, 9, 2, 6, 5, 3, 5, -1, 7]
        let values = try runLua("""
            local learned = require("learned")
            local w = learned.window(4)
            for _, x in ipairs({ \(pushed.map { "\($0)" }.joined(separator: ", ")) }) do
              w:push(x)
              out(w:count()); out(w:quantile(0)); out(w:quantile(0.2)); out(w:quantile(0.5)); out(w:quantile(1))
            end
            """)
        var expected: [Double] = []
        for k in pushed.indices {
            let recent = Array(pushed[max(0, k - 3)...k]).sorted()
            expected.append(Double(recent.count))
            for q in [0, 0.2, 0.5, 1] { expected.append(quantile7(recent, q)) }
        }
        #expect(Linear.maxDifference(values, expected) < 1e-14)
    }

    @Test func windowOfOneHoldsTheLatestValue() throws {
        let values = try runLua("""
            local w = require("learned").window(1)
            w:push(3); w:push(-2); out(w:count()); out(w:quantile(0.8))
            """)
        #expect(values == [1, -2])
    }
}

/// The type-7 (linear) quantile of sorted values, as numpy and R define it.
private func quantile7(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
    return sorted[below] + (position - Double(below)) * (sorted[above] - sorted[below])
}
