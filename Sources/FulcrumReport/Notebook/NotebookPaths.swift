import Foundation

/// Where a notebook keeps the files it makes: `notebooks-md/NAME.md` keeps them in
/// `notebooks-md/NAME/` (inline policies in `policies/`, figures in a folder per experiment), so
/// they are committed with it and its links are relative to it.
public struct NotebookPaths: Sendable, Equatable {
    /// The notebook's file, as given (relative to the working directory or absolute).
    public let notebook: String

    public init(notebook: String) { self.notebook = notebook }

    /// The notebook's file name without `.md`.
    public var name: String { ((notebook as NSString).lastPathComponent as NSString).deletingPathExtension }

    /// The folder beside the notebook that holds its files.
    public var directory: String {
        let parent = (notebook as NSString).deletingLastPathComponent
        return parent.isEmpty ? name : "\(parent)/\(name)"
    }

    public func policyFile(_ policy: String) -> String { "\(directory)/policies/\(policy).lua" }

    public func figureFile(experiment: String, fileName: String) -> String { "\(directory)/\(experiment)/\(fileName)" }

    /// A figure's path as the notebook links it, relative to the notebook.
    public func figureLink(experiment: String, fileName: String) -> String { "\(name)/\(experiment)/\(fileName)" }
}
