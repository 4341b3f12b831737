import Foundation
import FulcrumCore

/// For a sweep over a numeric setting (a policy option such as DTP's γ, or `train.lr`): per task, the
/// KPI the comparison reads against the setting's value, one line per policy and other settings.
extension FigureSection {
    var optionFigures: [ReportFigure] {
        let rows = comparison.comparisonRows.filter { !$0.group.isSingleTask }
        let keys = Set(rows.flatMap { $0.group.point.values.keys }).sorted { $0.path < $1.path }
        return keys.compactMap { key -> ReportFigure? in
            // Rows along the key, by the label of everything else: policy and the other settings.
            var lines: [String: [(value: Double, row: ComparisonRow)]] = [:], order: [String] = []
            for row in rows {
                guard case let .number(value)? = row.group.point[key] else { continue }
                let rest = RunGroup(policy: row.group.policy, point: row.group.point.removing(key)).label
                if lines[rest] == nil { order.append(rest) }
                lines[rest, default: []].append((value, row))
            }
            let along = order.filter { Set(lines[$0]!.map(\.value)).count > 1 }
            guard !along.isEmpty else { return nil }
            let panels = comparison.experiment.tasks.enumerated().map { task, spec -> any ChartPanel in
                let series = along.map { label -> PlotSeries in
                    let points = lines[label]!.sorted { $0.value < $1.value }.map { value, row -> PlotPoint in
                        let values = row.values(task).map { 100 * $0 }
                        let mean = Statistics.mean(values), deviation = Statistics.standardDeviation(values)
                        return deviation.isNaN ? PlotPoint(x: value, y: mean)
                            : PlotPoint(x: value, y: mean, low: mean - deviation, high: mean + deviation)
                    }
                    let style = style(of: lines[label]![0].row.group)
                    return PlotSeries(name: label, colour: style.colour, dash: style.dash, points: points, style: .lineWithErrorBars)
                }
                return LineChart(title: "\(spec.name) against \(key.path)", xLabel: key.path, yLabel: "\(spec.kpi) (%)", series: series)
            }
            return ReportFigure(kind: .options, fileName: "options-\(Self.slug(key.path)).svg",
                                title: "KPI against \(key.path)", svg: Figure(panels: panels).svg)
        }
    }
}
