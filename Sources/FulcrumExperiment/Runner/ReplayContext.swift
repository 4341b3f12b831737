import Foundation
import FulcrumCore

/// The `ctx` a replay of a signals file gives the policy, where the file alone cannot say: the run's
/// length, epoch, seed, task kinds and options. Read from `--ctx` (a JSON object, or a file holding
/// one) or from a header line of the signals file, `{"ctx": {…}}`; a field left out keeps its default
/// (the file's last step, or its line count if larger, for both lengths; seed 1; kinds "unknown";
/// the policy's own option defaults).
public struct ReplayContext: Sendable, Equatable {
    public var totalSteps: Int?
    public var stepsPerEpoch: Int?
    public var seed: UInt64?
    public var taskKinds: [String]?
    public var options: [String: SettingValue] = [:]

    public static let keys = ["total_steps", "steps_per_epoch", "seed", "kinds", "options"]

    public init(totalSteps: Int? = nil, stepsPerEpoch: Int? = nil, seed: UInt64? = nil, taskKinds: [String]? = nil,
                options: [String: SettingValue] = [:]) {
        self.totalSteps = totalSteps
        self.stepsPerEpoch = stepsPerEpoch
        self.seed = seed
        self.taskKinds = taskKinds
        self.options = options
    }

    /// `argument` as `--ctx` gives it: JSON text when it starts with '{', else the path of a file.
    public static func load(argument: String) throws -> ReplayContext {
        let trimmed = argument.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") { return try parse(trimmed, source: "--ctx") }
        guard let text = try? String(contentsOfFile: argument, encoding: .utf8) else {
            throw PolicyReplay.ReplayError(description: "--ctx \(argument): cannot read the file (give a JSON object or a file holding one)")
        }
        return try parse(text, source: argument)
    }

    /// One JSON object with some of `keys`; `source` names it in errors.
    public static func parse(_ text: String, source: String) throws -> ReplayContext {
        let fields: [String: Field]
        do {
            fields = try JSONDecoder().decode([String: Field].self, from: Data(text.utf8))
        } catch {
            throw PolicyReplay.ReplayError(description: "\(source): expected a JSON object with some of: \(keys.joined(separator: ", "))")
        }
        return try parse(fields, source: source)
    }

    /// A signals file's header line, `{"ctx": {…}}`; nil when `line` is not one (a line of signals).
    static func header(_ line: Substring, source: String) throws -> ReplayContext? {
        guard let object = try? JSONDecoder().decode([String: [String: Field]].self, from: Data(line.utf8)) else { return nil }
        guard let fields = object["ctx"], object.count == 1 else {
            throw PolicyReplay.ReplayError(description: "\(source): a header line holds one key, 'ctx'; got \(object.keys.sorted().joined(separator: ", "))")
        }
        return try parse(fields, source: source + ": ctx")
    }

    private static func parse(_ fields: [String: Field], source: String) throws -> ReplayContext {
        func fail(_ message: String) -> PolicyReplay.ReplayError { PolicyReplay.ReplayError(description: "\(source): \(message)") }
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            throw fail("unknown ctx key '\(unknown)'; expected one of: \(keys.joined(separator: ", "))")
        }
        func count(_ key: String, least: Double) throws -> Double? {
            guard let field = fields[key] else { return nil }
            guard case .value(.number(let value)) = field, value == value.rounded(), value >= least, value < 1e15 else {
                throw fail("ctx '\(key)' must be an integer ≥ \(Int(least)), got \(field)")
            }
            return value
        }
        var context = ReplayContext()
        context.totalSteps = try count("total_steps", least: 1).map { Int($0) }
        context.stepsPerEpoch = try count("steps_per_epoch", least: 1).map { Int($0) }
        context.seed = try count("seed", least: 0).map { UInt64($0) }
        if let field = fields["kinds"] {
            let wrong = fail("ctx 'kinds' must be a list of strings, got \(field)")
            guard case .value(.list(let values)) = field else { throw wrong }
            let kinds = values.compactMap { value -> String? in if case .string(let kind) = value { kind } else { nil } }
            guard kinds.count == values.count else { throw wrong }
            context.taskKinds = kinds
        }
        if let field = fields["options"] {
            guard case .object(let options) = field else { throw fail("ctx 'options' must be an object of option values, got \(field)") }
            context.options = options
        }
        return context
    }

    /// `other`'s fields where it has them, this context's elsewhere; options merged key by key.
    public func overridden(by other: ReplayContext) -> ReplayContext {
        ReplayContext(totalSteps: other.totalSteps ?? totalSteps, stepsPerEpoch: other.stepsPerEpoch ?? stepsPerEpoch,
                      seed: other.seed ?? seed, taskKinds: other.taskKinds ?? taskKinds,
                      options: options.merging(other.options) { $1 })
    }

    /// A ctx field: a setting value, or an object of them (`options`).
    private enum Field: Decodable, CustomStringConvertible {
        case value(SettingValue)
        case object([String: SettingValue])

        init(from decoder: any Decoder) throws {
            if let value = try? SettingValue(from: decoder) { self = .value(value) } else { self = .object(try [String: SettingValue](from: decoder)) }
        }

        var description: String {
            switch self {
            case .value(let value): value.description
            case .object(let values): "{" + values.keys.sorted().map { "\($0): \(values[$0]!)" }.joined(separator: ", ") + "}"
            }
        }
    }
}
