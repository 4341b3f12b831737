/// A network with one output per task, split where the heads read the shared trunk: the trunk maps
/// the input to `representations`; the heads map representations to task outputs. The trainer cuts
/// the graph there, so each task's gradient at the representations costs only a pass through its head.
public protocol MultiTaskModel: AnyObject {
    var taskCount: Int { get }
    /// The shared part: what the heads read (one tensor for hard sharing, one per block otherwise).
    func representations(_ input: Variable, _ pass: ForwardPass) -> [Variable]
    /// One output per task, in task order, from the representations (or cut copies of them).
    func outputs(_ representations: [Variable], _ pass: ForwardPass) -> [Variable]
    var sharedParameters: [Variable] { get }
    /// `headParameters[t]` reaches only task t's output.
    var headParameters: [[Variable]] { get }
    /// The parameters of the trunk's last layer — GradNorm's W.
    var lastSharedLayerParameters: [Variable] { get }
}

extension MultiTaskModel {
    public var parameters: [Variable] { sharedParameters + headParameters.flatMap { $0 } }

    /// Task outputs for an input, in one go.
    public func callAsFunction(_ input: Variable, _ pass: ForwardPass = .evaluation) -> [Variable] {
        outputs(representations(input, pass), pass)
    }
}
