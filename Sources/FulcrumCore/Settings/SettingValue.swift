/// The value of a setting: a policy option (a manifest's `options` or a policy's `defaults`) or a
/// sweep setting. Stored as JSON — a number, boolean, string or list of those.
public enum SettingValue: Sendable, Hashable, CustomStringConvertible {
    case number(Double)
    case boolean(Bool)
    case string(String)
    case list([SettingValue])

    /// The Lua type name, for messages.
    public var typeName: String {
        switch self {
        case .number: "number"
        case .boolean: "boolean"
        case .string: "string"
        case .list: "list"
        }
    }

    public var description: String {
        switch self {
        case let .number(value): value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case let .boolean(value): String(value)
        case let .string(value): "\"\(value)\""
        case let .list(values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

extension SettingValue: Codable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .number(value): try container.encode(value)
        case let .boolean(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .list(values): try container.encode(values)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .boolean(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else { self = .list(try container.decode([SettingValue].self)) }
    }
}
