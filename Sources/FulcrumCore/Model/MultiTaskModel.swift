/// A network with one output per task. Parameters are split into the shared ones (the trunk, which
/// every task's gradient reaches) and each task's own head, because policies may weight them apart.
public protocol MultiTaskModel: AnyObject {
    var taskCount: Int { get }
    /// One head output per task, in task order.
    func callAsFunction(_ input: Variable) -> [Variable]
    var sharedParameters: [Variable] { get }
    /// `headParameters[t]` reaches only task t's output.
    var headParameters: [[Variable]] { get }
}

extension MultiTaskModel {
    public var parameters: [Variable] { sharedParameters + headParameters.flatMap { $0 } }
}
