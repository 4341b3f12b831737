import Dispatch
import Foundation

/// Ctrl-C during a sweep: the first asks it to stop cleanly (`onFirst`), the second quits at once.
final class Interruption: @unchecked Sendable {
    private let source: any DispatchSourceSignal
    private let lock = NSLock()
    private var count = 0

    var happened: Bool { lock.withLock { count > 0 } }

    init(onFirst: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)  // delivered to the dispatch source instead
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            let count = lock.withLock { self.count += 1; return self.count }
            if count == 1 {
                FileHandle.standardError.write(Data("\nstopping: the runs in flight stop after their current step (Ctrl-C again quits now)\n".utf8))
                onFirst()
            } else {
                exit(130)
            }
        }
        source.resume()
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
