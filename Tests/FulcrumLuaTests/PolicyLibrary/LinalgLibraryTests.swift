import Foundation
import FulcrumCore
import FulcrumLua
import FulcrumTestSupport
import Testing

/// policies/lib/linalg.lua against values computed here.
@Suite("policies/lib/linalg.lua")
struct LinalgLibraryTests {
    @Test func identityTransposeAndMatmulFollowTheirDefinitions() throws {
        let values = try runLua("""
            local L = require("linalg")
            for _, row in ipairs(L.identity(3)) do for _, x in ipairs(row) do out(x) end end
            local At = L.transpose({ { 1, 2, 3 }, { 4, 5, 6 } })
            out(#At); out(#At[1])
            for _, row in ipairs(At) do for _, x in ipairs(row) do out(x) end end
            for _, row in ipairs(L.matmul({ { 1, 2, 3 }, { 4, 5, 6 } }, { { 1, 0 }, { 2, 1 }, { 0, -1 } })) do
              for _, x in ipairs(row) do out(x) end
            end
            """)
        #expect(Array(values[0..<9]) == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(Array(values[9..<11]) == [3, 2], "Aᵀ of a 2×3 matrix is 3×2")
        #expect(Array(values[11..<17]) == [1, 4, 2, 5, 3, 6])
        // [1 2 3; 4 5 6]·[1 0; 2 1; 0 −1] = [5 −1; 14 −1]
        #expect(Array(values[17..<21]) == [5, -1, 14, -1])
    }

    @Test func solveMatchesGaussianEliminationInSwiftAndLeavesATinyResidual() throws {
        var generator = SeededGenerator(seed: 11)
        for size in 1...6 {
            let a = (0..<size).map { _ in (0..<size).map { _ in generator.normal() } }
            let b = (0..<size).map { _ in generator.normal() }
            let x = try runLua("""
                local L = require("linalg")
                for _, v in ipairs(L.solve(\(LinalgFixtures.lua(a)), \(LinalgFixtures.lua(b)))) do out(v) end
                """)
            let expected = try #require(Linear.solve(a, b))
            #expect(x.count == size)
            #expect(Linear.maxDifference(x, expected) < 1e-9 * max(1, expected.map(abs).max() ?? 1))
            #expect(Linear.maxDifference(Linear.matvec(a, x), b) < 1e-12)
        }
    }

    @Test func solveReturnsNilOnASingularSystemWhateverItsScale() throws {
        let values = try runLua("""
            local L = require("linalg")
            local function solved(A, b) return L.solve(A, b) and 1 or 0 end
            out(solved({ { 1, 2 }, { 2, 4 } }, { 1, 1 }))
            out(solved({ { 1e-20, 2e-20 }, { 2e-20, 4e-20 } }, { 1, 1 }))
            out(solved({ { 1, 1, 0 }, { 1, 1, 0 }, { 0, 0, 1 } }, { 1, 2, 3 }))
            out(solved({ { 0, 0 }, { 0, 0 } }, { 0, 0 }))
            local x = L.solve({ { 2e-20, 1e-20 }, { 1e-20, 3e-20 } }, { 3, 5 })
            out(x[1]); out(x[2])
            """)
        #expect(Array(values[0..<4]) == [0, 0, 0, 0])
        // A scaled by 1e-20 is as regular as A: [2 1; 1 3] x = (3, 5)·1e20 gives x = (0.8, 1.4)·1e20.
        #expect(abs(values[4] / 0.8e20 - 1) < 1e-12 && abs(values[5] / 1.4e20 - 1) < 1e-12)
    }

    @Test func eigensymOfAKnownMatrix() throws {
        let (values, vectors) = try LinalgFixtures.luaEigen([[2, 1, 0], [1, 2, 0], [0, 0, 5]])
        #expect(Linear.maxDifference(values, [1, 3, 5]) < 1e-14, "ascending eigenvalues")
        // The eigenvector of 1 is ±(1, −1, 0)/√2: the first COLUMN of V.
        let first = vectors.map { $0[0] }
        #expect(abs(abs(first[0]) - 0.5.squareRoot()) < 1e-14 && abs(first[0] + first[1]) < 1e-14 && first[2] == 0)
    }

