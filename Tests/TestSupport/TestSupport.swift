// Tests import TestSupport alone and get LocalServers too: `startPrivateNATS` returns a
// `LocalNATSServer`, and with MemberImportVisibility its members need its module imported.
@_exported import LocalServers
