import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What to start and how: executable, arguments, environment, standard streams, and whether the
/// child must die with us.
public struct ProcessSpec: Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream: Sendable {
        case null
        /// Appends to the file (created if missing).
        case appendingTo(path: String)
        /// Reads the file (for standard input).
        case readingFrom(path: String)
        /// A file descriptor of ours, duplicated into the child.
        case descriptor(Int32)
    }

    /// An absolute path, or a name looked up on PATH.
    public var executable: String
    public var arguments: [String]
    /// Values added to (or replacing) our own environment; nil values remove a variable.
    public var environment: [String: String?]
    public var workingDirectory: String?
    public var standardInput: Stream = .null
    public var standardOutput: Stream = .null
    public var standardError: Stream = .null
    /// Start the child in a process group of its own, so a terminal's Ctrl-C reaches only us and we
    /// stop our servers in order (services first, then the servers they use).
    public var ownProcessGroup = true
    /// Signal the kernel sends the child when our process dies, however it dies (via `setpriv
    /// --pdeathsig`, see `ProcessSpawner`). nil: the child may outlive us.
    public var parentDeathSignal: Int32?
    /// Signal sent at normal process exit (atexit) if the child still runs; nil: left alone.
    public var stopAtExitSignal: Int32?
    /// Run as this OS user (needs root; PostgreSQL refuses to run as root).
    public var user: String?

    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String?] = [:],
        workingDirectory: String? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    public var commandLine: String { ([executable] + arguments).joined(separator: " ") }

    /// Resolves paths and builds the final argv/envp; everything that can fail happens here, off
    /// the spawner thread.
    func prepared() throws -> PreparedSpawn {
        let resolved = try ExecutableLocator.resolve(executable)
        var path = resolved
        var argv = [resolved] + arguments
        if user != nil || parentDeathSignal != nil {
            // setpriv (util-linux) switches user and sets the parent-death signal, then execs the
            // target in the same process; it applies pdeathsig after the uid change, which would
            // otherwise clear it.
            guard let setpriv = ExecutableLocator.find("setpriv") else {
                if user != nil {
                    throw ExecutableNotFound(name: "setpriv", remedy: "install Debian util-linux")
                }
                return PreparedSpawn(spec: self, path: path, argv: argv, environment: mergedEnvironment())
            }
            var wrapper = [setpriv]
            if let user { wrapper += ["--reuid=\(user)", "--regid=\(user)", "--init-groups"] }
            if let parentDeathSignal { wrapper.append("--pdeathsig=\(Self.signalName(parentDeathSignal))") }
            path = setpriv
            argv = wrapper + ["--"] + argv
        }
        return PreparedSpawn(spec: self, path: path, argv: argv, environment: mergedEnvironment())
    }

    private func mergedEnvironment() -> [String] {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        return merged.map { "\($0.key)=\($0.value)" }.sorted()
    }

    private static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: "TERM"
        case SIGINT: "INT"
        case SIGQUIT: "QUIT"
        case SIGHUP: "HUP"
        default: "KILL"
        }
    }
}

/// A spawn with every string ready; `spawn()` runs on the spawner thread.
struct PreparedSpawn: Sendable {
    let spec: ProcessSpec
    let path: String
    let argv: [String]
    let environment: [String]

    func spawn() throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        try addStream(spec.standardInput, to: 0, actions: &actions, readOnly: true)
        try addStream(spec.standardOutput, to: 1, actions: &actions, readOnly: false)
        try addStream(spec.standardError, to: 2, actions: &actions, readOnly: false)
        // Nothing else of ours leaks into the child (lock files, sockets, other children's pipes:
        // an inherited pipe end would keep another reader from ever seeing end-of-file).
        #if canImport(Glibc)
        // Our own pipes are close-on-exec already; this also covers descriptors opened elsewhere.
        _ = GNUExtensions.addCloseFrom?(&actions, 3)
        if let directory = spec.workingDirectory {
            guard let addChdir = GNUExtensions.addChdir else {
                throw LocalServersMisuse("this C library cannot start a process in another directory")
            }
            _ = addChdir(&actions, directory)
        }
        #else
        if let directory = spec.workingDirectory {
            posix_spawn_file_actions_addchdir_np(&actions, directory)
        }
        #endif

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if spec.ownProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        // Signals we ignore or block (SIGPIPE, and whatever a service framework set up) are
        // inherited through exec; the child starts with the defaults instead.
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, cArguments, cEnvironment)
        guard result == 0 else {
            throw LocalServersMisuse("could not start \(spec.commandLine): \(String(cString: strerror(result)))")
        }
        return pid
    }

    private func addStream(
        _ stream: ProcessSpec.Stream, to target: Int32,
        actions: inout posix_spawn_file_actions_t, readOnly: Bool
    ) throws {
        switch stream {
        case .null:
            posix_spawn_file_actions_addopen(&actions, target, "/dev/null", readOnly ? O_RDONLY : O_WRONLY, 0)
        case .appendingTo(let path):
            posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        case .readingFrom(let path):
            posix_spawn_file_actions_addopen(&actions, target, path, O_RDONLY, 0)
        case .descriptor(let descriptor):
            posix_spawn_file_actions_adddup2(&actions, descriptor, target)
        }
    }
}
