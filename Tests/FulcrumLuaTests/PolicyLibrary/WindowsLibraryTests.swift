import Foundation
import Testing

/// policies/lib/windows.lua (sliding windows with quantiles, means over periods) against values computed here.
@Suite("policies/lib/windows.lua")
struct WindowsLibraryTests {
    /// A window of 4 keeps the last 4 values; its quantiles are type 7 over them, whatever left it.
    @Test func windowQuantilesCoverTheLastValuesOnly() throws {
        let pushed = [5.0, 1, 4, 1, 9, 2, 6, 5, 3, 5, -1, 7]
        let values = try runLua("""
            local w = require("windows").window(4)
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
            local w = require("windows").window(1)
            w:push(3); w:push(-2); out(w:count()); out(w:quantile(0.8))
            """)
        #expect(values == [1, -2])
    }

    /// Periods of 3 steps over 7 steps: the means of steps 1–3 and 4–6 come out at steps 3 and 6, nothing
    /// else, and step 7 starts a new period.
    @Test func periodMeansComeOutWhenAPeriodCompletes() throws {
        let steps: [[Double]] = [[1, 10], [2, 20], [6, 30], [-1, 0], [1, 0], [3, 3], [9, 9]]
        let values = try runLua("""
            local m = require("windows").period_mean(3)
            for _, v in ipairs({ \(steps.map { "{ \($0[0]), \($0[1]) }" }.joined(separator: ", ")) }) do
              local mean = m:add(v)
              if mean then out(mean[1]); out(mean[2]) else out(-99) end
            end
            """)
        #expect(values == [-99, -99, 3, 20, -99, -99, 1, 1, -99])
        #expect(throws: (any Error).self) { try runLua(#"require("windows").period_mean(0)"#) }
    }
}

/// The type-7 (linear) quantile of sorted values, as numpy and R define it.
private func quantile7(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
    return sorted[below] + (position - Double(below)) * (sorted[above] - sorted[below])
}
