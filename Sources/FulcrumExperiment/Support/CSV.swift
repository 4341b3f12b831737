import Foundation

/// A CSV file written row by row: a header, then records; fields quoted as RFC 4180 says (only when
/// they hold a comma, a double quote or a line break; quotes doubled). Lines end in "\n", which
/// pandas, R and the csv modules read like the RFC's "\r\n".
final class CSVFile {
    let path: String
    private(set) var records = 0
    private let handle: FileHandle
    private var buffer = ""

    init(path: String, header: [String]) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw StoreToolError("cannot write \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        append(header)
    }

    func write(_ fields: [String]) throws {
        append(fields)
        records += 1
        // Buffered: steps.csv has a row per run, step and task.
        if buffer.utf8.count >= 1 << 20 { try flush() }
    }

    func close() throws {
        try flush()
        try handle.close()
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func append(_ fields: [String]) {
        buffer += fields.map(Self.field).joined(separator: ",")
        buffer += "\n"
    }

    private func flush() throws {
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }
}
