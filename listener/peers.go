package listener

import (
	"net/netip"
	"sync"
)

// DefaultMaxPeers is the capacity of a Peers table made with size 0.
const DefaultMaxPeers = 1024

type peerKey struct {
	addr    netip.AddrPort
	id, isn uint32
}

type peerEntry struct {
	answer []byte // the CONCLUSION answer, header included
	silent bool   // libsrt answers a repeat with nothing (craftKmResponse fails)
}

// Peers is the table of accepted callers a libsrt listener keeps
// (CUDTUnited::m_PeerRec, looked up by locatePeer with the caller's address,
// socket ID and ISN): a CONCLUSION from a caller in it is answered with the
// same CONCLUSION answer again, without any other check (newConnection).
// It holds at most its capacity of callers and forgets the oldest beyond
// that. It is safe for concurrent use.
type Peers struct {
	mu    sync.Mutex
	max   int
	m     map[peerKey]*peerEntry
	order []peerKey
}

// NewPeers returns an empty table of at most size callers
// (DefaultMaxPeers when size <= 0).
func NewPeers(size int) *Peers {
	if size <= 0 {
		size = DefaultMaxPeers
	}
	return &Peers{max: size, m: make(map[peerKey]*peerEntry)}
}

// Forget removes a caller, as closing its socket does in libsrt.
func (p *Peers) Forget(from netip.AddrPort, socketID, isn uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, peerKey{from, socketID, isn})
}

// Len returns the number of callers held.
func (p *Peers) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.m)
}

// lookup appends the answer for a known caller to out.
func (p *Peers) lookup(k peerKey, out []byte) ([]byte, bool, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.m[k]
	if e == nil {
		return out, false, false
	}
	return append(out, e.answer...), e.silent, true
}

func (p *Peers) add(k peerKey, answer []byte, silent bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.m[k]; !ok {
		if len(p.m) >= p.max {
			for len(p.order) > 0 && len(p.m) >= p.max {
				delete(p.m, p.order[0])
				p.order = p.order[1:]
			}
		}
		p.order = append(p.order, k)
		if len(p.order) > 2*p.max { // keys forgotten meanwhile
			live := p.order[:0]
			for _, o := range p.order {
				if _, ok := p.m[o]; ok {
					live = append(live, o)
				}
			}
			p.order = live
		}
	}
	p.m[k] = &peerEntry{answer: append([]byte(nil), answer...), silent: silent}
}
