package listener

import "encoding/binary"

// SipHash24ForTest runs sipHash24 on the reference test vector input.
func SipHash24ForTest() uint64 {
	var key, msg [24]byte
	for i := range key {
		key[i], msg[i] = byte(i), byte(i)
	}
	m := [3]uint64{binary.LittleEndian.Uint64(msg[0:]), binary.LittleEndian.Uint64(msg[8:]), binary.LittleEndian.Uint64(msg[16:])}
	return sipHash24(binary.LittleEndian.Uint64(key[0:]), binary.LittleEndian.Uint64(key[8:]), m)
}
