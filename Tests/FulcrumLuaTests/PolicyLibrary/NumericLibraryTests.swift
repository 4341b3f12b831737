import Foundation
import Testing

/// policies/lib/numeric.lua against values computed here.
@Suite("policies/lib/numeric.lua")
struct NumericLibraryTests {
    @Test func softmaxNormaliseAndQuantileMatchTheirDefinitions() throws {
        let values = try runLua("""
            local n = require("numeric")
            for _, x in ipairs(n.softmax({ 1, 2, 1000 }, 2)) do out(x) end
            for _, x in ipairs(n.normalise({ 1, 3 }, 8)) do out(x) end
            out(n.quantile({ 5, 1, 4, 2, 3 }, 0.3))
            for _, x in ipairs(n.ema({ 1, 2 }, { 3, 6 }, 0.25)) do out(x) end
            out(n.quadratic({ { 2, 1 }, { 1, 3 } }, { 1, 2 }))
            """)
        // softmax(v/2) with v = (1, 2, 1000): the last entry takes (almost) everything, without overflow.
        let e = [exp(0.5 - 500), exp(1 - 500), 1.0]
        let softmax = e.map { $0 / e.reduce(0, +) }
        #expect(Linear.maxDifference(Array(values[0..<3]), softmax) < 1e-15)
        #expect(values[3] == 2 && values[4] == 6)
        #expect(abs(values[5] - 2.2) < 1e-12, "type-7 quantile: 1 + 0.3·4 = position 2.2 between 2 and 3")
        #expect(values[6] == 0.25 * 3 + 0.75 * 1 && values[7] == 0.25 * 6 + 0.75 * 2)
        #expect(values[8] == 2 + 2 * 1 * 2 + 3 * 4)
    }

    @Test func normalDrawsHaveMeanZeroAndUnitVariance() throws {
        let values = try runLua("""
            local n = require("numeric")
            for _ = 1, 20000 do out(n.normal()) end
            """)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    }
}

extension NumericLibraryTests {
    @Test func clipNegativeZeroesNegativeEntriesAndSaysSo() throws {
        let values = try runLua("""
            local n = require("numeric")
            local w, clipped = n.clip_negative({ 0.5, -0.25, 0 })
            for _, x in ipairs(w) do out(x) end
            out(clipped and 1 or 0)
            local _, none = n.clip_negative({ 1, 2 })
            out(none and 1 or 0)
            """)
        #expect(values == [0.5, 0, 0, 1, 0])
    }
}
