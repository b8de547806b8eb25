module github.com/srtwire/srtwire/gopacketsrt

go 1.25.0

replace github.com/srtwire/srtwire => ../

require (
	github.com/gopacket/gopacket v1.7.7
	github.com/srtwire/srtwire v0.0.0-00010101000000-000000000000
)
