/// What a sweep reports as it goes; the CLI shows it live on a terminal or as plain log lines.
/// Called from the runner's worker threads: implementations synchronise themselves.
public protocol SweepObserver: AnyObject, Sendable {
    /// Before any training: how many runs will train, and the runs skipped as finished earlier.
    func sweepStarted(toTrain count: Int, skipped: [ExperimentRunner.PlannedRun])
    func runStarted(_ run: ExperimentRunner.PlannedRun, totalSteps: Int)
    /// After every step of `run`. Must be cheap: a worker calls it thousands of times a second.
    func runAdvanced(_ run: ExperimentRunner.PlannedRun, step: Int)
    func runEnded(_ run: ExperimentRunner.PlannedRun, _ ending: RunEnding)
    /// A run another process on the store trained (or took over) instead: `holder` names it.
    func runTrainedElsewhere(_ run: ExperimentRunner.PlannedRun, by holder: String)
    /// Before `runStarted`, when the run's last holder was gone (killed, or its heartbeat expired).
    func runTakenOver(_ run: ExperimentRunner.PlannedRun, from holder: String)
    /// After the last run, or after Ctrl-C once the runs in flight have stopped.
    func sweepEnded(interrupted: Bool)
}
