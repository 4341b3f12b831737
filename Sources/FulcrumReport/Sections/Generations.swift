import Foundation
import FulcrumExperiment
import FulcrumLua

/// The search behind a policy with generations: per generation, its runs' final validation KPIs, their
/// validation score (Δm against the baseline's final validation KPIs) and the parameters they
/// remembered under `params`. The comparison shows only the last generation; this shows the way there.
/// Validation only: a search scored on validation is read on validation.
struct Generations {
    struct Generation {
        let number: Int
        let runs: [StoredRun]
        /// Final validation KPI per task, per finished run (in `runs` order, finished runs only).
        let kpis: [[Double]]
        /// Each finished run's validation Δm against the baseline, in % (empty without a baseline).
        let scores: [Double]
        /// `params` of each run's memory: name → values over the runs that remembered it.
        let parameters: [(name: String, values: [Double])]
    }

    let policy: String
    let generations: [Generation]

    /// The baseline's mean final validation KPI per task (nil without a baseline or its runs).
    static func baselineMeans(_ comparison: Comparison) -> [Double]? {
        guard let name = comparison.experiment.baseline else { return nil }
        let runs = comparison.runs.filter { $0.policy == name && $0.status == .finished }
        let kpis: [[Double]] = runs.compactMap { comparison.finalEvaluations[$0.id]?.kpi }
        guard let first = kpis.first else { return nil }
        return first.indices.map { t in kpis.map { $0[t] }.reduce(0, +) / Double(kpis.count) }
    }

    /// Δm in %: the mean over tasks of (kpi_t − ref_t) / ref_t (every KPI is higher-is-better).
    static func score(_ kpi: [Double], against reference: [Double]) -> Double {
        let changes: [Double] = kpi.indices.map { (kpi[$0] - reference[$0]) / reference[$0] }
        return 100 * changes.reduce(0, +) / Double(changes.count)
    }

    /// One per policy with generations, in the experiment's policy order.
    static func of(_ comparison: Comparison) -> [Generations] {
        let data = comparison.data
        let reference = baselineMeans(comparison)
        let policies = comparison.experiment.policies.filter { name in data.generationRuns.contains { $0.policy == name } }
        return policies.map { policy in
            let runs = data.generationRuns.filter { $0.policy == policy }
            let numbers = Set(runs.compactMap(\.generation)).sorted()
            return Generations(policy: policy, generations: numbers.map { number in
                let members = runs.filter { $0.generation == number }.sorted { ($0.seed, $0.id) < ($1.seed, $1.id) }
                let kpis = members.filter { $0.status == .finished }.compactMap { data.validationEvaluations[$0.id]?.last?.kpi }
                let scores = reference.map { ref in kpis.map { score($0, against: ref) } } ?? []
                var parameters: [String: [Double]] = [:]
                for run in members {
                    guard let text = run.memory, let value = try? JSONDecoder().decode(MemoryValue.self, from: Data(text.utf8)),
                          case let .object(fields)? = value["params"] else { continue }
                    for (name, field) in fields { if let number = field.number { parameters[name, default: []].append(number) } }
                }
                return Generation(number: number, runs: members, kpis: kpis, scores: scores,
                                  parameters: parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            })
        }
    }
}

/// "## Generations": a table per policy with generations.
struct GenerationsSection {
    let comparison: Comparison

    var lines: [String] {
        let all = Generations.of(comparison)
        guard !all.isEmpty else { return [] }
        let tasks = comparison.experiment.tasks
        let baseline = comparison.experiment.baseline
        var lines = ["## Generations", "",
                     "Policies that remember trained in generations, each seeing what the generations before it remembered; "
                     + "the comparison above shows each one's last generation only. Per generation, on the **validation** split: "
                     + "the mean final KPI per task (%), "
                     + (baseline.map { "the validation score — Δm of each run's final validation KPIs against `\($0)`'s mean, in % (mean, and range over the runs) — " } ?? "")
                     + "and the mean of each parameter the runs remembered under `params` (range over the runs)."]
        for policy in all {
            let names = Array(Set(policy.generations.flatMap { $0.parameters.map(\.name) })).sorted()
            lines += ["", "**\(policy.policy)**", "",
                      "| generation | runs |" + tasks.map { " \($0.name) |" }.joined() + (baseline == nil ? "" : " validation Δm (%) |")
                        + names.map { " \($0) |" }.joined(),
                      "|---:|---:|" + String(repeating: "---:|", count: tasks.count + (baseline == nil ? 0 : 1) + names.count)]
            for generation in policy.generations {
                let finished = generation.kpis.count
                var row = "| \(generation.number) | \(finished)/\(generation.runs.count) |"
                row += tasks.indices.map { t in
                    " " + (finished == 0 ? "—" : String(format: "%.1f", 100 * generation.kpis.map { $0[t] }.reduce(0, +) / Double(finished))) + " |"
                }.joined()
                if baseline != nil { row += " \(Self.meanAndRange(generation.scores, format: "%+.2f")) |" }
                for name in names {
                    row += " \(Self.meanAndRange(generation.parameters.first { $0.name == name }?.values ?? [], format: "%.3g")) |"
                }
                lines.append(row)
            }
        }
        return lines
    }

    /// "1.23 [0.9, 1.5]", or "—" without values.
    static func meanAndRange(_ values: [Double], format: String) -> String {
        guard let low = values.min(), let high = values.max() else { return "—" }
        let mean = values.reduce(0, +) / Double(values.count)
        return values.count == 1 ? String(format: format, mean)
            : String(format: format, mean) + " [" + String(format: format, low) + ", " + String(format: format, high) + "]"
    }
}
