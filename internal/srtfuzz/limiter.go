package srtfuzz

import (
	"context"
	"sync"
	"time"
)

// limiter spaces the datagrams srtfuzz sends to at most rate a second,
// over every case and probe, with a burst of at most burst datagrams.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
	burst    time.Duration
}

const limiterBurst = 8

func newLimiter(rate float64) *limiter {
	if rate <= 0 {
		return &limiter{}
	}
	iv := time.Duration(float64(time.Second) / rate)
	return &limiter{interval: iv, burst: limiterBurst * iv}
}

// wait blocks until the next datagram may be sent.
func (l *limiter) wait(ctx context.Context) error {
	if l.interval == 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	now := time.Now()
	if l.next.Before(now.Add(-l.burst)) {
		l.next = now.Add(-l.burst)
	}
	t := l.next
	l.next = l.next.Add(l.interval)
	l.mu.Unlock()
	d := t.Sub(now)
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
