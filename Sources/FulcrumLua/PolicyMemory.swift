import Foundation
import FulcrumCore

/// What a policy remembers across runs: the value its `P:finish(ctx, result)` returns, shaped like
/// JSON (numbers, booleans, strings, arrays, string-keyed tables), so the store keeps it as text and
/// every reader gets the same value back.
public indirect enum MemoryValue: Sendable, Equatable, Codable {
    case number(Double)
    case boolean(Bool)
    case string(String)
    case array([MemoryValue])
    case object([String: MemoryValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .boolean(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([MemoryValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: MemoryValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .number(value): try container.encode(value)
        case let .boolean(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .array(values): try container.encode(values)
        case let .object(fields): try container.encode(fields)
        }
    }

    /// Compact JSON with sorted keys: the same value always gives the same text (and run id).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("null".utf8), as: UTF8.self)
    }

    public subscript(key: String) -> MemoryValue? {
        if case let .object(fields) = self { return fields[key] }
        return nil
    }

    public var number: Double? {
        if case let .number(value) = self { return value }
        return nil
    }
}

/// What one earlier run of the same policy left: its generation, seed, run id and value.
public struct MemoryRecord: Sendable, Equatable, Codable {
    public let generation: Int
    public let seed: UInt64
    public let run: String
    public let value: MemoryValue

    public init(generation: Int, seed: UInt64, run: String, value: MemoryValue) {
        self.generation = generation
        self.seed = seed
        self.run = run
        self.value = value
    }
}

/// The memory a run of a policy with `memory = true` starts from: its generation and the records of
/// the generations before it, in the fixed order (generation, seed, run id) — so the same records
/// give the same `ctx.memory` whatever order the runs ended in.
public struct PolicyMemory: Sendable, Equatable {
    public let generation: Int
    /// How many generations the manifest asks for (`ctx.generations`): a search can spend its last
    /// one evaluating its best guess.
    public let generations: Int
    public let records: [MemoryRecord]

    public init(generation: Int = 1, of generations: Int = 1, records: [MemoryRecord] = []) {
        self.generation = generation
        self.generations = max(generations, generation)
        self.records = records.sorted { ($0.generation, $0.seed, $0.run) < ($1.generation, $1.seed, $1.run) }
    }

    /// Reads a memory file: a JSON array of records (what `fulcrum export --memory` writes), for
    /// `policy check` and `policy replay`; the generation is one past the last record's, and the last.
    public static func load(file: String) throws -> PolicyMemory {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw MemoryFileError("\(file): cannot read the memory file (no such file or not readable)")
        }
        let records: [MemoryRecord]
        do { records = try JSONDecoder().decode([MemoryRecord].self, from: data) } catch {
            throw MemoryFileError("\(file): expected a JSON array of memory records "
                                  + "({\"generation\": 1, \"seed\": 1, \"run\": \"…\", \"value\": …}): \(MemoryFileError.reason(error))")
        }
        let generation = (records.map(\.generation).max() ?? 0) + 1
        return PolicyMemory(generation: generation, of: generation, records: records)
    }
}

public struct MemoryFileError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }

    static func reason(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            "missing key '\(key.stringValue)' at \(path(context.codingPath))"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            "\(context.debugDescription) at \(path(context.codingPath))"
        case let DecodingError.dataCorrupted(context):
            "not valid JSON (\(context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription))"
        default: "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}

/// How a run ended, as `P:finish(ctx, result)` sees it. The test split is not here: it is read by
/// the report only, so nothing a policy remembers can have seen it.
public struct PolicyRunResult: Sendable, Equatable {
    public var steps: Int
    /// The step whose loss was not finite, when the run diverged.
    public var divergedStep: Int?
    /// The last validation evaluation (nil if the run diverged before any).
    public var validation: EvaluationRecord?

    public init(steps: Int, divergedStep: Int? = nil, validation: EvaluationRecord?) {
        self.steps = steps
        self.divergedStep = divergedStep
        self.validation = validation
    }
}

extension MemoryRecord {
    /// The record as ctx.memory shows it, `{generation, run, seed, value}` (what run ids hash).
    public var asValue: MemoryValue {
        .object(["generation": .number(Double(generation)), "seed": .number(Double(seed)), "run": .string(run), "value": value])
    }
}
