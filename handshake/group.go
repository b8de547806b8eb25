package handshake

import (
	"encoding/binary"
	"strconv"
)

// GroupType is the type of a socket group (SRT_GTYPE_*).
type GroupType uint8

// Group types. libsrt 1.5 accepts 0-2 and rejects the others with
// SRT_REJ_GROUP; 3 (balancing) existed in 1.4.4 and the draft reserves 4.
const (
	GroupUndefined  GroupType = 0
	GroupBroadcast  GroupType = 1
	GroupMainBackup GroupType = 2
	GroupBalancing  GroupType = 3
	GroupMulticast  GroupType = 4
)

var groupNames = [...]string{"undefined", "broadcast", "backup", "balancing", "multicast"}

// String returns the group type's name ("broadcast", "backup"), or "GroupType(n)".
func (t GroupType) String() string {
	if int(t) < len(groupNames) {
		return groupNames[t]
	}
	return "GroupType(" + strconv.Itoa(int(t)) + ")"
}

// GroupFlagSyncOnMsg (SRT_GFLAG_SYNCONMSG) asks members to synchronise on
// message numbers.
const GroupFlagSyncOnMsg = 1

// GroupMask is the bit that marks a group ID (SRTGROUP_MASK).
const GroupMask = 0x40000000

// Group is the content of a GROUP extension block.
type Group struct {
	ID     uint32 // group ID; libsrt requires bit 30 (GroupMask) set
	Type   GroupType
	Flags  uint8
	Weight uint16 // link priority for main/backup groups
}

// GroupSize is the encoded size of a GROUP block's content.
const GroupSize = 8

// Decode decodes a GROUP block's content. It needs 8 bytes; extra words
// are ignored, as libsrt does.
func (g *Group) Decode(b []byte) error {
	*g = Group{}
	if len(b) < GroupSize {
		return ErrTruncated
	}
	g.ID = binary.BigEndian.Uint32(b)
	g.Type = GroupType(b[4])
	g.Flags = b[5]
	g.Weight = binary.BigEndian.Uint16(b[6:])
	return nil
}

// MarshalSize returns GroupSize.
func (g *Group) MarshalSize() int { return GroupSize }

// AppendBinary appends the 8-byte encoding of g to b.
func (g *Group) AppendBinary(b []byte) ([]byte, error) {
	b = binary.BigEndian.AppendUint32(b, g.ID)
	b = append(b, uint8(g.Type), g.Flags)
	return binary.BigEndian.AppendUint16(b, g.Weight), nil
}
