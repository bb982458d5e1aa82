internal import CLibPQ

extension LibPQConnection {
    /// Reads whatever the server has sent and returns the notifications in it.
    /// PQconsumeInput "returns 0 if there was some kind of trouble"; PQnotifies "returns the
    /// next notification from a list of unhandled notification messages received from the
    /// server", parsing already-buffered input first, and each must be freed with PQfreemem.
    func consumeNotifications() throws -> [PostgresNotification] {
        guard PQconsumeInput(pointer) == 1 else {
            throw PostgresClientError(.connectionLost, "the PostgreSQL listener connection was lost: \(errorMessage)")
        }
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(pointer) {
            defer { PQfreemem(notify) }
            notifications.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                    processID: notify.pointee.be_pid))
        }
        return notifications
    }
}
