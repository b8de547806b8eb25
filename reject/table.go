package reject

import "strconv"

// entry describes one reason. str, err and gostr are filled in by init so
// that String, Error and GoString need no allocation.
type entry struct {
	code    Reason
	name    string // libsrt identifier
	goName  string // Go constant name in this package
	text    string // libsrt's short text
	explain string // our one-line explanation
	since   string // SRT version that introduced it
	retry   bool   // retrying unchanged can help
	str     string // name + " (" + code + ")"
	err     string // errorPrefix + str + ": " + text
	gostr   string // "reject." + goName
}

// table lists every known reason in ascending order. Texts: libsrt's
// srt_rejectreason_str (srtcore/common.cpp on master; the dev texts for 17
// and 18) and srt_rejectreasonx_str (libsrt dev).
var table = [...]entry{
	{code: Unknown, name: "SRT_REJ_UNKNOWN", goName: "Unknown", since: "1.3.4",
		text:    "Unknown or erroneous",
		explain: "The rejecting side gave no specific reason (libsrt also reports codes it does not know this way); check its logs."},
	{code: System, name: "SRT_REJ_SYSTEM", goName: "System", since: "1.3.4", retry: true,
		text:    "Error in system calls",
		explain: "A system call failed on the rejecting side (sockets, memory, threads); check that host's resources and logs."},
	{code: Peer, name: "SRT_REJ_PEER", goName: "Peer", since: "1.3.4",
		text:    "Peer rejected connection",
		explain: "The peer refused without a specific reason, typically an old HSv4-era peer; check the peer's SRT version and logs."},
	{code: Resource, name: "SRT_REJ_RESOURCE", goName: "Resource", since: "1.3.4",
		text:    "Resource allocation failure",
		explain: "The listener's access callback refused without choosing a code, or the listener ran out of resources; check its access rules and load."},
	{code: Rogue, name: "SRT_REJ_ROGUE", goName: "Rogue", since: "1.3.4",
		text:    "Rogue peer or incorrect parameters",
		explain: "The handshake had invalid or inconsistent fields (for example an HSv5 conclusion without extensions); check the peer's implementation and options."},
	{code: Backlog, name: "SRT_REJ_BACKLOG", goName: "Backlog", since: "1.3.4", retry: true,
		text:    "Listener's backlog exceeded",
		explain: "The listener's queue of unaccepted connections is full; retry later, or make the listener accept faster or raise its backlog."},
	{code: IPE, name: "SRT_REJ_IPE", goName: "IPE", since: "1.3.4",
		text:    "Internal Program Error",
		explain: "The rejecting side hit an internal error (a bug in libsrt or the application); check its logs and version."},
	{code: Close, name: "SRT_REJ_CLOSE", goName: "Close", since: "1.3.4", retry: true,
		text:    "Socket is being closed",
		explain: "The socket was being closed while the connection was set up; retry once the listener is back."},
	{code: Version, name: "SRT_REJ_VERSION", goName: "Version", since: "1.3.4",
		text:    "Peer version too old",
		explain: "The peer's SRT version is below the required minimum (SRTO_MINVERSION); upgrade the older side or lower the minimum."},
	{code: RdvCookie, name: "SRT_REJ_RDVCOOKIE", goName: "RdvCookie", since: "1.3.4", retry: true,
		text:    "Rendezvous-mode cookie collision",
		explain: "Both rendezvous peers produced the same cookie, so neither could take the initiator role; retry the connection."},
	{code: BadSecret, name: "SRT_REJ_BADSECRET", goName: "BadSecret", since: "1.3.4",
		text:    "Incorrect passphrase",
		explain: "Both sides encrypt but their passphrases differ; check SRTO_PASSPHRASE on both sides."},
	{code: Unsecure, name: "SRT_REJ_UNSECURE", goName: "Unsecure", since: "1.3.4",
		text:    "Password required or unexpected",
		explain: "Only one side has a passphrase while encryption is enforced; set the same passphrase on both sides or relax SRTO_ENFORCEDENCRYPTION."},
	{code: MessageAPI, name: "SRT_REJ_MESSAGEAPI", goName: "MessageAPI", since: "1.3.4",
		text:    "MessageAPI/StreamAPI collision",
		explain: "The sides disagree on message mode versus stream mode (SRTO_MESSAGEAPI); use the same transfer type on both."},
	{code: Congestion, name: "SRT_REJ_CONGESTION", goName: "Congestion", since: "1.3.4",
		text:    "Congestion controller type collision",
		explain: "The sides use different congestion controllers (SRTO_CONGESTION, live versus file); use the same transfer type on both."},
	{code: Filter, name: "SRT_REJ_FILTER", goName: "Filter", since: "1.3.4",
		text:    "Packet Filter settings error",
		explain: "The packet filter (FEC) settings of the two sides conflict (SRTO_PACKETFILTER); make them compatible."},
	{code: Group, name: "SRT_REJ_GROUP", goName: "Group", since: "1.4.2",
		text:    "Group settings collision",
		explain: "The socket group (bonding) settings conflict, or only one side uses groups; check SRTO_GROUPCONNECT and the group type."},
	{code: Timeout, name: "SRT_REJ_TIMEOUT", goName: "Timeout", since: "1.4.2", retry: true,
		text:    "Connection timeout",
		explain: "No answer came within the connection timeout (SRTO_CONNTIMEO); check that the peer is reachable and listening and that UDP gets through."},
	{code: Crypto, name: "SRT_REJ_CRYPTO", goName: "Crypto", since: "1.5.2",
		text:    "Crypto mode",
		explain: "The sides want different encryption modes (SRTO_CRYPTOMODE, AES-CTR versus AES-GCM); configure the same mode on both."},
	// libsrt dev branch only; not in the rejection-codes documentation.
	{code: Config, name: "SRT_REJ_CONFIG", goName: "Config", since: "dev",
		text:    "Invalid configuration",
		explain: "The rejecting side found its socket configuration invalid or inconsistent (libsrt dev); check the options on both sides."},

	{code: Fallback, name: "SRT_REJX_FALLBACK", goName: "Fallback", since: "1.4.2",
		text:    "Default fallback reason",
		explain: "The application refused the connection without a more specific reason; check the listener's access-control logs."},
	{code: KeyNotSup, name: "SRT_REJX_KEY_NOTSUP", goName: "KeyNotSup", since: "1.4.2",
		text:    "Unsupported streamid key",
		explain: "The Stream ID uses a key the listener does not support; check the keys in the Stream ID."},
	{code: FilePath, name: "SRT_REJX_FILEPATH", goName: "FilePath", since: "1.4.2",
		text:    "Incorrect resource path",
		explain: "The resource path in the Stream ID (r key, for t=file a file name) is wrong; check it."},
	{code: HostNotFound, name: "SRT_REJX_HOSTNOTFOUND", goName: "HostNotFound", since: "1.4.2",
		text:    "Unrecognized host under h key",
		explain: "The listener does not serve the host named by the Stream ID's h key; check the h value."},
	{code: BadRequest, name: "SRT_REJX_BAD_REQUEST", goName: "BadRequest", since: "1.4.2",
		text:    "Bad request",
		explain: "The listener could not make sense of the request, usually a malformed Stream ID; check its syntax."},
	{code: Unauthorized, name: "SRT_REJX_UNAUTHORIZED", goName: "Unauthorized", since: "1.4.2",
		text:    "Unauthorized",
		explain: "Authentication is missing or failed; check the user (u key) and the credentials."},
	{code: Overload, name: "SRT_REJX_OVERLOAD", goName: "Overload", since: "1.4.2", retry: true,
		text:    "Server overloaded or underpaid",
		explain: "The server is overloaded or the account's quota is used up; retry later."},
	{code: Forbidden, name: "SRT_REJX_FORBIDDEN", goName: "Forbidden", since: "1.4.2",
		text:    "Resource access forbidden",
		explain: "The user may not access this resource; check the permissions for the u and r keys."},
	// Missing from libsrt dev's srt_rejectreasonx_str table (which returns
	// "Undefined extended rejection code"); this text is ours.
	{code: NotFound, name: "SRT_REJX_NOTFOUND", goName: "NotFound", since: "1.4.2",
		text:    "Resource not found",
		explain: "The requested resource (r key) does not exist, at least not now; check the resource name."},
	{code: BadMode, name: "SRT_REJX_BAD_MODE", goName: "BadMode", since: "1.4.2",
		text:    "Bad mode specified with m key",
		explain: "The mode in the Stream ID's m key is not allowed for this resource; check m (request, publish, bidirectional)."},
	{code: Unacceptable, name: "SRT_REJX_UNACCEPTABLE", goName: "Unacceptable", since: "1.4.2",
		text:    "Unacceptable parameters for specified resource",
		explain: "The requested parameters cannot be met for this resource (for m=publish, perhaps the data format); check the Stream ID and options."},
	{code: Conflict, name: "SRT_REJX_CONFLICT", goName: "Conflict", since: "1.4.2", retry: true,
		text:    "Access conflict for a locked resource",
		explain: "The resource is locked for modification, typically because someone else publishes it; retry when it is free."},
	{code: NotSupMedia, name: "SRT_REJX_NOTSUP_MEDIA", goName: "NotSupMedia", since: "1.4.2",
		text:    "Unsupported media type specified with t key",
		explain: "The listener does not support the type in the Stream ID's t key; check the t value."},
	{code: Locked, name: "SRT_REJX_LOCKED", goName: "Locked", since: "1.4.2", retry: true,
		text:    "Resource locked for any access",
		explain: "The resource is locked against any access for now; retry later."},
	{code: FailedDepend, name: "SRT_REJX_FAILED_DEPEND", goName: "FailedDepend", since: "1.4.2",
		text:    "Dependent session id expired",
		explain: "The session this connection depends on (s key) has expired or disconnected; start a new session."},
	{code: ISE, name: "SRT_REJX_ISE", goName: "ISE", since: "1.4.2", retry: true,
		text:    "Internal server error",
		explain: "The server failed internally while handling the request; check its logs, a later retry may succeed."},
	// Missing from libsrt dev's srt_rejectreasonx_str table; this text is ours.
	{code: Unimplemented, name: "SRT_REJX_UNIMPLEMENTED", goName: "Unimplemented", since: "1.4.2",
		text:    "Requested feature not implemented",
		explain: "The server does not implement what the request asks for; check which requests it supports."},
	{code: Gateway, name: "SRT_REJX_GW", goName: "Gateway", since: "1.4.2", retry: true,
		text:    "Gateway target rejected connection",
		explain: "A gateway took the request but the server behind it refused; check the target server, a later retry may succeed."},
	{code: Down, name: "SRT_REJX_DOWN", goName: "Down", since: "1.4.2", retry: true,
		text:    "Service is down for maintenance",
		explain: "The service is down for maintenance; retry later."},
	{code: UnsupportedVersion, name: "SRT_REJX_VERSION", goName: "UnsupportedVersion", since: "1.4.2",
		text:    "Unsupported version for the request",
		explain: "The server does not support the version the request asks for; check the client and server versions."},
	{code: NoRoom, name: "SRT_REJX_NOROOM", goName: "NoRoom", since: "1.4.2",
		text:    "Storage capacity exceeded",
		explain: "The server has no storage left for this request (for example a file upload); free space or use another server."},
}

