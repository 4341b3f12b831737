import Foundation
import FulcrumCore
import FulcrumLua
import FulcrumTestSupport
import Testing

/// Every file in policies/: the header a reader needs, and a clean `fulcrum policy check` run for
/// T = 2…5 with its default options.
@Suite("Every shipped policy")
struct EveryShippedPolicyTests {
    static let files: [String] = {
        let directory = "\(repositoryRoot)/policies"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".lua") }.sorted().map { "\(directory)/\($0)" }
    }()

    @Test func thePolicyFolderIsFound() {
        #expect(Self.files.count >= 3, "policies/*.lua under \(repositoryRoot)")
    }

    @Test(arguments: files)
    func headerNamesTheMethodFormulaNeedsAndOptions(_ file: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let header = text.split(separator: "\n", omittingEmptySubsequences: false).prefix { $0.hasPrefix("--") }.joined(separator: "\n")
        #expect(header.hasPrefix("---"), "\(file): starts with a `---` doc comment naming the method")
        for label in ["Formula", "Needs:", "Options:"] {
            #expect(header.contains(label), "\(file): the header says '\(label)'")
        }
    }

    @Test(arguments: files)
    func passesPolicyCheckForTwoToFiveTasks(_ file: String) throws {
        for tasks in 2...5 {
            let steps = try PolicyCheck.run(file: file, tasks: tasks, steps: 60, stepsPerEpoch: 10)
            #expect(steps.count == 60)
            #expect(steps.allSatisfy { $0.weights.shared.count == tasks && $0.weights.heads.count == tasks })
        }
    }
}
