import Foundation
import FulcrumCore
import FulcrumLua
import Testing

/// Independent Swift references for the simplex / min-norm family (policies/lib/qp.lua, mgda_weights.lua,
/// conflict_averse.lua; mgda.lua, mgda_ub.lua, cagrad.lua, upgrad.lua): other algorithms than the Lua
/// ones, so that a shared mistake is unlikely, and the optimality conditions the answers must satisfy.
enum SimplexReference {
    /// Projection onto { x ≥ 0, Σ x = total } by bisection on θ in Σ_i max(v_i − θ, 0) = total (the Lua
    /// file sorts instead).
    static func project(_ v: [Double], total: Double = 1) -> [Double] {
        var low = (v.min() ?? 0) - total, high = v.max() ?? 0
        for _ in 0..<200 {
            let theta = (low + high) / 2
            if v.map({ max($0 - theta, 0) }).reduce(0, +) > total { low = theta } else { high = theta }
        }
        return v.map { max($0 - (low + high) / 2, 0) }
    }

    /// Every non-empty subset of 0..<count, as index arrays.
    static func subsets(_ count: Int) -> [[Int]] {
        (1..<(1 << count)).map { mask in (0..<count).filter { mask & (1 << $0) != 0 } }
    }

    /// The min-norm point of the hull by enumerating supports (bordered system + Wolfe's condition).
    static func minNorm(_ gram: [[Double]]) -> [Double] {
        let count = gram.count
        let scale = (0..<count).map { gram[$0][$0] }.max() ?? 0
        var best: [Double]? = nil, bestValue = Double.infinity
        for support in subsets(count) {
            let k = support.count
            var system = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k + 1)
            for i in 0..<k {
                for j in 0..<k { system[i][j] = gram[support[i]][support[j]] }
                system[i][k] = 1
                system[k][i] = 1
            }
            guard let solution = Linear.solve(system, [Double](repeating: 0, count: k) + [1]),
                  solution.prefix(k).allSatisfy({ $0 >= -1e-12 }) else { continue }
            var alpha = [Double](repeating: 0, count: count)
            for i in 0..<k { alpha[support[i]] = max(solution[i], 0) }
            let value = Linear.dot(alpha, Linear.matvec(gram, alpha))
            if minNormConditionViolation(gram, alpha) <= 1e-10 * scale, value < bestValue { best = alpha; bestValue = value }
        }
        return best ?? []
    }

    /// How far α is from Wolfe's condition for the min-norm point: max_t (αᵀGα − (Gα)_t), and for
    /// α_t > 1e-9, |(Gα)_t − αᵀGα|; plus how far α is from the simplex. 0 at the optimum.
    static func minNormConditionViolation(_ gram: [[Double]], _ alpha: [Double]) -> Double {
        let g = Linear.matvec(gram, alpha)
        let value = Linear.dot(alpha, g)
        var violation = abs(alpha.reduce(0, +) - 1) + max(0, -(alpha.min() ?? 0))
        for t in alpha.indices {
            violation = max(violation, value - g[t])
            if alpha[t] > 1e-9 { violation = max(violation, abs(g[t] - value)) }
        }
        return violation
    }

    /// z ≥ 0 minimising ½zᵀQz + qᵀz for positive definite Q, by enumerating the free set (KKT-checked).
    static func nonNegativeQP(_ q: [[Double]], _ linear: [Double]) -> [Double] {
        let count = linear.count
        for free in [[]] + subsets(count) {
            var z = [Double](repeating: 0, count: count)
            if !free.isEmpty {
                let system = free.map { i in free.map { j in q[i][j] } }
                guard let solution = Linear.solve(system, free.map { -linear[$0] }), solution.allSatisfy({ $0 >= 0 }) else { continue }
                for (i, t) in free.enumerated() { z[t] = solution[i] }
            }
            if nonNegativeQPViolation(q, linear, z) <= 1e-10 * max(1, linear.map(abs).max() ?? 0) { return z }
        }
        return []
    }

    /// KKT violation of z for min ½zᵀQz + qᵀz, z ≥ 0: negativity of z, of ∇ = Qz + q, and |z_t ∇_t|.
    static func nonNegativeQPViolation(_ q: [[Double]], _ linear: [Double], _ z: [Double]) -> Double {
        let gradient = Linear.add(Linear.matvec(q, z), linear)
        var violation = max(0, -(z.min() ?? 0))
        for t in z.indices {
            violation = max(violation, -gradient[t])
            violation = max(violation, abs(z[t] * gradient[t]))
        }
        return violation
    }

    /// CAGrad's objective F(w) = wᵀ(G1/T) + c‖g_0‖·√(wᵀGw) and its gradient.
    static func cagradObjective(_ gram: [[Double]], c: Double, _ w: [Double]) -> (value: Double, gradient: [Double]) {
        let count = Double(gram.count)
        let b = gram.map { $0.reduce(0, +) / count }
        let r = c * (b.reduce(0, +) / count).squareRoot()
        let gw = Linear.matvec(gram, w)
        let norm = max(Linear.dot(w, gw), 1e-300).squareRoot()
        return (Linear.dot(w, b) + r * norm, zip(b, gw).map { $0 + r * $1 / norm })
    }

    /// CAGrad's w* by a long projected-gradient run with backtracking (the Lua file solves it by supports);
    /// for T = 2 by golden-section search on w_1.
    static func cagradWeights(_ gram: [[Double]], c: Double) -> [Double] {
        let f = { (w: [Double]) in cagradObjective(gram, c: c, w).value }
        if gram.count == 2 {
            var low = 0.0, high = 1.0
            let ratio = (5.0.squareRoot() - 1) / 2
            for _ in 0..<200 {
                let a = high - ratio * (high - low), b = low + ratio * (high - low)
                if f([a, 1 - a]) <= f([b, 1 - b]) { high = b } else { low = a }
            }
            return [(low + high) / 2, 1 - (low + high) / 2]
        }
        // The step is backtracked on the curvature along it (gradients, not values of F: those stop
        // resolving progress at √ε from the optimum).
        var w = [Double](repeating: 1 / Double(gram.count), count: gram.count)
        var step = 1.0 / max((0..<gram.count).map { gram[$0][$0] }.max() ?? 1, 1e-300)
        for _ in 0..<20000 {
            let gradient = cagradObjective(gram, c: c, w).gradient
            var next = w
            for _ in 0..<60 {
                next = project(Linear.add(w, gradient, scaling: -step))
                let d = Linear.add(next, w, scaling: -1)
                let curvature = Linear.dot(Linear.add(cagradObjective(gram, c: c, next).gradient, gradient, scaling: -1), d)
                if curvature * step <= Linear.dot(d, d) { break }
                step /= 2
            }
            if Linear.maxDifference(next, w) < 1e-15 { w = next; break }
            w = next
            step *= 1.2
        }
        return w
    }

    /// CAGrad's KKT violation at w: ∂F/∂w_t ≥ μ for all t with equality on the support (μ = their least).
    static func cagradConditionViolation(_ gram: [[Double]], c: Double, _ w: [Double]) -> Double {
        let gradient = cagradObjective(gram, c: c, w).gradient
        let support = w.indices.filter { w[$0] > 1e-7 }
        let mu = support.map { gradient[$0] }.min() ?? 0
        var violation = abs(w.reduce(0, +) - 1) + max(0, -(w.min() ?? 0))
        for t in w.indices { violation = max(violation, mu - gradient[t]) }
        for t in support { violation = max(violation, gradient[t] - mu) }
        return violation
    }

    /// A trace whose every step has these gradients (shared and representation alike unless given).
    static func trace(gradients: [[Double]], representation: [[Double]]? = nil, losses: [Double]? = nil, steps: Int = 1) -> PolicyTrace {
        let count = gradients.count
        let names = (1...count).map { "task\($0)" }
        let loss = losses ?? [Double](repeating: 1, count: count)
        var trace = PolicyTrace(steps: [], gradients: [], representationGradients: [])
        for step in 1...steps {
            var signals = StepSignals(tasks: names, step: step, epoch: 1, progress: 0, learningRate: 0.01, loss: loss,
                                      initialLoss: loss, weights: [Double](repeating: 1, count: count))
            signals.kpi = [Double](repeating: 0.5, count: count)
            signals.gram = Linear.gram(gradients)
            signals.gradientNorm = gradients.map(Linear.norm)
            signals.representationGram = Linear.gram(representation ?? gradients)
            trace.steps.append(signals)
            trace.gradients.append(gradients)
            trace.representationGradients.append(representation ?? gradients)
        }
        return trace
    }

    /// Random gradients: `count` vectors of dimension `dimension` (rank-deficient when dimension < count).
    static func randomVectors(_ count: Int, dimension: Int, _ generator: inout SeededGenerator) -> [[Double]] {
        (0..<count).map { _ in (0..<dimension).map { _ in generator.normal() } }
    }

    /// A Lua table literal of a matrix or vector.
    static func lua(_ matrix: [[Double]]) -> String { "{ " + matrix.map(lua).joined(separator: ", ") + " }" }
    static func lua(_ vector: [Double]) -> String { "{ " + vector.map { "\($0)" }.joined(separator: ", ") + " }" }
}

