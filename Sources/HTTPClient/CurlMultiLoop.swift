internal import CCurl
import Foundation
import Logging
import Synchronization

/// One curl multi handle, driven by one dedicated thread. Callers hand transfers over with
/// `submit` and cancel them with `cancel`; both only queue a command and wake the thread with
/// curl_multi_wakeup, so no caller ever blocks on network I/O. All transfers share the multi
/// handle's connection cache (keep-alive reuse) and DNS cache.
final class CurlMultiLoop: @unchecked Sendable {
    // @unchecked: `multi` and the `active*` tables are used by the curl thread alone; the only
    // state other threads touch is `inbox`, behind a Mutex.

    private enum Command {
        case add(CurlTransfer)
        case cancel(TransferTicket)
    }

    private struct Inbox {
        var commands: [Command] = []
        var stopping = false
        /// Set by the curl thread just before curl_multi_cleanup: the handle may no longer be
        /// woken.
        var closed = false
    }

    private let inbox = Mutex(Inbox())
    /// Whether the curl thread has finished, and who waits for that.
    private let exit = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let multi: UnsafeMutableRawPointer
    private let logger: Logger

    // Curl thread only.
    private var activeByHandle: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var activeByTicket: [ObjectIdentifier: CurlTransfer] = [:]

    init(maxConnectionsPerHost: Int, logger: Logger) throws(HTTPClientError) {
        try CurlGlobal.ensureInitialized()
        guard let multi = curl_multi_init() else {
            throw HTTPClientError(kind: .transferFailed, url: "-", message: "curl_multi_init failed")
        }
        if maxConnectionsPerHost > 0 {
            // Further transfers to that host wait inside libcurl for a free connection.
            _ = almanac_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
        }
        self.multi = multi
        self.logger = logger
        let thread = Thread { [self] in run() }
        thread.name = "almanac-curl"
        thread.start()
    }

    /// Hands `transfer` to the curl thread, which resumes its continuation when it is done.
    func submit(_ transfer: CurlTransfer) {
        let accepted = enqueue(.add(transfer))
        if !accepted {
            transfer.resume(with: .failure(HTTPClientError(kind: .shutDown, url: transfer.redactedURL, message: "the HTTP client is shut down")))
        }
    }

    /// Asks the curl thread to stop the transfer with this ticket (if it is still running).
    func cancel(_ ticket: TransferTicket) {
        ticket.markCancelled()
        _ = enqueue(.cancel(ticket))
    }

