/// Per policy, the task weights over training: a line per task (the mean over seeds of the weight
/// the trainer applied), and the DTP paper's Fig. 3 tiles — task × stretch of training, shaded by the
/// task's share of the total weight, darker = higher priority.
extension FigureSection {
    /// Columns of the tile chart: enough to see the schedule, few enough to read.
    static let tileColumns = 40

    var weightFigures: [ReportFigure] {
        let taskNames = comparison.experiment.tasks.map(\.name)
        return comparison.groups.filter { !$0.isSingleTask }.compactMap { group in
            // step → task → weights over seeds
            var byStep: [Int: [[Double]]] = [:]
            for run in comparison.runs where group.contains(run) && run.status == .finished {
                for row in comparison.data.stepWeights[run.id] ?? [] where row.task < taskNames.count && row.weight.isFinite {
                    byStep[row.step, default: taskNames.map { _ in [] }][row.task].append(row.weight)
                }
            }
            let steps = byStep.keys.sorted()
            guard let lastStep = steps.last else { return nil }
            let means = steps.map { step in byStep[step]!.map(Statistics.mean) }

            let lines = taskNames.indices.map { task -> PlotSeries in
                let points = Self.binned(zip(steps, means).map { (Double($0), $1[task]) })
                return PlotSeries(name: taskNames[task], colour: Palette.colour(task), dash: Palette.dash(task),
                                  points: points.map { PlotPoint(x: $0.x, y: $0.y) })
            }
            let lineChart = LineChart(title: "\(group.label): task weights", xLabel: "training step", yLabel: "weight w_t", series: lines)

            // Shares per step, then the mean share over each column's steps.
            let columns = min(Self.tileColumns, steps.count)
            let firstStep = Double(steps[0]), span = Double(lastStep - steps[0] + 1)
            var sums = taskNames.map { _ in [Double](repeating: 0, count: columns) }
            var counts = [Int](repeating: 0, count: columns)
            for (step, weights) in zip(steps, means) {
                let total = weights.reduce(0, +)
                guard total > 0, total.isFinite else { continue }
                let column = min(Int((Double(step) - firstStep) / span * Double(columns)), columns - 1)
                for task in taskNames.indices { sums[task][column] += weights[task] / total }
                counts[column] += 1
            }
            let shares = sums.map { row in row.indices.map { counts[$0] > 0 ? row[$0] / Double(counts[$0]) : .nan } }
            let tiles = TileChart(title: "\(group.label): priority (Fig. 3)", rowLabels: taskNames, xLabel: "training step",
                                  columnStarts: (0..<columns).map { firstStep + span * Double($0) / Double(columns) },
                                  columnEnd: firstStep + span, values: shares, scaleLabel: "share of the weight w_t / Σ w")
            let title = "\(group.label): task weights over training"
            return ReportFigure(kind: .weights, fileName: "weights-\(Self.slug(group.label)).svg", title: title,
                                svg: Figure(panels: [lineChart, tiles]).svg)
        }
    }
}
