import FulcrumCore

/// The training hook that writes a run into the store: per-step series in batches (every
/// `recordEvery` steps, plus the first and last; the signals of every step, for replay), each
/// evaluation as it happens. `flush()` writes what is buffered (the runner calls it when a run
/// fails too). Its store errors are wrapped in `Failure`, so the runner tells them from the run's own.
final class RunRecorder: TrainingHook {
    struct Failure: Error {
        let underlying: any Error
    }

    private let store: RunStore
    private let runID: String
    private let taskPositions: [Int]?
    private let recordEvery: Int
    /// The sweep's lease on the run: every write checks it still holds (nil: no check).
    private let lease: RunLease?
    private let batchSize: Int
    private var totalSteps = 0
    private var pending: [StepRecord] = []

    init(store: RunStore, runID: String, taskPositions: [Int]? = nil, recordEvery: Int = 1, batchSize: Int = 200, lease: RunLease? = nil) {
        self.lease = lease
        self.store = store
        self.runID = runID
        self.taskPositions = taskPositions
        self.recordEvery = recordEvery
        self.batchSize = batchSize
    }

    func runStarted(_ context: PolicyContext) throws {
        totalSteps = context.totalSteps
        try writing { try store.recordSchedule(run: runID, totalSteps: context.totalSteps, stepsPerEpoch: context.stepsPerEpoch, lease: lease) }
    }

    func stepDidUpdate(_ record: StepRecord) throws {
        pending.append(record)
        if pending.count >= batchSize { try flush() }
    }

    func evaluated(_ evaluation: EvaluationRecord) throws {
        try flush()
        try writing { try store.appendEvaluation(evaluation, run: runID, taskPositions: taskPositions, lease: lease) }
    }

    func runFinished(_ summary: RunSummary) throws { try flush() }

    func flush() throws {
        guard !pending.isEmpty else { return }
        let sampled = { (step: Int) in step == 1 || step % self.recordEvery == 0 || step == self.totalSteps }
        try writing { try store.appendSteps(pending, run: runID, taskPositions: taskPositions, sampled: sampled, lease: lease) }
        pending.removeAll(keepingCapacity: true)
    }

    private func writing(_ body: () throws -> Void) throws {
        do { try body() } catch { throw Failure(underlying: error) }
    }
}
