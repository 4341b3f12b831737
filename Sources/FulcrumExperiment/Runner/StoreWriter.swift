import FulcrumCore

/// The training hook that writes a run into the store: per-step series in batches, each evaluation
/// as it happens. `flush()` writes what is buffered (the runner calls it when a run fails too).
final class StoreWriter: TrainingHook {
    private let store: RunStore
    private let runID: String
    private let batchSize: Int
    private var pending: [StepRecord] = []

    init(store: RunStore, runID: String, batchSize: Int = 200) {
        self.store = store
        self.runID = runID
        self.batchSize = batchSize
    }

    func runStarted(_ context: PolicyContext) throws {
        try store.recordSchedule(run: runID, totalSteps: context.totalSteps, stepsPerEpoch: context.stepsPerEpoch)
    }

    func stepDidUpdate(_ record: StepRecord) throws {
        pending.append(record)
        if pending.count >= batchSize { try flush() }
    }

    func evaluated(_ evaluation: EvaluationRecord) throws {
        try flush()
        try store.appendEvaluation(evaluation, run: runID)
    }

    func runFinished(_ summary: RunSummary) throws { try flush() }

    func flush() throws {
        guard !pending.isEmpty else { return }
        try store.appendSteps(pending, run: runID)
        pending.removeAll(keepingCapacity: true)
    }
}
