import Foundation
import GRDB

/// One CSV file `fulcrum export` wrote.
public struct ExportedTable: Sendable, Equatable {
    public let path: String
    public let rows: Int
}

extension RunStore {
    /// Writes the store as tidy CSV files into `directory` (created if needed), for pandas: one row per
    /// observation, runs identified by experiment, run_id, policy, point and seed in every table so a
    /// `groupby` needs no join. `experiments` empty = all of them. Every run is exported, current or not;
    /// a run is current when its manifest_hash equals its experiment's in experiments.csv.
    @discardableResult
    public func exportCSV(to directory: String, experiments names: [String] = []) throws -> [ExportedTable] {
        try database.read { db in
            let taskNames = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT name, tasks FROM experiment").map { row in
                (row["name"] as String, try JSONText.decode([StoredExperiment.Task].self, row["tasks"]).map(\.name))
            })
            for name in names where taskNames[name] == nil {
                throw StoreToolError.unknownExperiment(name, known: taskNames.keys.sorted())
            }
            let selected = names.isEmpty ? taskNames.keys.sorted() : Array(Set(names)).sorted()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let inSelected = "(\(selected.map { _ in "?" }.joined(separator: ", ")))"
            let (experiments, _) = try writeTable(db, sql: "SELECT * FROM experiment WHERE name IN \(inSelected) ORDER BY name",
                                                  arguments: StatementArguments(selected), to: "\(directory)/experiments.csv")
            let (runs, runRows) = try writeTable(db, sql: """
                SELECT * FROM run WHERE experiment IN \(inSelected) ORDER BY experiment, policy, point, seed, id
                """, arguments: StatementArguments(selected), to: "\(directory)/runs.csv")

            let identity = ["experiment", "run_id", "policy", "point", "seed"]
            let steps = try CSVFile(path: "\(directory)/steps.csv",
                                    header: identity + ["step", "task", "loss", "kpi", "weight", "head_weight"])
            let evaluations = try CSVFile(path: "\(directory)/evaluations.csv", header: identity + ["split", "step", "task", "loss", "kpi"])
            let logs = try CSVFile(path: "\(directory)/logs.csv", header: identity + ["step", "name", "value"])
            for run in runRows {
                let experiment: String = run["experiment"], id: String = run["id"]
                let prefix = [experiment, id, run["policy"], run["point"], "\(UInt64(bitPattern: run["seed"]))"]
                // `task` is the position in the experiment's task list; the CSV names it.
                func taskName(_ position: Int) -> String {
                    taskNames[experiment].flatMap { $0.indices.contains(position) ? $0[position] : nil } ?? "task\(position + 1)"
                }
                let stepRows = try Row.fetchCursor(db, sql: """
                    SELECT step, task, loss, kpi, weight, head_weight FROM step WHERE run_id = ? ORDER BY step, task
                    """, arguments: [id])
                while let row = try stepRows.next() {
                    try steps.write(prefix + ["\(row["step"] as Int)", taskName(row["task"]), number(row["loss"]), number(row["kpi"]),
                                              number(row["weight"]), number(row["head_weight"])])
                }
                // A run's validation rows, then its test rows.
                let evaluationRows = try Row.fetchCursor(db, sql: """
                    SELECT split, step, task, loss, kpi FROM evaluation WHERE run_id = ? ORDER BY split = 'test', step, task
                    """, arguments: [id])
                while let row = try evaluationRows.next() {
                    try evaluations.write(prefix + [row["split"], "\(row["step"] as Int)", taskName(row["task"]),
                                                    number(row["loss"]), number(row["kpi"])])
                }
                let logRows = try Row.fetchCursor(db, sql: "SELECT step, name, value FROM policy_log WHERE run_id = ? ORDER BY step, position",
                                                  arguments: [id])
                while let row = try logRows.next() {
                    try logs.write(prefix + ["\(row["step"] as Int)", row["name"], number(row["value"])])
                }
            }
            for file in [steps, evaluations, logs] { try file.close() }
            return [experiments, runs] + [steps, evaluations, logs].map { ExportedTable(path: $0.path, rows: $0.records) }
        }
    }

    /// Writes every column of a query, named as in the store, into `path`; returns the file and the rows.
    private func writeTable(_ db: Database, sql: String, arguments: StatementArguments, to path: String) throws -> (ExportedTable, [Row]) {
        let statement = try db.makeStatement(sql: sql)
        let columns = statement.columnNames
        let file = try CSVFile(path: path, header: columns)
        let rows = try Row.fetchAll(statement, arguments: arguments)
        for row in rows {
            try file.write(columns.map { column in
                // Seeds are stored as the bit pattern of a UInt64.
                if column == "seed", let seed = row[column] as Int64? { return "\(UInt64(bitPattern: seed))" }
                return Self.csvText(row[column] as DatabaseValue)
            })
        }
        try file.close()
        return (ExportedTable(path: path, rows: file.records), rows)
    }

    /// NULL is an empty field (pandas reads NaN); a double is written so that it reads back exactly.
    static func csvText(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: ""
        case .int64(let integer): "\(integer)"
        case .double(let double): "\(double)"
        case .string(let text): text
        case .blob(let data): data.base64EncodedString()
        }
    }
}

/// Swift's shortest representation that reads back as the same Double ("0.1", "1e-05", "nan", "inf").
private func number(_ value: Double) -> String { "\(value)" }
