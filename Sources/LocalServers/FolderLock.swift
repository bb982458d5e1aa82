import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a file: one LocalServers per folder. The kernel drops it when our
/// process dies, however it dies, so a crash never leaves a stale lock behind.
final class FolderLock: Sendable {
    private let descriptor: Mutex<Int32>

    init(_ file: URL) throws {
        let descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LocalServersMisuse("cannot open \(file.path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw LocalServersMisuse(
                "\(file.deletingLastPathComponent().path) is in use by another process\(holder.isEmpty ? "" : " (pid \(holder))"); stop it or use another folder"
            )
        }
        ftruncate(descriptor, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = write(descriptor, pid, pid.count)
        self.descriptor = Mutex(descriptor)
    }

    func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            close(descriptor)  // closing the only descriptor releases the flock
            descriptor = -1
        }
    }

    deinit { release() }
}
