module github.com/srtwire/srtwire

go 1.24

require (
	github.com/google/gopacket v1.1.19 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
)
