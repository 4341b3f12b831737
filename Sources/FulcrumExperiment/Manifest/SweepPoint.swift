import Foundation
import FulcrumCore

/// What a sweep setting sets. A manifest names it by a key path; the store keeps that path.
public enum SweepKey: Hashable, Sendable {
    /// A key of the runs' definition: `model.KEY`, `train.KEY` or `tasks.TASK.KEY` (not the task order).
    case definition(String)
    /// `model.task_order`: the order of the tasks along the network (a task hierarchy's levels).
    case taskOrder
    /// `policies.POLICY.options.OPTION`: an option of one policy.
    case policyOption(policy: String, option: String)
    /// The one task of a single-task baseline (stored as `task`).
    case singleTask

    public init(path: String) {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if path == "task" { self = .singleTask }
        else if path == "model.task_order" { self = .taskOrder }
        else if parts.count == 4, parts[0] == "policies", parts[2] == "options" { self = .policyOption(policy: parts[1], option: parts[3]) }
        else { self = .definition(path) }
    }

    /// The key path, as the manifest and the store write it.
    public var path: String {
        switch self {
        case let .definition(path): path
        case .taskOrder: "model.task_order"
        case let .policyOption(policy, option): "policies.\(policy).options.\(option)"
        case .singleTask: "task"
        }
    }

    /// Whether every policy's runs share the setting (data, model, training, tasks) — not a policy's
    /// option, not the task a single-task baseline trains.
    public var isShared: Bool {
        switch self {
        case .definition, .taskOrder: true
        case .policyOption, .singleTask: false
        }
    }

    /// How a label names it: a policy option by the option alone (the policy is named beside it).
    var shortName: String {
        if case let .policyOption(_, option) = self { return option }
        return path
    }
}

/// One swept key and the value a run takes for it, e.g. `train.lr = 0.001`.
public struct SweepSetting: Sendable, Hashable, CustomStringConvertible {
    public let key: SweepKey
    public let value: SettingValue

    public init(_ key: SweepKey, _ value: SettingValue) {
        self.key = key
        self.value = value
    }

    public init(path: String, value: SettingValue) { self.init(SweepKey(path: path), value) }

    public var path: String { key.path }

    /// `gamma=2` for a policy option, `train.lr=0.001` otherwise.
    public var description: String { "\(key.shortName)=\(Self.compact(value))" }

    private static func compact(_ value: SettingValue) -> String {
        switch value {
        case let .string(text): text
        case let .list(items): "[" + items.map(compact).joined(separator: ",") + "]"
        default: value.description
        }
    }
}

/// A run's point of the sweep: the settings that tell its report row from the other rows of its
/// policy — swept definition keys, the policy's swept options, a single-task baseline's task. Empty
/// without a sweep. Stored with the run as a JSON object, key path → value, keys sorted.
public struct SweepPoint: Hashable, Sendable {
    public private(set) var values: [SweepKey: SettingValue] = [:]

    public init(_ settings: [SweepSetting] = []) {
        for setting in settings { values[setting.key] = setting.value }
    }

    /// The point stored as `json`, a JSON object of setting values.
    public init(json: String) throws {
        for (path, value) in try JSONText.decode([String: SettingValue].self, json) { values[SweepKey(path: path)] = value }
    }

    /// As stored: `{"policies.dtp.options.gamma":2,"train.lr":0.001}`.
    public var json: String {
        let object = Dictionary(uniqueKeysWithValues: values.map { ($0.key.path, $0.value) })
        return (try? JSONText.encode(object)) ?? "{}"
    }

    public var isEmpty: Bool { values.isEmpty }

    public subscript(key: SweepKey) -> SettingValue? { values[key] }

    /// The settings in the order of their key paths.
    public var settings: [SweepSetting] {
        values.map { SweepSetting($0.key, $0.value) }.sorted { $0.path < $1.path }
    }

    /// `gamma=2 train.lr=0.001`: the settings by key path; empty for an empty point.
    public var label: String { settings.map(\.description).joined(separator: " ") }

    /// The task a single-task baseline trains.
    public var singleTask: String? {
        if case let .string(task)? = values[.singleTask] { return task }
        return nil
    }

    /// The point without `key`: rows that differ only in it then share a point.
    public func removing(_ key: SweepKey) -> SweepPoint {
        var point = self
        point.values[key] = nil
        return point
    }

    /// The settings every policy's runs share (`SweepKey.isShared`).
    public var shared: SweepPoint {
        var point = SweepPoint()
        point.values = values.filter { $0.key.isShared }
        return point
    }
}
