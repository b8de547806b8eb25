//go:build interop

package crypt

// This test checks the AES-GCM (and AES-CTR) payload layout against an
// independent implementation: the Python "cryptography" package (Debian:
// apt-get install python3-cryptography), which wraps OpenSSL, the library
// libsrt's AES-GCM builds use (haicrypt/cryspr-openssl-evp.c). The Python
// side builds the nonce, the counter block and the additional data from
// libsrt's rules on its own. Run it with
//
//	go test -tags interop -run GCM ./crypt/

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"testing"

	"github.com/srtwire/srtwire/handshake"
	"github.com/srtwire/srtwire/packet"
)

const interopScript = `
import json, sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.exceptions import InvalidTag

def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))

out = []
for v in json.load(sys.stdin):
    key, salt, hdr, pt, goct = (bytes.fromhex(v[k]) for k in ("key", "salt", "hdr", "pt", "go_gcm"))
    pki = hdr[:4]                                   # the sequence-number word, as on the wire
    nonce = xor(salt[:12], bytes(8) + pki)           # hcrypt_SetGcmIV
    aad = hdr[:4] + bytes([hdr[4] & ~0x04]) + hdr[5:16]   # the header, R flag cleared
    iv = xor(salt[:14], bytes(10) + pki) + bytes(2)  # hcrypt_SetCtrIV, block counter 0
    gcm = AESGCM(key).encrypt(nonce, pt, aad)
    ctr = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor().update(pt)
    try:
        ok = AESGCM(key).decrypt(nonce, goct, aad) == pt
    except InvalidTag:
        ok = False
    out.append({"gcm": gcm.hex(), "ctr": ctr.hex(), "go_gcm_ok": ok})
json.dump(out, sys.stdout)
`

type interopVector struct {
	Key   string `json:"key"`
	Salt  string `json:"salt"`
	Hdr   string `json:"hdr"`
	PT    string `json:"pt"`
	GoGCM string `json:"go_gcm"`
}

type interopResult struct {
	GCM     string `json:"gcm"`
	CTR     string `json:"ctr"`
	GoGCMOK bool   `json:"go_gcm_ok"`
}

func TestGCMInteropPythonCryptography(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found; install python3-cryptography")
	}
	r := rand.New(rand.NewPCG(2026, 12))
	type vec struct {
		key, salt, hdr, pt []byte
	}
	var vecs []vec
	var in []interopVector
	lengths := []int{0, 1, 15, 16, 17, 31, 32, 33, 100, 159, 160, 161, 188, 1316, 1456}
	for i := 0; i < 300; i++ {
		keyLen := []int{16, 24, 32}[i%3]
		n := lengths[i%len(lengths)]
		if i >= 2*len(lengths) {
			n = r.IntN(1500)
		}
		h := packet.Header{
			Seq:           packet.SeqNumber(r.Uint32() & 0x7FFFFFFF),
			Position:      packet.Position(r.IntN(4)),
			InOrder:       r.IntN(2) == 1,
			Key:           handshake.KeyFlags(1 + r.IntN(2)),
			Retransmitted: r.IntN(2) == 1,
			MsgNo:         packet.MsgNumber(r.Uint32() & 0x03FFFFFF),
			Timestamp:     r.Uint32(),
			DstSocket:     r.Uint32(),
		}
		hdr, err := h.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		v := vec{randBytes(r, keyLen), randBytes(r, 16), hdr, randBytes(r, n)}
		c, err := NewPayloadCipher(handshake.CipherAESGCM, v.key, v.salt)
		if err != nil {
			t.Fatal(err)
		}
		goct, err := c.Encrypt(v.hdr, bytes.Clone(v.pt))
		if err != nil {
			t.Fatal(err)
		}
		vecs = append(vecs, v)
		in = append(in, interopVector{hex.EncodeToString(v.key), hex.EncodeToString(v.salt),
			hex.EncodeToString(v.hdr), hex.EncodeToString(v.pt), hex.EncodeToString(goct)})
	}
	input, _ := json.Marshal(in)
	cmd := exec.Command(python, "-c", interopScript)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	output, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s(is python3-cryptography installed?)", err, stderr.String())
	}
	var res []interopResult
	if err := json.Unmarshal(output, &res); err != nil || len(res) != len(vecs) {
		t.Fatalf("python3 output: %v, %d results", err, len(res))
	}
	for i, v := range vecs {
		want, _ := hex.DecodeString(res[i].GCM)
		if !res[i].GoGCMOK {
			t.Errorf("vector %d: Python refuses our GCM payload", i)
		}
		gcm, _ := NewPayloadCipher(handshake.CipherAESGCM, v.key, v.salt)
		pt, err := gcm.Decrypt(v.hdr, bytes.Clone(want))
		if err != nil || !bytes.Equal(pt, v.pt) {
			t.Errorf("vector %d (len %d): we cannot decrypt Python's GCM payload: %v", i, len(v.pt), err)
		}
		got, _ := gcm.Encrypt(v.hdr, bytes.Clone(v.pt))
		if !bytes.Equal(got, want) {
			t.Errorf("vector %d: GCM payloads differ", i)
		}
		wantCTR, _ := hex.DecodeString(res[i].CTR)
		ctr, _ := NewPayloadCipher(handshake.CipherAESCTR, v.key, v.salt)
		if got, _ := ctr.Encrypt(v.hdr, bytes.Clone(v.pt)); !bytes.Equal(got, wantCTR) {
			t.Errorf("vector %d (len %d): CTR payloads differ", i, len(v.pt))
		}
	}
	t.Logf("%d GCM and CTR vectors agree with Python cryptography (OpenSSL)", len(vecs))
}
