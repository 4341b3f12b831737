import Foundation
import Testing

/// policies/lib/means.lua (running means) against values computed here.
@Suite("policies/lib/means.lua")
struct MeansLibraryTests {
    /// A running mean of 2-vectors: nil before the first value, then the mean of everything added.
    @Test func runningMeanAveragesEverythingAdded() throws {
        let values = try runLua("""
            local m = require("means").running_mean()
            out(m:mean() == nil and 1 or 0)
            m:add({ 1, 10 }); local a = m:mean(); out(a[1]); out(a[2])
            m:add({ 2, -4 }); m:add({ 6, 0 }); local b = m:mean(); out(b[1]); out(b[2])
            """)
        #expect(values == [1, 1, 10, 3, 2])
    }
}
