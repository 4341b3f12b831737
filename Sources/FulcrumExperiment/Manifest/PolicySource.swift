import Foundation
import FulcrumCore

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

    /// The hash of a run's policy: `own` (the file's), followed for a combinator by the sources of the
    /// policies it loads — the string options whose key ends in "policy" and names a file beside it
    /// (`policy = "dwa"` → dwa.lua) — so its runs' ids cover them too. `own` unchanged when there are none.
    static func combinedHash(_ own: String, script: String, innerPolicies options: [String: SettingValue]) -> String {
        let directory = (script as NSString).deletingLastPathComponent
        let inner = options.keys.sorted().filter { $0.hasSuffix("policy") }.compactMap { key -> String? in
            guard case let .string(name)? = options[key] else { return nil }
            let path = (directory as NSString).appendingPathComponent("\(name).lua")
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            return "\(key)=\(PolicySource(file: path).hash)"
        }
        guard !inner.isEmpty else { return own }
        return SHA256.hexDigest(Data(([own] + inner).joined(separator: "\u{0}").utf8))
    }

    /// The literal module names of `require("x")`, `require 'x'` and `require"x"` calls in a source.
    static func requiredModules(in source: Data?) -> [String] {
        guard let source, let text = String(data: source, encoding: .utf8) else { return [] }
        let pattern = #/\brequire\s*\(?\s*["']([A-Za-z_][A-Za-z0-9_.]*)["']/#
        return text.matches(of: pattern).map { String($0.output.1) }
    }
}
