import Yams

/// The YAML of the sections that define what a run trains (data, tasks, model, train), into which
/// a sweep's settings are substituted before the sections are parsed.
struct DefinitionNodes {
    var data: Node
    var tasks: Node
    var model: Node
    var train: Node

    init?(_ top: ManifestMapping) {
        guard let data = top["data"], let tasks = top["tasks"], let model = top["model"], let train = top["train"] else { return nil }
        self.data = data.node
        self.tasks = tasks.node
        self.model = model.node
        self.train = train.node
    }

    /// These sections with `path` (`train.lr`, `tasks.seg.gamma0`) set to `value`.
    func setting(_ path: String, to value: Node?) -> DefinitionNodes {
        let keys = path.split(separator: ".").map(String.init)
        var copy = self
        switch keys.first {
        case "tasks": copy.tasks = tasks.replacing(keys.dropFirst(), with: value)
        case "model": copy.model = model.replacing(keys.dropFirst(), with: value)
        case "train": copy.train = train.replacing(keys.dropFirst(), with: value)
        default: break
        }
        return copy
    }

    /// The single-task baseline of task `name`: that task alone, on the same trunk with hard sharing.
    func singleTask(_ name: String) -> DefinitionNodes {
        var copy = setting("model.task_order", to: nil)
            .setting("model.architecture", to: Node.scalar(Node.Scalar("hard_sharing", Tag(.str))))
        if case let .sequence(items) = tasks {
            let kept = items.filter { $0.mapping?.first(where: { $0.key.string == "name" })?.value.string == name }
            copy.tasks = .sequence(Node.Sequence(Array(kept), items.tag, items.style, items.mark))
        }
        return copy
    }

    /// SHA-256 of the canonical YAML of the four sections: formatting and comments do not count.
    var hash: String {
        let pairs = [("data", data), ("tasks", tasks), ("model", model), ("train", train)].map { (Node($0.0), $0.1) }
        return SHA256.hexDigest((try? Yams.serialize(node: .mapping(Node.Mapping(pairs)))) ?? "")
    }
}