    @Test(arguments: [2, 3, 4, 5, 7])
    func eigensymDecomposesRandomSymmetricMatrices(size: Int) throws {
        var generator = SeededGenerator(seed: UInt64(100 + size))
        let m = (0..<size).map { _ in (0..<size).map { _ in generator.normal() } }
        let symmetric = (0..<size).map { i in (0..<size).map { j in m[i][j] + m[j][i] } }
        let gram = Linear.gram((0..<size).map { _ in (0..<(size + 2)).map { _ in generator.normal() } })
        // A rank-deficient Gram matrix: `size` vectors in 2 dimensions.
        let lowRank = Linear.gram((0..<size).map { _ in (0..<2).map { _ in generator.normal() } })
        for a in [symmetric, gram, lowRank] {
            let (values, v) = try LinalgFixtures.luaEigen(a)
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "ascending")
            let reconstructed = LinalgFixtures.reconstruct(values, v)
            let scale = a.flatMap { $0 }.map(abs).max() ?? 1
            for i in 0..<size {
                #expect(Linear.maxDifference(reconstructed[i], a[i]) < 1e-13 * scale, "V Λ Vᵀ = A")
                for j in 0..<size {
                    let columnDot = (0..<size).map { v[$0][i] * v[$0][j] }.reduce(0, +)
                    #expect(abs(columnDot - (i == j ? 1 : 0)) < 1e-13, "VᵀV = I")
                }
            }
        }
    }

    /// A diagonal matrix G = diag(g) has the solution w_t = g_t^(−α/(α+1)) of g_t w_t = w_t^(−1/α).
    @Test func alphaFairOfADiagonalMatrixIsItsClosedForm() throws {
        for alpha in [0.5, 1, 2, 5] {
            let w = try runLua("""
                local L = require("linalg")
                for _, v in ipairs(L.alpha_fair({ { 4, 0, 0 }, { 0, 1, 0 }, { 0, 0, 0.01 } }, \(alpha))) do out(v) end
                """)
            let expected = [4.0, 1, 0.01].map { pow($0, -alpha / (alpha + 1)) }
            for t in 0..<3 { #expect(abs(w[t] / expected[t] - 1) < 1e-10, "α = \(alpha), task \(t)") }
        }
    }

    @Test func alphaFairSolvesTheFairnessSystemOnRandomGramMatrices() throws {
        var generator = SeededGenerator(seed: 7)
        for size in 1...6 {
            for alpha in [0.25, 1, 3] {
                let scale = pow(10, Double(generator.uniform() * 8 - 4))   // Gram entries from 1e-8 to 1e8
                let g = Linear.gram((0..<size).map { _ in (0..<(size + 1)).map { _ in scale * generator.normal() } })
                let answer = try runLua("""
                    local L = require("linalg")
                    local w, steps = L.alpha_fair(\(LinalgFixtures.lua(g)), \(alpha))
                    for _, v in ipairs(w) do out(v) end
                    out(steps)
                    """)
                let w = Array(answer[0..<size])
                let gw = Linear.matvec(g, w)
                #expect(w.allSatisfy { $0 > 0 })
                for t in 0..<size {
                    #expect(abs(pow(w[t], 1 / alpha) * gw[t] - 1) < 1e-10, "T = \(size), α = \(alpha)")
                }
                #expect(answer[size] <= 40, "Newton steps: \(answer[size])")
            }
        }
    }

    @Test func alphaFairHasNoSolutionWhenTheGradientsCancel() throws {
        let values = try runLua("""
            local L = require("linalg")
            out(L.alpha_fair({ { 1, -1 }, { -1, 1 } }, 1) and 1 or 0)       -- g_2 = −g_1
            out(L.alpha_fair({ { 1, 0 }, { 0, 0 } }, 2) and 1 or 0)         -- g_2 = 0
            out(L.alpha_fair({ { 0, 0 }, { 0, 0 } }, 0.5) and 1 or 0)
            local w = L.alpha_fair({ { 1, 1 }, { 1, 1 } }, 1)               -- g_2 = g_1: w_t (w_1 + w_2) = 1
            out(w[1]); out(w[2])
            """)
        #expect(Array(values[0..<3]) == [0, 0, 0])
        #expect(abs(values[3] - 0.5.squareRoot()) < 1e-12 && abs(values[4] - 0.5.squareRoot()) < 1e-12)
    }
}

