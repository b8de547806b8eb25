package main

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/reject"
)

// wholeKey is the pseudo-key of a rule that matches the whole Stream ID
// rather than one key's value: -rule '*=live/*:1404'.
const wholeKey = "*"

// Rule rejects with Reason the callers whose Stream ID has Key with a value
// matching Glob (path.Match syntax).
type rule struct {
	Key    string // a Stream ID key (u, r, h, s, t, m, user_*...), or "*" for the whole Stream ID
	Glob   string
	Reason reject.Reason
	Text   string // the rule as given
}

// ParseRule parses KEY=GLOB:REASON. REASON is anything reject.Parse accepts
// (1403, SRT_REJX_FORBIDDEN, forbidden, wire:2403, ...). The glob may itself
// contain ':'; the reason is the text after the first ':' from which a
// reason parses.
func parseRule(s string) (rule, error) {
	eq := strings.IndexByte(s, '=')
	if eq <= 0 {
		return rule{}, fmt.Errorf("rule %q: want KEY=GLOB:REASON", s)
	}
	key, rest := strings.TrimSpace(s[:eq]), s[eq+1:]
	if strings.ContainsAny(key, ",={}") {
		return rule{}, fmt.Errorf("rule %q: bad key %q", s, key)
	}
	var firstErr error
	for i := 0; i < len(rest); i++ {
		if rest[i] != ':' {
			continue
		}
		r, err := reject.Parse(rest[i+1:])
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		glob := rest[:i]
		if _, err := path.Match(glob, ""); err != nil {
			return rule{}, fmt.Errorf("rule %q: bad glob %q: %v", s, glob, err)
		}
		return rule{Key: key, Glob: glob, Reason: r, Text: s}, nil
	}
	if firstErr != nil {
		return rule{}, fmt.Errorf("rule %q: %w", s, firstErr)
	}
	return rule{}, fmt.Errorf("rule %q: want KEY=GLOB:REASON (no ':REASON')", s)
}

// Match reports whether the rule applies to a Stream ID.
func (r *rule) Match(raw string, sid *handshake.StreamID) bool {
	if r.Key == wholeKey {
		ok, _ := path.Match(r.Glob, raw)
		return ok
	}
	for _, kv := range sid.Params {
		if kv.Key == r.Key {
			if ok, _ := path.Match(r.Glob, kv.Value); ok {
				return true
			}
		}
	}
	return false
}

// Policy decides the rejection reason for a Stream ID.
type policy struct {
	// All, when set, rejects every caller with Reason All (-reject).
	All     *reject.Reason
	Rules   []rule        // tried in order; the first match wins (-rule)
	Default reject.Reason // when no rule matches (-default)
	// defaultAccepts: in the libsrt mode without -default, a caller no
	// rule matches is accepted.
	defaultAccepts bool
}

// Decide returns the reason to reject a caller with, and why ("-reject",
// the matching rule, or "-default").
func (p *policy) Decide(raw string) (reject.Reason, string) {
	if p.All != nil {
		return *p.All, "-reject"
	}
	if len(p.Rules) > 0 {
		// A malformed Stream ID still yields the pairs parsed before the
		// fault; rules see those.
		sid, _ := handshake.ParseStreamID(raw)
		for i := range p.Rules {
			if p.Rules[i].Match(raw, &sid) {
				return p.Rules[i].Reason, "rule " + p.Rules[i].Text
			}
		}
	}
	return p.Default, "-default"
}

// NewPolicy builds a Policy from the flag values. all and def are reason
// texts ("" when the flag was not given).
func newPolicy(all string, rules []string, def string) (*policy, error) {
	p := &policy{Default: reject.Fallback}
	if all != "" {
		if len(rules) > 0 || def != "" {
			return nil, errors.New("-reject rejects everyone: do not combine it with -rule or -default")
		}
		r, err := reject.Parse(all)
		if err != nil {
			return nil, fmt.Errorf("-reject: %w", err)
		}
		p.All = &r
		return p, nil
	}
	for _, s := range rules {
		r, err := parseRule(s)
		if err != nil {
			return nil, err
		}
		p.Rules = append(p.Rules, r)
	}
	if def != "" {
		r, err := reject.Parse(def)
		if err != nil {
			return nil, fmt.Errorf("-default: %w", err)
		}
		p.Default = r
	}
	return p, nil
}
