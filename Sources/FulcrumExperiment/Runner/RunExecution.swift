import Foundation
import FulcrumCore
import FulcrumLua

extension ExperimentRunner {
    /// Trains one run `lease` holds and records how it ended. Store errors propagate: without the
    /// store nothing can be recorded, so the sweep stops. A lease lost to another process (this
    /// one's heartbeat had expired) drops the run here: the other process trains it.
    func execute(_ run: PlannedRun, lease: RunLease) throws -> Outcome {
        do {
            return try executeHolding(run, lease)
        } catch let lost as LeaseLost {
            let holder = lost.holder ?? "another process"
            notify { $0.runTrainedElsewhere(run, by: holder) }
            return Outcome(run: run, error: nil, skipped: true, trainedElsewhere: holder)
        }
    }

    private func executeHolding(_ run: PlannedRun, _ lease: RunLease) throws -> Outcome {
        let started = ContinuousClock.now
        var ending: RunEnding
        do {
            let summary = try train(run, lease)
            ending = RunEnding(status: .finished, wallSeconds: (ContinuousClock.now - started).seconds,
                               stepsPerSecond: Double(summary.steps) / max(summary.seconds, 1e-9),
                               policyMicrosecondsPerStep: summary.policySeconds / Double(max(summary.steps, 1)) * 1e6)
        } catch let failure as RunRecorder.Failure {
            throw failure.underlying
        } catch let error as TrainingError {
            let seconds = (ContinuousClock.now - started).seconds
            if case let .diverged(step, _, _) = error {
                ending = RunEnding(status: .diverged, error: error.description, divergedStep: step, wallSeconds: seconds)
            } else {
                ending = RunEnding(status: .failed, error: error.description, wallSeconds: seconds)
            }
        } catch let stop as SweepStopped {
            ending = RunEnding(status: .interrupted, error: "interrupted after step \(stop.step) (Ctrl-C); the next `fulcrum run` trains it again",
                               wallSeconds: (ContinuousClock.now - started).seconds)
        } catch {
            ending = RunEnding(status: .failed, error: String(describing: error), wallSeconds: (ContinuousClock.now - started).seconds)
        }
        ending.peakMemoryBytes = PeakMemory.residentBytes()
        try store.endRun(run.id, ending, lease: lease)
        notify { $0.runEnded(run, ending) }
        return Outcome(run: run, error: ending.status == .finished ? nil : ending.error, status: ending.status)
    }

    /// Trains one run; its failures throw (a policy that does not load, a training error).
    private func train(_ run: PlannedRun, _ lease: RunLease) throws -> RunSummary {
        let policy: any WeightingPolicy
        if run.isSingleTaskBaseline {
            policy = UniformWeights(name: run.policy.name)
        } else {
            do {
                let lua = try LuaPolicy(file: run.policy.script, options: run.options, limits: run.policy.limits)
                lua.memory = run.memory
                policy = lua
            } catch {
                try store.beginRun(descriptor(run, options: run.options), lease: lease)
                notify { $0.runStarted(run, totalSteps: run.definition.train.steps) }
                throw error
            }
        }
        try store.beginRun(descriptor(run, options: (policy as? LuaPolicy)?.options ?? run.options), lease: lease)
        notify { $0.runStarted(run, totalSteps: run.definition.train.steps) }

        var generator = SeededGenerator.stream(run.seed, 1)
        let model = MultiTaskNetwork(run.definition.networkSpec(data: manifest.data), generator: &generator)
        let writer = RunRecorder(store: store, runID: run.id, taskPositions: run.definition.taskPositions,
                                 recordEvery: run.definition.train.recordEvery, lease: lease)
        // Only a policy that remembers needs the last validation evaluation: other runs keep their hooks.
        let validation = LatestValidation()
        let remembers = (policy as? LuaPolicy)?.remembers == true
        let trainer = Trainer(model: model, tasks: run.definition.tasks.map(\.spec), data: try data(for: run),
                              configuration: run.definition.trainingConfiguration(seed: run.seed), policy: policy,
                              hooks: [writer, SweepStepHook(runner: self, run: run)] + (remembers ? [validation] : []))
        do {
            let summary = try trainer.run()
            try remember(policy, run, lease, PolicyRunResult(steps: summary.steps, validation: validation.latest))
            return summary
        } catch {
            try writer.flush()
            if case let TrainingError.diverged(step, _, _) = error {
                try remember(policy, run, lease, PolicyRunResult(steps: step, divergedStep: step, validation: validation.latest))
            }
            throw error
        }
    }

    /// `P:finish` of a policy that remembers, and its answer into the store. A finish that raises
    /// fails the run (its error propagates); a store error stops the sweep, as everywhere.
    private func remember(_ policy: any WeightingPolicy, _ run: PlannedRun, _ lease: RunLease, _ result: PolicyRunResult) throws {
        guard let lua = policy as? LuaPolicy, lua.remembers, let value = try lua.finish(result) else { return }
        do { try store.recordMemory(run: run.id, value, lease: lease) } catch { throw RunRecorder.Failure(underlying: error) }
    }
}

/// Keeps the last validation evaluation, for `P:finish` (the run may diverge after it).
private final class LatestValidation: TrainingHook {
    var latest: EvaluationRecord?

    func evaluated(_ evaluation: EvaluationRecord) throws {
        if evaluation.split == .validation { latest = evaluation }
    }
}

/// Thrown by `SweepStepHook` when Ctrl-C asked the sweep to stop.
struct SweepStopped: Error {
    let step: Int
}

/// Tells the observer each step and stops the run when the sweep is asked to stop.
private final class SweepStepHook: TrainingHook {
    let runner: ExperimentRunner
    let run: ExperimentRunner.PlannedRun

    init(runner: ExperimentRunner, run: ExperimentRunner.PlannedRun) {
        self.runner = runner
        self.run = run
    }

    func stepDidUpdate(_ record: StepRecord) throws {
        runner.notify { $0.runAdvanced(run, step: record.step) }
        if runner.isStopRequested { throw SweepStopped(step: record.step) }
    }
}

/// The process's peak resident memory so far (with several jobs, shared by the runs in flight).
enum PeakMemory {
    static func residentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024  // kilobytes on Linux
    }
}
