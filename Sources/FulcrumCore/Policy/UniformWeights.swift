/// Weight 1 for every task: the single-task baselines, and the benchmarks (which ask for the
/// signals a workload measures).
public final class UniformWeights: WeightingPolicy {
    public let name: String
    public let needs: Set<PolicySignal>

    public init(name: String = "uniform", needs: Set<PolicySignal> = []) {
        self.name = name
        self.needs = needs
    }

    public func start(_ context: PolicyContext) throws {}

    public func weights(for signals: StepSignals) throws -> TaskWeights {
        TaskWeights([Double](repeating: 1, count: signals.tasks.count))
    }
}
