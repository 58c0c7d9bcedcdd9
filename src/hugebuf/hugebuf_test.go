//go:build linux && !race

package hugebuf

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func TestReserve(t *testing.T) {
	const n = 64 << 20
	b := Reserve(n)
	if b == nil {
		t.Fatal("Reserve(64 MiB) = nil on Linux without an address-space limit")
	}
	if b.Cap() != n {
		t.Fatalf("Cap() = %d, want %d", b.Cap(), n)
	}
	if a := addr(b.Bytes(n)) % hugePage; a != 0 {
		t.Errorf("buffer starts %d bytes past a huge page boundary: it could not be backed by huge pages", a)
	}
	// Written bytes are kept: a longer view sees what a shorter one wrote.
	small := b.Bytes(10)
	if len(small) != 10 || cap(small) != 10 {
		t.Fatalf("Bytes(10): len %d cap %d, want 10 and 10 (appending must not run into the rest)", len(small), cap(small))
	}
	copy(small, "0123456789")
	all := b.Bytes(n)
	if string(all[:10]) != "0123456789" {
		t.Errorf("Bytes(n)[:10] = %q, want what Bytes(10) wrote", all[:10])
	}
	if all[n-1] != 0 || all[n/2] != 0 {
		t.Error("untouched bytes of a fresh mapping are not zero")
	}
	all[n-1] = 1 // the last byte is mapped
	runtime.KeepAlive(b)
}

func TestReserveRefuses(t *testing.T) {
	for _, n := range []int{0, -1} {
		if Reserve(n) != nil {
			t.Errorf("Reserve(%d) != nil", n)
		}
	}
}

// TestReserveUnderAddressSpaceLimit checks, in a child process, that
// nothing is reserved under ulimit -v: the Go heap may need the room.
func TestReserveUnderAddressSpaceLimit(t *testing.T) {
	if os.Getenv("HUGEBUF_CHILD") == "1" {
		lim := syscall.Rlimit{Cur: 64 << 30, Max: 64 << 30}
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
			t.Skipf("setrlimit: %v", err)
		}
		if Reserve(1<<20) != nil {
			t.Fatal("Reserve under RLIMIT_AS of 64 GiB: want nil")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReserveUnderAddressSpaceLimit$", "-test.v")
	cmd.Env = append(os.Environ(), "HUGEBUF_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !containsPass(string(out)) {
		t.Fatalf("child did not run the check:\n%s", out)
	}
}

func containsPass(s string) bool {
	return strings.Contains(s, "--- PASS: TestReserveUnderAddressSpaceLimit")
}

// TestReserveUnderStrictOvercommit checks that nothing is reserved where
// the kernel would charge the whole mapping, or where the setting cannot
// be read.
func TestReserveUnderStrictOvercommit(t *testing.T) {
	defer func(p string) { overcommitSetting = p }(overcommitSetting)
	dir := t.TempDir()
	for content, want := range map[string]bool{"0\n": true, "1\n": true, "2\n": false, "": true} {
		p := dir + "/overcommit"
		if content == "" {
			p = dir + "/missing"
			want = false
		} else if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		overcommitSetting = p
		if got := Reserve(1<<20) != nil; got != want {
			t.Errorf("overcommit_memory %q: reserved %v, want %v", content, got, want)
		}
	}
}
