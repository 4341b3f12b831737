/// A policy option's value, as a manifest or a policy's `defaults` gives it.
public enum PolicyOption: Sendable, Hashable, CustomStringConvertible {
    case number(Double)
    case boolean(Bool)
    case string(String)
    case list([PolicyOption])

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
