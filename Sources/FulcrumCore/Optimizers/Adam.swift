import Foundation

/// Adam (Kingma & Ba, ICLR 2015) with bias correction, and optionally weight decay:
/// g ← g + λ₂θ (coupled, L2);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
/// θ ← θ − lr · (m̂ / (√v̂ + ε) + λθ)  (decoupled, AdamW when λ > 0).
public final class Adam: Optimizer {
    public let parameters: [Variable]
    public let beta1: Float, beta2: Float, epsilon: Float
    public let weightDecay: Float
    public let decoupledWeightDecay: Float
    private(set) var firstMoment: [[Float]]
    private(set) var secondMoment: [[Float]]
    private var stepCount = 0

    public init(parameters: [Variable], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Float = 0) {
        self.parameters = parameters
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        firstMoment = parameters.map { [Float](repeating: 0, count: $0.value.count) }
        secondMoment = firstMoment
    }

    public func step(learningRate: Float) {
        stepCount += 1
        let (b1, b2, eps, l2, decoupled) = (beta1, beta2, epsilon, weightDecay, decoupledWeightDecay)
        let correction1 = 1 - pow(b1, Float(stepCount))
        let correction2 = 1 - pow(b2, Float(stepCount))
        let inverse1 = 1 / correction1, inverse2 = 1 / correction2
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad else { continue }
            parameter.updateScalars { value in
                value.withUnsafeMutableBufferPointer { theta in
                    firstMoment[index].withUnsafeMutableBufferPointer { m in
                        secondMoment[index].withUnsafeMutableBufferPointer { v in
                            gradient.scalars.withUnsafeBufferPointer { g in
                                Self.update(theta.baseAddress!, m.baseAddress!, v.baseAddress!, g.baseAddress!, count: theta.count,
                                            b1: b1, b2: b2, eps: eps, l2: l2, decoupled: decoupled, rate: learningRate,
                                            inverse1: inverse1, inverse2: inverse2)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The update of one parameter tensor, eight lanes at a time (the optimizer is a visible share of
    /// a small model's step, and the scalar loop does not vectorise by itself).
    ///
    /// Moments below the smallest normal float are stored as 0. A parameter whose gradient stays 0 (a
    /// dead unit) has m decaying by β₁ per step into the subnormal range, where rounding holds it at the
    /// smallest subnormal for good; on Intel cores every later multiply by it takes a microcode assist,
    /// and those assists made Adam 40 % of a CNN step there (not on AMD, which handles subnormals at
    /// full speed). Flushing changes θ by at most lr · 10⁻³⁸ / ε ≈ 10⁻³³ per step, below the rounding of
    /// any parameter larger than 10⁻²⁶ in magnitude.
    @inline(__always)
    private static func update(_ theta: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                               _ v: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, count: Int,
                               b1: Float, b2: Float, eps: Float, l2: Float, decoupled: Float, rate: Float,
                               inverse1: Float, inverse2: Float) {
        typealias Lanes = SIMD8<Float>
        var i = 0
        while i + 8 <= count {
            let t = UnsafeRawPointer(theta + i).loadUnaligned(as: Lanes.self)
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: Lanes.self) + l2 * t
            var mi = b1 * UnsafeRawPointer(m + i).loadUnaligned(as: Lanes.self) + (1 - b1) * gi
            var vi = b2 * UnsafeRawPointer(v + i).loadUnaligned(as: Lanes.self) + (1 - b2) * gi * gi
            mi.replace(with: 0, where: (mi .< Float.leastNormalMagnitude) .& (mi .> -Float.leastNormalMagnitude))
            vi.replace(with: 0, where: vi .< Float.leastNormalMagnitude)
            let step = (mi * inverse1) / ((vi * inverse2).squareRoot() + eps)
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: Lanes.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: Lanes.self)
            UnsafeMutableRawPointer(theta + i).storeBytes(of: t - rate * (step + decoupled * t), as: Lanes.self)
            i += 8
        }
        while i < count {
            let gi = g[i] + l2 * theta[i]
            m[i] = flushed(b1 * m[i] + (1 - b1) * gi)
            v[i] = flushed(b2 * v[i] + (1 - b2) * gi * gi)
            theta[i] -= rate * ((m[i] * inverse1) / ((v[i] * inverse2).squareRoot() + eps) + decoupled * theta[i])
            i += 1
        }
    }

    /// 0 for a subnormal, else the value (see `update`).
    @inline(__always)
    private static func flushed(_ x: Float) -> Float { abs(x) < Float.leastNormalMagnitude ? 0 : x }
}