// Descriptions of codes that have no entry in table.
var (
	unassignedInternal = entry{name: "SRT_REJ_UNASSIGNED",
		text:    "Unknown or erroneous",
		explain: "An internal code that no libsrt version we know assigns (libsrt reads it as SRT_REJ_UNKNOWN); the peer may run a newer libsrt."}
	unassignedPredefined = entry{name: "SRT_REJX_UNASSIGNED",
		text:    "Undefined extended rejection code",
		explain: "A code in the SRT_REJX range (1000-1999) that access_control.h leaves unassigned; see the peer application's documentation."}
	userDefined = entry{name: "SRT_REJC_USERDEFINED",
		text:    "Application-defined rejection reason",
		explain: "A code the peer application defines itself (2000 and up); its meaning is in that application's documentation."}
	invalid = entry{name: "SRT_REJ_INVALID",
		text:    "Unknown or erroneous",
		explain: "Not a rejection reason: reasons are never negative."}
)

// index maps a code 0..NoRoom to 1 + its position in table; 0 means the code
// is unassigned.
var index [NoRoom + 1]uint8

func init() {
	for i := range table {
		e := &table[i]
		index[e.code] = uint8(i + 1)
		e.str = e.name + " (" + strconv.Itoa(int(e.code)) + ")"
		e.err = errorPrefix + e.str + ": " + e.text
		e.gostr = "reject." + e.goName
	}
}

// find returns the table entry of r, or nil if r is not a known code.
func find(r Reason) *entry {
	if uint32(r) < uint32(len(index)) {
		if i := index[r]; i != 0 {
			return &table[i-1]
		}
	}
	return nil
}

// describe returns the entry of r, or the one that describes its range.
func describe(r Reason) *entry {
	if e := find(r); e != nil {
		return e
	}
	switch {
	case r < 0:
		return &invalid
	case r < CategoryPredefinedBase:
		return &unassignedInternal
	case r < CategoryUserBase:
		return &unassignedPredefined
	}
	return &userDefined
}
