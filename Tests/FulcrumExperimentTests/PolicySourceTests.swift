import Foundation
@testable import FulcrumExperiment
import FulcrumTestSupport
import Testing

/// A run's id covers the policy's library modules: `PolicySource` follows literal `require` calls
/// from the file through `lib/`, so an edited module changes the hash of every policy that uses it
/// (directly or through another module) and of no other.
@Suite("Policy source hash")
struct PolicySourceTests {
    private func folder() -> ScratchDirectory {
        let scratch = ScratchDirectory()
        scratch.write("plain.lua", "return { name = 'plain' }\n")
        scratch.write("user.lua", "local a = require(\"alpha\")\nlocal q = require 'quiet'\nreturn { name = 'user' }\n")
        scratch.write("lib/alpha.lua", "local b = require\"nested.beta\"\nreturn {}\n")
        scratch.write("lib/nested/beta.lua", "return { x = 1 }\n")
        scratch.write("lib/quiet.lua", "return {}\n")
        scratch.write("lib/unused.lua", "return {}\n")
        return scratch
    }

    @Test func aPolicyThatRequiresNothingHashesAsSha256sumOfItsFile() throws {
        let scratch = folder()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = ["\(scratch.path)/plain.lua"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(PolicySource(file: "\(scratch.path)/plain.lua").hash == String(printed.prefix(64)))
    }

    @Test func theModulesAreFoundThroughEachOther() {
        let scratch = folder()
        #expect(PolicySource(file: "\(scratch.path)/user.lua").modules.map(\.name) == ["alpha", "nested.beta", "quiet"])
        #expect(PolicySource.requiredModules(in: Data("x = require( 'a.b' ) -- require(name) \n".utf8)) == ["a.b"])
    }

    @Test func editingARequiredModuleChangesTheHashAndAnUnusedOneDoesNot() {
        let scratch = folder()
        let user = "\(scratch.path)/user.lua", plain = "\(scratch.path)/plain.lua"
        let before = (PolicySource(file: user).hash, PolicySource(file: plain).hash)
        scratch.write("lib/unused.lua", "return { changed = true }\n")
        #expect(PolicySource(file: user).hash == before.0)
        scratch.write("lib/nested/beta.lua", "return { x = 2 }\n")
        let edited = PolicySource(file: user).hash
        #expect(edited != before.0)
        #expect(PolicySource(file: plain).hash == before.1)
        #expect(PolicyDeclaration(file: user).hash == edited)
    }

    @Test func aMissingModuleOrFileStillHashes() {
        let scratch = folder()
        let user = "\(scratch.path)/user.lua"
        let present = PolicySource(file: user).hash
        try? FileManager.default.removeItem(atPath: "\(scratch.path)/lib/quiet.lua")
        let missing = PolicySource(file: user)
        #expect(missing.modules.first { $0.name == "quiet" }?.bytes == nil)
        #expect(missing.hash != present)
        #expect(PolicySource(file: "\(scratch.path)/absent.lua").hash == "unreadable")
    }
}

/// A combinator's runs cover the policies it loads: string options whose key ends in "policy" and
/// name a file beside it (manifest options over the file's defaults, as the plan passes them).
@Suite("Combinator source hash")
struct CombinatorSourceTests {
    @Test func theInnerPoliciesFilesArePartOfTheHash() {
        let scratch = ScratchDirectory()
        scratch.write("wrap.lua", "return { name = 'wrap' }\n")
        scratch.write("inner.lua", "return { name = 'inner' }\n")
        let wrap = "\(scratch.path)/wrap.lua", own = PolicySource(file: wrap).hash
        #expect(PolicySource.combinedHash(own, script: wrap, innerPolicies: ["beta": .number(0.9)]) == own)
        #expect(PolicySource.combinedHash(own, script: wrap, innerPolicies: ["policy": .string("missing")]) == own)
        let before = PolicySource.combinedHash(own, script: wrap, innerPolicies: ["policy": .string("inner")])
        #expect(before != own)
        #expect(PolicySource.combinedHash(own, script: wrap, innerPolicies: ["gradient_policy": .string("inner")]) != before,
                "the option's name is part of it")
        scratch.write("inner.lua", "return { name = 'inner', changed = true }\n")
        #expect(PolicySource.combinedHash(own, script: wrap, innerPolicies: ["policy": .string("inner")]) != before)
    }
}
