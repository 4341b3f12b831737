import Foundation
import FulcrumCore
import FulcrumLua

/// What a policy file declares, read once per manifest load (`PolicyDeclarations`) and shared by the
/// checks of every entry and swept value that names the file, and by the plan.
public struct PolicyDeclaration: Sendable, Equatable {
    /// SHA-256 of the file and the library modules it requires (`PolicySource`), "unreadable" when
    /// the file cannot be read: part of every run's id.
    public let hash: String
    /// The declared options and their defaults; nil when the file does not load — not a manifest
    /// problem: its runs fail, with the Lua message.
    public let defaults: [String: SettingValue]?
    let name: String
    /// `memory = true`: the policy remembers across runs (false when the file does not load).
    let remembers: Bool

    init(file: String) {
        hash = PolicySource(file: file).hash
        let policy = try? LuaPolicy(file: file)
        defaults = policy?.defaults
        name = policy?.name ?? file
        remembers = policy?.remembers ?? false
    }

    /// Why `options` cannot be given to the policy (an undeclared option, a type unlike its default's);
    /// nil when they can, or when the file does not load.
    func problem(with options: [String: SettingValue]) -> String? {
        guard let defaults else { return nil }
        do { _ = try LuaPolicy.merge(options, over: defaults, policy: name) } catch let error as LuaPolicyError { return error.message } catch { return nil }
        return nil
    }
}

/// The declarations of the policy files one manifest load reads, by path: each file is loaded once
/// however many entries, swept values, aliases and quick forms name it.
final class PolicyDeclarations {
    private var byFile: [String: PolicyDeclaration] = [:]

    func of(_ file: String) -> PolicyDeclaration {
        if let known = byFile[file] { return known }
        let declaration = PolicyDeclaration(file: file)
        byFile[file] = declaration
        return declaration
    }
}