/// policies/lib/qp.lua and mgda_weights.lua against the definitions and optimality conditions, computed here.
@Suite("policies/lib/qp.lua and mgda_weights.lua")
struct QPLibraryTests {
    @Test func projectionHandCases() throws {
        let values = try runLua("""
            local qp, mgda_weights = require("qp"), require("mgda_weights")
            for _, v in ipairs({ { 0.5, 0.5 }, { 2, 0 }, { 0, 0, 0 }, { 1, 2, 3 }, { 0.4, 0.3, 0.2 }, { -1, 5 } }) do
              for _, x in ipairs(qp.project(v)) do out(x) end
            end
            for _, x in ipairs(qp.project({ 1, 1, 4 }, 3)) do out(x) end
            """)
        let expected: [Double] = [0.5, 0.5, 1, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 0, 1,
                                  0.4 + 0.1 / 3, 0.3 + 0.1 / 3, 0.2 + 0.1 / 3, 0, 1,
                                  0, 0, 3]   // radius 3: θ = (4 − 3)/1 = 1, x = ((1 − 1)+, (1 − 1)+, 4 − 1)
        #expect(Linear.maxDifference(values, expected) < 1e-15)
    }

    /// x = P(v) iff x ∈ Δ and v − x = θ on the support, v_i − x_i = v_i ≤ θ off it (the projection's
    /// optimality condition ⟨v − x, y − x⟩ ≤ 0 ∀y ∈ Δ); and the bisection reference agrees.
    @Test func projectionSatisfiesItsOptimalityCondition() throws {
        var generator = SeededGenerator(seed: 11)
        for count in [1, 2, 3, 5, 8] {
            let vectors = (0..<20).map { _ in (0..<count).map { _ in 3 * generator.normal() } }
            let values = try runLua("""
                local qp, mgda_weights = require("qp"), require("mgda_weights")
                for _, v in ipairs(\(SimplexReference.lua(vectors))) do
                  for _, x in ipairs(qp.project(v)) do out(x) end
                end
                """)
            for (index, v) in vectors.enumerated() {
                let x = Array(values[(index * count)..<((index + 1) * count)])
                #expect(abs(x.reduce(0, +) - 1) < 1e-12 && x.allSatisfy { $0 >= 0 })
                let support = x.indices.filter { x[$0] > 0 }
                let theta = v[support[0]] - x[support[0]]
                for t in support { #expect(abs(v[t] - x[t] - theta) < 1e-12) }
                for t in x.indices where x[t] == 0 { #expect(v[t] <= theta + 1e-12) }
                #expect(Linear.maxDifference(x, SimplexReference.project(v)) < 1e-12)
            }
        }
    }

    @Test func solveMatchesGaussianEliminationAndRefusesSingularSystems() throws {
        var generator = SeededGenerator(seed: 12)
        let a = (0..<4).map { _ in (0..<4).map { _ in generator.normal() } }
        let b = (0..<4).map { _ in generator.normal() }
        let values = try runLua("""
            local qp, mgda_weights = require("qp"), require("mgda_weights")
            local A, b = \(SimplexReference.lua(a)), \(SimplexReference.lua(b))
            for _, x in ipairs(qp.solve(A, b)) do out(x) end
            for _, x in ipairs(qp.solve(A, { b[2], b[4] }, { 2, 4 })) do out(x) end
            out(qp.solve({ { 1, 2 }, { 2, 4 } }, { 1, 2 }) == nil and 1 or 0)
            """)
        let full = try #require(Linear.solve(a, b))
        let sub = try #require(Linear.solve([[a[1][1], a[1][3]], [a[3][1], a[3][3]]], [b[1], b[3]]))
        #expect(Linear.maxDifference(Array(values[0..<4]), full) < 1e-12)
        #expect(Linear.maxDifference(Array(values[4..<6]), sub) < 1e-12)
        #expect(values[6] == 1, "a singular matrix gives nil")
    }

    /// by_support tries the hinted support first, then every subset smallest first, and returns the first
    /// face that answers, with its support.
    @Test func bySupportTriesTheHintThenSmallestSupportsFirst() throws {
        let values = try runLua("""
            local qp, mgda_weights = require("qp"), require("mgda_weights")
            local tried = 0
            local x, S = qp.by_support(3, function(S)
              tried = tried + 1
              if #S == 2 and S[1] == 1 and S[2] == 3 then return { 0.5, 0, 0.5 } end
            end)
            out(tried); out(#S); out(S[1]); out(S[2]); out(x[1])
            tried = 0
            qp.by_support(3, function(S) tried = tried + 1; if #S == 3 then return { 1, 1, 1 } end end, { 1, 2, 3 })
            out(tried)
            out(qp.by_support(3, function() return nil end) == nil and 1 or 0)
            """)
        // Subsets of {1,2,3} smallest first: {1} {2} {3} {1,2} {1,3} → the 5th.
        #expect(values == [5, 2, 1, 3, 0.5, 1, 1])
    }

    /// T = 2: α_1 = clamp((G22 − G12) / (G11 + G22 − 2 G12), 0, 1) (Sener & Koltun, Algorithm 1).
    @Test func minNormOfTwoGradientsIsTheClosedForm() throws {
        let grams: [[[Double]]] = [[[1, 0], [0, 4]], [[1, 2], [2, 9]], [[4, -1], [-1, 1]], [[1, 1], [1, 1]], [[2, -2], [-2, 2]]]
        let values = try runLua("""
            local qp, mgda_weights = require("qp"), require("mgda_weights")
            for _, G in ipairs(\(SimplexReference.lua(grams.map { $0.flatMap { $0 } }))) do
              local alpha, value = qp.min_norm({ { G[1], G[2] }, { G[3], G[4] } })
              out(alpha[1]); out(alpha[2]); out(value)
            end
            """)
        for (index, g) in grams.enumerated() {
            let denominator = g[0][0] + g[1][1] - 2 * g[0][1]
            let a = denominator > 0 ? min(max((g[1][1] - g[0][1]) / denominator, 0), 1) : 1
            let value = a * a * g[0][0] + 2 * a * (1 - a) * g[0][1] + (1 - a) * (1 - a) * g[1][1]
            let alpha = Array(values[(3 * index)..<(3 * index + 2)])
            if denominator > 0 {
                #expect(Linear.maxDifference(alpha, [a, 1 - a]) < 1e-12, "Gram \(g)")
            }
            #expect(abs(values[3 * index + 2] - value) < 1e-12, "Gram \(g)")
        }
        // (1, 0) and (0, 2): α = (0.8, 0.2), ‖(0.8, 0.4)‖² = 0.8.
        #expect(abs(values[0] - 0.8) < 1e-14 && abs(values[2] - 0.8) < 1e-14)
    }

    /// Wolfe's condition on random Grams of full and deficient rank, duplicates, a zero gradient, and a
    /// Pareto-stationary set; where the optimum is unique (full rank) α equals the enumeration reference.
    @Test func minNormSatisfiesWolfesConditionOnRandomAndDegenerateGrams() throws {
        var generator = SeededGenerator(seed: 13)
        var grams: [[[Double]]] = []
        var unique: [Bool] = []
        for count in 2...7 {
            for dimension in [1, 2, count - 1, count + 3] where dimension >= 1 {
                for _ in 0..<4 {
                    let vectors = SimplexReference.randomVectors(count, dimension: dimension, &generator)
                        .enumerated().map { Linear.scale($1, 0.1 + Double($0)) }
                    grams.append(Linear.gram(vectors))
                    unique.append(dimension >= count)
                }
            }
        }
        let duplicate = [[1.0, 2], [1, 2], [-1, 0.5]]
        let zero = [[1.0, 2], [0, 0], [-1, 0.5]]
        let stationary = [[1.0, 0], [-1, 0], [0, 1]]
        for vectors in [duplicate, zero, stationary] { grams.append(Linear.gram(vectors)); unique.append(false) }
        grams.append([[0, 0], [0, 0]]); unique.append(false)
        let values = try runLua("""
            local qp, mgda_weights = require("qp"), require("mgda_weights")
            for _, G in ipairs(\(SimplexReference.lua(grams.map { $0.flatMap { $0 } }))) do
              local T = math.floor(math.sqrt(#G) + 0.5)
              local rows = {}
              for t = 1, T do rows[t] = { table.unpack(G, (t - 1) * T + 1, t * T) } end
              local alpha, value = qp.min_norm(rows)
              for t = 1, T do out(alpha[t]) end
              out(value)
            end
            """)
        var offset = 0
        for (gram, isUnique) in zip(grams, unique) {
            let count = gram.count
            let alpha = Array(values[offset..<(offset + count)])
            let value = values[offset + count]
            offset += count + 1
            let scale = max((0..<count).map { gram[$0][$0] }.max() ?? 0, 1e-300)
            #expect(SimplexReference.minNormConditionViolation(gram, alpha) <= 1e-8 * scale, "Gram \(gram): α = \(alpha)")
            #expect(abs(value - Linear.dot(alpha, Linear.matvec(gram, alpha))) <= 1e-12 * scale)
            if isUnique { #expect(Linear.maxDifference(alpha, SimplexReference.minNorm(gram)) < 1e-7, "Gram \(gram)") }
        }
        #expect(values.count == offset)
        // The last four answers (α then the value): duplicate, zero, stationary (3 tasks each), all-zero (2).
        let zeroBlock = Array(values[(values.count - 11)..<(values.count - 7)])
        let stationaryBlock = Array(values[(values.count - 7)..<(values.count - 3)])
        #expect(Linear.maxDifference(zeroBlock, [0, 1, 0, 0]) < 1e-12, "the zero gradient is the min-norm point")
        #expect(abs(stationaryBlock[3]) < 1e-12 && abs(stationaryBlock[0] - stationaryBlock[1]) < 1e-9 && stationaryBlock[2] < 1e-9,
                "0 = ½(1, 0) + ½(−1, 0)")
        #expect(Array(values.suffix(3)) == [0.5, 0.5, 0], "all-zero gradients: any α, here uniform")
    }

    /// mgda_weights.weights: g_1 = (3, 0), g_2 = (0, 1), L = (1, 4). "l2": ĝ = e_1, e_2, α = (½, ½), w = α/n = (1/6, ½),
    /// ‖Σ α ĝ‖ = √½; "loss": ĝ = (3, 0), (0, ¼), α_1 = (1/16)/(9 + 1/16) = 1/145; without scale_back w = α.
    /// A task whose normaliser is 0 is left out of the problem.
    @Test func mgdaNormalisesSolvesAndScalesBack() throws {
        let values = try runLua("""
            local qp, mgda_weights = require("qp"), require("mgda_weights")
            local G, L = { { 9, 0 }, { 0, 1 } }, { 1, 4 }
            local w, alpha, norm = mgda_weights.weights(G, L, "l2", true)
            out(w[1]); out(w[2]); out(alpha[1]); out(alpha[2]); out(norm)
            w, alpha = mgda_weights.weights(G, L, "loss", true)
            out(w[1]); out(w[2])
            w = mgda_weights.weights(G, L, "loss", false)
            out(w[1]); out(w[2])
            w = mgda_weights.weights({ { 9, 0, 0 }, { 0, 0, 0 }, { 0, 0, 1 } }, { 1, 1, 1 }, "l2", true)
            out(w[1]); out(w[2]); out(w[3])
            out(pcall(mgda_weights.weights, G, { 1, -1 }, "loss+", true) and 1 or 0)
            """)
        let a1 = (1.0 / 16) / (9 + 1.0 / 16)
        let expected = [1.0 / 6, 0.5, 0.5, 0.5, 0.5.squareRoot(), a1 / 1, (1 - a1) / 4, a1, 1 - a1, 1.0 / 6, 0, 0.5, 0]
        #expect(Linear.maxDifference(values, expected) < 1e-14)
    }

    /// Lawson–Hanson on random positive (semi-)definite problems: the KKT conditions, and the
    /// enumeration reference where Q is definite; a hand case.
    @Test func nonNegativeQPSatisfiesItsKKTConditions() throws {
        var generator = SeededGenerator(seed: 14)
        var problems: [(q: [[Double]], linear: [Double], definite: Bool)] = []
        for count in 1...6 {
            for dimension in [count + 2, max(count - 1, 1)] {
                for _ in 0..<5 {
                    let vectors = SimplexReference.randomVectors(count, dimension: dimension, &generator)
                    let q = Linear.gram(vectors)
                    // q = Q u for some u (bounded below even when Q is singular), u of either sign.
                    let u = (0..<count).map { _ in generator.normal() }
                    problems.append((q, Linear.matvec(q, u), dimension >= count))
                }
            }
        }
        problems.append(([[1, 0], [0, 1]], [-1, 2], true))   // z = (1, 0)
        let values = try runLua("""
            local qp, mgda_weights = require("qp"), require("mgda_weights")
            for _, problem in ipairs(\("{ " + problems.map { "{ \(SimplexReference.lua($0.q)), \(SimplexReference.lua($0.linear)) }" }.joined(separator: ", ") + " }")) do
              for _, z in ipairs(qp.nnqp(problem[1], problem[2])) do out(z) end
            end
            """)
        var offset = 0
        for problem in problems {
            let count = problem.linear.count
            let z = Array(values[offset..<(offset + count)])
            offset += count
            let scale = max(problem.q.indices.map { problem.q[$0][$0] }.max() ?? 0, problem.linear.map(abs).max() ?? 0, 1)
            #expect(SimplexReference.nonNegativeQPViolation(problem.q, problem.linear, z) <= 1e-8 * scale, "z = \(z)")
            if problem.definite {
                #expect(Linear.maxDifference(z, SimplexReference.nonNegativeQP(problem.q, problem.linear)) < 1e-7)
            }
        }
        #expect(Array(values.suffix(2)) == [1, 0])
    }

    /// A warm start (the previous step's support) changes the work, not the answer: nnqp, min_norm and mgda
    /// with the right support, a wrong one, an out-of-range one and none agree; the supports returned are
    /// where the answer is positive (in task numbering for mgda, which leaves out a zero-norm task).
    @Test func warmStartsGiveTheSameAnswers() throws {
        var generator = SeededGenerator(seed: 15)
        let vectors = SimplexReference.randomVectors(5, dimension: 7, &generator)
        let gram = Linear.gram(vectors)
        let u = (0..<5).map { _ in generator.normal() }
        let values = try runLua("""
            local qp, mgda_weights = require("qp"), require("mgda_weights")
            local G, u = \(SimplexReference.lua(gram)), \(SimplexReference.lua(u))
            local q = {}
            for t = 1, 5 do q[t] = 0; for v = 1, 5 do q[t] = q[t] + G[t][v] * u[v] end end
            local z, support = qp.nnqp(G, q)
            for _, hint in ipairs({ support, { 1, 2, 3, 4, 5 }, { 2 }, { 9, 0 }, {} }) do
              local again, again_support = qp.nnqp(G, q, hint)
              for t = 1, 5 do out(again[t] - z[t]) end
              out(#again_support - #support)
            end
            for t = 1, 5 do out(z[t] > 0 and 1 or 0) end
            for _, t in ipairs(support) do out(t) end
            local alpha, _, alpha_support = qp.min_norm(G)
            for _, hint in ipairs({ alpha_support, { 1, 2, 3, 4, 5 }, { 5 } }) do
              local again = qp.min_norm(G, hint)
              for t = 1, 5 do out(again[t] - alpha[t]) end
            end
            local H = { { 1, 0, 0 }, { 0, 0, 0 }, { 0, 0, 4 } }
            local _, a, _, mgda_support = mgda_weights.weights(H, { 1, 1, 1 }, "none", true, { 2, 3 })
            out(#mgda_support); out(mgda_support[1]); out(a[1]); out(a[2]); out(a[3])
            """)
        #expect(values[0..<30].allSatisfy { abs($0) < 1e-12 }, "nnqp with and without hints")
        let positive = Array(values[30..<35])
        let support = Array(values[35..<(35 + Int(positive.reduce(0, +)))])
        #expect(support == positive.indices.filter { positive[$0] == 1 }.map { Double($0 + 1) })
        let rest = Array(values[(35 + support.count)...])
        #expect(rest[0..<15].allSatisfy { abs($0) < 1e-12 }, "min_norm with and without hints")
        // "none": the zero gradient of task 2 is in the hull, so α = e_2 with support { 2 }.
        #expect(Array(rest[15...]) == [1, 2, 0, 1, 0])
    }

    /// Projected gradient with backtracking: ½‖x − c‖² on Δ is minimised by P(c), on the orthant by
    /// max(c, 0); a non-quadratic f(x) = e^{x_1} + e^{2x_2} + e^{3x_3} + x_1² reaches its fixed point
    /// x = P(x − ∇f(x)), where its gradient is equal on the support.
    @Test func minimiseReachesTheProjectionFixedPoint() throws {
        let values = try runLua("""
            local qp, mgda_weights = require("qp"), require("mgda_weights")
            local c = { 0.9, -0.3, 0.6, 0.2 }
            local function half_distance(x)
              local value, g = 0, {}
              for i = 1, #x do g[i] = x[i] - c[i]; value = value + g[i] * g[i] / 2 end
              return value, g
            end
            for _, x in ipairs(qp.minimise(half_distance, { 0.25, 0.25, 0.25, 0.25 })) do out(x) end
            for _, x in ipairs(qp.minimise(half_distance, { 1, 1, 1, 1 }, qp.orthant)) do out(x) end
            local function exponential(x)
              return math.exp(x[1]) + math.exp(2 * x[2]) + math.exp(3 * x[3]) + x[1]^2,
                     { math.exp(x[1]) + 2 * x[1], 2 * math.exp(2 * x[2]), 3 * math.exp(3 * x[3]) }
            end
            local x = qp.minimise(exponential, { 1, 0, 0 })
            local _, g = exponential(x)
            for i = 1, 3 do out(x[i]) end
            for i = 1, 3 do out(g[i]) end
            """)
        #expect(Linear.maxDifference(Array(values[0..<4]), SimplexReference.project([0.9, -0.3, 0.6, 0.2])) < 1e-9)
        #expect(Linear.maxDifference(Array(values[4..<8]), [0.9, 0, 0.6, 0.2]) < 1e-9)
        let x = Array(values[8..<11]), g = Array(values[11..<14])
        #expect(Linear.maxDifference(x, SimplexReference.project(Linear.add(x, g, scaling: -1))) < 1e-11)
        #expect(x.allSatisfy { $0 > 0 } && (g.max()! - g.min()!) < 1e-10, "interior optimum: ∇f equal on the support")
    }

    /// minimise says whether its stopping test held or it stopped at max_iter, and qp.fallback names the
    /// two cases as the policies log them.
    @Test func minimiseReportsWhetherItStoppedAtItsIterationCap() throws {
        let values = try runLua("""
            local qp = require("qp")
            local function half_distance(x)
              local value, g = 0, {}
              for i = 1, #x do g[i] = x[i] - 3 * i; value = value + g[i] * g[i] / 2 end
              return value, g
            end
            local function flag(converged) out(converged and 1 or 0) end
            flag(select(2, qp.minimise(half_distance, { 1, 0, 0 })))
            flag(select(2, qp.minimise(half_distance, { 1, 0, 0 }, qp.orthant, { max_iter = 1, step = 1e-3 })))
            out(qp.fallback(true) == "projected gradient" and 1 or 0)
            out(qp.fallback(false) == "iteration limit" and 1 or 0)
            """)
        #expect(values == [1, 0, 1, 1])
    }
}
