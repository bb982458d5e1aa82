import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// State that lives on one connection thread and never leaves it: the libpq handle and, for
/// listeners, what to do when the server sends something while no job is running.
final class ThreadContext {
    /// The connection this thread owns; setting it to nil frees it (PQfinish) on this thread.
    var connection: LibPQConnection?
    /// When set, the idle thread also waits for the connection's socket to become readable and
    /// calls this; it must consume the input (or clear itself) or the thread would spin.
    var onSocketReadable: ((ThreadContext) -> Void)?
}

/// One dedicated OS thread that runs jobs one after another. Every libpq call of a connection
/// happens in a job on its thread, so blocking C calls never occupy Swift's cooperative pool;
/// async callers wait on a continuation that the job resumes.
///
/// When idle the thread sleeps in poll(2) on a wake-up pipe (new job, stop) and, if the context
/// asks for it, on the connection's socket (LISTEN/NOTIFY).
final class ConnectionThread: Sendable {
    typealias Job = @Sendable (ThreadContext) -> Void

    private struct State {
        var jobs: [Job] = []
        var stopping = false
        var finished: [CheckedContinuation<Void, Never>] = []
        var isFinished = false
    }

    let name: String
    private let state = Locked(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init(name: String) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw PostgresClientError(.libpq, "cannot create a wake-up pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        self.wakeRead = fds[0]
        self.wakeWrite = fds[1]
        self.name = name
        let thread = Thread { [self] in self.runLoop() }  // the thread keeps `self` alive until it ends
        thread.start()
    }

    /// Queues `job`; false if the thread is stopping (the job will never run).
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.jobs.append(job)
            wake()  // under the lock: the pipe is closed only after `stopping` is seen with no jobs left
            return true
        }
    }

    /// Runs `body` on the thread and returns its result to the awaiting task.
    func run<T: Sendable>(_ body: @escaping @Sendable (ThreadContext) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = submit { context in
                continuation.resume(with: Result { try body(context) })
            }
            if !accepted {
                continuation.resume(throwing: PostgresClientError(.closed, "the PostgreSQL connection is closed"))
            }
        }
    }

    /// Lets queued jobs finish, then ends the thread (dropping the context frees the connection).
    func stop() {
        state.withLock { state in
            state.stopping = true
            if !state.isFinished { wake() }
        }
    }

    /// Stops and waits until the thread has ended.
    func stopAndWait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                state.stopping = true
                if state.isFinished { return true }
                state.finished.append(continuation)
                wake()
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // EAGAIN means the pipe is already full of wake-ups: fine
    }

    private func runLoop() {
        nameCurrentThread(name)
        var context: ThreadContext? = ThreadContext()
        while let ctx = context {
            let (batch, stopping) = state.withLock { state -> ([Job], Bool) in
                defer { state.jobs.removeAll() }
                return (state.jobs, state.stopping)
            }
            for job in batch { job(ctx) }
            if !batch.isEmpty { continue }
            if stopping {
                let leftover = state.withLock { state -> Bool in !state.jobs.isEmpty }
                if !leftover { context = nil }  // frees the connection (PQfinish) here, on this thread
                continue
            }
            waitForWork(ctx)
        }
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isFinished = true
            defer { state.finished.removeAll() }
            return state.finished
        }
        close(wakeRead)
        close(wakeWrite)
        for waiter in waiters { waiter.resume() }
    }

    /// Names the calling thread (as shown by ps, top, gdb). Foundation's Thread.name is not
    /// reliably applied on Linux, and glibc hides pthread_setname_np without _GNU_SOURCE, so
    /// this writes the kernel's own file; otherwise a new thread keeps its creator's name
    /// (often a cooperative-pool thread's). Linux takes at most 15 bytes.
    private func nameCurrentThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #else
        Thread.current.name = name
        #endif
    }

    private func waitForWork(_ context: ThreadContext) {
        var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        if context.onSocketReadable != nil, let socket = context.connection?.socket, socket >= 0 {
            fds.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0))
        }
        let ready = poll(&fds, nfds_t(fds.count), -1)
        guard ready > 0 else { return }  // EINTR: just look again
        if fds[0].revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &buffer, buffer.count) > 0 {}
        }
        if fds.count > 1, fds[1].revents != 0, let handler = context.onSocketReadable {
            handler(context)
        }
    }
}
