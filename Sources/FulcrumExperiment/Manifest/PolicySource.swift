import Foundation

/// The source a policy runs: its file and every library module it requires, found by following the
/// `require("name")` calls with a literal name from the file through the modules (policies/lib is
/// the folder beside the policy file, as the Lua host resolves it). Its hash is part of every run's
/// id, so editing a library a policy uses re-trains that policy's runs, not only editing the file.
struct PolicySource {
    /// The policy file's bytes, nil when it cannot be read.
    let file: Data?
    /// Module name → bytes (nil when the module's file is missing), in name order.
    let modules: [(name: String, bytes: Data?)]

    init(file path: String) {
        file = FileManager.default.contents(atPath: path)
        let library = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lib")
        var found: [String: Data?] = [:]
        var pending = Self.requiredModules(in: file)
        while let name = pending.popLast() {
            guard found[name] == nil else { continue }
            let bytes = FileManager.default.contents(atPath: "\(library)/\(name.replacingOccurrences(of: ".", with: "/")).lua")
            found[name] = .some(bytes)
            pending += Self.requiredModules(in: bytes)
        }
        modules = found.keys.sorted().map { ($0, found[$0]!) }
    }

    /// SHA-256 of the file alone when it requires nothing (so `sha256sum` on the file prints it);
    /// otherwise of the file followed by each module's name and bytes. "unreadable" when the file
    /// cannot be read.
    var hash: String {
        guard let file else { return "unreadable" }
        guard !modules.isEmpty else { return SHA256.hexDigest(file) }
        var text = file
        for (name, bytes) in modules {
            text.append(Data("\u{0}require \(name)\u{0}".utf8))
            text.append(bytes ?? Data("missing".utf8))
        }
        return SHA256.hexDigest(text)
    }

    /// The literal module names of `require("x")`, `require 'x'` and `require"x"` calls in a source.
    static func requiredModules(in source: Data?) -> [String] {
        guard let source, let text = String(data: source, encoding: .utf8) else { return [] }
        let pattern = #/\brequire\s*\(?\s*["']([A-Za-z_][A-Za-z0-9_.]*)["']/#
        return text.matches(of: pattern).map { String($0.output.1) }
    }
}
