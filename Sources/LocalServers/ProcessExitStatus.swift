/// How a child process ended, decoded from waitpid's status word.
public enum ProcessExitStatus: Sendable, Hashable, CustomStringConvertible {
    case exited(code: Int32)
    case signalled(signal: Int32)

    /// Decodes a raw waitpid status (the WIFEXITED/WTERMSIG macros are not imported into Swift).
    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        if signal == 0 {
            self = .exited(code: (waitStatus >> 8) & 0xff)
        } else {
            self = .signalled(signal: signal)
        }
    }

    public var isSuccess: Bool { self == .exited(code: 0) }

    public var description: String {
        switch self {
        case .exited(let code): "exited with code \(code)"
        case .signalled(let signal): "was killed by signal \(signal)"
        }
    }
}