    /// Fails every running transfer with `.shutDown`, frees the multi handle, ends the thread.
    func stop() {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return }
            inbox.stopping = true
            if !inbox.closed { _ = curl_multi_wakeup(multi) }
        }
    }

    /// `stop()`, then waits until the curl thread has failed the remaining transfers, freed the
    /// multi handle and ended.
    func stopAndWait() async {
        stop()
        await waitUntilExited()
    }

    /// Returns once the curl thread has ended (after someone called `stop()`).
    func waitUntilExited() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = exit.withLock { exit in
                if !exit.done { exit.waiters.append(continuation) }
                return exit.done
            }
            if done { continuation.resume() }
        }
    }

    private func enqueue(_ command: Command) -> Bool {
        inbox.withLock { inbox in
            guard !inbox.stopping else { return false }
            inbox.commands.append(command)
            // curl_multi_wakeup may be called from any thread: it makes a curl_multi_poll that is
            // waiting (or the next one) return at once. Called under the lock so that it can
            // never race the curl thread's curl_multi_cleanup.
            _ = curl_multi_wakeup(multi)
            return true
        }
    }

    // MARK: The curl thread

    private func run() {
        var running: Int32 = 0
        while true {
            let (commands, stopping) = inbox.withLock { inbox in
                defer { inbox.commands = [] }
                return (inbox.commands, inbox.stopping)
            }
            for command in commands {
                apply(command, stopping: stopping)
            }
            if stopping { break }

            // Does whatever I/O is ready without blocking; callbacks run in here.
            let performed = curl_multi_perform(multi, &running)
            if performed != CURLM_OK {
                logger.error("curl_multi_perform failed", metadata: ["curlmcode": "\(performed.rawValue)", "message": "\(String(cString: curl_multi_strerror(performed)))"])
            }
            collectFinished()

            // Sleeps until a socket is ready, curl's own next timeout is due, 1 s passes, or
            // curl_multi_wakeup is called. Unlike curl_multi_wait it also waits when there are
            // no transfers at all.
            var ready: Int32 = 0
            let polled = curl_multi_poll(multi, nil, 0, 1000, &ready)
            if polled != CURLM_OK {
                logger.error("curl_multi_poll failed", metadata: ["curlmcode": "\(polled.rawValue)"])
            }
        }

        for transfer in Array(activeByHandle.values) {
            finish(transfer, with: .failure(HTTPClientError(kind: .shutDown, url: transfer.redactedURL, message: "the HTTP client was shut down")))
        }
        inbox.withLock { $0.closed = true }
        // curl_multi_cleanup: all easy handles were removed above; the multi's connection
        // cache is closed with it.
        curl_multi_cleanup(multi)
        let waiters = exit.withLock { exit in
            exit.done = true
            defer { exit.waiters = [] }
            return exit.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func apply(_ command: Command, stopping: Bool) {
        switch command {
        case .add(let transfer):
            if transfer.ticket.isCancelled {
                transfer.resumeCancelled()
                return
            }
            if stopping {
                transfer.resume(with: .failure(HTTPClientError(kind: .shutDown, url: transfer.redactedURL, message: "the HTTP client was shut down")))
                return
            }
            let added = curl_multi_add_handle(multi, transfer.handle)
            guard added == CURLM_OK else {
                transfer.resume(with: .failure(HTTPClientError(
                    kind: .transferFailed,
                    url: transfer.redactedURL,
                    message: "curl_multi_add_handle failed: \(String(cString: curl_multi_strerror(added)))"
                )))
                return
            }
            activeByHandle[transfer.handle] = transfer
            activeByTicket[ObjectIdentifier(transfer.ticket)] = transfer
        case .cancel(let ticket):
            // Not active: not added yet (then `add` sees the flag) or already finished.
            guard let transfer = activeByTicket[ObjectIdentifier(ticket)] else { return }
            // Removing an easy handle mid-transfer is allowed and halts that transfer; its
            // connection is closed rather than reused.
            remove(transfer)
            transfer.resumeCancelled()
            logger.debug("HTTP transfer cancelled", metadata: ["method": "\(transfer.method)", "url": "\(transfer.redactedURL)"])
        }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        // curl_multi_info_read returns one message per finished transfer. CURLMSG_DONE is the
        // only kind there is: the transfer is over (successfully or not) and data.result holds
        // its CURLcode. The message is only valid until the next info_read/remove/cleanup call,
        // so read it out first.
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let transfer = activeByHandle[handle] else { continue }
            finish(transfer, with: transfer.result(for: code))
        }
    }

    private func finish(_ transfer: CurlTransfer, with result: Result<HTTPResponse, HTTPClientError>) {
        remove(transfer)
        transfer.resume(with: result)
        if logger.logLevel <= .debug {
            let elapsed = ContinuousClock.now - transfer.started
            var metadata: Logger.Metadata = ["method": "\(transfer.method)", "url": "\(transfer.redactedURL)", "elapsed": "\(elapsed)"]
            switch result {
            case .success(let response): metadata["status"] = "\(response.status)"
            case .failure(let error): metadata["error"] = "\(error)"
            }
            logger.debug("HTTP transfer finished", metadata: metadata)
        }
    }

    /// Takes the handle out of the multi (the docs require this before curl_easy_cleanup) and
    /// drops the curl thread's reference, so the transfer's deinit runs here once the caller
    /// has been resumed.
    private func remove(_ transfer: CurlTransfer) {
        _ = curl_multi_remove_handle(multi, transfer.handle)
        activeByHandle[transfer.handle] = nil
        activeByTicket[ObjectIdentifier(transfer.ticket)] = nil
    }
}
