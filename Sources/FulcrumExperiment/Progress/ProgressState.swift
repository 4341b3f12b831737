/// The bookkeeping both progress displays share: what the sweep has to do, which runs are training
/// and how far they are, how the others ended, and the remaining-time estimates derived from that.
/// A plain value: the displays guard it with their own lock and read it to render text.
struct ProgressState {
    struct RunningRun {
        let id: String
        let label: String
        let totalSteps: Int
        let startedAt: Double
        /// Start order, so the live block lists runs in a stable order rather than by hash.
        let order: Int
        var step = 0

        /// Elapsed per step × steps left; nil before the first step, when there is nothing to go on.
        func remainingSeconds(at now: Double) -> Double? {
            guard step > 0 else { return nil }
            return (now - startedAt) / Double(step) * Double(max(totalSteps - step, 0))
        }

        /// What the whole run will take at its pace so far.
        func projectedSeconds(at now: Double) -> Double? {
            guard step > 0 else { return nil }
            return (now - startedAt) / Double(step) * Double(max(totalSteps, step))
        }

        /// 0…100, rounded down so a run reads 100 % only when its last step is done.
        var percent: Int { totalSteps > 0 ? min(step, totalSteps) * 100 / totalSteps : 0 }
    }

    private(set) var toTrain = 0
    private(set) var skipped = 0
    private(set) var sweepStartedAt: Double?
    private(set) var running: [String: RunningRun] = [:]
    private(set) var ended = 0
    private(set) var endedByStatus: [StoredRun.Status: Int] = [:]
    /// Runs another process on the store trained instead.
    private(set) var elsewhere = 0
    private var runsStarted = 0
    /// The most runs seen training at once: the sweep's worker count, as far as the display can tell.
    private var peakRunning = 0
    private var finishedWallSeconds = 0.0

    /// Starts a sweep, or the next round of one (a policy with generations trains in rounds): the
    /// counts start again, so a round's runs read "[1/10]" … "[10/10]" and its summary is its own.
    mutating func startSweep(toTrain: Int, skipped: Int, at now: Double) {
        self.toTrain = toTrain
        self.skipped = skipped
        sweepStartedAt = now
        (ended, endedByStatus, elsewhere, finishedWallSeconds) = (0, [:], 0, 0)
    }

    mutating func startRun(id: String, label: String, totalSteps: Int, at now: Double) {
        running[id] = RunningRun(id: id, label: label, totalSteps: totalSteps, startedAt: now, order: runsStarted)
        runsStarted += 1
        peakRunning = max(peakRunning, running.count)
    }

    /// The hot path: one dictionary update in place.
    mutating func advanceRun(id: String, to step: Int) {
        running[id]?.step = step
    }

    /// Records how a run ended and returns its position among ended runs ("[3/9]").
    mutating func endRun(id: String, _ ending: RunEnding) -> Int {
        running[id] = nil
        ended += 1
        endedByStatus[ending.status, default: 0] += 1
        // Only finished runs say how long a run takes: a failed or diverged one stopped early.
        if ending.status == .finished { finishedWallSeconds += ending.wallSeconds }
        return ended
    }

    /// Counts a run another process trained among the ended ones; returns its position, as `endRun`.
    mutating func endElsewhere(id: String) -> Int {
        running[id] = nil
        ended += 1
        elsewhere += 1
        return ended
    }

    func count(_ status: StoredRun.Status) -> Int { endedByStatus[status] ?? 0 }

    var runningInStartOrder: [RunningRun] { running.values.sorted { $0.order < $1.order } }

    /// Runs neither started nor ended.
    var queued: Int { max(toTrain - ended - running.count, 0) }

    func elapsedSeconds(at now: Double) -> Double { sweepStartedAt.map { now - $0 } ?? 0 }

    /// How long a run typically takes: the mean wall time of finished runs, or, before any finished,
    /// the mean projected total of the running runs that have taken a step.
    func typicalRunSeconds(at now: Double) -> Double? {
        let finished = count(.finished)
        if finished > 0 { return finishedWallSeconds / Double(finished) }
        let projections = running.values.compactMap { $0.projectedSeconds(at: now) }
        return projections.isEmpty ? nil : projections.reduce(0, +) / Double(projections.count)
    }

    /// The sweep's remaining time: the work left — each running run's own remainder plus a typical
    /// run per queued one — shared among the workers, but never less than the slowest running run
    /// needs. nil when there is nothing to estimate from.
    ///
    /// The workers are counted as the most runs seen running at once rather than the number running
    /// now, which dips for an instant each time a run ends before its worker starts the next; capped
    /// by the runs left, since at the tail fewer runs than workers remain.
    func sweepRemainingSeconds(at now: Double) -> Double? {
        let typical = typicalRunSeconds(at: now)
        var work = 0.0
        var longest = 0.0
        for run in running.values {
            guard let remaining = run.remainingSeconds(at: now) ?? typical.map({ max($0 - (now - run.startedAt), 0) })
            else { return nil }
            work += remaining
            longest = max(longest, remaining)
        }
        if queued > 0 {
            guard let typical else { return nil }
            work += Double(queued) * typical
        }
        let workers = max(min(peakRunning, running.count + queued), 1)
        return max(work / Double(workers), longest)
    }
}
