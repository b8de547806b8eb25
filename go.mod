module github.com/srtwire/srtwire

go 1.24

require github.com/stretchr/testify v1.12.1

require (
	github.com/google/gopacket v1.1.19 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
