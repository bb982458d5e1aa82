import Foundation

/// Finds the programs LocalServers runs.
public enum ExecutableLocator {
    /// An executable file named `name` on PATH (or `name` itself if it contains a slash).
    public static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        if name.contains("/") { return isExecutable(name) ? name : nil }
        let directories = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }

    /// Like `find`, but throws a plain "not found" when missing.
    static func resolve(_ name: String) throws -> String {
        guard let found = find(name) else {
            throw ExecutableNotFound(name: name, remedy: "not on PATH; run tools/setup")
        }
        return found
    }

    static func isExecutable(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }
}