/// Helpers shared by the linear-algebra family's tests (linalg, IMTL, Aligned-MTL, Nash-MTL, FairGrad).
enum LinalgFixtures {
    /// A Lua table literal of a vector or a matrix, every digit kept.
    static func lua(_ v: [Double]) -> String { "{ " + v.map { String(format: "%.17g", $0) }.joined(separator: ", ") + " }" }
    static func lua(_ m: [[Double]]) -> String { "{ " + m.map { lua($0) }.joined(separator: ", ") + " }" }

    /// linalg.eigensym(a) run in the sandbox: the eigenvalues and V (rows of the matrix).
    static func luaEigen(_ a: [[Double]]) throws -> (values: [Double], vectors: [[Double]]) {
        let n = a.count
        let out = try runLua("""
            local values, V = require("linalg").eigensym(\(lua(a)))
            for _, x in ipairs(values) do out(x) end
            for _, row in ipairs(V) do for _, x in ipairs(row) do out(x) end end
            """)
        return (Array(out[0..<n]), (0..<n).map { i in Array(out[(n + i * n)..<(n + (i + 1) * n)]) })
    }

    /// V Λ Vᵀ.
    static func reconstruct(_ values: [Double], _ v: [[Double]]) -> [[Double]] {
        let n = values.count
        var product = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0..<n {
                var total = 0.0
                for k in 0..<n { total += v[i][k] * values[k] * v[j][k] }
                product[i][j] = total
            }
        }
        return product
    }

    /// A symmetric eigendecomposition computed here (cyclic Jacobi, run to convergence), for expected values:
    /// eigenvalues ascending, eigenvectors as the columns of the returned matrix.
    static func symmetricEigen(_ a: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        let n = a.count
        var m = a
        var v = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : 0.0 } }
        for _ in 0..<200 {
            var largest = 0.0
            for p in 0..<n { for q in (p + 1)..<max(n, p + 1) { largest = max(largest, abs(m[p][q])) } }
            if largest == 0 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) where m[p][q] != 0 {
                    // Angle that zeroes m[p][q]: tan 2φ = 2 m_pq / (m_qq − m_pp).
                    let phi = 0.5 * atan2(2 * m[p][q], m[q][q] - m[p][p])
                    let c = cos(phi), s = sin(phi)
                    for k in 0..<n {
                        let mkp = m[k][p], mkq = m[k][q]
                        m[k][p] = c * mkp - s * mkq
                        m[k][q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {
                        let mpk = m[p][k], mqk = m[q][k]
                        m[p][k] = c * mpk - s * mqk
                        m[q][k] = s * mpk + c * mqk
                    }
                    m[p][q] = 0; m[q][p] = 0
                    for k in 0..<n {
                        let vkp = v[k][p], vkq = v[k][q]
                        v[k][p] = c * vkp - s * vkq
                        v[k][q] = s * vkp + c * vkq
                    }
                }
            }
            if largest < 1e-300 { break }
        }
        let order = (0..<n).sorted { m[$0][$0] < m[$1][$1] }
        return (order.map { m[$0][$0] }, (0..<n).map { i in order.map { v[i][$0] } })
    }

    /// A trace whose per-task gradients are exactly the given vectors (step → task → vector).
    static func trace(gradients: [[[Double]]]) -> PolicyTrace {
        let tasks = gradients.first?.count ?? 0
        let names = (0..<tasks).map { "task\($0 + 1)" }
        var trace = PolicyTrace(steps: [], gradients: [], representationGradients: [])
        for (index, step) in gradients.enumerated() {
            let ones = [Double](repeating: 1, count: tasks)
            var signals = StepSignals(tasks: names, step: index + 1, epoch: 1, progress: Double(index) / Double(gradients.count),
                                      learningRate: 0.01, loss: ones, initialLoss: ones, weights: ones)
            let gram = Linear.gram(step)
            signals.gram = gram
            signals.gradientNorm = (0..<tasks).map { gram[$0][$0].squareRoot() }
            signals.representationGram = gram
            trace.steps.append(signals)
            trace.gradients.append(step)
            trace.representationGradients.append(step)
        }
        return trace
    }

    /// The init error of a shipped policy with these options (nil if it starts).
    static func initError(_ name: String, _ options: [String: SettingValue], tasks: Int = 3) throws -> LuaPolicyError? {
        let policy = try LuaPolicy(file: shippedPolicy(name), options: options)
        do {
            try policy.start(context(tasks: (1...tasks).map { "task\($0)" }))
            return nil
        } catch let error as LuaPolicyError {
            return error
        }
    }
}
