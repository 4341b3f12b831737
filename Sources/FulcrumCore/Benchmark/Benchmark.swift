import CBLAS
import Foundation

/// The training-step benchmark of `fulcrum bench`: four workloads of the trainer-core issue, each a
/// real `Trainer` run on random data, timed per step by a hook (median after warm-up).
public enum Benchmark {
    public struct Workload: Sendable {
        public let name: String
        public let summary: String
        let trunk: NetworkSpec.Trunk
        let input: NetworkSpec.Input
        let needs: Set<PolicySignal>
    }

    public struct Result: Sendable, Codable {
        public let name: String
        public let threads: Int
        public let steps: Int
        public let millisecondsPerStep: Double
        public let samplesPerSecond: Double
        public let gflopsPerSecond: Double
        public let megaflopsPerStep: Double
        public let peakResidentMegabytes: Double
    }

    static let batchSize = 256
    /// 10-way CE, 3-way CE, binary BCE, 4-dim MSE.
    static let tasks = [
        TaskSpec(name: "ten", kind: .classification(classes: 10), loss: .softmaxCrossEntropy, kpi: .accuracy),
        TaskSpec(name: "three", kind: .classification(classes: 3), loss: .softmaxCrossEntropy, kpi: .accuracy),
        TaskSpec(name: "flag", kind: .binary, loss: .binaryCrossEntropy, kpi: .accuracy),
        TaskSpec(name: "vector", kind: .regression(outputs: 4), loss: .meanSquaredError, kpi: .withinTolerance(0.5)),
    ]

    public static let workloads: [Workload] = {
        let mlp = NetworkSpec.Trunk.mlp(widths: [256, 256], activation: .relu, dropout: 0)
        let cnn = NetworkSpec.Trunk.cnn(convolutions: [.init(filters: 16, kernel: 5), .init(filters: 32, kernel: 5)],
                                        fullyConnected: [128], activation: .relu, dropout: 0)
        return [
            Workload(name: "mlp", summary: "MLP 784-256-256 ReLU, 4 heads, batch 256, Adam", trunk: mlp,
                     input: .features(784), needs: []),
            Workload(name: "mlp-gram", summary: "the same with per-task gradients on all shared parameters and the 4×4 Gram",
                     trunk: mlp, input: .features(784), needs: [.gram]),
            Workload(name: "mlp-rep-gram", summary: "the same with per-task gradients at the shared representation only",
                     trunk: mlp, input: .features(784), needs: [.representationGram]),
            Workload(name: "cnn", summary: "Conv(1→16,5)+ReLU+MaxPool2, Conv(16→32,5)+ReLU+MaxPool2, FC 512→128+ReLU, 28×28, batch 256",
                     trunk: cnn, input: .image(height: 28, width: 28, channels: 1), needs: []),
        ]
    }()

    /// Runs one workload: `warmup` steps, then `steps` timed steps.
    public static func run(_ workload: Workload, threads: Int, warmup: Int = 20, steps: Int = 200) throws -> Result {
        BLASThreads.count = threads
        let data = randomData(input: workload.input, seed: 1)
        var generator = SeededGenerator(seed: 2)
        let model = MultiTaskNetwork(NetworkSpec(input: workload.input, trunk: workload.trunk, architecture: .hardSharing,
                                                 headOutputs: tasks.map(\.kind.outputCount)), generator: &generator)
        let timer = StepTimer(skip: warmup)
        let trainer = Trainer(model: model, tasks: tasks, data: data,
                              configuration: TrainingConfiguration(steps: warmup + steps, batchSize: batchSize,
                                                                   optimizer: .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
                                                                   learningRate: 1e-3, evaluationInterval: warmup + steps, seed: 3),
                              policy: UniformWeights(needs: workload.needs), hooks: [timer])
        try trainer.run()
        let seconds = timer.medianSeconds
        let flops = Double(timer.operationsPerStep)
        return Result(name: workload.name, threads: threads, steps: steps, millisecondsPerStep: 1000 * seconds,
                      samplesPerSecond: Double(batchSize) / seconds, gflopsPerSecond: flops / seconds / 1e9,
                      megaflopsPerStep: flops / 1e6, peakResidentMegabytes: peakResidentMegabytes())
    }

    /// GFLOP/s of one `cblas_sgemm` of [m, k]·[k, n], median of `repeats` calls.
    public static func sgemm(m: Int = 256, k: Int = 784, n: Int = 256, threads: Int, repeats: Int = 200) -> Double {
        BLASThreads.count = threads
        var generator = SeededGenerator(seed: 4)
        let a = Tensor(shape: [m, k], scalars: (0..<m * k).map { _ in Float(generator.normal()) })
        let b = Tensor(shape: [k, n], scalars: (0..<k * n).map { _ in Float(generator.normal()) })
        var times: [Double] = []
        for _ in 0..<(repeats + 10) {
            let start = ContinuousClock.now
            _ = Tensor.matmul(a, b)
            times.append((ContinuousClock.now - start).seconds)
        }
        return 2 * Double(m * n * k) / median(Array(times.dropFirst(10))) / 1e9
    }

    /// Random inputs and labels: one batch's worth twice over, and a one-example validation split.
    static func randomData(input: NetworkSpec.Input, seed: UInt64) -> DatasetSplits {
        let features = switch input {
        case let .features(count): count
        case let .image(height, width, channels): height * width * channels
        }
        var generator = SeededGenerator(seed: seed)
        func split(_ count: Int) -> MultiTaskDataset {
            let inputs = Tensor(shape: [count, features], scalars: (0..<count * features).map { _ in Float(generator.normal()) })
            let targets: [TaskTargets] = tasks.map { task in
                switch task.kind {
                case let .classification(classes): .labels((0..<count).map { _ in Int(generator.next() % UInt64(classes)) })
                case .binary: .values(Tensor(shape: [count, 1], scalars: (0..<count).map { _ in generator.uniform() < 0.5 ? 0 : 1 }))
                case let .regression(outputs): .values(Tensor(shape: [count, outputs], scalars: (0..<count * outputs).map { _ in Float(generator.normal()) }))
                case .segmentation, .detection, .keypoints: preconditionFailure("the benchmark's tasks are classification, binary and regression")
                }
            }
            return MultiTaskDataset(inputs: inputs, targets: targets)
        }
        return DatasetSplits(train: split(2 * batchSize), validation: split(1))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
    }
}

/// Times each step from the end of the previous one, and counts its GEMM operations.
final class StepTimer: TrainingHook {
    let skip: Int
    private var last: ContinuousClock.Instant?
    private var lastOperations = 0
    private(set) var durations: [Double] = []
    private(set) var operationsPerStep = 0

    init(skip: Int) { self.skip = skip }

    func stepDidUpdate(_ record: StepRecord) throws {
        let now = ContinuousClock.now
        if let last, record.step > skip {
            durations.append((now - last).seconds)
            operationsPerStep = GEMMCounter.operations - lastOperations
        }
        last = now
        lastOperations = GEMMCounter.operations
    }

    var medianSeconds: Double { Benchmark.median(durations) }
}
